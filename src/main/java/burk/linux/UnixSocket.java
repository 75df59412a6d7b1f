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
 * Unix stream sockets that carry file descriptors (SCM_RIGHTS), which java.nio's unix channels
 * cannot: a console socket receives a container's terminal master this way.
 */
public final class UnixSocket {
    private UnixSocket() {}

    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1;

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

    private static MemorySegment address(Arena a, String path) throws LinuxException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) throw new LinuxException("bind", path, Errno.ENAMETOOLONG);
        MemorySegment sa = a.allocate(110);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) Syscalls.AF_UNIX);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    private static Fd socket() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int fd = (int) Socket.H.invokeExact(cap, Syscalls.AF_UNIX, Syscalls.SOCK_STREAM | Syscalls.SOCK_CLOEXEC, 0);
            if (fd < 0) throw new LinuxException("socket", "", Libc.errno(cap));
            return new Fd(fd);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A listening socket bound at {@code path}. */
    public static Fd listen(String path) throws LinuxException {
        Fd fd = socket();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            if ((int) Bind.H.invokeExact(cap, fd.get(), address(a, path), 110) < 0) {
                throw new LinuxException("bind", path, Libc.errno(cap));
            }
            if ((int) Listen.H.invokeExact(cap, fd.get(), 4) < 0) throw new LinuxException("listen", path, Libc.errno(cap));
            return fd;
        } catch (LinuxException e) {
            fd.close();
            throw e;
        } catch (Throwable t) {
            fd.close();
            throw Libc.rethrow(t);
        }
    }

    /** A socket connected to {@code path}. */
    public static Fd connect(String path) throws LinuxException {
        Fd fd = socket();
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

    /** Accepts one connection (blocking). */
    public static Fd accept(Fd listener) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            while (true) {
                int fd = (int) Accept.H.invokeExact(cap, listener.get(), MemorySegment.NULL, MemorySegment.NULL,
                        Syscalls.SOCK_CLOEXEC);
                if (fd >= 0) return new Fd(fd);
                int e = Libc.errno(cap);
                if (e != Errno.EINTR) throw new LinuxException("accept", "", e);
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
                n = (long) RecvMsg.H.invokeExact(cap, sock.get(), msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
            } while (n < 0 && Libc.errno(cap) == Errno.EINTR);
            if (n < 0) throw new LinuxException("recvmsg", "", Libc.errno(cap));
            Fd fd = null;
            long ctlLen = msg.get(ValueLayout.JAVA_LONG, 40);
            for (long off = 0; off + 16 <= ctlLen; ) {
                long len = ctl.get(ValueLayout.JAVA_LONG, off);
                if (len < 16 || off + len > ctlLen) break;
                if (ctl.get(INT, off + 8) == SOL_SOCKET && ctl.get(INT, off + 12) == SCM_RIGHTS) {
                    for (long p = off + 16; p + 4 <= off + len; p += 4) {
                        int got = ctl.get(INT, p);
                        if (fd == null) fd = new Fd(got);
                        else Syscalls.closeQuietly(got);
                    }
                }
                off += (len + 7) & ~7L;
            }
            byte[] payload = new byte[(int) n];
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, payload, 0, (int) n);
            return new Received(fd, payload);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Room for the control messages of one recvmsg: a few fds' worth (extra ones are closed). */
    private static final int CONTROL = 64;

    /**
     * Sends {@code fd} with {@code payload} (at least one byte is sent, as a stream socket needs).
     * The fd goes with the first sendmsg; whatever a short send left follows without it.
     */
    public static void sendFd(Fd sock, int fd, byte[] payload) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            byte[] p = payload.length == 0 ? new byte[] {0} : payload;
            MemorySegment buf = a.allocate(p.length);
            MemorySegment.copy(p, 0, buf, ValueLayout.JAVA_BYTE, 0, p.length);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(PTR, 0, buf);
            iov.set(ValueLayout.JAVA_LONG, 8, (long) p.length);
            MemorySegment ctl = a.allocate(24, 8);
            ctl.set(ValueLayout.JAVA_LONG, 0, 20L);
            ctl.set(INT, 8, SOL_SOCKET);
            ctl.set(INT, 12, SCM_RIGHTS);
            ctl.set(INT, 16, fd);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(PTR, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            msg.set(PTR, 32, ctl);
            msg.set(ValueLayout.JAVA_LONG, 40, 24L);
            MemorySegment cap = Libc.newCapture(a);
            long n;
            do {
                n = (long) SendMsg.H.invokeExact(cap, sock.get(), msg, 0x4000 /* MSG_NOSIGNAL */);
            } while (n < 0 && Libc.errno(cap) == Errno.EINTR);
            if (n < 0) throw new LinuxException("sendmsg", "", Libc.errno(cap));
            if (n < p.length) Syscalls.writeFully(sock, java.util.Arrays.copyOfRange(p, (int) n, p.length));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
