package burk.cgroups;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * A minimal D-Bus client over a unix socket: SASL EXTERNAL authentication, Hello, method calls
 * with their replies, and signals. It is all the systemd driver needs, and it keeps burk free of
 * dependencies (see docs/cgroups.md for why not a library).
 *
 * <p>EXTERNAL needs no secret: the bus daemon takes the client's uid from the socket
 * (SO_PEERCRED) and only checks that the uid the client names is that one. Not thread safe.
 */
final class DBusConnection implements AutoCloseable {
    static final String BUS_NAME = "org.freedesktop.DBus";
    static final String BUS_PATH = "/org/freedesktop/DBus";

    private final SocketChannel channel;
    private final Selector selector;
    private final Deque<DBusMessage> pending = new ArrayDeque<>();
    private final String uniqueName;
    private long serial;

    private DBusConnection(SocketChannel channel, Selector selector, Duration timeout) throws IOException {
        this.channel = channel;
        this.selector = selector;
        authenticate(timeout);
        this.uniqueName = (String) call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello", "", List.of(), timeout).get(0);
    }

    /**
     * Connects to the bus listening on {@code socket} and registers with it.
     *
     * @throws IOException when the socket cannot be reached or the daemon refuses us
     */
    static DBusConnection open(Path socket, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new DBusConnection(channel, selector, timeout);
        } catch (IOException | RuntimeException e) {
            if (selector != null) selector.close();
            channel.close();
            throw e;
        }
    }

    /** The name the bus daemon gave this connection, e.g. ":1.42". */
    String uniqueName() {
        return uniqueName;
    }

    private void authenticate(Duration timeout) throws IOException {
        // /proc/self belongs to the effective uid: the one the daemon reads from the socket.
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        String hexUid = HexFormat.of().formatHex(Integer.toString(uid).getBytes(StandardCharsets.US_ASCII));
        writeFully(ByteBuffer.wrap(("\0AUTH EXTERNAL " + hexUid + "\r\n").getBytes(StandardCharsets.US_ASCII)), timeout);
        String answer = readLine(timeout);
        if (!answer.startsWith("OK ")) {
            throw new IOException("the bus refused EXTERNAL authentication as uid " + uid + ": " + answer);
        }
        writeFully(ByteBuffer.wrap("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII)), timeout);
    }

    private String readLine(Duration timeout) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            readFully(one, timeout);
            char c = (char) one.get(0);
            if (c == '\n') {
                return line.toString().strip();
            }
            if (line.length() > 4096) throw new IOException("the bus sent an over-long authentication line");
            line.append(c);
        }
    }

    /** Sends a message with the next serial; returns that serial. */
    long send(DBusMessage template) throws IOException {
        long next = ++serial;
        DBusMessage m = new DBusMessage(template.type(), template.flags(), next, template.path(), template.iface(),
                template.member(), template.errorName(), template.replySerial(), template.destination(), null,
                template.signature(), template.body());
        writeFully(ByteBuffer.wrap(m.encode()), Duration.ofSeconds(30));
        return next;
    }

    /**
     * Calls a method and waits for its reply. Other messages that arrive meanwhile (signals)
     * stay queued for {@link #next}.
     *
     * @return the reply's body
     * @throws DBusError for an error reply
     */
    List<Object> call(String destination, String path, String iface, String member, String signature, List<?> args,
                      Duration timeout) throws IOException {
        long sent = send(DBusMessage.call(0, destination, path, iface, member, signature, args));
        DBusMessage reply = next(m -> (m.type() == DBusMessage.METHOD_RETURN || m.type() == DBusMessage.ERROR)
                && m.replySerial() == sent, timeout);
        if (reply == null) {
            throw new DBusError("org.freedesktop.DBus.Error.NoReply", "no reply to " + iface + "." + member + " within "
                    + timeout.toSeconds() + " s");
        }
        if (reply.type() == DBusMessage.ERROR) {
            throw new DBusError(reply.errorName(), reply.errorText());
        }
        return reply.body();
    }

    /** Asks the bus daemon to route the signals matching {@code rule} to this connection. */
    void addMatch(String rule, Duration timeout) throws IOException {
        call(BUS_NAME, BUS_PATH, BUS_NAME, "AddMatch", "s", List.of(rule), timeout);
    }

    /**
     * The first message, queued or arriving within {@code timeout}, that {@code wanted} accepts;
     * the others stay queued in order. Null on timeout.
     */
    DBusMessage next(Predicate<DBusMessage> wanted, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (DBusMessage m : pending) {
            if (wanted.test(m)) {
                pending.remove(m);
                return m;
            }
        }
        while (true) {
            DBusMessage m = readMessage(deadline);
            if (m == null) {
                return null;
            }
            if (wanted.test(m)) {
                return m;
            }
            pending.add(m);
        }
    }

    private DBusMessage readMessage(long deadline) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(DBusMessage.PREFIX);
        if (!readFully(prefix, deadline, true)) {
            return null;
        }
        int total = DBusMessage.totalLength(prefix.array());
        ByteBuffer whole = ByteBuffer.allocate(total);
        whole.put(prefix.array());
        // A message that has started arriving is finished within the normal write timeout.
        readFully(whole, Duration.ofSeconds(30));
        return DBusMessage.decode(whole.array());
    }

    private void readFully(ByteBuffer into, Duration timeout) throws IOException {
        readFully(into, System.nanoTime() + timeout.toNanos(), false);
    }

    /** Fills {@code into}; false when the deadline passes before the first byte (if allowed). */
    private boolean readFully(ByteBuffer into, long deadline, boolean timeoutBeforeFirstByte) throws IOException {
        boolean started = into.position() > 0;
        while (into.hasRemaining()) {
            int n = channel.read(into);
            if (n < 0) {
                throw new IOException("the bus closed the connection");
            }
            if (n > 0) {
                started = true;
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (!started && timeoutBeforeFirstByte) {
                    return false;
                }
                throw new IOException(started ? "the bus stopped sending in the middle of a message" : "no answer from the bus");
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
        }
        return true;
    }

    private void writeFully(ByteBuffer data, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the bus accepted nothing for " + timeout.toSeconds() + " s");
                }
                // The socket buffer is full: the daemon has not read yet. Messages here are small.
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while writing to the bus", e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
