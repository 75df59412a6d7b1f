package burk.daemon;

import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.UnixSocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The front ↔ daemon protocol (docs/performance.md, "The protocol"): one message per
 * SOCK_SEQPACKET record, little-endian, {@code u32 type} then fields; strings are {@code u32 n}
 * and n bytes of UTF-8 (no NUL). {@code native/front/front.c} is the other side; both must agree
 * with the document, and {@link #PROTOCOL} changes with any incompatible change.
 */
final class Wire {
    static final int PROTOCOL = 1;
    /** The largest message either side sends; a request longer than this falls back. */
    static final int MAX_MESSAGE = 64 * 1024;

    /**
     * One message from a SOCK_SEQPACKET peer and the fds sent with it (close-on-exec, the caller's
     * to close); null at end of stream. A message or fd list the kernel cut is an error.
     */
    static UnixSocket.Message receive(Fd conn) throws LinuxException {
        UnixSocket.Message m = UnixSocket.receiveMessage(conn, MAX_MESSAGE);
        if (m.truncated()) {
            for (Fd f : m.fds()) f.close();
            throw new LinuxException("recvmsg", "message or fds truncated", Errno.EMSGSIZE);
        }
        return m.data().length == 0 && m.fds().length == 0 ? null : m;
    }

    // front -> daemon
    static final int REQUEST = 1, SPAWNED = 7, RESULT = 8, EXITED = 9;
    // daemon -> front
    static final int FALLBACK = 2, SPAWN = 3, SUBREAPER = 4, FORWARD = 5, WAIT = 6, EXIT = 10;

    /** REQUEST's fd mask: which of the caller's stdout (bit 0) and stderr (bit 1) follow. */
    static final int FD_STDOUT = 1, FD_STDERR = 2;

    private Wire() {}

    /** A little-endian message being built. */
    static final class Out {
        private final ByteBuffer b = ByteBuffer.allocate(MAX_MESSAGE).order(ByteOrder.LITTLE_ENDIAN);

        Out(int type) { b.putInt(type); }

        Out u32(int v) { b.putInt(v); return this; }

        Out u64(long v) { b.putLong(v); return this; }

        Out str(String s) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            b.putInt(x.length).put(x);
            return this;
        }

        byte[] bytes() {
            byte[] out = new byte[b.position()];
            b.get(0, out);
            return out;
        }
    }

    /** A received message being read; any read past its end is a {@link ProtocolException}. */
    static final class In {
        private final ByteBuffer b;
        final int type;

        In(byte[] data, int length) throws ProtocolException {
            b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.LITTLE_ENDIAN);
            type = u32();
        }

        int u32() throws ProtocolException {
            need(4);
            return b.getInt();
        }

        long u64() throws ProtocolException {
            need(8);
            return b.getLong();
        }

        String str() throws ProtocolException {
            int n = u32();
            if (n < 0) throw new ProtocolException("negative string length");
            need(n);
            byte[] x = new byte[n];
            b.get(x);
            return new String(x, StandardCharsets.UTF_8);
        }

        List<String> strs() throws ProtocolException {
            int n = u32();
            if (n < 0 || n > b.remaining() / 4) throw new ProtocolException("bad string count " + n);
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(str());
            return out;
        }

        private void need(int n) throws ProtocolException {
            if (b.remaining() < n) throw new ProtocolException("message of type " + type + " is truncated");
        }
    }

    /** A malformed message: the peer does not speak this protocol. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) { super(message); }
    }
}
