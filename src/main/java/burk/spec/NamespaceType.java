package burk.spec;

/** The namespace types of {@code linux.namespaces[].type}, a closed set in the runtime-spec. */
public enum NamespaceType {
    PID("pid"),
    NETWORK("network"),
    MOUNT("mount"),
    IPC("ipc"),
    UTS("uts"),
    USER("user"),
    CGROUP("cgroup"),
    TIME("time");

    private final String spec;

    NamespaceType(String spec) {
        this.spec = spec;
    }

    /** The string the runtime-spec uses, e.g. {@code "network"}. */
    public String spec() {
        return spec;
    }

    /** The type for a runtime-spec string, or null if there is none. */
    public static NamespaceType fromSpec(String s) {
        return switch (s) {
            case "pid" -> PID;
            case "network" -> NETWORK;
            case "mount" -> MOUNT;
            case "ipc" -> IPC;
            case "uts" -> UTS;
            case "user" -> USER;
            case "cgroup" -> CGROUP;
            case "time" -> TIME;
            default -> null;
        };
    }
}
