package burk.front;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The terminal of a detached container ({@code burk run -d -t}): the monitor listens on a console
 * socket, receives the pty master the container's init made, and copies everything the container
 * writes to its terminal into the container's log. Holding the master open is what keeps the
 * container's terminal alive: when the last master fd closes the kernel hangs up the slave side
 * and an interactive shell would exit.
 */
final class ConsoleLog implements AutoCloseable {
    private final Path dir;
    private final Fd listener;
    private Fd master;
    private Thread copier;

    private ConsoleLog(Path dir, Fd listener) {
        this.dir = dir;
        this.listener = listener;
    }

    /**
     * A console socket in a fresh directory under the temp dir: a unix socket path is limited to
     * 108 bytes, which a path under a custom store root could exceed.
     */
    static ConsoleLog listen() throws IOException {
        Path dir = Files.createTempDirectory("burk-console-");
        try {
            return new ConsoleLog(dir, UnixSocket.listen(dir.resolve("console.sock").toString()));
        } catch (LinuxException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    Path socketPath() {
        return dir.resolve("console.sock");
    }

    /** Takes the master the init sent during create and starts copying it to {@code log}. */
    void attach(int log) throws IOException {
        try (Fd conn = UnixSocket.accept(listener)) {
            master = UnixSocket.receiveFd(conn).fd();
        }
        int m = master.get();
        copier = Thread.ofPlatform().name("burk-console-log").daemon().start(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = Syscalls.readSome(m, buf)) > 0) Syscalls.writeAll(log, buf, n);
            } catch (LinuxException e) {
                // EIO once the last process holding the slave has exited: the copy is over
            }
        });
    }

    /** Waits (briefly) until the container's last output is in the log. */
    void drain() {
        if (copier == null) return;
        try {
            copier.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        if (master != null) master.close();
        listener.close();
        Files.deleteIfExists(socketPath());
        Files.deleteIfExists(dir);
    }
}
