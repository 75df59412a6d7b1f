package burk.runtime;

/** RLIMIT_* names (as config.json's process.rlimits[].type writes them) and their numbers on Linux. */
final class Rlimits {
    private Rlimits() {}

    private static final String[] NAMES = {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
            "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
            "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};

    /** The resource number, or an IllegalArgumentException naming the unknown type. */
    static int number(String name) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) return i;
        throw new IllegalArgumentException("process.rlimits: unknown rlimit type \"" + name + "\"");
    }
}
