package burk.cgroups;

/** Which cgroup driver manages a cgroup. */
public enum CgroupVersion {
    /** Per-controller hierarchies (legacy and hybrid hosts). */
    V1,
    /** The single unified hierarchy. */
    V2
}
