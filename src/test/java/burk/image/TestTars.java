package burk.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Builds small tar archives in memory for the tests. */
final class TestTars {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarWriter tar = new TarWriter(bytes);

    TestTars dir(String name) throws IOException {
        tar.add(TarEntry.directory(name, 0755, 1_000_000_000_000_000_000L));
        return this;
    }

    TestTars file(String name, String content) throws IOException {
        return file(name, content, 0644);
    }

    TestTars file(String name, String content, int mode) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        tar.add(TarEntry.file(name, mode, b.length, 1_500_000_000_123_456_789L), new ByteArrayInputStream(b));
        return this;
    }

    TestTars entry(TarEntry e) throws IOException {
        tar.add(e);
        return this;
    }

    TestTars symlink(String name, String target) throws IOException {
        tar.add(TarEntry.symlink(name, target, 0));
        return this;
    }

    TestTars hardlink(String name, String target) throws IOException {
        tar.add(TarEntry.hardlink(name, target));
        return this;
    }

    TestTars xattrFile(String name, String content, Map<String, byte[]> x) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        tar.add(TarEntry.file(name, 0644, b.length, 0).withXattrs(x), new ByteArrayInputStream(b));
        return this;
    }

    byte[] bytes() throws IOException {
        tar.finish();
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(o)) {
            g.write(b);
        }
        return o.toByteArray();
    }

    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
