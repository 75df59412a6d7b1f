package burk.daemon;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.UnixSocket;
import burk.runtime.helper.HelperBinary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * burk's resident daemon: listens on a unix socket and runs the command lines that fronts send it
 * (docs/performance.md). It keeps no state between commands: every command reads and writes the
 * same state directories and cgroups as a JVM per call would. What it holds for its lifetime is
 * only what does not change: the listening socket, the sealed helper memfd and the identity of
 * its jar.
 *
 * <pre>{@code
 * try (Daemon d = Daemon.start(Daemon.socketPath(System.getenv(), true), jar, handler, System.err)) {
 *     d.awaitStop();
 * }
 * }</pre>
 */
public final class Daemon implements AutoCloseable {
    /** Overrides the socket's place for fronts and daemons alike (tests, benchmarks). */
    public static final String SOCKET_ENV = "BURK_DAEMON_SOCKET";

    private final Path socket;
    private final Fd listener;
    private final Fd helperExe;
    private final JarIdentity jar;
    private final Handler handler;
    private final PrintStream log;
    private final PeerCheck peers;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger active = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    // Counted for the stop line only: an operator (and the engine suite) can see whether the
    // calls went through the daemon or back to a JVM each.
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger sentBack = new AtomicInteger();
    private final Thread acceptor;

    private Daemon(Path socket, Fd listener, Fd helperExe, JarIdentity jar, Handler handler, PrintStream log,
                   PeerCheck peers) {
        this.socket = socket;
        this.listener = listener;
        this.helperExe = helperExe;
        this.jar = jar;
        this.handler = handler;
        this.log = log;
        this.peers = peers;
        this.acceptor = Thread.ofPlatform().name("burk-daemon-accept").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Where the daemon listens: {@code $BURK_DAEMON_SOCKET} if set; /run/burk-daemon/socket for
     * root; $XDG_RUNTIME_DIR/burk-daemon/socket for another user (null without XDG_RUNTIME_DIR).
     */
    public static Path socketPath(Map<String, String> env, boolean root) {
        String o = env.get(SOCKET_ENV);
        if (o != null && !o.isEmpty()) return Path.of(o);
        if (root) return Path.of("/run/burk-daemon/socket");
        String xdg = env.get("XDG_RUNTIME_DIR");
        return xdg == null || xdg.isEmpty() ? null : Path.of(xdg, "burk-daemon", "socket");
    }

    /**
     * Starts serving on {@code socket} (its directory is made 0700 if missing, and must be the
     * caller's and 0700 if present). {@code jar} is the burk.jar this JVM runs, whose identity
     * fronts must match. Fails if another daemon already answers there.
     */
    public static Daemon start(Path socket, Path jar, Handler handler, PrintStream log) throws IOException {
        PeerCheck peers = PeerCheck.ofThisProcess();
        Path dir = socket.toAbsolutePath().getParent();
        secureDirectory(dir, peers.uid());
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            try (Fd probe = UnixSocket.connect(socket.toString(), UnixSocket.Kind.SEQPACKET)) {
                throw new IOException("a burk daemon already serves " + socket);
            } catch (LinuxException stale) {
                // nobody listens: a daemon that died left it
                Files.delete(socket);
            }
        }
        JarIdentity id = JarIdentity.of(jar);
        Fd exe = HelperBinary.sealedCopy();
        Fd l;
        try {
            l = UnixSocket.listen(socket.toString(), UnixSocket.Kind.SEQPACKET, 128);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            exe.close();
            throw e;
        }
        Daemon d = new Daemon(socket, l, exe, id, handler, log, peers);
        d.acceptor.start();
        log.println("burk daemon: serving " + socket + " (pid " + ProcessHandle.current().pid() + ")");
        return d;
    }

