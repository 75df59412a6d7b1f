package burk.runtime.plan;

/**
 * The eight Linux namespaces, with the clone(2) flag that creates each and the OCI name for it.
 * The order of the constants is the order in which burk joins namespaces given by path: user first,
 * because joining it grants the capabilities the other setns calls need (setns(2)).
 */
public enum Namespace {
    USER("user", 0x10000000L, "user"),
    MOUNT("mount", 0x00020000L, "mnt"),
    PID("pid", 0x20000000L, "pid"),
    UTS("uts", 0x04000000L, "uts"),
    IPC("ipc", 0x08000000L, "ipc"),
    NETWORK("network", 0x40000000L, "net"),
    CGROUP("cgroup", 0x02000000L, "cgroup"),
    TIME("time", 0x00000080L, "time");

    private final String specName;
    private final long cloneFlag;
    private final String procName;

    Namespace(String specName, long cloneFlag, String procName) {
        this.specName = specName;
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** The name in config.json's linux.namespaces[].type. */
    public String specName() { return specName; }

    /** CLONE_NEW* for this namespace. */
    public long cloneFlag() { return cloneFlag; }

    /** The name under /proc/PID/ns/. */
    public String procName() { return procName; }

    /** The namespace for an OCI type name, or null. */
    public static Namespace bySpecName(String name) {
        for (Namespace n : values()) if (n.specName.equals(name)) return n;
        return null;
    }

    static String describeFlags(long flags) {
        StringBuilder sb = new StringBuilder();
        for (Namespace n : values()) {
            if ((flags & n.cloneFlag) != 0) {
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(n.specName);
            }
        }
        return sb.isEmpty() ? "no namespaces" : sb + " namespaces";
    }
}
