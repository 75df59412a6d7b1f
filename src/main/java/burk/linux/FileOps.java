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
 * File-system calls relative to directory fds, for code that builds trees it does not trust
 * (image layers): every path is resolved by the kernel below a directory fd ({@code openat2}
 * with {@code RESOLVE_BENEATH} or {@code RESOLVE_IN_ROOT}) and every change is made with an
 * {@code *at} call on a single name inside an already-resolved parent, so a symlink planted by an
 * earlier tar entry cannot send a write outside the tree. Also mount(2) and umount2(2) for the
 * host-side overlay of a container's rootfs.
 *
 * <p>Like {@link Syscalls}, each call is linked on first use only.
 */
public final class FileOps {
    private FileOps() {}

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public static final int O_PATH = 010000000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_EXCL = 0200,
            O_NONBLOCK = 04000;
    /** openat2's resolve flags (linux/openat2.h). */
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    public static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000,
            S_IFBLK = 0060000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFSOCK = 0140000;
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_BIND = 4096, MS_REC = 16384,
            MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;
    public static final int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    private static final long SYS_OPENAT2 = 437;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private static final class Openat2 { static final MethodHandle H = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(LONG, LONG, INT, PTR, PTR, LONG), 1); }
    private static final class Openat { static final MethodHandle H = Libc.linkErrnoVariadic("openat",
            FunctionDescriptor.of(INT, INT, PTR, INT, INT), 3); }
    private static final class Mkdirat { static final MethodHandle H =
            Libc.linkErrno("mkdirat", FunctionDescriptor.of(INT, INT, PTR, INT)); }
    private static final class Mknodat { static final MethodHandle H =
            Libc.linkErrno("mknodat", FunctionDescriptor.of(INT, INT, PTR, INT, LONG)); }
    private static final class Symlinkat { static final MethodHandle H =
            Libc.linkErrno("symlinkat", FunctionDescriptor.of(INT, PTR, INT, PTR)); }
    private static final class Linkat { static final MethodHandle H =
            Libc.linkErrno("linkat", FunctionDescriptor.of(INT, INT, PTR, INT, PTR, INT)); }
    private static final class Unlinkat { static final MethodHandle H =
            Libc.linkErrno("unlinkat", FunctionDescriptor.of(INT, INT, PTR, INT)); }
    private static final class Fchownat { static final MethodHandle H =
            Libc.linkErrno("fchownat", FunctionDescriptor.of(INT, INT, PTR, INT, INT, INT)); }
    private static final class Fchmodat { static final MethodHandle H =
            Libc.linkErrno("fchmodat", FunctionDescriptor.of(INT, INT, PTR, INT, INT)); }
    private static final class Fchmod { static final MethodHandle H =
            Libc.linkErrno("fchmod", FunctionDescriptor.of(INT, INT, INT)); }
    private static final class Utimensat { static final MethodHandle H =
            Libc.linkErrno("utimensat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT)); }
    private static final class Fsetxattr { static final MethodHandle H =
            Libc.linkErrno("fsetxattr", FunctionDescriptor.of(INT, INT, PTR, PTR, LONG, INT)); }
    private static final class Lgetxattr { static final MethodHandle H =
            Libc.linkErrno("lgetxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG)); }
    private static final class Llistxattr { static final MethodHandle H =
            Libc.linkErrno("llistxattr", FunctionDescriptor.of(LONG, PTR, PTR, LONG)); }
    private static final class Lsetxattr { static final MethodHandle H =
            Libc.linkErrno("lsetxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT)); }
    private static final class Write { static final MethodHandle H =
            Libc.linkErrno("write", FunctionDescriptor.of(LONG, INT, PTR, LONG)); }
    private static final class Fsync { static final MethodHandle H =
            Libc.linkErrno("fsync", FunctionDescriptor.of(INT, INT)); }
    private static final class Mount { static final MethodHandle H =
            Libc.linkErrno("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR)); }
    private static final class Umount2 { static final MethodHandle H =
            Libc.linkErrno("umount2", FunctionDescriptor.of(INT, PTR, INT)); }

    private static MemorySegment str(Arena a, String s) {
        return s == null ? MemorySegment.NULL : a.allocateFrom(s);
    }

    private static void check(long rc, MemorySegment cap, String call, String subject) throws LinuxException {
        if (rc < 0) throw new LinuxException(call, subject, Libc.errno(cap));
    }

    /**
     * openat2(2): opens {@code path} below {@code dirfd} with the kernel enforcing {@code resolve}
     * (e.g. {@link #RESOLVE_BENEATH}: any "..", absolute path or symlink that leaves the tree fails
     * with EXDEV instead of being followed). O_CLOEXEC is always added.
     */
    public static Fd openat2(Fd dir, String path, int flags, int mode, long resolve) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, (long) (flags | Syscalls.O_CLOEXEC));
            how.set(ValueLayout.JAVA_LONG, 8, (long) mode);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            MemorySegment cap = Libc.newCapture(a);
            long r = (long) Openat2.H.invokeExact(cap, SYS_OPENAT2, dir.get(), a.allocateFrom(path), how, 24L);
            check(r, cap, "openat2", path);
            return new Fd((int) r);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** openat(2) of one name in {@code dir} (null: the cwd); O_CLOEXEC is always added. */
    public static Fd openat(Fd dir, String name, int flags, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Openat.H.invokeExact(cap, dir == null ? AT_FDCWD : dir.get(), a.allocateFrom(name),
                    flags | Syscalls.O_CLOEXEC, mode);
            check(r, cap, "openat", name);
            return new Fd(r);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** An O_PATH|O_DIRECTORY fd of a host directory, the anchor for the *at calls. */
    public static Fd openDirectory(String path) throws LinuxException {
        return openat(null, path, O_PATH | O_DIRECTORY, 0);
    }

    public static void mkdirat(Fd dir, String name, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Mkdirat.H.invokeExact(cap, dir.get(), a.allocateFrom(name), mode);
            check(r, cap, "mkdirat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** mknodat(2): {@code mode} includes the file type (S_IFCHR, S_IFBLK, S_IFIFO). */
    public static void mknodat(Fd dir, String name, int mode, long major, long minor) throws LinuxException {
        long dev = ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Mknodat.H.invokeExact(cap, dir.get(), a.allocateFrom(name), mode, dev);
            check(r, cap, "mknodat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void symlinkat(String target, Fd dir, String name) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Symlinkat.H.invokeExact(cap, a.allocateFrom(target), dir.get(), a.allocateFrom(name));
            check(r, cap, "symlinkat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** linkat(2) without following a symlink at the old name (flags 0), as tar's hard links mean. */
    public static void linkat(Fd oldDir, String oldName, Fd newDir, String newName, int flags) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Linkat.H.invokeExact(cap, oldDir.get(), a.allocateFrom(oldName), newDir.get(),
                    a.allocateFrom(newName), flags);
            check(r, cap, "linkat", newName);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void unlinkat(Fd dir, String name, int flags) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Unlinkat.H.invokeExact(cap, dir.get(), a.allocateFrom(name), flags);
            check(r, cap, "unlinkat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** fchownat(2); with {@link #AT_SYMLINK_NOFOLLOW} a symlink itself is changed. */
    public static void fchownat(Fd dir, String name, int uid, int gid, int flags) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Fchownat.H.invokeExact(cap, dir.get(), a.allocateFrom(name), uid, gid, flags);
            check(r, cap, "fchownat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** fchmodat(2) (follows a symlink at {@code name}: callers never pass one). */
    public static void fchmodat(Fd dir, String name, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Fchmodat.H.invokeExact(cap, dir.get(), a.allocateFrom(name), mode, 0);
            check(r, cap, "fchmodat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** fchmod(2) on an open fd: set-id bits survive, unlike a mode given to open under a umask. */
    public static void fchmod(Fd fd, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Fchmod.H.invokeExact(cap, fd.get(), mode);
            check(r, cap, "fchmod", "");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** utimensat(2): access and modification time in nanoseconds since the epoch, not following a symlink. */
    public static void utimensat(Fd dir, String name, long atimeNanos, long mtimeNanos) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(32, 8);
            ts.set(ValueLayout.JAVA_LONG, 0, Math.floorDiv(atimeNanos, 1_000_000_000L));
            ts.set(ValueLayout.JAVA_LONG, 8, atimeNanos < 0 && atimeNanos == Long.MIN_VALUE ? UTIME_OMIT
                    : Math.floorMod(atimeNanos, 1_000_000_000L));
            ts.set(ValueLayout.JAVA_LONG, 16, Math.floorDiv(mtimeNanos, 1_000_000_000L));
            ts.set(ValueLayout.JAVA_LONG, 24, Math.floorMod(mtimeNanos, 1_000_000_000L));
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Utimensat.H.invokeExact(cap, dir.get(), a.allocateFrom(name), ts, AT_SYMLINK_NOFOLLOW);
            check(r, cap, "utimensat", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** fsetxattr(2) on an open (not O_PATH) fd. */
    public static void fsetxattr(Fd fd, String name, byte[] value) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Fsetxattr.H.invokeExact(cap, fd.get(), a.allocateFrom(name), v, (long) value.length, 0);
            check(r, cap, "fsetxattr", name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** lsetxattr(2) on a host path (not following a final symlink). */
    public static void lsetxattr(String path, String name, byte[] value) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Lsetxattr.H.invokeExact(cap, a.allocateFrom(path), a.allocateFrom(name), v, (long) value.length, 0);
            check(r, cap, "lsetxattr", path + " " + name);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** lgetxattr(2); null when the attribute is absent (ENODATA) or unsupported. */
    public static byte[] lgetxattr(String path, String name) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65536);
            MemorySegment cap = Libc.newCapture(a);
            long r = (long) Lgetxattr.H.invokeExact(cap, a.allocateFrom(path), a.allocateFrom(name), buf, 65536L);
            if (r < 0) {
                int e = Libc.errno(cap);
                if (e == 61 || e == Errno.EOPNOTSUPP) return null;
                throw new LinuxException("lgetxattr", path + " " + name, e);
            }
            return buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** llistxattr(2): the attribute names of a path, not following a final symlink. */
    public static java.util.List<String> llistxattr(String path) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65536);
            MemorySegment cap = Libc.newCapture(a);
            long r = (long) Llistxattr.H.invokeExact(cap, a.allocateFrom(path), buf, 65536L);
            if (r < 0) {
                int e = Libc.errno(cap);
                if (e == Errno.EOPNOTSUPP) return java.util.List.of();
                throw new LinuxException("llistxattr", path, e);
            }
            java.util.List<String> names = new java.util.ArrayList<>();
            byte[] b = buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    if (i > start) names.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return names;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Writes {@code len} bytes of {@code buf} to {@code fd}, retrying short writes and EINTR. */
    public static void write(Fd fd, MemorySegment buf, long len) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            long done = 0;
            while (done < len) {
                long r = (long) Write.H.invokeExact(cap, fd.get(), buf.asSlice(done), len - done);
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

    public static void fsync(Fd fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Fsync.H.invokeExact(cap, fd.get());
            check(r, cap, "fsync", "");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** mount(2); null strings are passed as NULL. */
    public static void mount(String source, String target, String fstype, long flags, String data) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Mount.H.invokeExact(cap, str(a, source), a.allocateFrom(target), str(a, fstype), flags,
                    str(a, data));
            check(r, cap, "mount", (fstype == null ? "" : fstype + " on ") + target);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void umount2(String target, int flags) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int r = (int) Umount2.H.invokeExact(cap, a.allocateFrom(target), flags);
            check(r, cap, "umount2", target);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
