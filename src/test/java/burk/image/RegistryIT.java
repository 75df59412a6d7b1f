package burk.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pulls from a real registry (Debian's docker-registry) on loopback, with images the tests push
 * themselves. Skipped, with a message, when /usr/bin/docker-registry is absent
 * (apt-get install docker-registry).
 */
class RegistryIT {
    private Path work;
    private ImageStore store;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed (apt-get install docker-registry): registry tests skipped");
        work = Files.createTempDirectory("burk-registry-");
        store = new ImageStore(work.resolve("store"));
    }

    @AfterEach
    void tearDown() {
        if (work != null) TestTars.deleteTree(work);
    }

    private Puller puller(Credentials creds) {
        return new Puller(store, new RegistryClient(creds, java.util.Set.of()), null, 3);
    }

    static List<byte[]> layers() throws Exception {
        byte[] l1 = new TestTars().dir("etc/").file("etc/a", "a1").file("etc/gone", "g").file("etc/os", "burk").bytes();
        byte[] l2 = new TestTars().file("etc/a", "a2").file("etc/.wh.gone", "").bytes();
        byte[] l3 = new TestTars().file("data/x", "x").bytes();
        return List.of(l1, l2, l3);
    }

    @Test
    void pullSeveralLayersWithWhiteoutsAnonymously() throws Exception {
        try (TestRegistry reg = new TestRegistry(work.resolve("reg"), null)) {
            List<byte[]> tars = layers();
            List<byte[]> blobs = List.of(TestTars.gzip(tars.get(0)), tars.get(1), TestTars.gzip(tars.get(2)));
            byte[] cfg = ImageBuilder.config(tars, List.of("/bin/sh"), Platform.current());
            byte[] manifest = new TestPush(reg.host(), "test/app", null).image("v1", cfg, blobs);
            StoredImage img = puller(null).pull(ImageReference.parse(reg.host() + "/test/app:v1"), Platform.current());
            assertEquals(Digest.sha256(manifest), img.manifest());
            assertEquals(List.of(reg.host() + "/test/app:v1"), img.names());
            Path snap = work.resolve("snap");
            Snapshots.Rootfs fs = Snapshots.prepare(snap, store.layers(img), true);
            try {
                assertEquals("a2", Files.readString(fs.path().resolve("etc/a")));
                assertFalse(Files.exists(fs.path().resolve("etc/gone")));
                assertEquals("x", Files.readString(fs.path().resolve("data/x")));
            } finally {
                Snapshots.remove(snap);
            }
            // pinned by digest: the same image, verified against the digest
            StoredImage byDigest = puller(null).pull(ImageReference.parse(reg.host() + "/test/app@" + img.manifest()), Platform.current());
            assertEquals(img.manifest(), byDigest.manifest());
        }
    }

    @Test
    void multiArchIndexSelectsThePlatform() throws Exception {
        try (TestRegistry reg = new TestRegistry(work.resolve("reg"), null)) {
            TestPush push = new TestPush(reg.host(), "test/multi", null);
            List<Descriptor> entries = new ArrayList<>();
            for (String arch : List.of("amd64", "arm64", "s390x")) {
                byte[] tar = new TestTars().file("arch", arch).bytes();
                Platform p = new Platform("linux", arch, null);
                byte[] cfg = ImageBuilder.config(List.of(tar), List.of("/bin/sh"), p);
                byte[] m = push.image(null, cfg, List.of(tar));
                entries.add(new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(m), m.length, p, Map.of()));
            }
            entries.add(new Descriptor(MediaTypes.OCI_MANIFEST, entries.get(0).digest(), entries.get(0).size(),
                    new Platform("unknown", "unknown", null), Map.of("vnd.docker.reference.type", "attestation-manifest")));
            push.manifest("latest", MediaTypes.OCI_INDEX, new ImageIndex(MediaTypes.OCI_INDEX, entries).toBytes());
            StoredImage arm = puller(null).pull(ImageReference.parse(reg.host() + "/test/multi"), Platform.parse("linux/arm64"));
            assertEquals(entries.get(1).digest(), arm.manifest());
            assertEquals("arm64", Files.readString(store.layers(arm).get(0).resolve("arch")));
            ImageException e = assertThrows(ImageException.class,
                    () -> puller(null).pull(ImageReference.parse(reg.host() + "/test/multi"), Platform.parse("linux/riscv64")));
            assertTrue(e.getMessage().contains("no image for platform linux/riscv64"), e.getMessage());
        }
    }

    @Test
    void tokenAuthWithLoginAndWithout() throws Exception {
        try (TokenServer tokens = new TokenServer(Files.createDirectories(work.resolve("tok")));
             TestRegistry reg = new TestRegistry(work.resolve("reg"), tokens.authYaml())) {
            List<byte[]> tars = layers();
            byte[] cfg = ImageBuilder.config(tars, List.of("/bin/sh"), Platform.current());
            String token = tokens.jwt("repository:test/private:pull,push");
            new TestPush(reg.host(), "test/private", "Bearer " + token).image("v1", cfg, tars);
            ImageReference ref = ImageReference.parse(reg.host() + "/test/private:v1");
            ImageException anon = assertThrows(ImageException.class, () -> puller(null).pull(ref, Platform.current()));
            assertTrue(anon.getMessage().contains("refused anonymous access"), anon.getMessage());
            Credentials creds = new Credentials(work.resolve("docker/config.json"));
            creds.store(reg.host(), new Credentials.Login(TokenServer.USER, TokenServer.PASSWORD));
            new RegistryClient(creds, java.util.Set.of()).checkLogin(reg.host(), creds.find(reg.host()));
            int before = tokens.tokensIssued;
            StoredImage img = puller(creds).pull(ref, Platform.current());
            assertEquals(3, store.layers(img).size());
            assertTrue(tokens.tokensIssued > before, "the pull went through the token service");
            Credentials wrong = new Credentials(work.resolve("docker2/config.json"));
            wrong.store(reg.host(), new Credentials.Login(TokenServer.USER, "nope"));
            assertThrows(ImageException.class, () -> new RegistryClient(wrong, java.util.Set.of()).checkLogin(reg.host(),
                    wrong.find(reg.host())));
        }
    }

    @Test
    void corruptedBlobIsRejected() throws Exception {
        try (TestRegistry reg = new TestRegistry(work.resolve("reg"), null)) {
            List<byte[]> tars = layers();
            byte[] cfg = ImageBuilder.config(tars, List.of("/bin/sh"), Platform.current());
            new TestPush(reg.host(), "test/bad", null).image("v1", cfg, tars);
            Path data = reg.blobData(Digest.sha256(tars.get(2)));
            byte[] b = Files.readAllBytes(data);
            b[600] ^= 0x20;
            Files.write(data, b);
            ImageException e = assertThrows(ImageException.class,
                    () -> puller(null).pull(ImageReference.parse(reg.host() + "/test/bad:v1"), Platform.current()));
            assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
            assertFalse(store.blobs().has(Digest.sha256(tars.get(2))));
            assertTrue(store.list().isEmpty(), "no image recorded");
        }
    }

    @Test
    void interruptedPullResumesWithoutFetchingFinishedBlobsAgain() throws Exception {
        try (TestRegistry reg = new TestRegistry(work.resolve("reg"), null)) {
            byte[] big = new byte[3 << 20];
            new SecureRandom().nextBytes(big);
            byte[] small = new TestTars().file("small", "s").bytes();
            byte[] bigTar;
            {
                java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
                TarWriter w = new TarWriter(bo);
                w.add(TarEntry.file("big.bin", 0644, big.length, 0), new java.io.ByteArrayInputStream(big));
                w.finish();
                bigTar = bo.toByteArray();
            }
            byte[] cfg = ImageBuilder.config(List.of(small, bigTar), List.of("/bin/sh"), Platform.current());
            new TestPush(reg.host(), "test/big", null).image("v1", cfg, List.of(small, bigTar));
            Digest bigDigest = Digest.sha256(bigTar);
            try (CuttingProxy proxy = new CuttingProxy(reg.host())) {
                ImageReference ref = ImageReference.parse(proxy.host() + "/test/big:v1");
                proxy.cutDigest = bigDigest.toString();
                assertThrows(ImageException.class, () -> puller(null).pull(ref, Platform.current()));
                assertTrue(store.blobs().has(Digest.sha256(small)), "the small layer finished");
                long partial = Files.size(store.blobs().partial(bigDigest));
                assertTrue(partial > 0 && partial < bigTar.length, "a partial download is kept: " + partial);
                proxy.log.clear();
                StoredImage img = puller(null).pull(ref, Platform.current());
                assertEquals(2, store.layers(img).size());
                List<String> blobRequests = proxy.log.stream().filter(l -> l.contains("/blobs/")).toList();
                assertEquals(List.of("/v2/test/big/blobs/" + bigDigest + " bytes=" + partial + "-"), blobRequests,
                        "only the unfinished blob is fetched again, from where it stopped");
                assertFalse(Files.exists(store.blobs().partial(bigDigest)));
            }
        }
    }

    @Test
    void twoConcurrentPullsOfTheSameImage() throws Exception {
        try (TestRegistry reg = new TestRegistry(work.resolve("reg"), null)) {
            List<byte[]> tars = layers();
            byte[] cfg = ImageBuilder.config(tars, List.of("/bin/sh"), Platform.current());
            new TestPush(reg.host(), "test/same", null).image("v1", cfg, tars);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<StoredImage>> jobs = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    jobs.add(pool.submit(() -> new Puller(new ImageStore(work.resolve("store")),
                            new RegistryClient(null, java.util.Set.of()), null, 3)
                            .pull(ImageReference.parse(reg.host() + "/test/same:v1"), Platform.current())));
                }
                assertEquals(jobs.get(0).get().manifest(), jobs.get(1).get().manifest());
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, store.list().size());
            try (var s = Files.list(store.root().resolve("layers"))) {
                assertEquals(3, s.count());
            }
        }
    }

    static Map<String, Object> map() {
        return new LinkedHashMap<>();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A zstd frame of raw blocks: what a zstd encoder may emit for incompressible data, made here
     * when the zstd tool is absent (the entropy-coded paths are tested against its blobs).
     */
    static byte[] rawZstdFrame(byte[] data) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd, (byte) 0xE0});
        for (int i = 0; i < 8; i++) out.write((int) ((long) data.length >>> (8 * i)));
        int at = 0;
        do {
            int n = Math.min(128 * 1024, data.length - at);
            int header = (n << 3) | (at + n == data.length ? 1 : 0);
            out.write(header);
            out.write(header >>> 8);
            out.write(header >>> 16);
            out.write(data, at, n);
            at += n;
        } while (at < data.length);
        return out.toByteArray();
    }

    static byte[] zstd(byte[] data) throws Exception {
        Path tool = Path.of("/usr/bin/zstd");
        if (!Files.isExecutable(tool)) return rawZstdFrame(data);
        Process p = new ProcessBuilder(tool.toString(), "-q", "-c", "-9").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread feed = Thread.ofPlatform().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(data);
            } catch (java.io.IOException e) {
                // the tool died: its exit status says so below
            }
        });
        byte[] z = p.getInputStream().readAllBytes();
        feed.join();
        assertEquals(0, p.waitFor());
        return z;
    }

    @Test
    void anImageWithZstdLayersPullsAndRuns() throws Exception {
        Path rootfs = Path.of(System.getProperty("burk.home", "."), "build/rootfs");
        assumeTrue(Files.isExecutable(rootfs.resolve("bin/busybox")), "no busybox rootfs (scripts/make-rootfs)");
        ImageStore scratch = new ImageStore(work.resolve("scratch"));
        StoredImage base = new ImageImporter(scratch).importDirectory(rootfs, ImageReference.parse("localhost/base:1"),
                List.of("/bin/sh"), List.of("PATH=/bin"));
        byte[] baseTar = scratch.blobs().read(Manifest.parse(scratch.blobs().read(base.manifest()), MediaTypes.OCI_MANIFEST).layers().get(0).digest());
        byte[] topTar = new TestTars().dir("etc/").file("etc/zmsg", "hello from a zstd layer\n").bytes();
        List<byte[]> tars = List.of(baseTar, topTar);
        List<byte[]> blobs = List.of(zstd(baseTar), zstd(topTar));
        assertEquals((byte) 0xfd, blobs.get(0)[3], "a zstd frame");
        byte[] cfg = ImageBuilder.config(tars, List.of("cat", "/etc/zmsg"), Platform.current());
        List<Descriptor> layers = new ArrayList<>();
        for (byte[] b : blobs) layers.add(new Descriptor(MediaTypes.OCI_LAYER_ZSTD, Digest.sha256(b), b.length));
        byte[] manifest = new Manifest(MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(cfg), cfg.length),
                layers).toBytes();
        Path runRoot = Files.createDirectories(Path.of("/run/burk-zst-" + ProcessHandle.current().pid()));
        try (TestRegistry reg = new TestRegistry(work.resolve("reg"), null)) {
            TestPush push = new TestPush(reg.host(), "test/zstd", null);
            push.blob(cfg);
            for (byte[] b : blobs) push.blob(b);
            push.manifest("v1", MediaTypes.OCI_MANIFEST, manifest);
            Path home = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath();
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/burk").toString(), "--root", runRoot.toString(), "run", "--rm",
                    reg.host() + "/test/zstd:v1");
            pb.environment().put("BURK_CLASSPATH", home.resolve("target/classes").toString());
            pb.environment().put("BURK_STORAGE", work.resolve("store").toString());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Path out = work.resolve("run.out");
            pb.redirectOutput(out.toFile()).redirectErrorStream(true);
            Process p = pb.start();
            assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "burk run finished");
            String text = Files.readString(out);
            assertEquals(0, p.exitValue(), text);
            assertTrue(text.endsWith("hello from a zstd layer\n"), "pulled, unpacked from zstd and run: " + text);
            StoredImage pulled = store.find(reg.host() + "/test/zstd:v1");
            assertEquals(Digest.sha256(manifest), pulled.manifest());
        } finally {
            Files.deleteIfExists(runRoot);
        }
    }
}
