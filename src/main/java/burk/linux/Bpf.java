package burk.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static burk.linux.Libc.LONG;
import static burk.linux.Libc.PTR;

/**
 * The bpf(2) commands a cgroup needs: load a program, attach it to a cgroup, list what is
 * attached, detach. glibc has no bpf() wrapper, so the call goes through syscall(2).
 *
 * <p>Each command fills a zeroed {@code union bpf_attr}: the kernel refuses (E2BIG/EINVAL) a
 * union whose bytes past the fields it knows for that command are not zero, so nothing else may
 * be left in it.
 */
public final class Bpf {
    private Bpf() {}

    /** BPF_PROG_TYPE_CGROUP_DEVICE. */
    public static final int PROG_TYPE_CGROUP_DEVICE = 15;
    /** BPF_CGROUP_DEVICE. */
    public static final int ATTACH_CGROUP_DEVICE = 6;
    /** BPF_F_ALLOW_MULTI: several programs per cgroup, all must allow. */
    public static final int F_ALLOW_MULTI = 2;

    private static final int PROG_LOAD = 5, PROG_ATTACH = 8, PROG_DETACH = 9, PROG_GET_FD_BY_ID = 13,
            OBJ_GET_INFO_BY_FD = 15, PROG_QUERY = 16;
    /** sizeof(union bpf_attr) is larger on newer kernels; every command here fits in this. */
    private static final int ATTR_SIZE = 128;
    /** The kernel caps the verifier log; a failing device program's log is short. */
    private static final int LOG_SIZE = 64 * 1024;
    /** BPF_OBJ_NAME_LEN, the NUL included. */
    private static final int NAME_LEN = 16;
    /** offsetof(struct bpf_prog_info, name) and a prefix of the struct that covers it. */
    private static final int INFO_NAME_OFFSET = 64, INFO_SIZE = 80;

    private static final class Syscall { static final MethodHandle H = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(LONG, LONG, LONG, PTR, LONG), 1); }

    private static long sysBpf() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 321;
            case "aarch64" -> 280;
            case "riscv64" -> 280;
            case "ppc64le" -> 361;
            case "s390x" -> 351;
            default -> throw new UnsupportedOperationException("bpf(2): unknown syscall number on " + System.getProperty("os.arch"));
        };
    }

    private static long call(String what, int cmd, MemorySegment attr) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            long r = (long) Syscall.H.invokeExact(cap, sysBpf(), (long) cmd, attr, (long) ATTR_SIZE);
            if (r < 0) throw new LinuxException("bpf", what, Libc.errno(cap));
            return r;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * BPF_PROG_LOAD: loads {@code insns} (struct bpf_insn array, 8 bytes each) and returns the
     * program's fd. When the verifier refuses the program, the call is repeated with a log and
     * the exception's subject carries the verifier's words.
     */
    public static Fd progLoad(int progType, byte[] insns, String license, String name) throws LinuxException {
        if (insns.length % 8 != 0 || insns.length == 0) {
            throw new IllegalArgumentException("eBPF program of " + insns.length + " bytes");
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length >= NAME_LEN) throw new IllegalArgumentException("program name longer than 15 bytes: " + name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment code = a.allocate(insns.length, 8);
            MemorySegment.copy(insns, 0, code, ValueLayout.JAVA_BYTE, 0, insns.length);
            MemorySegment lic = a.allocateFrom(license);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, progType);
            attr.set(ValueLayout.JAVA_INT, 4, insns.length / 8);
            attr.set(ValueLayout.JAVA_LONG, 8, code.address());
            attr.set(ValueLayout.JAVA_LONG, 16, lic.address());
            MemorySegment.copy(nameBytes, 0, attr, ValueLayout.JAVA_BYTE, 48, nameBytes.length);
            try {
                return new Fd((int) call("BPF_PROG_LOAD " + name, PROG_LOAD, attr));
            } catch (LinuxException refused) {
                MemorySegment log = a.allocate(LOG_SIZE);
                attr.set(ValueLayout.JAVA_INT, 24, 1);
                attr.set(ValueLayout.JAVA_INT, 28, LOG_SIZE);
                attr.set(ValueLayout.JAVA_LONG, 32, log.address());
                try {
                    return new Fd((int) call("BPF_PROG_LOAD " + name, PROG_LOAD, attr));
                } catch (LinuxException again) {
                    String verifier = log.getString(0).strip();
                    if (verifier.isEmpty()) throw again;
                    throw new LinuxException("bpf", "BPF_PROG_LOAD " + name + " (verifier: "
                            + verifier.replace('\n', ';') + ")", again.errno());
                }
            }
        }
    }

    /** BPF_PROG_ATTACH of {@code prog} to the cgroup (or other target) open as {@code target}. */
    public static void progAttach(Fd target, Fd prog, int attachType, int flags) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, target.get());
            attr.set(ValueLayout.JAVA_INT, 4, prog.get());
            attr.set(ValueLayout.JAVA_INT, 8, attachType);
            attr.set(ValueLayout.JAVA_INT, 12, flags);
            call("BPF_PROG_ATTACH", PROG_ATTACH, attr);
        }
    }

    /** BPF_PROG_DETACH of one program attached with BPF_F_ALLOW_MULTI. */
    public static void progDetach(Fd target, Fd prog, int attachType) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, target.get());
            attr.set(ValueLayout.JAVA_INT, 4, prog.get());
            attr.set(ValueLayout.JAVA_INT, 8, attachType);
            call("BPF_PROG_DETACH", PROG_DETACH, attr);
        }
    }

    /**
     * BPF_PROG_QUERY: the ids of the programs attached directly to {@code target} (not the ones
     * inherited from its ancestors).
     */
    public static int[] progQuery(Fd target, int attachType) throws LinuxException {
        int capacity = 64; // BPF_CGROUP_MAX_PROGS
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ids = a.allocate(ValueLayout.JAVA_INT, capacity);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, target.get());
            attr.set(ValueLayout.JAVA_INT, 4, attachType);
            attr.set(ValueLayout.JAVA_LONG, 16, ids.address());
            attr.set(ValueLayout.JAVA_INT, 24, capacity);
            call("BPF_PROG_QUERY", PROG_QUERY, attr);
            int count = Math.min(capacity, attr.get(ValueLayout.JAVA_INT, 24));
            int[] out = new int[count];
            for (int i = 0; i < count; i++) out[i] = ids.getAtIndex(ValueLayout.JAVA_INT, i);
            return out;
        }
    }

    /** BPF_PROG_GET_FD_BY_ID. */
    public static Fd progGetFdById(int id) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, id);
            return new Fd((int) call("BPF_PROG_GET_FD_BY_ID " + id, PROG_GET_FD_BY_ID, attr));
        }
    }

    /** The name a program was loaded with (struct bpf_prog_info.name, through BPF_OBJ_GET_INFO_BY_FD). */
    public static String progName(Fd prog) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(INFO_SIZE, 8);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, prog.get());
            attr.set(ValueLayout.JAVA_INT, 4, INFO_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 8, info.address());
            call("BPF_OBJ_GET_INFO_BY_FD", OBJ_GET_INFO_BY_FD, attr);
            return info.asSlice(INFO_NAME_OFFSET, NAME_LEN).getString(0);
        }
    }
}
