package burk.image;

import burk.linux.Errno;
import burk.linux.FileOps;
import burk.linux.LinuxException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's root file system made from image layers, in a directory the caller owns:
 * {@code merged/} is an overlayfs mount (lower: the shared, read-only layer directories; upper
 * and work: the container's own), or, where overlayfs cannot be mounted, a full copy of the
 * flattened layers. The mount is made in the caller's (the host's) mount namespace, before the
 * container is created; the runtime then bind-mounts it as the container's root.
 */
public final class Snapshots {
    private Snapshots() {}

    /** How a rootfs was made. */
    public enum Kind { OVERLAY, COPY }

    /** A prepared rootfs: {@code path} is what config.json's root.path names. */
    public record Rootfs(Path path, Kind kind) {}

    private static final String KIND_FILE = "rootfs-kind";

    /**
     * Makes {@code dir/merged} from {@code layers} (lowest first). With {@code allowOverlay}
     * false, or when the overlay mount fails, the layers are copied instead.
     */
    public static Rootfs prepare(Path dir, List<Path> layers, boolean allowOverlay) throws ImageException {
        try {
            Path merged = dir.resolve("merged");
            Files.createDirectories(merged);
            if (allowOverlay) {
                Path upper = dir.resolve("upper"), work = dir.resolve("work"), empty = dir.resolve("empty");
                Files.createDirectories(upper);
                Files.createDirectories(work);
                List<String> lowers = new ArrayList<>();
                for (int i = layers.size() - 1; i >= 0; i--) lowers.add(escape(layers.get(i).toString()));
                if (lowers.isEmpty()) {
                    Files.createDirectories(empty);
                    lowers.add(escape(empty.toString()));
                }
                // index=off: the layers are shared by many overlays, and the index feature would tie
                // each lower directory to the first upper it was mounted with.
                String data = "lowerdir=" + String.join(":", lowers) + ",upperdir=" + escape(upper.toString())
                        + ",workdir=" + escape(work.toString()) + ",index=off";
                if (data.length() < 4000) {
                    try {
                        FileOps.mount("overlay", merged.toString(), "overlay", 0, data);
                        Files.writeString(dir.resolve(KIND_FILE), Kind.OVERLAY.name());
                        return new Rootfs(merged, Kind.OVERLAY);
                    } catch (LinuxException e) {
                        if (e.errno() != Errno.ENODEV && e.errno() != Errno.EINVAL && e.errno() != Errno.EPERM
                                && e.errno() != Errno.EOPNOTSUPP) {
                            throw new ImageException("mount the overlay for " + dir + ": " + e.getMessage(), e);
                        }
                        // fall back to a copy below
                    }
                }
            }
            for (Path layer : layers) {
                LayerUnpacker.apply(new LayerDirectorySource(layer, true), merged, LayerUnpacker.Mode.MERGE);
            }
            Files.writeString(dir.resolve(KIND_FILE), Kind.COPY.name());
            return new Rootfs(merged, Kind.COPY);
        } catch (IOException e) {
            throw new ImageException("prepare the rootfs in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** overlayfs splits its options at ',' and lowerdir at ':'; a backslash escapes them. */
    private static String escape(String p) {
        return p.replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:");
    }

    /** True when {@code dir/merged} is a mount point now. */
    public static boolean mounted(Path dir) throws IOException {
        String target = dir.resolve("merged").toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescapeMountinfo(f[4]).equals(target)) return true;
        }
        return false;
    }

    private static String unescapeMountinfo(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Unmounts (if mounted) and deletes everything under {@code dir}, and {@code dir} itself. */
    public static void remove(Path dir) throws ImageException {
        try {
            if (!Files.exists(dir)) return;
            if (mounted(dir)) {
                try {
                    FileOps.umount2(dir.resolve("merged").toString(), 0);
                } catch (LinuxException e) {
                    if (e.errno() != Errno.EBUSY) throw e;
                    // still busy (a process holds it): detach now, the kernel frees it when the last user leaves
                    FileOps.umount2(dir.resolve("merged").toString(), FileOps.MNT_DETACH);
                }
            }
            LayerUnpacker.removeTree(dir);
        } catch (IOException e) {
            throw new ImageException("remove the rootfs in " + dir + ": " + e.getMessage(), e);
        }
    }
}
