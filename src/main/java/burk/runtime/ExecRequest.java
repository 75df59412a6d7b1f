package burk.runtime;

import burk.cgroups.SubCgroup;
import burk.spec.ProcessSpec;

import java.nio.file.Path;

/**
 * What {@code exec} is asked to run in an existing container.
 *
 * @param id            the container
 * @param process       the process to run (runc's --process file, or the container's own process
 *                      with the inline flags applied)
 * @param detach        return once the process runs, instead of waiting for it
 * @param pidFile       where to write its pid (decimal, no newline), or null
 * @param consoleSocket where its terminal master goes when process.terminal is set, or null
 * @param stdio         this process's fds that become its 0, 1, 2 and preserved fds
 * @param ignorePaused  exec even into a paused container (the process starts frozen)
 * @param cgroup        the sub-cgroup of the container's cgroup the process joins ({@code --cgroup}),
 *                      or {@link SubCgroup#NONE} for the container's cgroup itself
 */
public record ExecRequest(String id, ProcessSpec process, boolean detach, Path pidFile, Path consoleSocket,
                          int[] stdio, boolean ignorePaused, SubCgroup cgroup) {
    public ExecRequest {
        if (stdio == null) stdio = new int[] {0, 1, 2};
        if (cgroup == null) cgroup = SubCgroup.NONE;
    }

    /** A request that runs in the container's own cgroup. */
    public ExecRequest(String id, ProcessSpec process, boolean detach, Path pidFile, Path consoleSocket, int[] stdio,
                       boolean ignorePaused) {
        this(id, process, detach, pidFile, consoleSocket, stdio, ignorePaused, SubCgroup.NONE);
    }

    public static ExecRequest of(String id, ProcessSpec process) {
        return new ExecRequest(id, process, false, null, null, null, false);
    }

    public ExecRequest withStdio(int[] fds) {
        return new ExecRequest(id, process, detach, pidFile, consoleSocket, fds, ignorePaused, cgroup);
    }

    public ExecRequest withDetach(boolean d, Path pid) {
        return new ExecRequest(id, process, d, pid, consoleSocket, stdio, ignorePaused, cgroup);
    }

    public ExecRequest withConsoleSocket(Path p) {
        return new ExecRequest(id, process, detach, pidFile, p, stdio, ignorePaused, cgroup);
    }

    public ExecRequest withIgnorePaused(boolean b) {
        return new ExecRequest(id, process, detach, pidFile, consoleSocket, stdio, b, cgroup);
    }

    public ExecRequest withCgroup(SubCgroup sub) {
        return new ExecRequest(id, process, detach, pidFile, consoleSocket, stdio, ignorePaused, sub);
    }
}
