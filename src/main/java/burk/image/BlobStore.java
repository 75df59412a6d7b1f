package burk.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Content-addressed blobs: {@code blobs/ALG/HEX}. A blob appears under its name only complete
 * and verified: it is written to a temporary file in the same file system, fsynced, checked
 * against its digest and size, and renamed into place (rename is atomic), and the directory is
 * fsynced so the name survives a crash. Two processes writing the same blob both succeed: the
 * content is identical, whichever rename lands last.
 */
public final class BlobStore {
    private final Path root;

    BlobStore(Path root) {
        this.root = root;
    }

    public Path path(Digest d) {
        return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    public boolean has(Digest d) {
        return Files.isRegularFile(path(d));
    }

    public byte[] read(Digest d) throws ImageException {
        try {
            return Files.readAllBytes(path(d));
        } catch (NoSuchFileException e) {
            throw new ImageException("blob " + d + " is not in the store");
        } catch (IOException e) {
            throw new ImageException("read blob " + d + ": " + e.getMessage(), e);
        }
    }

    public InputStream open(Digest d) throws ImageException {
        try {
            return Files.newInputStream(path(d));
        } catch (NoSuchFileException e) {
            throw new ImageException("blob " + d + " is not in the store");
        } catch (IOException e) {
            throw new ImageException("open blob " + d + ": " + e.getMessage(), e);
        }
    }

    /** Stores bytes under their sha256 digest. */
    public Digest write(byte[] data) throws ImageException {
        Digest d = Digest.sha256(data);
        if (has(d)) return d;
        try {
            ingest(new java.io.ByteArrayInputStream(data), new Descriptor("", d, data.length));
        } catch (IOException e) {
            throw new ImageException("write blob " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    /**
     * Copies a blob from {@code in}, verifying that it is exactly {@code expected.size()} bytes with
     * {@code expected.digest()}; nothing is stored otherwise.
     */
    public void ingest(InputStream in, Descriptor expected) throws IOException, ImageException {
        if (has(expected.digest())) return;
        Path tmp = tempFile();
        try {
            MessageDigest md = expected.digest().hasher();
            long n = 0;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                    if (n > expected.size()) throw new ImageException("blob " + expected.digest() + " is larger than its size " + expected.size());
                    md.update(buf, 0, r);
                    out.write(buf, 0, r);
                }
                ch.force(true);
            }
            if (n != expected.size()) {
                throw new ImageException("blob " + expected.digest() + ": got " + n + " bytes, expected " + expected.size());
            }
            if (!expected.digest().matches(md)) {
                throw new ImageException("blob " + expected.digest() + ": digest mismatch (corrupted or tampered content)");
            }
            publish(tmp, expected.digest());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames a complete, verified, fsynced file into its blob name. */
    void publish(Path file, Digest d) throws IOException {
        Path dst = path(d);
        Files.createDirectories(dst.getParent());
        try {
            Files.move(file, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store's temporary directory is on another file system than " + dst, e);
        }
        syncDirectory(dst.getParent());
    }

    Path tempFile() throws IOException {
        Path dir = root.resolve("tmp");
        Files.createDirectories(dir);
        return dir.resolve("blob-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    }

    /** Where an interrupted download of {@code d} is kept, to be resumed. */
    Path partial(Digest d) {
        return root.resolve("ingest").resolve(d.algorithm() + "-" + d.hex() + ".partial");
    }

    Path lockFile(Digest d) {
        return root.resolve("locks").resolve("blob-" + d.algorithm() + "-" + d.hex() + ".lock");
    }

    public void delete(Digest d) throws IOException {
        Files.deleteIfExists(path(d));
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
