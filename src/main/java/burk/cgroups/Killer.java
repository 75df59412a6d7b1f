package burk.cgroups;

/**
 * Sends SIGKILL to one process. {@link CgroupManager#destroy()} needs it to empty a cgroup that
 * still has tasks when cgroup v2's {@code cgroup.kill} is not available (always on v1).
 *
 * <p>The default, {@link #PROCESS_HANDLE}, uses {@link ProcessHandle#destroyForcibly()}: it works
 * for any process the caller may signal, not only its children, and the JDK checks the process
 * start time before sending the signal, so a pid reused between listing and killing is not hit.
 * A runtime holding pidfds can inject its own.
 */
@FunctionalInterface
public interface Killer {
    /** Sends SIGKILL to {@code pid}; a process that is already gone is not an error. */
    void kill(long pid);

    /** SIGKILL through {@link ProcessHandle}. */
    Killer PROCESS_HANDLE = pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
}
