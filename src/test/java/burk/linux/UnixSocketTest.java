package burk.linux;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** SCM_RIGHTS through the FFM socket calls, on a real socket pair. */
class UnixSocketTest {
    @Test
    void anFdAndItsBytesArriveTogetherAndPlainBytesCarryNone() throws Exception {
        Fd[] pair = Syscalls.socketPair();
        try (Fd a = pair[0]; Fd b = pair[1]; Fd file = Syscalls.open("/proc/self/status", Syscalls.O_RDONLY, 0)) {
            UnixSocket.sendFd(a, file.get(), "hello".getBytes(StandardCharsets.UTF_8));
            Syscalls.writeFully(a, "plain".getBytes(StandardCharsets.UTF_8));
            UnixSocket.Received r = UnixSocket.receive(b, 5);
            try (Fd got = r.fd()) {
                assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), r.payload());
                assertEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + file.get())),
                        Files.readSymbolicLink(Path.of("/proc/self/fd/" + got.get())));
                // MSG_CMSG_CLOEXEC: a received fd never reaches a spawned process by accident
                assertEquals("1", fdFlag(got));
            }
            UnixSocket.Received plain = UnixSocket.receive(b, 64);
            assertNull(plain.fd());
            assertArrayEquals("plain".getBytes(StandardCharsets.UTF_8), plain.payload());
            Syscalls.writeFully(a, "x".getBytes(StandardCharsets.UTF_8));
            LinuxException e = assertThrows(LinuxException.class, () -> UnixSocket.receiveFd(b));
            assertEquals(Errno.EINVAL, e.errno());
            a.close();
            assertEquals(0, UnixSocket.receive(b, 64).payload().length, "end of stream");
        }
    }

    @Test
    void aSeqPacketMessageKeepsItsBoundaryItsFdsAndItsPeersCredentials() throws Exception {
        Path dir = Files.createTempDirectory("burk-seqpacket-");
        String path = dir.resolve("s").toString();
        try (Fd listener = UnixSocket.listen(path, UnixSocket.Kind.SEQPACKET, 4);
             Fd client = UnixSocket.connect(path, UnixSocket.Kind.SEQPACKET);
             Fd server = UnixSocket.accept(listener);
             Fd f1 = Syscalls.open("/proc/self/status", Syscalls.O_RDONLY, 0);
             Fd f2 = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
            UnixSocket.PeerCred peer = UnixSocket.peer(server);
            assertEquals(ProcessHandle.current().pid(), peer.pid());
            assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), peer.uid());
            UnixSocket.send(client, "one".getBytes(StandardCharsets.UTF_8), f1.get(), f2.get());
            UnixSocket.send(client, "two".getBytes(StandardCharsets.UTF_8));
            UnixSocket.Message m = UnixSocket.receiveMessage(server, 64);
            assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), m.data(), "a record, not the stream's bytes so far");
            assertEquals(2, m.fds().length);
            for (Fd f : m.fds()) f.close();
            // A record longer than the buffer is cut, and says so.
            UnixSocket.Message cut = UnixSocket.receiveMessage(server, 2);
            assertArrayEquals("tw".getBytes(StandardCharsets.UTF_8), cut.data());
            org.junit.jupiter.api.Assertions.assertTrue(cut.truncated());
        } finally {
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
        }
    }

    /** The close-on-exec bit as /proc/self/fdinfo shows it (octal flags, 02000000). */
    private static String fdFlag(Fd fd) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.get()))) {
            if (l.startsWith("flags:")) {
                long flags = Long.parseLong(l.substring(6).trim(), 8);
                return (flags & 02000000) != 0 ? "1" : "0";
            }
        }
        return "?";
    }
}
