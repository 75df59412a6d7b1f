package burk.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer unpacking against the real kernel: file types, metadata, whiteouts, and escapes refused. */
class LayerUnpackerTest {
    private Path work, target, outside;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("burk-unpack-");
        target = Files.createDirectory(work.resolve("target"));
        outside = Files.createDirectory(work.resolve("outside"));
    }

    @AfterEach
    void tearDown() {
        TestTars.deleteTree(work);
    }

    private void unpack(byte[] tar, LayerUnpacker.Mode mode) throws Exception {
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), target, mode);
    }

    private List<Path> outsideFiles() throws Exception {
        try (Stream<Path> s = Files.walk(outside)) {
            return s.filter(p -> !p.equals(outside)).toList();
        }
    }

    @Test
    void filesDirectoriesLinksModesOwnersTimes() throws Exception {
        byte[] tar = new TestTars().dir("etc/").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0600)
                .file("usr/bin/tool", "#!/bin/sh\n", 04755)
                .entry(TarEntry.file("owned", 0640, 0, 0).withOwner(1234, 5678))
                .symlink("bin", "usr/bin").hardlink("etc/passwd-link", "etc/passwd")
                .entry(new TarEntry("dev/null", TarEntry.Type.CHAR, 0666, 0, 0, 0, 0, "", 1, 3, Map.of()))
                .entry(new TarEntry("dev/loop9", TarEntry.Type.BLOCK, 0660, 0, 0, 0, 0, "", 7, 9, Map.of()))
                .entry(new TarEntry("run/fifo", TarEntry.Type.FIFO, 0600, 0, 0, 0, 0, "", 0, 0, Map.of()))
                .xattrFile("cap", "x", Map.of("user.burk", "v".getBytes(StandardCharsets.UTF_8)))
                .bytes();
        unpack(tar, LayerUnpacker.Mode.OVERLAY);
        assertEquals("root:x:0:0::/root:/bin/sh\n", Files.readString(target.resolve("etc/passwd")));
        assertEquals(0600, mode(target.resolve("etc/passwd")));
        assertEquals(04755, mode(target.resolve("usr/bin/tool")), "set-uid survives (chmod after chown)");
        assertEquals(1234, Files.getAttribute(target.resolve("owned"), "unix:uid"));
        assertEquals(5678, Files.getAttribute(target.resolve("owned"), "unix:gid"));
        assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(target.resolve("bin")));
        assertEquals(Files.getAttribute(target.resolve("etc/passwd"), "unix:ino"),
                Files.getAttribute(target.resolve("etc/passwd-link"), "unix:ino"), "hard link shares the inode");
        assertEquals(1_500_000_000_123_456_789L, Files.getLastModifiedTime(target.resolve("etc/passwd"))
                .to(java.util.concurrent.TimeUnit.NANOSECONDS), "mtime with nanoseconds (PAX)");
        assertEquals(1_000_000_000_000_000_000L, Files.getLastModifiedTime(target.resolve("etc"))
                .to(java.util.concurrent.TimeUnit.NANOSECONDS), "directory mtime set after its children");
        assertEquals(0020000, (int) Files.getAttribute(target.resolve("dev/null"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
        assertEquals(0x103L, Files.getAttribute(target.resolve("dev/null"), "unix:rdev"));
        assertEquals(0060000, (int) Files.getAttribute(target.resolve("dev/loop9"), "unix:mode") & 0170000);
        assertEquals(0010000, (int) Files.getAttribute(target.resolve("run/fifo"), "unix:mode") & 0170000);
        assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), burk.linux.FileOps.lgetxattr(target.resolve("cap").toString(), "user.burk"));
    }

    private static int mode(Path p) throws Exception {
        return (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void whiteoutsInOverlayForm() throws Exception {
        byte[] tar = new TestTars().dir("a/").file("a/.wh..wh..opq", "").file("a/kept", "k").file(".wh.gone", "").bytes();
        unpack(tar, LayerUnpacker.Mode.OVERLAY);
        assertArrayEquals(new byte[] {'y'}, burk.linux.FileOps.lgetxattr(target.resolve("a").toString(), "trusted.overlay.opaque"));
        assertEquals(0x0L, Files.getAttribute(target.resolve("gone"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0020000, (int) Files.getAttribute(target.resolve("gone"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
        assertFalse(Files.exists(target.resolve(".wh.gone"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("k", Files.readString(target.resolve("a/kept")));
    }

    @Test
    void whiteoutsMergedOntoATree() throws Exception {
        unpack(new TestTars().file("a/old", "o").file("gone", "g").file("keep", "k").bytes(), LayerUnpacker.Mode.MERGE);
        unpack(new TestTars().dir("a/").file("a/new", "n").file("a/.wh..wh..opq", "").file(".wh.gone", "").bytes(),
                LayerUnpacker.Mode.MERGE);
        assertFalse(Files.exists(target.resolve("a/old")), "opaque directory hides the lower content");
        assertEquals("n", Files.readString(target.resolve("a/new")), "but keeps what this layer put there");
        assertFalse(Files.exists(target.resolve("gone")));
        assertEquals("k", Files.readString(target.resolve("keep")));
    }

    @Test
    void dotDotIsRefusedAndNothingIsWrittenOutside() throws Exception {
        byte[] tar = new TestTars().file("../outside/evil", "x").bytes();
        ImageException e = assertThrows(ImageException.class, () -> unpack(tar, LayerUnpacker.Mode.OVERLAY));
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        assertEquals(List.of(), outsideFiles());
    }

    @Test
    void absoluteNamesAreRefused() throws Exception {
        byte[] tar = new TestTars().file(outside.resolve("evil").toString(), "x").bytes();
        assertThrows(ImageException.class, () -> unpack(tar, LayerUnpacker.Mode.OVERLAY));
        assertEquals(List.of(), outsideFiles());
    }

    @Test
    void writingThroughAnAbsoluteSymlinkIsRefused() throws Exception {
        byte[] tar = new TestTars().symlink("link", outside.toString()).file("link/evil", "x").bytes();
        ImageException e = assertThrows(ImageException.class, () -> unpack(tar, LayerUnpacker.Mode.OVERLAY));
        assertTrue(e.getMessage().contains("leaves the layer"), e.getMessage());
        assertEquals(List.of(), outsideFiles());
    }

    @Test
    void writingThroughARelativeSymlinkOutIsRefused() throws Exception {
        byte[] tar = new TestTars().dir("d/").symlink("d/up", "../../outside").file("d/up/evil", "x").bytes();
        assertThrows(ImageException.class, () -> unpack(tar, LayerUnpacker.Mode.OVERLAY));
        assertEquals(List.of(), outsideFiles());
    }

    @Test
    void aFinalSymlinkIsReplacedNotFollowed() throws Exception {
        Files.writeString(outside.resolve("victim"), "safe");
        byte[] tar = new TestTars().symlink("f", outside.resolve("victim").toString()).file("f", "overwritten").bytes();
        unpack(tar, LayerUnpacker.Mode.OVERLAY);
        assertEquals("safe", Files.readString(outside.resolve("victim")));
        assertEquals("overwritten", Files.readString(target.resolve("f")));
    }

    @Test
    void hardLinkToAFileOutsideIsRefused() throws Exception {
        Files.writeString(outside.resolve("secret"), "s");
        byte[] tar = new TestTars().symlink("o", outside.toString()).hardlink("h", "o/secret").bytes();
        assertThrows(ImageException.class, () -> unpack(tar, LayerUnpacker.Mode.OVERLAY));
        assertFalse(Files.exists(target.resolve("h")));
        byte[] tar2 = new TestTars().hardlink("h2", "../outside/secret").bytes();
        assertThrows(ImageException.class, () -> unpack(tar2, LayerUnpacker.Mode.OVERLAY));
        assertEquals(1, (int) Files.getAttribute(outside.resolve("secret"), "unix:nlink"));
    }

    @Test
    void relativeSymlinkInsideTheLayerIsFollowed() throws Exception {
        byte[] tar = new TestTars().dir("usr/lib/").symlink("lib", "usr/lib").file("lib/libc.so", "c").bytes();
        unpack(tar, LayerUnpacker.Mode.OVERLAY);
        assertEquals("c", Files.readString(target.resolve("usr/lib/libc.so")));
    }

    @Test
    void corruptHeaderIsRejected() throws Exception {
        byte[] tar = new TestTars().file("a", "x").bytes();
        tar[10] ^= 1;
        assertThrows(java.io.IOException.class, () -> unpack(tar, LayerUnpacker.Mode.OVERLAY));
    }

    @Test
    void longNamesRoundTripThroughPax() throws Exception {
        String name = "d/" + "x".repeat(150) + "/" + "y".repeat(120);
        byte[] tar = new TestTars().file(name, "long").bytes();
        unpack(tar, LayerUnpacker.Mode.OVERLAY);
        assertEquals("long", Files.readString(target.resolve(name)));
    }
}
