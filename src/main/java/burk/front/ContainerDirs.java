package burk.front;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The front's containers on disk: {@code containers/ID/} under the image store's root, holding
 * container.json, the bundle (config.json), the rootfs snapshot (merged/, upper/, work/), the log
 * and the files bind-mounted as /etc/hosts, /etc/hostname and /etc/resolv.conf.
 */
final class ContainerDirs {
    private final Path root;

    ContainerDirs(Path storeRoot) {
        this.root = storeRoot.resolve("containers");
    }

    Path dir(String id) {
        return root.resolve(id);
    }

    Path bundle(String id) {
        return dir(id).resolve("bundle");
    }

    Path snapshot(String id) {
        return dir(id).resolve("rootfs");
    }

    Path log(String id) {
        return dir(id).resolve("container.log");
    }

    List<FrontContainer> list() throws FrontException {
        List<FrontContainer> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                try {
                    out.add(read(d.getFileName().toString()));
                } catch (FrontException e) {
                    // a container being created or removed right now
                }
            }
        } catch (IOException e) {
            throw new FrontException("list " + root + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> b.created().compareTo(a.created()));
        return out;
    }

    FrontContainer read(String id) throws FrontException {
        Path f = dir(id).resolve("container.json");
        try {
            return FrontContainer.fromJson(Files.readString(f), f.toString());
        } catch (NoSuchFileException e) {
            throw new FrontException("no such container: " + id);
        } catch (IOException e) {
            throw new FrontException("read " + f + ": " + e.getMessage(), e);
        }
    }

    void write(FrontContainer c) throws FrontException {
        Path f = dir(c.id()).resolve("container.json");
        Path tmp = dir(c.id()).resolve(".container.json.tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(c.toJson().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new FrontException("write " + f + ": " + e.getMessage(), e);
        }
    }

    /** Serializes operations on one container (run's bookkeeping, rm, stop) across processes. */
    AutoCloseable lock(String id) throws FrontException {
        Path f = root.resolve(".locks").resolve(id + ".lock");
        try {
            Files.createDirectories(f.getParent());
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                try {
                    FileLock l = ch.lock();
                    return () -> {
                        l.release();
                        ch.close();
                    };
                } catch (OverlappingFileLockException e) {
                    Thread.sleep(5);
                }
            }
        } catch (IOException e) {
            throw new FrontException("lock " + f + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FrontException("interrupted while locking " + id);
        }
    }

    Path lockFile(String id) {
        return root.resolve(".locks").resolve(id + ".lock");
    }
}
