package burk.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The state directories under burk's root ({@code --root}, default /run/burk): one directory per
 * container holding state.json, the start barrier socket and a lock. Writes are atomic (temp
 * file, rename) so a reader never sees a half-written state.json.
 */
public final class ContainerStore {
    static final String STATE = "state.json";
    static final String STEPS = "plan-steps";
    static final String CONFIG = "config.json";
    private final Path root;

    public ContainerStore(Path root) {
        this.root = root;
    }

    public Path root() { return root; }

    /** Checks an id the way runc does: letters, digits, '_', '+', '-', '.', and not "." or "..". */
    static void checkId(String id) throws RuntimeError {
        boolean ok = id != null && !id.isEmpty() && !id.equals(".") && !id.equals("..") && id.length() <= 1024;
        if (ok) {
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '+' && c != '-' && c != '.') {
                    ok = false;
                    break;
                }
            }
        }
        if (!ok) throw new RuntimeError("invalid id format: " + id);
    }

    public Path dir(String id) { return root.resolve(id); }

    /** Makes the state directory of a new container; fails if the id is taken. */
    Path create(String id) throws RuntimeError, IOException {
        checkId(id);
        Files.createDirectories(root);
        Path d = dir(id);
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (FileAlreadyExistsException e) {
            throw new RuntimeError("container with id exists: " + id);
        }
        return d;
    }

    boolean exists(String id) { return Files.isDirectory(dir(id)); }

    /** The container's record; "container does not exist" when there is none. */
    ContainerRecord read(String id) throws RuntimeError, IOException {
        checkId(id);
        Path f = dir(id).resolve(STATE);
        try {
            return ContainerRecord.fromJson(Files.readString(f), f.toString());
        } catch (NoSuchFileException e) {
            throw new RuntimeError("container does not exist");
        }
    }

    void write(String id, ContainerRecord r) throws IOException {
        writeAtomically(dir(id).resolve(STATE), r.toJson());
    }

    static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            // No fsync (runc does none either): the rename alone keeps readers from a half-written
            // file. The state lives in /run, normally a tmpfs where fsync does nothing; where /run is
            // a disk, an fsync costs a create milliseconds, and after a crash every container is
            // gone anyway (a state directory without a readable state.json is removed by delete).
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** An exclusive lock on one container while an operation runs on it. */
    FileLock lock(String id) throws IOException {
        FileChannel ch = FileChannel.open(dir(id).resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            while (true) {
                try {
                    return ch.lock();
                } catch (java.nio.channels.OverlappingFileLockException heldByThisJvm) {
                    // Another thread of this JVM (burk's daemon serves commands concurrently)
                    // holds it: the JDK throws instead of blocking; wait as another process would.
                    Thread.sleep(2);
                }
            }
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the lock of " + id);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Removes the state directory and everything in it. */
    void remove(String id) throws IOException {
        Path d = dir(id);
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.deleteIfExists(p);
        }
    }

    /** The ids with a state directory, sorted. */
    List<String> ids() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) if (Files.isDirectory(p)) out.add(p.getFileName().toString());
        }
        out.sort(null);
        return out;
    }
}
