package burk.front;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * burk-init (native/init/burk-init.c), the PID 1 of {@code burk run --init}: shipped in burk's
 * jar as a resource and kept as a file in the store, because a bind mount needs a file on the
 * host to bind. Docker mounts its tini the same way, read-only at /dev/init.
 */
final class InitBinary {
    static final String RESOURCE = "/burk/native/burk-init";
    /** Where the container sees it, as Docker puts its init. */
    static final String CONTAINER_PATH = "/dev/init";

    private InitBinary() {}

    /** The init as a file under {@code storeRoot}, written (atomically) when absent or different. */
    static Path ensure(Path storeRoot) throws FrontException {
        byte[] want;
        try (InputStream in = InitBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new FrontException("--init: burk-init is missing from this build of burk (make -C native)");
            want = in.readAllBytes();
        } catch (IOException e) {
            throw new FrontException("--init: read " + RESOURCE + ": " + e.getMessage(), e);
        }
        Path target = storeRoot.resolve("bin").resolve("burk-init");
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), want)) return target;
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".burk-init-", ".tmp");
            try {
                Files.write(tmp, want);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
                // a rename replaces the file a running container has bound: that one keeps its inode
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new FrontException("--init: install " + target + ": " + e.getMessage(), e);
        }
    }
}
