package burk.daemon;

import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The unix-socket calls the daemon needs and the JDK does not offer: SOCK_SEQPACKET, fd passing
 * (SCM_RIGHTS) and the peer's credentials (SO_PEERCRED with its pid). Linked once, when the
 * daemon starts; a daemon pays that once, not per command. Struct layouts are those of LP64
 * Linux (x86_64, aarch64): msghdr 56 bytes, cmsghdr 16 bytes before its data.
 */
final class UnixSockets {
    private UnixSockets() {}

    static final int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SO_PEERCRED = 17, SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000, MSG_TRUNC = 0x20, MSG_CTRUNC = 0x8;
    private static final int MAX_FDS = 8;
    private static final int ECONNABORTED = 103, EMSGSIZE = 90;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = link("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = link("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = link("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SHUTDOWN = link("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDMSG = link("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = link("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private static MethodHandle link(String name, FunctionDescriptor fd) {
        MemorySegment sym = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, Linker.Option.captureCallState("errno"));
    }

    private static int errno(MemorySegment cap) { return (int) ERRNO.get(cap, 0L); }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** The peer of a connected unix socket, as the kernel recorded it at connect(2). */
    record PeerCred(int pid, int uid, int gid) {}

    /** A message received: its bytes and the fds that came with it (owned by the caller). */
    record Received(byte[] data, int length, Fd[] fds) {}

    private static MemorySegment sockaddr(Arena a, Path path) throws LinuxException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) throw new LinuxException("bind", path.toString(), Errno.ENAMETOOLONG);
        MemorySegment sa = a.allocate(110);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, sa, JAVA_BYTE, 2, p.length);
        return sa;
    }

    private static Fd newSocket() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int fd = (int) SOCKET.invokeExact(cap, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new LinuxException("socket", "", errno(cap));
            return new Fd(fd);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A listening SOCK_SEQPACKET socket bound at {@code path} (which must not exist). */
    static Fd listen(Path path, int backlog) throws LinuxException {
        Fd s = newSocket();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int rc = (int) BIND.invokeExact(cap, s.get(), sockaddr(a, path), 110);
            if (rc < 0) throw new LinuxException("bind", path.toString(), errno(cap));
            rc = (int) LISTEN.invokeExact(cap, s.get(), backlog);
            if (rc < 0) throw new LinuxException("listen", path.toString(), errno(cap));
            return s;
        } catch (Throwable t) {
            s.close();
            if (t instanceof LinuxException e) throw e;
            throw rethrow(t);
        }
    }

    /** A SOCK_SEQPACKET connection to {@code path}. */
    static Fd connect(Path path) throws LinuxException {
        Fd s = newSocket();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int rc = (int) CONNECT.invokeExact(cap, s.get(), sockaddr(a, path), 110);
            if (rc < 0) throw new LinuxException("connect", path.toString(), errno(cap));
            return s;
        } catch (Throwable t) {
            s.close();
            if (t instanceof LinuxException e) throw e;
            throw rethrow(t);
        }
    }

    /** The next connection (close-on-exec); blocks. */
    static Fd accept(Fd listener) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            while (true) {
                int fd = (int) ACCEPT4.invokeExact(cap, listener.get(), MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (fd >= 0) return new Fd(fd);
                int e = errno(cap);
                if (e != Errno.EINTR && e != ECONNABORTED) throw new LinuxException("accept4", "", e);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** shutdown(SHUT_RDWR): a thread blocked in accept(2) on a listener returns (EINVAL). */
    static void shutdown(Fd s) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int rc = (int) SHUTDOWN.invokeExact(cap, s.get(), 2);
            if (rc < 0) throw new LinuxException("shutdown", "", errno(cap));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static PeerCred peer(Fd conn) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment cred = a.allocate(12);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 12);
            int rc = (int) GETSOCKOPT.invokeExact(cap, conn.get(), SOL_SOCKET, SO_PEERCRED, cred, len);
            if (rc < 0) throw new LinuxException("getsockopt(SO_PEERCRED)", "", errno(cap));
            return new PeerCred(cred.get(JAVA_INT, 0), cred.get(JAVA_INT, 4), cred.get(JAVA_INT, 8));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sends one message with {@code fds} attached (none when empty). */
    static void send(Fd conn, byte[] data, int... fds) throws LinuxException {
        if (fds.length > MAX_FDS) throw new IllegalArgumentException("too many fds");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, data.length);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            if (fds.length > 0) {
                long space = 16 + align8(4L * fds.length);
                MemorySegment ctl = a.allocate(space, 8);
                ctl.set(JAVA_LONG, 0, 16 + 4L * fds.length);   // CMSG_LEN
                ctl.set(JAVA_INT, 8, SOL_SOCKET);
                ctl.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) ctl.set(JAVA_INT, 16 + 4L * i, fds[i]);
                msg.set(ADDRESS, 32, ctl);
                msg.set(JAVA_LONG, 40, space);
            }
            while (true) {
                long r = (long) SENDMSG.invokeExact(cap, conn.get(), msg, MSG_NOSIGNAL);
                if (r >= 0) return;
                int e = errno(cap);
                if (e != Errno.EINTR) throw new LinuxException("sendmsg", "", e);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Receives one message (at most {@link Wire#MAX_MESSAGE} bytes) and the fds sent with it,
     * close-on-exec; null at end of stream. A truncated message or fd list is an error.
     */
    static Received receive(Fd conn) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(Wire.MAX_MESSAGE);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, Wire.MAX_MESSAGE);
            long space = 16 + align8(4L * MAX_FDS);
            MemorySegment ctl = a.allocate(space, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, ctl);
            msg.set(JAVA_LONG, 40, space);
            long r;
            while (true) {
                r = (long) RECVMSG.invokeExact(cap, conn.get(), msg, MSG_CMSG_CLOEXEC);
                if (r >= 0) break;
                int e = errno(cap);
                if (e != Errno.EINTR) throw new LinuxException("recvmsg", "", e);
            }
            Fd[] fds = fdsOf(msg, ctl);
            int flags = msg.get(JAVA_INT, 48);
            if ((flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
                for (Fd f : fds) f.close();
                throw new LinuxException("recvmsg", "message or fds truncated", EMSGSIZE);
            }
            if (r == 0 && fds.length == 0) return null;
            byte[] data = new byte[(int) r];
            MemorySegment.copy(buf, JAVA_BYTE, 0, data, 0, (int) r);
            return new Received(data, (int) r, fds);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static Fd[] fdsOf(MemorySegment msg, MemorySegment ctl) {
        long controllen = msg.get(JAVA_LONG, 40);
        if (controllen < 16) return new Fd[0];
        long len = ctl.get(JAVA_LONG, 0);
        if (ctl.get(JAVA_INT, 8) != SOL_SOCKET || ctl.get(JAVA_INT, 12) != SCM_RIGHTS || len < 16) return new Fd[0];
        int n = (int) ((len - 16) / 4);
        Fd[] out = new Fd[n];
        for (int i = 0; i < n; i++) out[i] = new Fd(ctl.get(JAVA_INT, 16 + 4L * i));
        return out;
    }

    private static long align8(long n) { return (n + 7) & ~7L; }
}
