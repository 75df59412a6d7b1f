package burk.runtime;

import burk.cgroups.CgroupException;
import burk.cgroups.CgroupManager;

import java.util.function.BooleanSupplier;

/**
 * A view of one container's cgroup for {@code burk events}: its usage counters in runc's event
 * shape, its OOM kill count, and whether its init still runs. Obtained from
 * {@link ContainerRuntime#monitor}; holds no file descriptor, every call reads the cgroup files
 * afresh.
 */
public final class ContainerMonitor {
    private final String id;
    private final CgroupManager cgroup;
    private final BooleanSupplier alive;

    ContainerMonitor(String id, CgroupManager cgroup, BooleanSupplier alive) {
        this.id = id;
        this.cgroup = cgroup;
        this.alive = alive;
    }

    public String id() { return id; }

    /** True while the container's init process runs (created, running or paused). */
    public boolean running() { return alive.getAsBoolean(); }

    /** The cgroup's counters now. */
    public EventStats stats() throws RuntimeError {
        try {
            return new EventStats(cgroup.version(), cgroup.stats());
        } catch (CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /** How many tasks the OOM killer has killed in the container's cgroup so far. */
    public long oomKills() throws RuntimeError {
        try {
            return cgroup.oomKillCount();
        } catch (CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }
}
