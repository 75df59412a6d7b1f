package burk.image;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * burk's zstd decoder against data compressed by the reference implementation: Debian's zstd
 * tool when installed (every level, long windows, streamed input without a content size,
 * several frames), and blobs it made that are kept with the tests (so the decoder is checked
 * where the tool is absent).
 */
class ZstdInputStreamTest {
    private static final Path ZSTD = Path.of("/usr/bin/zstd");

    static byte[] decode(byte[] z) throws IOException {
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(z))) {
            return in.readAllBytes();
        }
    }

    /** Compressible data of several kinds: text with repeats, runs, random bytes, a counting pattern. */
    static byte[] sample(int size, long seed) {
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] words = {"layer", "image", "burk", "container", "zstd", "frame", "block", "literal", "sequence", "offset",
                "the", "a", "of", "and", "/usr/lib/x86_64-linux-gnu/", "\n", "    ", "{\"key\": ", "0123456789"};
        while (out.size() < size) {
            switch (r.nextInt(10)) {
                case 0 -> {
                    byte[] rnd = new byte[r.nextInt(300)];
                    r.nextBytes(rnd);
                    out.writeBytes(rnd);
                }
                case 1 -> {
                    byte[] run = new byte[r.nextInt(2000)];
                    Arrays.fill(run, (byte) r.nextInt(256));
                    out.writeBytes(run);
                }
                case 2 -> {
                    for (int i = 0; i < 200; i++) out.write(i * 7);
                }
                default -> {
                    for (int i = 0; i < 50; i++) out.writeBytes(words[r.nextInt(words.length)].getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return Arrays.copyOf(out.toByteArray(), size);
    }

    private static byte[] zstd(byte[] input, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ZSTD.toString(), "-q", "-c"));
        cmd.addAll(List.of(flags));
        Path in = Files.createTempFile("burk-zstd-in-", "");
        try {
            Files.write(in, input);
            boolean stream = List.of(flags).contains("--stream");
            if (stream) cmd.remove("--stream");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            // from stdin the tool cannot know the size: frames without a content size
            if (stream) pb.redirectInput(in.toFile());
            else cmd.add(in.toString());
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "zstd " + String.join(" ", flags));
            return out;
        } finally {
            Files.deleteIfExists(in);
        }
    }

    @Test
    void decodesWhatTheReferenceToolMakesAtEveryLevel() throws Exception {
        assumeTrue(Files.isExecutable(ZSTD), "zstd is not installed (apt-get install zstd): the kept blobs still run");
        byte[] data = sample(600_000, 1);
        for (int level = 1; level <= 19; level++) {
            assertArrayEquals(data, decode(zstd(data, "-" + level)), "level " + level);
        }
        assertArrayEquals(data, decode(zstd(data, "--fast=5")), "negative levels (raw-heavy blocks)");
        assertArrayEquals(data, decode(zstd(data, "--ultra", "-22", "--long=24")), "a 16 MiB window");
        assertArrayEquals(data, decode(zstd(data, "-3", "--stream")), "no content size in the header");
        assertArrayEquals(data, decode(zstd(data, "-3", "--no-check")), "no checksum");
        assertArrayEquals(data, decode(zstd(data, "-3", "--stream", "-B100000")), "several jobs' blocks");
        byte[] small = sample(1000, 2);
        assertArrayEquals(small, decode(zstd(small, "-19")), "a single-segment frame");
        assertArrayEquals(new byte[0], decode(zstd(new byte[0])), "empty content");
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(zstd(small, "-1"));
        two.writeBytes(zstd(data, "-5", "--stream"));
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(small);
        both.writeBytes(data);
        assertArrayEquals(both.toByteArray(), decode(two.toByteArray()), "two frames one after the other");
        Random r = new Random(3);
        for (int i = 0; i < 30; i++) {
            byte[] d = sample(1 + r.nextInt(300_000), 100 + i);
            int level = 1 + r.nextInt(19);
            assertArrayEquals(d, decode(zstd(d, "-" + level)), "random sample " + i + " at level " + level);
        }
    }

    /** Blobs made by zstd 1.5.4 from {@link #sample} (see {@link #regenerateKeptBlobs}). */
    private static final String[][] KEPT = {
            {"sample-l3.zst", "-3", "200000", "11"},
            {"sample-l19.zst", "-19", "200000", "11"},
            {"sample-fast.zst", "--fast=3", "200000", "11"},
            {"sample-stream.zst", "-7 --stream --no-check", "150000", "12"},
    };

    private static Path keptDir() {
        return Path.of(System.getProperty("burk.home", "."), "src/test/resources/burk/image/zstd");
    }

    @Test
    void decodesTheKeptBlobs() throws Exception {
        for (String[] k : KEPT) {
            byte[] z = Files.readAllBytes(keptDir().resolve(k[0]));
            byte[] want = sample(Integer.parseInt(k[2]), Long.parseLong(k[3]));
            assertArrayEquals(want, decode(z), k[0]);
        }
    }

    /** Run with -Dburk.zstd.regenerate=true to write the kept blobs again (needs the zstd tool). */
    @Test
    void regenerateKeptBlobs() throws Exception {
        assumeTrue(Boolean.getBoolean("burk.zstd.regenerate") && Files.isExecutable(ZSTD));
        Files.createDirectories(keptDir());
        for (String[] k : KEPT) {
            Files.write(keptDir().resolve(k[0]), zstd(sample(Integer.parseInt(k[2]), Long.parseLong(k[3])), k[1].split(" ")));
        }
    }

    @Test
    void corruptOrUnsupportedInputIsAnErrorNotGarbage() throws Exception {
        byte[] z = Files.readAllBytes(keptDir().resolve("sample-l3.zst"));
        // flipped bits: caught by the entropy decoders, the size checks or the checksum
        int errors = 0;
        int wrong = 0;
        Random r = new Random(5);
        byte[] want = sample(200000, 11);
        for (int i = 0; i < 40; i++) {
            byte[] bad = z.clone();
            int at = 12 + r.nextInt(bad.length - 16);
            bad[at] ^= (byte) (1 << r.nextInt(8));
            try {
                if (!Arrays.equals(want, decode(bad))) wrong++;
            } catch (IOException e) {
                errors++;
            }
        }
        assertEquals(0, wrong, "no corruption returns wrong bytes");
        assertTrue(errors >= 35, "nearly every flipped bit is an IOException: " + errors);
        IOException e = assertThrows(IOException.class, () -> decode(Arrays.copyOf(z, z.length / 2)));
        assertTrue(e.getMessage().contains("ends inside a frame"), e.getMessage());
        byte[] dict = {(byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd, 0x01, 0x50, 7, 0, 0, 0};
        e = assertThrows(IOException.class, () -> decode(dict));
        assertTrue(e.getMessage().contains("dictionary"), e.getMessage());
        byte[] hugeWindow = {(byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd, 0x00, (byte) (20 << 3), 0, 0, 0};
        e = assertThrows(IOException.class, () -> decode(hugeWindow));
        assertTrue(e.getMessage().contains("window"), e.getMessage());
    }

    @Test
    void xxHash64MatchesTheReferenceValues() {
        XxHash64 h = new XxHash64();
        assertEquals(0xEF46DB3751D8E999L, h.digest(), "XXH64 of nothing, seed 0");
        byte[] abc = "abc".getBytes(StandardCharsets.UTF_8);
        h = new XxHash64();
        h.update(abc, 0, 3);
        assertEquals(0x44BC2CF5AD770999L, h.digest());
        byte[] longer = sample(1000, 9);
        XxHash64 whole = new XxHash64();
        whole.update(longer, 0, longer.length);
        XxHash64 pieces = new XxHash64();
        for (int i = 0; i < longer.length; i += 37) pieces.update(longer, i, Math.min(37, longer.length - i));
        assertEquals(whole.digest(), pieces.digest(), "streaming in pieces changes nothing");
    }

    @Test
    void rawBlockFramesAsTheRegistryTestWritesThem() throws Exception {
        for (int size : new int[] {0, 1, 131072, 131073, 400_000}) {
            byte[] d = size == 0 ? new byte[0] : sample(size, size);
            assertArrayEquals(d, decode(RegistryIT.rawZstdFrame(d)), "size " + size);
        }
    }
}
