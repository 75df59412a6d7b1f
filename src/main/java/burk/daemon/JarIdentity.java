package burk.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which burk.jar a process runs, as stat(2) tells it: a front and a daemon serve each other only
 * when both name the very same file, unchanged since the daemon started. Rebuilding burk changes
 * the jar's inode or mtime, so a stale daemon never decides for a newer front.
 */
record JarIdentity(long dev, long ino, long size, long mtimeNanos) {

    static JarIdentity of(Path jar) throws IOException {
        Map<String, Object> a = Files.readAttributes(jar, "unix:dev,ino,size,lastModifiedTime");
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        return new JarIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"), mtime);
    }
}
