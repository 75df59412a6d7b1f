package burk.image;

import burk.linux.FileOps;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads an unpacked layer directory (overlay form) back as tar entries, parents before children:
 * a 0/0 character device becomes a {@code .wh.NAME} whiteout and an opaque directory is followed
 * by a {@code .wh..wh..opq} entry. Used to flatten layers where overlayfs is unavailable, and to
 * make a layer tar from a directory.
 */
final class LayerDirectorySource implements EntrySource {
    private final Path root;
    private final Deque<TarEntry> pending = new ArrayDeque<>();
    private final Deque<Path> dirs = new ArrayDeque<>();
    private final boolean overlayForm;
    private Path current;
    private final Map<Object, String> inodes = new LinkedHashMap<>();

    /** @param overlayForm interpret 0/0 devices and the opaque xattr as whiteouts (a stored layer) */
    LayerDirectorySource(Path root, boolean overlayForm) {
        this.root = root;
        this.overlayForm = overlayForm;
        dirs.push(root);
    }

    @Override
    public TarEntry next() throws IOException {
        while (pending.isEmpty()) {
            if (dirs.isEmpty()) return null;
            Path dir = dirs.pop();
            List<Path> children;
            try (Stream<Path> s = Files.list(dir)) {
                children = new ArrayList<>(s.sorted().toList());
            }
            List<Path> subdirs = new ArrayList<>();
            for (Path c : children) {
                TarEntry e = describe(c);
                pending.add(e);
                if (e.type() == TarEntry.Type.DIRECTORY) {
                    if (overlayForm && isOpaque(c)) {
                        pending.add(TarEntry.file(e.name() + "/" + LayerUnpacker.OPAQUE, 0, 0, 0));
                    }
                    subdirs.add(c);
                }
            }
            // Depth-first, in name order: parents are always emitted before their children.
            for (int i = subdirs.size() - 1; i >= 0; i--) dirs.push(subdirs.get(i));
        }
        TarEntry e = pending.poll();
        current = e.type() == TarEntry.Type.FILE && !e.name().endsWith(LayerUnpacker.OPAQUE)
                && !baseName(e.name()).startsWith(LayerUnpacker.WHITEOUT_PREFIX) ? root.resolve(e.name()) : null;
        return e;
    }

    private static String baseName(String n) {
        int i = n.lastIndexOf('/');
        return i < 0 ? n : n.substring(i + 1);
    }

    @Override
    public InputStream content() throws IOException {
        return current == null ? InputStream.nullInputStream() : Files.newInputStream(current, LinkOption.NOFOLLOW_LINKS);
    }

    private boolean isOpaque(Path dir) throws IOException {
        byte[] v = FileOps.lgetxattr(dir.toString(), LayerUnpacker.OPAQUE_XATTR);
        return v != null && v.length == 1 && v[0] == 'y';
    }

    private TarEntry describe(Path p) throws IOException {
        String name = root.relativize(p).toString();
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,lastModifiedTime,size,ino,dev,nlink",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int uid = (Integer) a.get("uid"), gid = (Integer) a.get("gid");
        long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        long rdev = (Long) a.get("rdev");
        int type = mode & FileOps.S_IFMT;
        int perm = mode & 07777;
        TarEntry e;
        switch (type) {
            case FileOps.S_IFDIR -> e = TarEntry.directory(name, perm, mtime);
            case FileOps.S_IFLNK -> e = TarEntry.symlink(name, Files.readSymbolicLink(p).toString(), mtime);
            case FileOps.S_IFREG -> {
                Object key = List.of(a.get("dev"), a.get("ino"));
                String first = (Integer) a.get("nlink") > 1 ? inodes.putIfAbsent(key, name) : null;
                e = first != null ? TarEntry.hardlink(name, first)
                        : TarEntry.file(name, perm, (Long) a.get("size"), mtime);
            }
            case FileOps.S_IFCHR, FileOps.S_IFBLK -> {
                int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
                int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
                if (overlayForm && type == FileOps.S_IFCHR && major == 0 && minor == 0) {
                    String parent = p.getParent().equals(root) ? "" : root.relativize(p.getParent()) + "/";
                    return TarEntry.file(parent + LayerUnpacker.WHITEOUT_PREFIX + p.getFileName(), 0, 0, 0);
                }
                e = new TarEntry(name, type == FileOps.S_IFCHR ? TarEntry.Type.CHAR : TarEntry.Type.BLOCK, perm, 0, 0, 0,
                        mtime, "", major, minor, Map.of());
            }
            case FileOps.S_IFIFO -> e = new TarEntry(name, TarEntry.Type.FIFO, perm, 0, 0, 0, mtime, "", 0, 0, Map.of());
            default -> throw new IOException(p + ": sockets cannot be stored in a layer");
        }
        e = e.withOwner(uid, gid);
        if (type == FileOps.S_IFREG || type == FileOps.S_IFDIR) {
            Map<String, byte[]> x = new LinkedHashMap<>();
            for (String n : FileOps.llistxattr(p.toString())) {
                if (n.startsWith("trusted.overlay.")) continue;
                byte[] v = FileOps.lgetxattr(p.toString(), n);
                if (v != null) x.put(n, v);
            }
            if (!x.isEmpty()) e = e.withXattrs(x);
        }
        return e;
    }
}
