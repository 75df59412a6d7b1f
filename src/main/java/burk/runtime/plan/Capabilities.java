package burk.runtime.plan;

import java.util.ArrayList;
import java.util.List;

/** Linux capability names (as OCI writes them, CAP_*) and their bit numbers (capability.h). */
public final class Capabilities {
    private Capabilities() {}

    private static final String[] NAMES = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
            "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
            "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
            "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

    /** The highest capability this table knows (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
    public static final int LAST_KNOWN = NAMES.length - 1;

    /** The bit for a name such as {@code CAP_SYS_ADMIN} (case-insensitive, prefix optional), or -1. */
    public static int bit(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        if (!n.startsWith("CAP_")) n = "CAP_" + n;
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(n)) return i;
        return -1;
    }

    public static String name(int bit) {
        return bit >= 0 && bit < NAMES.length ? NAMES[bit] : "CAP_" + bit;
    }

    /** The set bits of {@code mask} as names. */
    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) if ((mask & (1L << i)) != 0) out.add(name(i));
        return out;
    }
}
