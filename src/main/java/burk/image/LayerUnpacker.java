package burk.image;

import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.FileOps;
import burk.linux.LinuxException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes layer entries into a directory the caller owns, without ever writing outside it.
 *
 * <p>Each entry's name is cleaned first: an absolute name or one with a {@code ..} component is
 * refused outright. Its parent directory is then opened by the kernel with {@code openat2} and
 * {@code RESOLVE_BENEATH}: a symlink planted by an earlier entry that points out of the tree (an
 * absolute target, or {@code ..} past the root) makes the open fail with EXDEV instead of being
 * followed, and the layer is refused. The entry itself is made with a single name inside that
 * parent fd ({@code mkdirat}, {@code mknodat}, {@code symlinkat}, {@code linkat}, an
 * {@code O_EXCL|O_NOFOLLOW} create), so a final symlink is never followed either.
 *
 * <p>Two whiteout modes: {@link Mode#OVERLAY} stores whiteouts the way overlayfs reads them in a
 * lower directory (a {@code .wh.NAME} entry becomes a 0/0 character device, {@code .wh..wh..opq}
 * the {@code trusted.overlay.opaque} xattr), which is how each layer is kept in the store;
 * {@link Mode#MERGE} applies them to a full tree (delete, empty the directory), for the copying
 * fallback where overlayfs is not available.
 */
public final class LayerUnpacker {
    /** How whiteouts are written. */
    public enum Mode { OVERLAY, MERGE }

    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final long BENEATH = FileOps.RESOLVE_BENEATH | FileOps.RESOLVE_NO_MAGICLINKS;

    private final Fd root;
    private final Mode mode;
    private final Set<String> seen = new HashSet<>();
    private final List<String[]> dirTimes = new ArrayList<>();
    private final byte[] buf = new byte[1 << 16];

    private LayerUnpacker(Fd root, Mode mode) {
        this.root = root;
        this.mode = mode;
    }

    /** Unpacks a tar stream into {@code target} (an existing directory). */
    public static void unpack(InputStream tar, Path target, Mode mode) throws IOException, ImageException {
        try (TarReader r = new TarReader(tar)) {
            apply(EntrySource.of(r), target, mode);
        }
    }

    static void apply(EntrySource src, Path target, Mode mode) throws IOException, ImageException {
        try (Fd root = FileOps.openDirectory(target.toAbsolutePath().toString())) {
            LayerUnpacker u = new LayerUnpacker(root, mode);
            for (TarEntry e; (e = src.next()) != null; ) u.entry(e, src);
            u.finishDirectories();
        }
    }

    /** The cleaned components of an entry name; absolute names and ".." are refused. */
    static List<String> clean(String name) throws ImageException {
        if (name.startsWith("/")) throw new ImageException("layer entry " + name + ": absolute path refused");
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw new ImageException("layer entry " + name + ": \"..\" refused (it could leave the layer)");
            if (p.indexOf('\0') >= 0) throw new ImageException("layer entry " + name + ": NUL in name");
            parts.add(p);
        }
        return parts;
    }

    private void entry(TarEntry e, EntrySource src) throws IOException, ImageException {
        List<String> parts = clean(e.name());
        if (parts.isEmpty()) return;
        String base = parts.get(parts.size() - 1);
        List<String> parentParts = parts.subList(0, parts.size() - 1);
        String parentPath = String.join("/", parentParts);
        if (base.startsWith(WHITEOUT_PREFIX)) {
            whiteout(e, parentParts, base);
            return;
        }
        String path = String.join("/", parts);
        try (Fd parent = openParent(e.name(), parentParts, true)) {
            Path proc = proc(parent, base);
            BasicFileAttributes existing = lstat(proc);
            if (existing != null) {
                if (existing.isDirectory() && e.type() == TarEntry.Type.DIRECTORY) {
                    // keep its contents: a directory entry only sets metadata
                } else {
                    removeTree(proc);
                }
            }
            switch (e.type()) {
                case DIRECTORY -> {
                    if (existing == null || !existing.isDirectory()) FileOps.mkdirat(parent, base, 0700);
                }
                case FILE -> writeFile(proc, src.content(), e.size(), e.name());
                case SYMLINK -> FileOps.symlinkat(e.linkName(), parent, base);
                case HARDLINK -> hardlink(e, parent, base);
                case CHAR -> FileOps.mknodat(parent, base, FileOps.S_IFCHR | (e.mode() & 07777), e.devMajor(), e.devMinor());
                case BLOCK -> FileOps.mknodat(parent, base, FileOps.S_IFBLK | (e.mode() & 07777), e.devMajor(), e.devMinor());
                case FIFO -> FileOps.mknodat(parent, base, FileOps.S_IFIFO | (e.mode() & 07777), 0, 0);
            }
            seen.add(path);
            if (e.type() == TarEntry.Type.HARDLINK) return;
            FileOps.fchownat(parent, base, e.uid(), e.gid(), FileOps.AT_SYMLINK_NOFOLLOW);
            if (e.type() != TarEntry.Type.SYMLINK) {
                // after chown, which clears set-id bits
                FileOps.fchmodat(parent, base, e.mode() & 07777);
                setXattrs(proc, e.xattrs(), e.type());
            }
            if (e.type() == TarEntry.Type.DIRECTORY) {
                dirTimes.add(new String[] {parentPath, base, Long.toString(e.mtimeNanos())});
            } else {
                FileOps.utimensat(parent, base, e.mtimeNanos(), e.mtimeNanos());
            }
        } catch (LinuxException x) {
            throw new ImageException("layer entry " + e.name() + ": " + x.getMessage(), x);
        }
    }

    private void whiteout(TarEntry e, List<String> parentParts, String base) throws IOException, ImageException {
        try (Fd parent = openParent(e.name(), parentParts, true)) {
            if (base.equals(OPAQUE)) {
                if (mode == Mode.OVERLAY) {
                    FileOps.lsetxattr(procDir(parent) + "/.", OPAQUE_XATTR, new byte[] {'y'});
                } else {
                    String prefix = parentParts.isEmpty() ? "" : String.join("/", parentParts) + "/";
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(procDir(parent))) {
                        for (Path child : ds) {
                            if (!seen.contains(prefix + child.getFileName())) removeTree(child);
                        }
                    }
                }
                return;
            }
            if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return; // aufs metadata (.wh..wh.plnk etc.)
            String name = base.substring(WHITEOUT_PREFIX.length());
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw new ImageException("layer entry " + e.name() + ": invalid whiteout");
            }
            Path proc = proc(parent, name);
            if (lstat(proc) != null) removeTree(proc);
            if (mode == Mode.OVERLAY) {
                FileOps.mknodat(parent, name, FileOps.S_IFCHR, 0, 0);
                seen.add(String.join("/", parentParts) + "/" + name);
            }
        } catch (LinuxException x) {
            throw new ImageException("layer entry " + e.name() + ": " + x.getMessage(), x);
        }
    }

    private void hardlink(TarEntry e, Fd parent, String base) throws IOException, ImageException {
        List<String> target = clean(e.linkName());
        if (target.isEmpty()) throw new ImageException("layer entry " + e.name() + ": hard link to the root refused");
        try (Fd tparent = openParent(e.linkName(), target.subList(0, target.size() - 1), false)) {
            FileOps.linkat(tparent, target.get(target.size() - 1), parent, base, 0);
        } catch (LinuxException x) {
            throw new ImageException("layer entry " + e.name() + ": hard link to " + e.linkName() + ": " + x.getMessage(), x);
        }
    }

    private void writeFile(Path proc, InputStream in, long size, String name) throws IOException, ImageException {
        try (FileChannel ch = FileChannel.open(proc, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
                LinkOption.NOFOLLOW_LINKS); var out = Channels.newOutputStream(ch)) {
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new ImageException("layer entry " + name + ": content ends early");
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    private void setXattrs(Path proc, Map<String, byte[]> xattrs, TarEntry.Type type) throws LinuxException {
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            // trusted.overlay.* would change how overlayfs reads this layer (redirects, metacopy): never from a tar.
            if (x.getKey().startsWith("trusted.overlay.")) continue;
            if (type != TarEntry.Type.FILE && type != TarEntry.Type.DIRECTORY) continue;
            FileOps.lsetxattr(proc.toString(), x.getKey(), x.getValue());
        }
    }

    /**
     * Opens the directory {@code parts} below the root, the kernel refusing any step that leaves
     * it; missing directories are made (0755, as tar does for implied parents) when {@code create}.
     */
    private Fd openParent(String entryName, List<String> parts, boolean create) throws ImageException, LinuxException {
        if (parts.isEmpty()) return FileOps.openat(root, ".", FileOps.O_PATH | FileOps.O_DIRECTORY, 0);
        String path = String.join("/", parts);
        try {
            return FileOps.openat2(root, path, FileOps.O_PATH | FileOps.O_DIRECTORY, 0, BENEATH);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT && create) {
                for (int i = 1; i <= parts.size(); i++) {
                    String prefix = String.join("/", parts.subList(0, i));
                    try (Fd f = FileOps.openat2(root, prefix, FileOps.O_PATH | FileOps.O_DIRECTORY, 0, BENEATH)) {
                        continue;
                    } catch (LinuxException m) {
                        if (m.errno() != Errno.ENOENT) throw refuse(entryName, m);
                    }
                    try (Fd up = openParent(entryName, parts.subList(0, i - 1), false)) {
                        FileOps.mkdirat(up, parts.get(i - 1), 0755);
                    }
                }
                return openParent(entryName, parts, false);
            }
            throw refuse(entryName, e);
        }
    }

    private static ImageException refuse(String name, LinuxException e) {
        if (e.errno() == Errno.EXDEV || e.errno() == Errno.ELOOP) {
            return new ImageException("layer entry " + name + ": refused: its path leaves the layer through a symlink");
        }
        if (e.errno() == Errno.ENOTDIR) return new ImageException("layer entry " + name + ": a parent is not a directory");
        return new ImageException("layer entry " + name + ": " + e.getMessage(), e);
    }

    private void finishDirectories() throws IOException, ImageException {
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            String[] d = dirTimes.get(i);
            List<String> parts = d[0].isEmpty() ? List.of() : List.of(d[0].split("/"));
            try (Fd parent = openParent(d[1], parts, false)) {
                long t = Long.parseLong(d[2]);
                FileOps.utimensat(parent, d[1], t, t);
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENOENT) throw new ImageException("set the times of " + d[1] + ": " + e.getMessage(), e);
            }
        }
    }

    /** The path of {@code name} inside an open directory fd; the kernel resolves the fd, not a path. */
    private static Path proc(Fd dir, String name) {
        return Path.of("/proc/self/fd/" + dir.get() + "/" + name);
    }

    private static Path procDir(Fd dir) {
        return Path.of("/proc/self/fd/" + dir.get());
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Removes a file or a whole tree, never following a symlink inside it. */
    static void removeTree(Path p) throws IOException {
        BasicFileAttributes a = lstat(p);
        if (a == null) return;
        if (!a.isDirectory()) {
            Files.delete(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) throw exc;
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