    private static void secureDirectory(Path dir, int uid) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        // Whoever can write the directory can put their own socket where fronts connect.
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IOException(dir + " is not a directory");
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (owner != uid || !PosixFilePermissions.fromString("rwx------").containsAll(perms)) {
            throw new IOException(dir + " must belong to uid " + uid + " with mode 0700 (it is uid " + owner + ", "
                    + PosixFilePermissions.toString(perms) + ")");
        }
    }

    public Path socket() { return socket; }

    /**
     * Blocks until {@link #close} (from another thread or a shutdown hook) has finished: the
     * commands in flight had their chance to end. Returning earlier, when only the accepting
     * stopped, would let the caller end the JVM (burk's main halts) in the middle of close.
     */
    public void awaitStop() throws InterruptedException {
        acceptor.join();
        closed.await();
    }

    /**
     * Stops accepting, removes the socket (new fronts fall back from now on) and waits up to
     * five seconds for the commands in flight.
     */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) return;
        try {
            stop();
        } finally {
            closed.countDown();
        }
    }

    private void stop() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // gone already
        }
        try {
            UnixSocket.shutdown(listener);   // wakes the accept(2) in progress
            acceptor.join(1000);
        } catch (LinuxException | InterruptedException e) {
            log.println("burk daemon: stopping: " + e);
        }
        listener.close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (active.get() == 0) helperExe.close();
        log.println("burk daemon: stopped (served " + served.get() + " commands, sent " + sentBack.get()
                + " back to a JVM of their own)");
    }

    private void acceptLoop() {
        while (!stopping.get()) {
            Fd conn;
            try {
                conn = UnixSocket.accept(listener);
            } catch (LinuxException | IllegalStateException e) {
                if (!stopping.get()) log.println("burk daemon: accept: " + e.getMessage());
                return;
            }
            if (stopping.get()) {
                conn.close();
                return;
            }
            active.incrementAndGet();
            Thread.ofPlatform().name("burk-daemon-conn").daemon().start(() -> {
                try (conn) {
                    serve(conn);
                } catch (RuntimeException | Error e) {
                    log.println("burk daemon: internal error: " + e);
                } finally {
                    active.decrementAndGet();
                }
            });
        }
    }

    /** One connection: one REQUEST, the command, and EXIT or FALLBACK. */
    private void serve(Fd conn) {
        UnixSocket.PeerCred peer;
        UnixSocket.Message r;
        try {
            peer = UnixSocket.peer(conn);
            if (peer.uid() != peers.uid()) {
                // The directory's mode keeps others out; should one get here (a socket passed on),
                // it is told to run burk itself, and nothing of its request is read.
                log.println("burk daemon: refused uid " + peer.uid() + " (pid " + peer.pid() + ")");
                new FrontHost(conn, helperExe).finish(Outcome.fallback("another user"));
                return;
            }
            r = Wire.receive(conn);
        } catch (LinuxException e) {
            log.println("burk daemon: " + e.getMessage());
            return;
        }
        if (r == null) return;
        FrontHost front = new FrontHost(conn, helperExe);
        Request req;
        try {
            req = Request.parse(r);
        } catch (Wire.ProtocolException e) {
            for (Fd f : r.fds()) f.close();
            front.finish(Outcome.fallback("bad request: " + e.getMessage()));
            return;
        }
        try (PrintStream out = stream(req.stdout()); PrintStream err = stream(req.stderr())) {
            String refusal = req.protocol() != Wire.PROTOCOL ? "protocol " + req.protocol() + ", daemon speaks " + Wire.PROTOCOL
                    : !req.jar().equals(jar) ? "another burk.jar than the daemon's"
                    : peers.mismatch(peer.pid());
            Outcome o;
            if (refusal != null) {
                // Worth an operator's eye: this caller pays for a JVM on every call.
                log.println("burk daemon: not serving pid " + peer.pid() + ": " + refusal);
                o = Outcome.fallback(refusal);
            } else {
                try {
                    o = handler.handle(new Invocation(req.args(), Path.of(req.cwd()), req.env(), out, err, front));
                } catch (RuntimeException e) {
                    err.println("burk: internal error in the burk daemon: " + e);
                    log.println("burk daemon: internal error: " + e);
                    o = Outcome.exit(1);
                }
            }
            out.flush();
            err.flush();
            (o.isFallback() ? sentBack : served).incrementAndGet();
            if (o.isFallback() && refusal == null) log.println("burk daemon: sent back to a JVM: " + o.fallbackReason());
            front.finish(o);
        }
    }

    private static PrintStream stream(Fd fd) {
        OutputStream o = fd == null ? OutputStream.nullOutputStream() : new BufferedOutputStream(new FdOutputStream(fd), 8192);
        return new PrintStream(o, false, StandardCharsets.UTF_8);
    }

    /** A decoded REQUEST. */
    record Request(int protocol, JarIdentity jar, String cwd, List<String> args, Map<String, String> env,
                   Fd stdout, Fd stderr) {
        static Request parse(UnixSocket.Message r) throws Wire.ProtocolException {
            Wire.In in = new Wire.In(r.data(), r.data().length);
            if (in.type != Wire.REQUEST) throw new Wire.ProtocolException("expected a REQUEST, got type " + in.type);
            int protocol = in.u32();
            if (protocol != Wire.PROTOCOL) {
                // later fields may differ: answer on the version alone
                return new Request(protocol, null, "/", List.of(), Map.of(), at(r.fds(), 0), at(r.fds(), 1));
            }
            long dev = in.u64(), ino = in.u64(), size = in.u64(), sec = in.u64(), nsec = in.u64();
            JarIdentity jar = new JarIdentity(dev, ino, size, sec * 1_000_000_000L + nsec);
            String cwd = in.str();
            if (!cwd.startsWith("/")) throw new Wire.ProtocolException("cwd is not absolute");
            List<String> args = in.strs();
            Map<String, String> env = new LinkedHashMap<>();
            for (String kv : in.strs()) {
                int eq = kv.indexOf('=');
                if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            int mask = in.u32();
            Fd[] fds = r.fds();
            int next = 0;
            Fd out = (mask & Wire.FD_STDOUT) != 0 ? at(fds, next++) : null;
            Fd err = (mask & Wire.FD_STDERR) != 0 ? at(fds, next++) : null;
            for (int i = next; i < fds.length; i++) fds[i].close();
            return new Request(protocol, jar, cwd, args, env, out, err);
        }

        private static Fd at(Fd[] fds, int i) { return i < fds.length ? fds[i] : null; }
    }
}
