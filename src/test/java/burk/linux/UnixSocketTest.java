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
