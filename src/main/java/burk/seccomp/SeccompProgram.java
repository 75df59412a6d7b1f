package burk.seccomp;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A compiled seccomp filter, ready for {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)}.
 *
 * @param filter              the {@code struct sock_filter[]}: 8 bytes per instruction
 *                            ({@code u16 code, u8 jt, u8 jf, u32 k}) in the kernel's byte order
 * @param flags               the {@code SECCOMP_FILTER_FLAG_*} bits to pass to seccomp(2), including
 *                            {@code NEW_LISTENER} (8) when {@code needsNotifyListener}
 * @param needsNotifyListener whether a rule notifies, so seccomp(2) returns a listener fd that
 *                            must reach the seccomp agent at {@code listenerPath}
 */
public record SeccompProgram(byte[] filter, int flags, boolean needsNotifyListener) {

    /** {@code SECCOMP_FILTER_FLAG_NEW_LISTENER}: seccomp(2) returns a user-notification fd. */
    public static final int FLAG_NEW_LISTENER = 8;

    /** {@code SECCOMP_FILTER_FLAG_TSYNC_ESRCH}: needed with TSYNC when NEW_LISTENER is set. */
    public static final int FLAG_TSYNC_ESRCH = 16;

    public SeccompProgram {
        if (filter.length == 0 || filter.length % 8 != 0) {
            throw new IllegalArgumentException("a filter is a non-empty array of 8-byte instructions");
        }
        filter = filter.clone();
    }

    /** The filter bytes (a copy). */
    @Override
    public byte[] filter() {
        return filter.clone();
    }

    /** The number of BPF instructions ({@code sock_fprog.len}). */
    public int instructionCount() {
        return filter.length / 8;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompProgram p && Arrays.equals(filter, p.filter) && flags == p.flags
                && needsNotifyListener == p.needsNotifyListener;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(filter) * 31 + flags * 2 + (needsNotifyListener ? 1 : 0);
    }

    @Override
    public String toString() {
        return "SeccompProgram[instructions=" + instructionCount() + ", flags=0x" + Integer.toHexString(flags)
                + ", needsNotifyListener=" + needsNotifyListener + ", filter=" + HexFormat.of().formatHex(filter, 0,
                Math.min(filter.length, 64)) + (filter.length > 64 ? "..." : "") + "]";
    }
}
