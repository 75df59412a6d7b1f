package burk.runtime;

/** The runtime-spec's container states, plus runc's "paused". */
public enum ContainerStatus {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    /** The lowercase name the spec and runc print. */
    public String specName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
