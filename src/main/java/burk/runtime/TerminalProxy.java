package burk.runtime;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.linux.Tty;
import burk.linux.UnixSocket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's terminal held by burk itself: a console socket in a private temp directory
 * receives the pty master from the init, then two threads copy this process's stdin to the
 * master and the master to stdout. When stdin is a terminal it is put in raw mode (so keys such
 * as Ctrl-C reach the container's line discipline, not burk's) and its window size is copied to
 * the container's terminal now and on every SIGWINCH.
 */
final class TerminalProxy implements AutoCloseable {
    private final Path dir;
    private final Fd listener;
    private final int in;
    private final int out;
    private Fd master;
    private Tty.Mode savedMode;
    private Thread input;
    private Thread output;
    private sun.misc.SignalHandler previousWinch;

    private TerminalProxy(Path dir, Fd listener, int in, int out) {
        this.dir = dir;
        this.listener = listener;
        this.in = in;
        this.out = out;
    }

    static TerminalProxy listen(int[] stdio) throws IOException {
        Path dir = Files.createTempDirectory("burk-console-");
        try {
            Fd l = UnixSocket.listen(dir.resolve("console.sock").toString());
            return new TerminalProxy(dir, l, stdio[0], stdio[1]);
        } catch (LinuxException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    Path socketPath() { return dir.resolve("console.sock"); }

    /** Receives the master (the init sent it during create) and starts copying. */
    @SuppressWarnings("restriction")
    void attach() throws IOException {
        try (Fd conn = UnixSocket.accept(listener)) {
            master = UnixSocket.receiveFd(conn).fd();
        }
        if (Tty.isTerminal(in)) {
            Tty.resize(master.get(), Tty.size(in));
            savedMode = Tty.makeRaw(in);
            try {
                previousWinch = sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> copySize());
            } catch (IllegalArgumentException ignored) {
                // WINCH is not available: the size stays as it was at start
            }
        }
        int m = master.get();
        output = Thread.ofPlatform().name("burk-tty-out").daemon().start(() -> copy(m, out));
        input = Thread.ofPlatform().name("burk-tty-in").daemon().start(() -> copy(in, m));
    }

    private void copySize() {
        try {
            if (master != null && master.isOpen()) Tty.resize(master.get(), Tty.size(in));
        } catch (LinuxException ignored) {
            // the terminal went away: nothing to resize
        }
    }

    private static void copy(int from, int to) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = Syscalls.readSome(from, buf)) > 0) Syscalls.writeAll(to, buf, n);
        } catch (LinuxException ignored) {
            // one side closed: the copy ends
        }
    }

    /** Waits briefly for the last output of a container that has exited. */
    void drain() {
        if (output != null) {
            try {
                output.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    @SuppressWarnings("restriction")
    public void close() throws IOException {
        if (savedMode != null) Tty.restore(savedMode);
        if (previousWinch != null) sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), previousWinch);
        if (master != null) master.close();
        listener.close();
        Files.deleteIfExists(socketPath());
        Files.deleteIfExists(dir);
    }
}
