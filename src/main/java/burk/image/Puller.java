package burk.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code burk pull}: fetches an image's manifest (choosing the platform's entry of an index), its
 * config and its layers into the store, verifying the digest and size of every one. Layers are
 * downloaded in parallel. A download is written to a partial file as it arrives; a pull that is
 * interrupted (killed, network lost) resumes from there with an HTTP range request, and blobs that
 * were complete are not fetched again. Two burk processes pulling the same blob take turns on its
 * lock; the second finds it done.
 */
public final class Puller {
    private final ImageStore store;
    private final RegistryClient client;
    private final PullProgress progress;
    private final int parallel;

    public Puller(ImageStore store, RegistryClient client, PullProgress progress, int parallel) {
        this.store = store;
        this.client = client;
        this.progress = progress == null ? new PullProgress(null, false) : progress;
        this.parallel = Math.max(1, parallel);
    }

    public StoredImage pull(ImageReference ref, Platform platform) throws ImageException {
        progress.message("Pulling " + ref);
        RegistryClient.Fetched top = client.manifest(ref, ref.manifestReference());
        Digest topDigest = verifyManifest(ref, top, ref.digest());
        store.blobs().write(top.body());
        byte[] manifestBytes = top.body();
        String mediaType = top.mediaType();
        Digest manifestDigest = topDigest;
        if (MediaTypes.isIndex(mediaType) || isIndexJson(top.body())) {
            Descriptor d = ImageIndex.parse(top.body(), mediaType).select(platform);
            progress.message("Platform " + platform + ": manifest " + d.digest());
            RegistryClient.Fetched m = client.manifest(ref, d.digest().toString());
            verifyManifest(ref, m, d.digest());
            if (m.body().length != d.size()) throw new ImageException("manifest " + d.digest() + ": size differs from the index's");
            store.blobs().write(m.body());
            manifestBytes = m.body();
            mediaType = d.mediaType();
            manifestDigest = d.digest();
        }
        Manifest manifest = Manifest.parse(manifestBytes, mediaType);
        fetch(ref, manifest.config());
        ImageConfig cfg = ImageConfig.parse(store.blobs().read(manifest.config().digest()));
        if (cfg.diffIds().size() != manifest.layers().size()) {
            throw new ImageException("image " + ref + ": " + manifest.layers().size() + " layers but " + cfg.diffIds().size() + " diff ids");
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, manifest.layers().size())));
        try {
            List<Future<Path>> jobs = new ArrayList<>();
            for (int i = 0; i < manifest.layers().size(); i++) {
                Descriptor l = manifest.layers().get(i);
                Digest diff = cfg.diffIds().get(i);
                progress.start(l, store.blobs().has(l.digest()) ? "Already exists" : "Waiting");
                jobs.add(pool.submit(() -> {
                    if (!store.blobs().has(l.digest())) {
                        fetch(ref, l);
                        progress.finish(l.digest(), "Download complete");
                    }
                    Path p = store.unpack(l, diff);
                    progress.finish(l.digest(), "Pull complete");
                    return p;
                }));
            }
            for (Future<Path> j : jobs) j.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ImageException ie) throw ie;
            throw new ImageException(c.getMessage() == null ? c.toString() : c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        List<ImageReference> names = ref.tag() != null ? List.of(ref.withTag(ref.tag())) : List.of();
        StoredImage img = store.add(manifestDigest, names);
        progress.message("Digest: " + topDigest);
        return img;
    }

    private static boolean isIndexJson(byte[] body) {
        try {
            return JsonTree.parseObject(body, "manifest").containsKey("manifests");
        } catch (ImageException e) {
            return false;
        }
    }

    /** The manifest's digest; when the registry or the reference names one, the bytes must match it. */
    private static Digest verifyManifest(ImageReference ref, RegistryClient.Fetched f, Digest expected) throws ImageException {
        Digest actual = expected != null && expected.algorithm().equals("sha512")
                ? sha(f.body(), expected) : Digest.sha256(f.body());
        if (expected != null && !expected.equals(actual)) {
            throw new ImageException("manifest of " + ref + ": digest " + actual + " does not match " + expected);
        }
        if (f.digestHeader() != null && !f.digestHeader().isEmpty()) {
            try {
                Digest h = Digest.parse(f.digestHeader());
                if (h.algorithm().equals(actual.algorithm()) && !h.equals(actual)) {
                    throw new ImageException("manifest of " + ref + ": the registry says " + h + " but the content is " + actual);
                }
            } catch (IllegalArgumentException ignored) {
                // a header we cannot read proves nothing either way
            }
        }
        return actual;
    }

    private static Digest sha(byte[] b, Digest like) {
        MessageDigest md = like.hasher();
        return new Digest(like.algorithm(), java.util.HexFormat.of().formatHex(md.digest(b)));
    }

    /** Downloads one blob into the store, resuming a partial download; verifies size and digest. */
    void fetch(ImageReference ref, Descriptor d) throws ImageException {
        BlobStore blobs = store.blobs();
        if (blobs.has(d.digest())) return;
        try (StoreLock lock = StoreLock.acquire(blobs.lockFile(d.digest()))) {
            if (blobs.has(d.digest())) return;
            Path partial = blobs.partial(d.digest());
            Files.createDirectories(partial.getParent());
            MessageDigest md = d.digest().hasher();
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            if (have > d.size()) {
                Files.delete(partial);
                have = 0;
            }
            if (have > 0) {
                try (InputStream in = Files.newInputStream(partial)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
                }
            }
            if (have < d.size() || d.size() == 0) {
                HttpResponse<InputStream> r = client.blob(ref, d.digest(), have);
                if (r.statusCode() == 200 && have > 0) {
                    // the registry ignored the range: start over
                    have = 0;
                    md = d.digest().hasher();
                    Files.deleteIfExists(partial);
                }
                if (have > 0) progress.message(d.digest().shortHex() + ": resuming at byte " + have);
                try (InputStream in = r.body();
                     FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             StandardOpenOption.APPEND);
                     OutputStream out = Channels.newOutputStream(ch)) {
                    byte[] buf = new byte[1 << 16];
                    long n = have;
                    for (int k; (k = in.read(buf)) > 0; ) {
                        n += k;
                        if (n > d.size()) throw new ImageException("blob " + d.digest() + ": the registry sent more than its " + d.size() + " bytes");
                        md.update(buf, 0, k);
                        out.write(buf, 0, k);
                        progress.advance(d.digest(), n);
                    }
                    ch.force(true);
                    have = n;
                }
            }
            if (have != d.size()) throw new ImageException("blob " + d.digest() + ": got " + have + " of " + d.size() + " bytes");
            if (!d.digest().matches(md)) {
                Files.deleteIfExists(partial);
                throw new ImageException("blob " + d.digest() + ": digest mismatch: the registry sent corrupted content (refused)");
            }
            blobs.publish(partial, d.digest());
        } catch (IOException e) {
            throw new ImageException("fetch " + d.digest() + ": " + e.getMessage(), e);
        }
    }
}
