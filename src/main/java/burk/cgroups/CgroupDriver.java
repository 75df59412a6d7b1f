package burk.cgroups;

/** Who creates a container's cgroup (the runtime's {@code --systemd-cgroup} flag picks SYSTEMD). */
public enum CgroupDriver {
    /** burk makes the directories in cgroupfs itself; cgroupsPath is a path. */
    CGROUPFS,
    /**
     * systemd makes a transient scope unit over D-Bus and burk manages the limits in it;
     * cgroupsPath is "slice:prefix:name". Needs a running systemd.
     */
    SYSTEMD
}
