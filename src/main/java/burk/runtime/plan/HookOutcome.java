package burk.runtime.plan;

import burk.linux.Errno;

/**
 * How a RUN_HOOK step reports a failed hook (docs/plan-format.md): {@code err} ETIMEDOUT with the
 * timeout in milliseconds as {@code value} when the helper killed the hook; {@code err} ECHILD
 * with the raw wait status as {@code value} when the hook ran and exited non-zero or was killed;
 * otherwise {@code err} is the errno of starting it (fork, execve) and {@code value} is 0.
 */
public final class HookOutcome {
    private HookOutcome() {}

    /** ETIMEDOUT on Linux. */
    static final int ETIMEDOUT = 110;
    /** ECHILD on Linux. */
    static final int ECHILD = 10;

    /** The reason in words: {@code exit status 3}, {@code timed out after 2s}, {@code no such file or directory}. */
    public static String describe(int errno, long value) {
        if (errno == ETIMEDOUT && value > 0) return "timed out after " + seconds(value);
        if (errno == ECHILD && value != 0) return waitStatus((int) value);
        return Errno.text(errno);
    }

    /** A wait status as the shell would say it. */
    public static String waitStatus(int raw) {
        int sig = raw & 0x7f;
        if (sig == 0) return "exit status " + ((raw >> 8) & 0xff);
        return "killed by signal " + sig + ((raw & 0x80) != 0 ? " (core dumped)" : "");
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : (ms / 1000.0) + "s";
    }
}
