package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** burk's D-Bus client against the reference implementation: dbus-daemon and dbus-send. */
class DBusWireTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void theDaemonAcceptsOurAuthenticationAndCalls() throws IOException {
        try (TestBus bus = TestBus.start(); DBusConnection c = DBusConnection.open(bus.socket, TIMEOUT)) {
            assertTrue(c.uniqueName().startsWith(":1."), c.uniqueName());
            String id = (String) c.call(DBusConnection.BUS_NAME, DBusConnection.BUS_PATH, DBusConnection.BUS_NAME,
                    "GetId", "", List.of(), TIMEOUT).get(0);
            assertTrue(id.matches("[0-9a-f]{32}"), id);
            @SuppressWarnings("unchecked")
            List<Object> names = (List<Object>) c.call(DBusConnection.BUS_NAME, DBusConnection.BUS_PATH,
                    DBusConnection.BUS_NAME, "ListNames", "", List.of(), TIMEOUT).get(0);
            assertTrue(names.contains(c.uniqueName()) && names.contains(DBusConnection.BUS_NAME), names.toString());
        }
    }

    @Test
    void errorRepliesKeepTheirName() throws IOException {
        try (TestBus bus = TestBus.start(); DBusConnection c = DBusConnection.open(bus.socket, TIMEOUT)) {
            DBusError e = assertThrows(DBusError.class, () -> c.call(DBusConnection.BUS_NAME, DBusConnection.BUS_PATH,
                    DBusConnection.BUS_NAME, "GetNameOwner", "s", List.of(SystemdCgroup.SYSTEMD), TIMEOUT));
            assertEquals("org.freedesktop.DBus.Error.NameHasNoOwner", e.name());
            assertTrue(e.getMessage().contains("org.freedesktop.systemd1"), e.getMessage());
        }
    }

    @Test
    void signalsReachAConnectionThatAskedForThem() throws IOException {
        try (TestBus bus = TestBus.start();
             DBusConnection listener = DBusConnection.open(bus.socket, TIMEOUT);
             DBusConnection sender = DBusConnection.open(bus.socket, TIMEOUT)) {
            listener.addMatch("type='signal',interface='org.burk.Test',member='Ping'", TIMEOUT);
            sender.send(DBusMessage.signal(0, "/org/burk/test", "org.burk.Test", "Ping", "uoss",
                    List.of(7L, "/org/burk/job/7", "x.scope", "done")));
            DBusMessage m = listener.next(s -> s.type() == DBusMessage.SIGNAL && "Ping".equals(s.member()), TIMEOUT);
            assertNotNull(m, "no signal");
            assertEquals(sender.uniqueName(), m.sender());
            assertEquals(List.of(7L, "/org/burk/job/7", "x.scope", "done"), m.body());
        }
    }

    /**
     * dbus-send (libdbus) talks to a socket this test serves as a D-Bus peer; burk's decoder must
     * read libdbus's bytes as dbus-send was told to write them.
     */
    @Test
    void weDecodeWhatLibdbusEncodes() throws Exception {
        // The JVM encodes program arguments in sun.jnu.encoding: without a UTF-8 locale (the qemu
        // lane's guest has none) "é" would reach dbus-send as "?".
        String text = "UTF-8".equals(System.getProperty("sun.jnu.encoding")) ? "héllo" : "hello";
        Path dir = Files.createTempDirectory("burk-test-peer");
        Path socket = dir.resolve("peer");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process send = new ProcessBuilder("dbus-send", "--peer=unix:path=" + socket, "--type=method_call",
                    "/org/burk/Obj", "org.burk.Iface.Method", "string:" + text, "uint64:18446744073709551615",
                    "boolean:true", "array:string:a,bc", "dict:string:int32:k,5", "variant:uint32:7", "objpath:/x/y")
                    .redirectErrorStream(true).start();
            try (SocketChannel peer = server.accept()) {
                serveAuth(peer);
                DBusMessage m = readMessage(peer);
                assertEquals(DBusMessage.METHOD_CALL, m.type());
                assertEquals("/org/burk/Obj", m.path());
                assertEquals("org.burk.Iface", m.iface());
                assertEquals("Method", m.member());
                assertEquals("stbasa{si}vo", m.signature());
                assertEquals(List.of(text, -1L, true, List.of("a", "bc"), Map.of("k", 5),
                        new DBusCodec.Variant("u", 7L), "/x/y"), m.body());
            } finally {
                send.waitFor(10, TimeUnit.SECONDS);
                send.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** The server side of SASL EXTERNAL as a bus daemon does it, minimally. */
    private static void serveAuth(SocketChannel peer) throws IOException {
        ByteBuffer nul = ByteBuffer.allocate(1);
        peer.read(nul);
        assertEquals(0, nul.get(0), "a client starts with a NUL byte");
        while (true) {
            String line = readLine(peer);
            if (line.startsWith("AUTH EXTERNAL")) {
                write(peer, "OK 0123456789abcdef0123456789abcdef\r\n");
            } else if (line.startsWith("AUTH")) {
                write(peer, "REJECTED EXTERNAL\r\n");
            } else if (line.equals("NEGOTIATE_UNIX_FD")) {
                write(peer, "ERROR\r\n");
            } else if (line.equals("BEGIN")) {
                return;
            } else {
                write(peer, "ERROR\r\n");
            }
        }
    }

    private static String readLine(SocketChannel peer) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (peer.read(one) < 0) throw new IOException("peer closed during authentication: " + sb);
            char c = (char) one.get(0);
            if (c == '\n') return sb.toString().strip();
            sb.append(c);
        }
    }

    private static void write(SocketChannel peer, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) peer.write(b);
    }

    private static DBusMessage readMessage(SocketChannel peer) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(DBusMessage.PREFIX);
        while (prefix.hasRemaining()) if (peer.read(prefix) < 0) throw new IOException("closed");
        ByteBuffer whole = ByteBuffer.allocate(DBusMessage.totalLength(prefix.array()));
        whole.put(prefix.array());
        while (whole.hasRemaining()) if (peer.read(whole) < 0) throw new IOException("closed");
        return DBusMessage.decode(whole.array());
    }
}
