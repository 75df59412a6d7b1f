package burk.runtime;

import burk.linux.Errno;
import burk.linux.LinuxException;
import burk.linux.Syscalls;

import java.util.Optional;

/**
 * Sends a signal to a process. SIGKILL and SIGTERM, what engines send almost always, go through
 * {@link ProcessHandle} (the JDK's own kill, no foreign call): in a JVM started for one
 * {@code burk kill}, linking the first FFM downcall costs more than the rest of the command.
 * ProcessHandle also checks the process's start time before signalling, so a recycled pid is
 * not hit. Any other signal, and any failure whose errno matters, goes through kill(2).
 */
final class ProcessSignals {
    static final int SIGKILL = 9, SIGTERM = 15;

    private ProcessSignals() {}

    static void send(int pid, int signal) throws LinuxException {
        if ((signal == SIGKILL || signal == SIGTERM) && pid > 0) {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty()) throw new LinuxException("kill", Integer.toString(pid), Errno.ESRCH);
            if (signal == SIGKILL ? p.get().destroyForcibly() : p.get().destroy()) return;
            // refused (EPERM) or gone meanwhile: let kill(2) say which
        }
        Syscalls.kill(pid, signal);
    }
}
