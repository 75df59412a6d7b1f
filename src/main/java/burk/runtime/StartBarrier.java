package burk.runtime;


import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The create→start barrier. A created container's init blocks in {@code accept} on a unix socket
 * in the state directory (the helper's WAIT_START step); {@code start} connects and sends one byte.
 * The connection is close-on-exec in the init, so EOF tells {@code start} that execve succeeded,
 * and an error record on it tells why the init could not go on. A socket rather than runc's FIFO
 * needs no /proc inside the container to reopen it, and pure Java (no FFM) opens it, which keeps
 * {@code start} cheap.
 */
final class StartBarrier {
    static final String SOCKET = "exec.sock";

    private StartBarrier() {}

    static Path socketPath(Path stateDir) { return stateDir.resolve(SOCKET); }

    /** True while the init waits at the barrier (the container is "created"). */
    static boolean waiting(Path stateDir) { return Files.exists(socketPath(stateDir)); }

    /**
     * Releases the init; returns null on a successful exec, or the helper's failure as
     * {@code {step, errno, value}} (value: what a RUN_HOOK step reports, else 0).
     */
    static int[] release(Path stateDir) throws IOException {
        Path sock = socketPath(stateDir);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            connect(ch, stateDir);
            // Only one start may win; removing the socket first makes a second start see "not created".
            Files.deleteIfExists(sock);
            ch.write(ByteBuffer.wrap(new byte[] {'S'}));
            ByteBuffer reply = ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (reply.hasRemaining()) {
                if (ch.read(reply) < 0) break;
            }
            if (reply.position() < 24) return null;
            reply.flip();
            int kind = reply.getInt(0);
            if (kind != 4) return null;
            return new int[] {reply.getInt(4), reply.getInt(8), (int) reply.getLong(16)};
        } catch (java.net.SocketException e) {
            if (!Files.exists(sock)) throw new IOException("container is not in created state", e);
            throw new IOException("cannot reach the container init at " + sock + ": " + e.getMessage(), e);
        }
    }

    /** Connects {@code ch} to the init's start socket, however deep the state directory lies. */
    static void connect(SocketChannel ch, Path stateDir) throws IOException {
        SocketAddresses.connect(socketPath(stateDir), address -> ch.connect(UnixDomainSocketAddress.of(address)));
    }
}
