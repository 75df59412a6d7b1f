package burk.cgroups;

/** The freezer's view of a cgroup, as cgroup v1's freezer.state names it. */
public enum FreezerState {
    /** Running normally. */
    THAWED,
    /** A freeze was requested and not every task has stopped yet. */
    FREEZING,
    /** Every task is stopped. */
    FROZEN
}
