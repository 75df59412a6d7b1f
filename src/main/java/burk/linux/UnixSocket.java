package burk.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static burk.linux.Libc.INT;
import static burk.linux.Libc.LONG;
import static burk.linux.Libc.PTR;

/**
 * Unix sockets that carry file descriptors (SCM_RIGHTS), which java.nio's unix channels cannot: a
 * console socket receives a container's terminal master this way, a seccomp agent its notify fd,
 * and burk's daemon talks to its native front over SOCK_SEQPACKET (message boundaries kept).
 */
public final class UnixSocket {
    private UnixSocket() {}

    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SO_PEERCRED = 17;
    private static final int MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000, MSG_TRUNC = 0x20, MSG_CTRUNC = 0x8;

    /** The socket types burk uses. */
    public enum Kind {
        STREAM(Syscalls.SOCK_STREAM), SEQPACKET(5);

        final int type;

        Kind(int type) { this.type = type; }
    }

    /** The peer of a connected unix socket, as the kernel recorded it at connect(2). */
    public record PeerCred(int pid, int uid, int gid) {}

    private static final class Socket { static final MethodHandle H =
            Libc.linkErrno("socket", FunctionDescriptor.of(INT, INT, INT, INT)); }
    private static final class Bind { static final MethodHandle H =
            Libc.linkErrno("bind", FunctionDescriptor.of(INT, INT, PTR, INT)); }
    private static final class Listen { static final MethodHandle H =
            Libc.linkErrno("listen", FunctionDescriptor.of(INT, INT, INT)); }
    private static final class Accept { static final MethodHandle H =
            Libc.linkErrno("accept4", FunctionDescriptor.of(INT, INT, PTR, PTR, INT)); }
    private static final class Connect { static final MethodHandle H =
            Libc.linkErrno("connect", FunctionDescriptor.of(INT, INT, PTR, INT)); }
    private static final class RecvMsg { static final MethodHandle H =
            Libc.linkErrno("recvmsg", FunctionDescriptor.of(LONG, INT, PTR, INT)); }
    private static final class SendMsg { static final MethodHandle H =
            Libc.linkErrno("sendmsg", FunctionDescriptor.of(LONG, INT, PTR, INT)); }
    private static final class Shutdown { static final MethodHandle H =
            Libc.linkErrno("shutdown", FunctionDescriptor.of(INT, INT, INT)); }
    private static final class GetSockOpt { static final MethodHandle H =
            Libc.linkErrno("getsockopt", FunctionDescriptor.of(INT, INT, INT, INT, PTR, PTR)); }

