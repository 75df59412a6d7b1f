package burk.front;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's device nodes as linux.devices entries, for {@code --privileged} (Docker gives a
 * privileged container every device of the host, as runc's HostDevices lists them).
 */
final class HostDevices {
    private HostDevices() {}

    /**
     * Directories whose nodes belong to a mount of their own that the container makes itself
     * (devpts, the shm and mqueue mounts) or that are not devices of the host (runc skips the same).
     */
    private static final Set<String> SKIPPED_DIRS = Set.of("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev");

    /**
     * /dev/console is the container's own terminal (or none); /dev/ptmx must stay the link into
     * the container's devpts instance, or a pty opened in the container would be the host's.
     */
    private static final Set<String> SKIPPED_NODES = Set.of("console", "ptmx");

    static List<Object> list(Path dev) throws FrontException {
        List<Object> out = new ArrayList<>();
        try {
            Files.walkFileTree(dev, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(dev) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    if (!attrs.isOther() || SKIPPED_NODES.contains(f.getFileName().toString())) return FileVisitResult.CONTINUE;
                    int mode = (Integer) Files.getAttribute(f, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    String type = switch (mode & 0170000) {
                        case 0020000 -> "c";
                        case 0060000 -> "b";
                        default -> null;
                    };
                    if (type == null) return FileVisitResult.CONTINUE;
                    long rdev = (Long) Files.getAttribute(f, "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("path", f.toString());
                    d.put("type", type);
                    d.put("major", major(rdev));
                    d.put("minor", minor(rdev));
                    d.put("fileMode", (long) (mode & 07777));
                    d.put("uid", (long) (Integer) Files.getAttribute(f, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
                    d.put("gid", (long) (Integer) Files.getAttribute(f, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
                    out.add(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // a node that went away meanwhile
                }
            });
        } catch (IOException e) {
            throw new FrontException("list the host's devices in " + dev + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** glibc's gnu_dev_major: bits 8-19 and 32-43 of dev_t. */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    }

    /** glibc's gnu_dev_minor: bits 0-7 and 12-31 of dev_t. */
    static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
    }
}
