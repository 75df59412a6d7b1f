package burk.linux;

/**
 * An owned file descriptor. Closing it twice is harmless; using it after close is a bug the
 * kernel would report as EBADF, so {@link #get()} checks first.
 */
public final class Fd implements AutoCloseable {
    private int fd;

    public Fd(int fd) {
        if (fd < 0) throw new IllegalArgumentException("negative fd " + fd);
        this.fd = fd;
    }

    /** The raw descriptor number. */
    public int get() {
        if (fd < 0) throw new IllegalStateException("fd already closed");
        return fd;
    }

    /** Gives up ownership: the caller now closes the returned number. */
    public int release() {
        int n = get();
        fd = -1;
        return n;
    }

    public boolean isOpen() { return fd >= 0; }

    @Override
    public void close() {
        if (fd >= 0) {
            int n = fd;
            fd = -1;
            Syscalls.closeQuietly(n);
        }
    }

    @Override
    public String toString() { return "fd " + fd; }
}
