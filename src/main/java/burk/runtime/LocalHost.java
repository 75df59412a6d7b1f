package burk.runtime;

import burk.linux.Errno;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.runtime.helper.HelperSession;
import burk.runtime.plan.Plan;

import java.io.IOException;

/** This JVM as the {@link ProcessHost}: posix_spawn, prctl and waitpid through FFM. */
final class LocalHost implements ProcessHost {
    static final LocalHost INSTANCE = new LocalHost();

    private LocalHost() {}

    @Override
    public HelperSession spawnHelper(Plan plan, int[] childFds) throws IOException {
        return HelperSession.spawn(plan, childFds);
    }

    @Override
    public void becomeSubreaper() throws RuntimeError {
        try {
            Syscalls.prctl(Syscalls.PR_SET_CHILD_SUBREAPER, 1);
        } catch (LinuxException e) {
            throw new RuntimeError("cannot become a child subreaper: " + e.getMessage(), e);
        }
    }

    @Override
    public int startAndWait(int pid, StartAction start) throws RuntimeError {
        try (SignalForwarder fwd = SignalForwarder.install(pid)) {
            start.start();
            return Syscalls.waitPid(pid, 0).shellStatus();
        } catch (LinuxException e) {
            throw new RuntimeError("wait for the container process " + pid + ": " + e.getMessage()
                    + (e.errno() == Errno.ECHILD ? " (call becomeSubreaper() before create)" : ""), e);
        }
    }
}
