package burk.front;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image's {@code Volumes} as anonymous volumes, as Docker makes them: a fresh directory per
 * path (under the container's directory, so it goes with the container), filled with what the
 * image has at that path, and bind-mounted there. Data written to a volume bypasses the rootfs
 * (an overlay's upper layer) and survives the container's process. A {@code -v} bind at the same
 * path replaces the anonymous volume.
 */
final class AnonymousVolumes {
    private AnonymousVolumes() {}

    /** An anonymous volume: its host directory and where the container sees it. */
    record Volume(Path source, String destination) {}

    /**
     * Makes the volumes of {@code imageVolumes} not covered by a {@code -v} destination in
     * {@code binds}, under {@code volumesDir}, copying the image's content at each path from
     * {@code rootfs}.
     */
    static List<Volume> create(List<String> imageVolumes, List<String> binds, Path rootfs, Path volumesDir)
            throws FrontException {
        List<String> taken = new ArrayList<>();
        for (String b : binds) {
            String[] f = b.split(":");
            if (f.length >= 2) taken.add(normalize(f[1]));
        }
        Map<String, Volume> out = new LinkedHashMap<>();
        for (String v : imageVolumes) {
            if (!v.startsWith("/")) throw new FrontException("the image's volume \"" + v + "\" is not an absolute path");
            String dest = normalize(v);
            if (dest.equals("/") ) throw new FrontException("the image declares / as a volume");
            if (taken.contains(dest) || out.containsKey(dest)) continue;
            Path dir = volumesDir.resolve(Integer.toString(out.size()));
            try {
                Files.createDirectories(dir);
                Path inImage = inside(rootfs, dest);
                if (inImage != null) copyUp(inImage, dir);
            } catch (IOException e) {
                throw new FrontException("make the volume " + dest + ": " + e.getMessage(), e);
            }
            out.put(dest, new Volume(dir, dest));
        }
        return List.copyOf(out.values());
    }

    private static String normalize(String p) {
        String n = Path.of(p).normalize().toString();
        return n.isEmpty() ? "/" : n;
    }

    /**
     * The image's directory at {@code dest}, or null when it is absent or any component of the
     * path is a symlink: a link planted in the image must not make burk copy host files into the
     * volume (the runtime resolves the mount point itself, inside the rootfs).
     */
    private static Path inside(Path rootfs, String dest) {
        Path p = rootfs;
        for (Path part : Path.of(dest.substring(1))) {
            p = p.resolve(part.toString());
            if (Files.isSymbolicLink(p)) return null;
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null;
        }
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
    }

    /** Copies a tree with modes, owners and times; symlinks are copied as links, never followed. */
    private static void copyUp(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path t = to.resolve(from.relativize(dir).toString());
                if (!dir.equals(from)) Files.createDirectory(t);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path t = to.resolve(from.relativize(file).toString());
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    Files.copy(file, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    owner(file, t);
                }
                // device nodes, fifos and sockets in a volume path are left out
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Path t = to.resolve(from.relativize(dir).toString());
                Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
                owner(dir, t);
                Files.setLastModifiedTime(t, Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void owner(Path from, Path to) throws IOException {
        Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
    }
}