    private static MemorySegment address(Arena a, String path) throws LinuxException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) throw new LinuxException("bind", path, Errno.ENAMETOOLONG);
        MemorySegment sa = a.allocate(110);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) Syscalls.AF_UNIX);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    private static Fd socket(Kind kind) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int fd = (int) Socket.H.invokeExact(cap, Syscalls.AF_UNIX, kind.type | Syscalls.SOCK_CLOEXEC, 0);
            if (fd < 0) throw new LinuxException("socket", "", Libc.errno(cap));
            return new Fd(fd);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A listening stream socket bound at {@code path}. */
    public static Fd listen(String path) throws LinuxException {
        return listen(path, Kind.STREAM, 4);
    }

    /** A listening socket of {@code kind} bound at {@code path} (which must not exist). */
    public static Fd listen(String path, Kind kind, int backlog) throws LinuxException {
        Fd fd = socket(kind);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            if ((int) Bind.H.invokeExact(cap, fd.get(), address(a, path), 110) < 0) {
                throw new LinuxException("bind", path, Libc.errno(cap));
            }
            if ((int) Listen.H.invokeExact(cap, fd.get(), backlog) < 0) {
                throw new LinuxException("listen", path, Libc.errno(cap));
            }
            return fd;
        } catch (LinuxException e) {
            fd.close();
            throw e;
        } catch (Throwable t) {
            fd.close();
            throw Libc.rethrow(t);
        }
    }

    /** A stream socket connected to {@code path}. */
    public static Fd connect(String path) throws LinuxException {
        return connect(path, Kind.STREAM);
    }

    /** A socket of {@code kind} connected to {@code path}. */
    public static Fd connect(String path, Kind kind) throws LinuxException {
        Fd fd = socket(kind);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            if ((int) Connect.H.invokeExact(cap, fd.get(), address(a, path), 110) < 0) {
                throw new LinuxException("connect", path, Libc.errno(cap));
            }
            return fd;
        } catch (LinuxException e) {
            fd.close();
            throw e;
        } catch (Throwable t) {
            fd.close();
            throw Libc.rethrow(t);
        }
    }

    /** Accepts one connection (blocking; close-on-exec). */
    public static Fd accept(Fd listener) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            while (true) {
                int fd = (int) Accept.H.invokeExact(cap, listener.get(), MemorySegment.NULL, MemorySegment.NULL,
                        Syscalls.SOCK_CLOEXEC);
                if (fd >= 0) return new Fd(fd);
                int e = Libc.errno(cap);
                // ECONNABORTED: that peer gave up before it was accepted; the next one may not have
                if (e != Errno.EINTR && e != Errno.ECONNABORTED) throw new LinuxException("accept", "", e);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A file descriptor with the bytes sent along with it; {@code fd} is null when none came. */
    public record Received(Fd fd, byte[] payload) {}

    /** Receives one message carrying one fd (SCM_RIGHTS); the fd is close-on-exec. */
    public static Received receiveFd(Fd sock) throws LinuxException {
        Received r = receive(sock, 4096);
        if (r.fd() == null) throw new LinuxException("recvmsg", "(no file descriptor in the message)", Errno.EINVAL);
        return r;
    }

    /**
     * Receives up to {@code max} bytes and the fd that came with them, if any (close-on-exec). An
     * empty payload means end of stream. Of several fds in one message the first is kept and the
     * others are closed, so none leaks.
     */
    public static Received receive(Fd sock, int max) throws LinuxException {
        Message m = receiveMessage(sock, max);
        Fd fd = null;
        for (Fd f : m.fds()) {
            if (fd == null) fd = f;
            else f.close();
        }
        return new Received(fd, m.data());
    }

    /**
     * One recvmsg: the bytes, every fd that came with them (close-on-exec, the caller's to close)
     * and whether the kernel cut the message or its fds (MSG_TRUNC, MSG_CTRUNC).
     */
    public record Message(byte[] data, Fd[] fds, boolean truncated) {}

    /** Receives one message of at most {@code max} bytes (a datagram or record, or a stream's next bytes). */
    public static Message receiveMessage(Fd sock, int max) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(max, 1));
            MemorySegment iov = a.allocate(16, 8);
            iov.set(PTR, 0, buf);
            iov.set(ValueLayout.JAVA_LONG, 8, (long) max);
            MemorySegment ctl = a.allocate(CONTROL, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(PTR, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            msg.set(PTR, 32, ctl);
            msg.set(ValueLayout.JAVA_LONG, 40, (long) CONTROL);
            MemorySegment cap = Libc.newCapture(a);
            long n;
            do {
                n = (long) RecvMsg.H.invokeExact(cap, sock.get(), msg, MSG_CMSG_CLOEXEC);
            } while (n < 0 && Libc.errno(cap) == Errno.EINTR);
            if (n < 0) throw new LinuxException("recvmsg", "", Libc.errno(cap));
            java.util.List<Fd> fds = new java.util.ArrayList<>();
            long ctlLen = msg.get(ValueLayout.JAVA_LONG, 40);
            for (long off = 0; off + 16 <= ctlLen; ) {
                long len = ctl.get(ValueLayout.JAVA_LONG, off);
                if (len < 16 || off + len > ctlLen) break;
                if (ctl.get(INT, off + 8) == SOL_SOCKET && ctl.get(INT, off + 12) == SCM_RIGHTS) {
                    for (long p = off + 16; p + 4 <= off + len; p += 4) fds.add(new Fd(ctl.get(INT, p)));
                }
                off += (len + 7) & ~7L;
            }
            byte[] payload = new byte[(int) n];
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, payload, 0, (int) n);
            boolean truncated = (msg.get(INT, 48) & (MSG_TRUNC | MSG_CTRUNC)) != 0;
            return new Message(payload, fds.toArray(Fd[]::new), truncated);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Room for the control messages of one recvmsg: MAX_FDS fds (the kernel cuts more: MSG_CTRUNC). */
    private static final int CONTROL = 16 + 4 * 8;

    /**
     * Sends {@code fd} with {@code payload} (at least one byte is sent, as a stream socket needs).
     * The fd goes with the first sendmsg; whatever a short send left follows without it.
     */
    public static void sendFd(Fd sock, int fd, byte[] payload) throws LinuxException {
        byte[] p = payload.length == 0 ? new byte[] {0} : payload;
        long n = send(sock, p, fd);
        if (n < p.length) Syscalls.writeFully(sock, java.util.Arrays.copyOfRange(p, (int) n, p.length));
    }

    /**
     * One sendmsg of {@code data} with {@code fds} attached (none when empty), MSG_NOSIGNAL: a
     * peer gone away is an EPIPE, not a SIGPIPE. Returns the bytes sent (a record socket sends
     * all or nothing).
     */
    public static long send(Fd sock, byte[] data, int... fds) throws LinuxException {
        if (fds.length > MAX_FDS) throw new IllegalArgumentException("at most " + MAX_FDS + " fds in one message");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(PTR, 0, buf);
            iov.set(ValueLayout.JAVA_LONG, 8, (long) data.length);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(PTR, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            if (fds.length > 0) {
                long space = 16 + ((4L * fds.length + 7) & ~7L);
                MemorySegment ctl = a.allocate(space, 8);
                ctl.set(ValueLayout.JAVA_LONG, 0, 16 + 4L * fds.length);   // CMSG_LEN
                ctl.set(INT, 8, SOL_SOCKET);
                ctl.set(INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) ctl.set(INT, 16 + 4L * i, fds[i]);
                msg.set(PTR, 32, ctl);
                msg.set(ValueLayout.JAVA_LONG, 40, space);
            }
            MemorySegment cap = Libc.newCapture(a);
            long n;
            do {
                n = (long) SendMsg.H.invokeExact(cap, sock.get(), msg, MSG_NOSIGNAL);
            } while (n < 0 && Libc.errno(cap) == Errno.EINTR);
            if (n < 0) throw new LinuxException("sendmsg", "", Libc.errno(cap));
            return n;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The most fds one message carries here (receive has room for as many). */
    public static final int MAX_FDS = 8;

    /** shutdown(SHUT_RDWR): a thread blocked in accept(2) on a listener returns (EINVAL). */
    public static void shutdown(Fd sock) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            if ((int) Shutdown.H.invokeExact(cap, sock.get(), 2) < 0) throw new LinuxException("shutdown", "", Libc.errno(cap));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** SO_PEERCRED of a connected socket. */
    public static PeerCred peer(Fd conn) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            MemorySegment cred = a.allocate(12, 4);
            MemorySegment len = a.allocate(INT);
            len.set(INT, 0, 12);
            if ((int) GetSockOpt.H.invokeExact(cap, conn.get(), SOL_SOCKET, SO_PEERCRED, cred, len) < 0) {
                throw new LinuxException("getsockopt(SO_PEERCRED)", "", Libc.errno(cap));
            }
            return new PeerCred(cred.get(INT, 0), cred.get(INT, 4), cred.get(INT, 8));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
