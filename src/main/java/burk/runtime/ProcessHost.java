package burk.runtime;

import burk.runtime.helper.HelperSession;
import burk.runtime.plan.Plan;

import java.io.IOException;

/**
 * The process a container's init descends from: it spawns the native helper (whose clone
 * becomes the init), and for a foreground {@code run} it is the child subreaper that waits for
 * the init and forwards signals to it. Engines rely on that tree: when the helper exits, the init
 * is re-parented to the caller's subreaper (a shim), which reaps it.
 *
 * <p>{@link #local()} is this JVM, what the command line and the Java API use. burk's resident
 * daemon passes another implementation: the native front that the engine ran, so that the init
 * descends from the engine's process, not from the daemon.
 */
public interface ProcessHost {
    /**
     * Spawns the helper for {@code plan}. {@code childFds[i]} becomes the helper's fd {@code i}:
     * 0, 1, 2 are the container's stdio, more are preserved fds. The numbers name fds of the host
     * process.
     */
    HelperSession spawnHelper(Plan plan, int[] childFds) throws IOException;

    /** Makes the host a child subreaper, so that it inherits the init when the helper exits. */
    void becomeSubreaper() throws RuntimeError;

    /**
     * Runs {@code start}, then waits for {@code pid} (a child of the host once it is a subreaper),
     * forwarding the signals the host receives to it meanwhile; returns the status as a shell
     * reports it: the exit code, or 128 + the signal that killed it.
     */
    int startAndWait(int pid, StartAction start) throws RuntimeError;

    /** What {@link #startAndWait} runs once the signals are forwarded. */
    @FunctionalInterface
    interface StartAction {
        void start() throws RuntimeError;
    }

    /** This JVM. */
    static ProcessHost local() { return LocalHost.INSTANCE; }
}
