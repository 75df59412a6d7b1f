package burk.runtime;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import org.junit.jupiter.api.Test;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A unix socket whose path is longer than sun_path is still reached (Docker's state dirs, agents' sockets). */
class SocketAddressesTest {
    @Test
    void aSocketPathLongerThanSunPathIsReachedThroughItsDirectory() throws Exception {
        Path top = Files.createTempDirectory("burk-sockaddr-");
        try {
            Path dir = Files.createDirectories(top.resolve("d".repeat(60)).resolve("e".repeat(60)));
            Path sock = dir.resolve("agent.sock");
            assertTrue(sock.toString().length() > SocketAddresses.SUN_PATH_MAX, sock.toString());
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                 Fd d = Syscalls.open(dir.toString(), Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0)) {
                server.bind(UnixDomainSocketAddress.of("/proc/self/fd/" + d.get() + "/agent.sock"));
                // The plain path does not fit a socket address.
                assertThrows(LinuxException.class, () -> UnixSocket.connect(sock.toString()).close());
                try (Fd conn = SocketAddresses.connect(sock, UnixSocket::connect);
                     SocketChannel accepted = server.accept()) {
                    assertNotNull(accepted);
                }
                // The same through NIO, as StartBarrier connects.
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    SocketAddresses.connect(sock, a -> ch.connect(UnixDomainSocketAddress.of(a)));
                    assertTrue(ch.isConnected());
                    server.accept().close();
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(top)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
