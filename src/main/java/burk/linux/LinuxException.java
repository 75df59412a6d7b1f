package burk.linux;

import java.io.IOException;

/**
 * A failed system call: which call, on what, and the kernel's errno. The message reads like
 * runc's ({@code "open /run/burk/x/state.json: no such file or directory"}) because engines show it
 * to users verbatim.
 */
public final class LinuxException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    public LinuxException(String call, String subject, int errno) {
        super(call + (subject == null || subject.isEmpty() ? "" : " " + subject) + ": " + Errno.text(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The name of the failed call, e.g. {@code "posix_spawn"}. */
    public String call() { return call; }

    /** The kernel's errno. */
    public int errno() { return errno; }
}
