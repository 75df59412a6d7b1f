package burk.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store: load/save round trips, concurrent use, snapshots mounted and removed. */
class StoreTest {
    private Path work;
    private ImageStore store;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("burk-store-");
        store = new ImageStore(work.resolve("store"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (Files.isDirectory(work.resolve("snap"))) Snapshots.remove(work.resolve("snap"));
        TestTars.deleteTree(work);
    }

    /** A two-layer image: the second layer deletes a file and makes a directory opaque. */
    static StoredImage twoLayers(ImageStore store, String name) throws Exception {
        byte[] l1 = new TestTars().dir("etc/").file("etc/a", "a1").file("etc/gone", "g").dir("opq/").file("opq/old", "o")
                .file("bin/hello", "#!/bin/sh\necho hi\n", 0755).bytes();
        byte[] l2 = new TestTars().file("etc/a", "a2").file("etc/.wh.gone", "").dir("opq/").file("opq/.wh..wh..opq", "")
                .file("opq/new", "n").bytes();
        return ImageBuilder.build(store, name, List.of(TestTars.gzip(l1), l2), List.of(l1, l2));
    }

    @Test
    void ociArchiveRoundTripIsByteIdentical() throws Exception {
        StoredImage img = twoLayers(store, "localhost/two:1");
        byte[] first = save(store, img, "localhost/two:1", ArchiveWriter.Format.OCI_ARCHIVE);
        ImageStore other = new ImageStore(work.resolve("other"));
        List<StoredImage> loaded = new ArchiveLoader(other, Platform.current()).load(new ByteArrayInputStream(first));
        assertEquals(1, loaded.size());
        assertEquals(img.manifest(), loaded.get(0).manifest(), "same manifest digest after load");
        assertEquals(List.of("localhost/two:1"), loaded.get(0).names());
        byte[] second = save(other, loaded.get(0), "localhost/two:1", ArchiveWriter.Format.OCI_ARCHIVE);
        assertArrayEquals(first, second);
    }

    @Test
    void dockerArchiveRoundTripIsByteIdentical() throws Exception {
        StoredImage img = twoLayers(store, "docker.io/library/two:latest");
        byte[] first = save(store, img, "docker.io/library/two:latest", ArchiveWriter.Format.DOCKER_ARCHIVE);
        ImageStore other = new ImageStore(work.resolve("other"));
        List<StoredImage> loaded = new ArchiveLoader(other, Platform.current()).load(new ByteArrayInputStream(first));
        assertEquals(img.config(), loaded.get(0).config(), "same image id (config digest)");
        assertEquals(List.of("docker.io/library/two:latest"), loaded.get(0).names());
        assertNotNull(other.find("two"));
        byte[] second = save(other, loaded.get(0), "docker.io/library/two:latest", ArchiveWriter.Format.DOCKER_ARCHIVE);
        assertArrayEquals(first, second);
        // the layers still unpack and match their diff ids
        assertEquals(2, other.layers(loaded.get(0)).size());
    }

    @Test
    void corruptBlobInAnArchiveIsRejected() throws Exception {
        StoredImage img = twoLayers(store, "localhost/two:1");
        byte[] tar = save(store, img, "localhost/two:1", ArchiveWriter.Format.OCI_ARCHIVE);
        // flip a byte inside the first blob's content (after its 512-byte header and the two dir headers)
        tar[3 * 512 + 100] ^= 0x55;
        ImageStore other = new ImageStore(work.resolve("other"));
        ImageException e = assertThrows(ImageException.class,
                () -> new ArchiveLoader(other, Platform.current()).load(new ByteArrayInputStream(tar)));
        assertTrue(e.getMessage().contains("digest") || e.getMessage().contains("checksum"), e.getMessage());
        assertTrue(other.list().isEmpty());
    }

    private static byte[] save(ImageStore s, StoredImage img, String name, ArchiveWriter.Format f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ArchiveWriter(s).write(List.of(new ArchiveWriter.Item(img, ImageReference.parse(name))), f, out);
        return out.toByteArray();
    }

    @Test
    void concurrentLoadsOfTheSameImageUnpackEachLayerOnce() throws Exception {
        StoredImage img = twoLayers(store, "localhost/two:1");
        byte[] archive = save(store, img, "localhost/two:1", ArchiveWriter.Format.OCI_ARCHIVE);
        ImageStore shared = new ImageStore(work.resolve("shared"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Path>>> jobs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<List<Path>> job = () -> {
                    ImageStore mine = new ImageStore(work.resolve("shared")); // as separate processes would
                    StoredImage s = new ArchiveLoader(mine, Platform.current()).load(new ByteArrayInputStream(archive)).get(0);
                    return mine.layers(s);
                };
                jobs.add(pool.submit(job));
            }
            List<Path> first = jobs.get(0).get();
            for (Future<List<Path>> j : jobs) assertEquals(first, j.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, shared.list().size());
        try (var s = Files.list(shared.root().resolve("layers"))) {
            assertEquals(2, s.count(), "two layer directories, no temporaries left");
        }
        try (var s = Files.list(shared.root().resolve("tmp"))) {
            assertEquals(0, s.count(), "no temporary files left");
        }
    }

    @Test
    void overlaySnapshotShowsTheMergedLayersAndIsRemovedWithNoMountLeft() throws Exception {
        StoredImage img = twoLayers(store, "localhost/two:1");
        Path snap = work.resolve("snap");
        Snapshots.Rootfs fs = Snapshots.prepare(snap, store.layers(img), true);
        assertEquals(Snapshots.Kind.OVERLAY, fs.kind());
        assertTrue(Snapshots.mounted(snap));
        checkMerged(fs.path());
        Files.writeString(fs.path().resolve("etc/written"), "w");
        assertFalse(Files.exists(store.layers(img).get(1).resolve("etc/written")), "writes go to the container's upper dir");
        Snapshots.remove(snap);
        assertFalse(Snapshots.mounted(snap));
        assertFalse(Files.exists(snap));
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(snap.toString()));
    }

    @Test
    void copyFallbackGivesTheSameView() throws Exception {
        StoredImage img = twoLayers(store, "localhost/two:1");
        Path snap = work.resolve("snap");
        Snapshots.Rootfs fs = Snapshots.prepare(snap, store.layers(img), false);
        assertEquals(Snapshots.Kind.COPY, fs.kind());
        checkMerged(fs.path());
        Snapshots.remove(snap);
        assertFalse(Files.exists(snap));
    }

    private static void checkMerged(Path root) throws Exception {
        assertEquals("a2", Files.readString(root.resolve("etc/a")));
        assertFalse(Files.exists(root.resolve("etc/gone")), "whiteout hides the lower file");
        assertFalse(Files.exists(root.resolve("opq/old")), "opaque dir hides the lower content");
        assertEquals("n", Files.readString(root.resolve("opq/new")));
        assertTrue(Files.isExecutable(root.resolve("bin/hello")));
    }

    @Test
    void removeDeletesUnsharedBlobsAndLayers() throws Exception {
        StoredImage img = twoLayers(store, "localhost/two:1");
        List<Path> layers = store.layers(img);
        store.add(img.manifest(), List.of(ImageReference.parse("localhost/two:2")));
        assertEquals(List.of("Untagged: localhost/two:1"), store.remove("localhost/two:1"));
        assertTrue(Files.exists(layers.get(0)));
        List<String> r = store.remove("localhost/two:2");
        assertTrue(r.contains("Deleted: " + img.config()), r.toString());
        assertFalse(Files.exists(layers.get(0)));
        assertFalse(store.blobs().has(img.manifest()));
        assertTrue(store.list().isEmpty());
    }
}
