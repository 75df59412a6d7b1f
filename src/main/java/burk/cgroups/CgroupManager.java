package burk.cgroups;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One container's cgroup, on whichever cgroup version the host uses, made by burk itself
 * ({@link CgroupV1}, {@link CgroupV2}) or by systemd ({@link SystemdCgroup}). Obtained from
 * {@link Cgroups#open} (new container) or {@link Cgroups#reopen} (from saved state). Not thread
 * safe: the runtime serialises operations on a container.
 *
 * <p>Every failure is a {@link CgroupException} naming the file, the value and the kernel's
 * reason.
 */
public sealed interface CgroupManager permits CgroupV1, CgroupV2, SystemdCgroup {

    CgroupVersion version();

    /**
     * Creates the cgroup directories (mkdir -p in every hierarchy) and prepares them for tasks
     * (v1 cpuset: cpus/mems inherited; v2: controllers enabled in the ancestors'
     * {@code cgroup.subtree_control}). Directories that already existed are used as they are and
     * are never removed by {@link #destroy()}. Idempotent.
     */
    void create();

    /** Writes every non-null field of {@code resources}; see the drivers for the files. */
    void apply(CgroupResources resources);

    /** Changes the limits of a running container; null fields are left as they are. */
    void update(CgroupResources resources);

    /** Moves a process (all its threads) into the cgroup, in every hierarchy. */
    void addProcess(long pid);

    /**
     * Moves a process into sub-cgroup {@code sub} of this cgroup, in every hierarchy
     * ({@code exec --cgroup}); with {@link SubCgroup#NONE}, as {@link #addProcess(long)}. The
     * directories are written directly, for every driver: a sub-cgroup is no unit of systemd's,
     * and runc writes cgroupfs for it too.
     *
     * @throws CgroupException as {@link SubCgroup#targets} says, or the kernel's refusal
     */
    default void addProcess(long pid, SubCgroup sub) {
        if (sub.isEmpty()) {
            addProcess(pid);
            return;
        }
        for (Path dir : sub.targets(paths())) {
            CgroupFs.write(dir.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    /** Every process in the cgroup and the cgroups below it, sorted. */
    List<Long> pids();

    /** Freezes every task and waits until the kernel reports the cgroup frozen. */
    void freeze();

    /** Thaws the cgroup and waits until it runs again. */
    void thaw();

    /** The freezer state. */
    FreezerState state();

    /** Usage counters. */
    CgroupStats stats();

    /** How many tasks the OOM killer killed in this cgroup (v2 memory.events, v1 memory.oom_control). */
    long oomKillCount();

    /**
     * Kills whatever still runs in the cgroups burk created and removes them, deepest first,
     * retrying while dying tasks keep a directory busy. Never removes a directory burk did not
     * create. Does nothing when burk created nothing.
     *
     * @throws CgroupException when a directory is still there after the retries; the ones
     *         removed are dropped from {@link #createdPaths()}, so destroy can be retried
     */
    void destroy();

    /** True when every cgroup directory exists. */
    boolean exists();

    /** Controller to directory (v1), or {@code ""} to the directory (v2), as runc's cgroup_paths. */
    Map<String, Path> paths();

    /** The directories burk created, outermost first. Save them (see {@link #savedPaths()}). */
    List<Path> createdPaths();

    /** Everything needed to {@link Cgroups#reopen} this manager from another process. */
    default CgroupPaths savedPaths() {
        return new CgroupPaths(version(), paths(), createdPaths());
    }
}
