package burk.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static burk.linux.Libc.INT;
import static burk.linux.Libc.LONG;
import static burk.linux.Libc.PTR;

/**
 * The system calls burk's Java side makes. Everything a container needs inside its namespaces is
 * done by the native helper instead (see docs/plan-format.md): these are the calls that are safe
 * from a multithreaded JVM.
 */
public final class Syscalls {
    private Syscalls() {}

    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    public static final int WNOHANG = 1;
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    // One holder per call: the JVM links a handle only when the first caller touches its class.
    private static final class Close { static final MethodHandle H =
            Libc.link("close", FunctionDescriptor.of(INT, INT)); }
    private static final class Open { static final MethodHandle H = Libc.linkErrnoVariadic("open",
            FunctionDescriptor.of(INT, PTR, INT, INT), 2); }
    private static final class Syscall2 { static final MethodHandle H = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(LONG, LONG, INT, INT), 1); }
    private static final class Read { static final MethodHandle H =
            Libc.linkErrno("read", FunctionDescriptor.of(LONG, INT, PTR, LONG)); }
    private static final class Write { static final MethodHandle H =
            Libc.linkErrno("write", FunctionDescriptor.of(LONG, INT, PTR, LONG)); }
    private static final class SocketPair { static final MethodHandle H =
            Libc.linkErrno("socketpair", FunctionDescriptor.of(INT, INT, INT, INT, PTR)); }
    private static final class WaitPid { static final MethodHandle H =
            Libc.linkErrno("waitpid", FunctionDescriptor.of(INT, INT, PTR, INT)); }
    private static final class Kill { static final MethodHandle H =
            Libc.linkErrno("kill", FunctionDescriptor.of(INT, INT, INT)); }
    private static final class Prctl { static final MethodHandle H = Libc.linkErrnoVariadic("prctl",
            FunctionDescriptor.of(INT, INT, LONG, LONG, LONG, LONG), 1); }
    private static final class MemfdCreate { static final MethodHandle H =
            Libc.linkErrno("memfd_create", FunctionDescriptor.of(INT, PTR, INT)); }
    private static final class Fcntl { static final MethodHandle H = Libc.linkErrnoVariadic("fcntl",
            FunctionDescriptor.of(INT, INT, INT, INT), 2); }
    private static final class Spawn {
        static final MethodHandle SPAWN = Libc.link("posix_spawn",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR));
        static final MethodHandle FA_INIT = Libc.link("posix_spawn_file_actions_init",
                FunctionDescriptor.of(INT, PTR));
        static final MethodHandle FA_DUP2 = Libc.link("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(INT, PTR, INT, INT));
        static final MethodHandle FA_DESTROY = Libc.link("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(INT, PTR));
    }

    static void closeQuietly(int fd) {
        try {
            int rc = (int) Close.H.invokeExact(fd);
            assert rc == 0 || rc == -1;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A connected pair of unix stream sockets, both close-on-exec. */
    public static Fd[] socketPair() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(INT, 2);
            MemorySegment cap = Libc.newCapture(a);
            int rc = (int) SocketPair.H.invokeExact(cap, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
            if (rc < 0) throw new LinuxException("socketpair", "", Libc.errno(cap));
            return new Fd[] {new Fd(sv.getAtIndex(INT, 0)), new Fd(sv.getAtIndex(INT, 1))};
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000,
            O_APPEND = 02000, O_CLOEXEC = 02000000, O_DIRECTORY = 0200000, O_PATH = 010000000;

    /** open(2); O_CLOEXEC is always added, so the fd reaches a child only when it is dup2'ed there. */
    public static Fd open(String path, int flags, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Open.H.invokeExact(cap, a.allocateFrom(path), flags | O_CLOEXEC, mode);
            if (r < 0) throw new LinuxException("open", path, Libc.errno(cap));
            return new Fd(r);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Reads up to {@code n} bytes; returns fewer at end of stream, never blocks past EOF. */
    public static byte[] readFully(Fd fd, int n) throws LinuxException {
        byte[] out = new byte[n];
        int got = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(n, 1));
            MemorySegment cap = Libc.newCapture(a);
            while (got < n) {
                long r = (long) Read.H.invokeExact(cap, fd.get(), buf.asSlice(got), (long) (n - got));
                if (r < 0) {
                    int e = Libc.errno(cap);
                    if (e == Errno.EINTR) continue;
                    throw new LinuxException("read", "", e);
                }
                if (r == 0) break;
                got += (int) r;
            }
            MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, 0, got);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        return got == n ? out : java.util.Arrays.copyOf(out, got);
    }

    /** One read(2) into {@code buf}; returns the count, or -1 at end of file (EIO from a hung-up pty too). */
    public static int readSome(int fd, byte[] buf) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(buf.length);
            MemorySegment cap = Libc.newCapture(a);
            while (true) {
                long r = (long) Read.H.invokeExact(cap, fd, seg, (long) buf.length);
                if (r < 0) {
                    int e = Libc.errno(cap);
                    if (e == Errno.EINTR) continue;
                    if (e == Errno.EIO) return -1;
                    throw new LinuxException("read", "", e);
                }
                if (r == 0) return -1;
                MemorySegment.copy(seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, buf, 0, (int) r);
                return (int) r;
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Writes the first {@code n} bytes of {@code data} to a raw fd. */
    public static void writeAll(int fd, byte[] data, int n) throws LinuxException {
        writeRaw(fd, data, n);
    }

    /** Writes all of {@code data}. */
    public static void writeFully(Fd fd, byte[] data) throws LinuxException {
        writeRaw(fd.get(), data, data.length);
    }

    private static void writeRaw(int fd, byte[] data, int n) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(n, 1));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
            MemorySegment cap = Libc.newCapture(a);
            long done = 0;
            while (done < n) {
                long r = (long) Write.H.invokeExact(cap, fd, buf.asSlice(done), n - done);
                if (r < 0) {
                    int e = Libc.errno(cap);
                    if (e == Errno.EINTR) continue;
                    throw new LinuxException("write", "", e);
                }
                done += r;
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Starts {@code path} with {@code argv} and the given environment; child fd {@code i} is
     * {@code fdMap[i]} of this process for every non-negative entry (fds 0.. in order). glibc's
     * posix_spawn clones with CLONE_VFORK and runs no Java in the child, which is what a
     * multithreaded JVM needs.
     */
    public static int spawn(String path, List<String> argv, List<String> env, int[] fdMap) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(256, 16);
            int rc = (int) Spawn.FA_INIT.invokeExact(fa);
            if (rc != 0) throw new LinuxException("posix_spawn_file_actions_init", "", rc);
            try {
                for (int i = 0; i < fdMap.length; i++) {
                    if (fdMap[i] < 0) continue;
                    // dup2(fd, fd) also clears FD_CLOEXEC in glibc >= 2.29, which is what keeps it open.
                    rc = (int) Spawn.FA_DUP2.invokeExact(fa, fdMap[i], i);
                    if (rc != 0) throw new LinuxException("posix_spawn_file_actions_adddup2", "", rc);
                }
                MemorySegment pid = a.allocate(INT);
                rc = (int) Spawn.SPAWN.invokeExact(pid, a.allocateFrom(path), fa, MemorySegment.NULL,
                        cStringArray(a, argv), cStringArray(a, env));
                if (rc != 0) throw new LinuxException("posix_spawn", path, rc);
                return pid.get(INT, 0);
            } finally {
                int ignored = (int) Spawn.FA_DESTROY.invokeExact(fa);
                assert ignored == 0;
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static MemorySegment cStringArray(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(PTR, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            byte[] b = strings.get(i).getBytes(StandardCharsets.UTF_8);
            MemorySegment s = a.allocate(b.length + 1L);
            MemorySegment.copy(b, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            arr.setAtIndex(PTR, i, s);
        }
        arr.setAtIndex(PTR, strings.size(), MemorySegment.NULL);
        return arr;
    }

    /** A child's wait status, decoded. */
    public record WaitStatus(int pid, int raw) {
        public boolean exited() { return (raw & 0x7f) == 0; }
        public int exitCode() { return (raw >> 8) & 0xff; }
        public boolean signaled() { int s = raw & 0x7f; return s != 0 && s != 0x7f; }
        public int termSignal() { return raw & 0x7f; }
        /** The shell's convention, which runc follows: the exit code, or 128 + the killing signal. */
        public int shellStatus() { return exited() ? exitCode() : 128 + termSignal(); }
    }

    /** Waits for child {@code pid} (blocking unless {@code options} has WNOHANG); null if none yet. */
    public static WaitStatus waitPid(int pid, int options) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(INT);
            MemorySegment cap = Libc.newCapture(a);
            while (true) {
                int r = (int) WaitPid.H.invokeExact(cap, pid, st, options);
                if (r < 0) {
                    int e = Libc.errno(cap);
                    if (e == Errno.EINTR) continue;
                    throw new LinuxException("waitpid", Integer.toString(pid), e);
                }
                return r == 0 ? null : new WaitStatus(r, st.get(INT, 0));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** kill(2). */
    public static void kill(int pid, int signal) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Kill.H.invokeExact(cap, pid, signal);
            if (r < 0) throw new LinuxException("kill", Integer.toString(pid), Libc.errno(cap));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** pidfd_open(2): a file descriptor that refers to the process itself, immune to pid reuse. */
    public static Fd pidfdOpen(int pid) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            long r = (long) Syscall2.H.invokeExact(cap, 434L /* SYS_pidfd_open, same on x86_64 and arm64 */, pid, 0);
            if (r < 0) throw new LinuxException("pidfd_open", Integer.toString(pid), Libc.errno(cap));
            return new Fd((int) r);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** prctl(2) with one argument. */
    public static void prctl(int option, long arg2) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Prctl.H.invokeExact(cap, option, arg2, 0L, 0L, 0L);
            if (r < 0) throw new LinuxException("prctl", Integer.toString(option), Libc.errno(cap));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * A sealed, close-on-exec memfd holding {@code content}. Executing the helper from such a copy
     * means a container that reaches /proc/PID/exe can only see an immutable copy, never the
     * helper binary on disk (runc CVE-2019-5736).
     */
    public static Fd sealedMemfd(String name, byte[] content) throws LinuxException {
        Fd fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) MemfdCreate.H.invokeExact(cap, a.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (r < 0) throw new LinuxException("memfd_create", name, Libc.errno(cap));
            fd = new Fd(r);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        try {
            writeFully(fd, content);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cap = Libc.newCapture(a);
                int r = (int) Fcntl.H.invokeExact(cap, fd.get(), F_ADD_SEALS,
                        F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
                if (r < 0) throw new LinuxException("fcntl F_ADD_SEALS", name, Libc.errno(cap));
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
}
