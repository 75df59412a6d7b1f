package burk.runtime;

import burk.linux.LinuxException;
import burk.linux.Syscalls;

import java.util.ArrayList;
import java.util.List;

/**
 * Forwards the signals a foreground {@code burk run} receives to the container's init, so that
 * Ctrl-C or a `kill` of burk reaches the container as it would reach a shell's child. Signals the
 * JVM reserves for itself (QUIT, and USR1 on some VMs) cannot be taken and are skipped.
 */
final class SignalForwarder implements AutoCloseable {
    private static final String[] FORWARDED = {"TERM", "INT", "HUP", "USR1", "USR2", "WINCH", "ALRM", "CONT", "TSTP"};
    private final List<Object[]> previous = new ArrayList<>();

    private SignalForwarder() {}

    @SuppressWarnings("restriction")
    static SignalForwarder install(int pid) {
        SignalForwarder f = new SignalForwarder();
        for (String name : FORWARDED) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, s -> {
                    try {
                        Syscalls.kill(pid, s.getNumber());
                    } catch (LinuxException ignored) {
                        // the container is already gone: nothing to forward to
                    }
                });
                f.previous.add(new Object[] {sig, old});
            } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
                // reserved by the JVM
            }
        }
        return f;
    }

    @Override
    @SuppressWarnings("restriction")
    public void close() {
        for (Object[] p : previous) {
            sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
        }
    }
}
