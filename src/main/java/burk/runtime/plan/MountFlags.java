package burk.runtime.plan;

/** mount(2) flag bits and their names as mount(8) prints them. */
public final class MountFlags {
    private MountFlags() {}

    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8,
            MS_SYNCHRONOUS = 16, MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128,
            MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096,
            MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768, MS_UNBINDABLE = 1L << 17,
            MS_PRIVATE = 1L << 18, MS_SLAVE = 1L << 19, MS_SHARED = 1L << 20, MS_RELATIME = 1L << 21,
            MS_STRICTATIME = 1L << 24, MS_LAZYTIME = 1L << 25;
    public static final long PROPAGATION = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;

    private static final long[] BITS = {MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS,
            MS_MANDLOCK, MS_DIRSYNC, MS_NOSYMFOLLOW, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC,
            MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_RELATIME, MS_STRICTATIME, MS_LAZYTIME};
    private static final String[] NAMES = {"ro", "nosuid", "nodev", "noexec", "sync", "mand",
            "dirsync", "nosymfollow", "noatime", "nodiratime", "bind", "rec", "unbindable", "private",
            "slave", "shared", "relatime", "strictatime", "lazytime"};

    /** The flags as a comma-separated list of names, {@code rec} folded into {@code r}-prefixes of propagation. */
    public static String describe(long flags) {
        StringBuilder sb = new StringBuilder();
        boolean rec = (flags & MS_REC) != 0;
        for (int i = 0; i < BITS.length; i++) {
            if ((flags & BITS[i]) == 0 || BITS[i] == MS_REC) continue;
            if (!sb.isEmpty()) sb.append(',');
            boolean prop = (BITS[i] & PROPAGATION) != 0;
            sb.append(prop && rec ? "r" + NAMES[i] : NAMES[i]);
        }
        if (rec && (flags & (PROPAGATION | MS_BIND)) == 0) sb.append(sb.isEmpty() ? "rec" : ",rec");
        return sb.toString();
    }
}
