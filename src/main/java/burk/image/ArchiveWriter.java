package burk.image;

import burk.spec.Json;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code burk save}: writes images as an OCI archive or a docker-archive. The output depends only
 * on the images and names given (entries in a fixed order, zero mtimes, root ownership), so saving
 * the same images twice gives the same bytes, and so does load-then-save of a burk archive.
 */
public final class ArchiveWriter {
    /** The archive formats. */
    public enum Format { OCI_ARCHIVE, DOCKER_ARCHIVE }

    private final ImageStore store;

    public ArchiveWriter(ImageStore store) {
        this.store = store;
    }

    /** One image to save and the name it is saved under (null: none). */
    public record Item(StoredImage image, ImageReference name) {}

    public void write(List<Item> items, Format format, OutputStream out) throws ImageException {
        try {
            TarWriter tar = new TarWriter(out);
            if (format == Format.OCI_ARCHIVE) oci(items, tar);
            else docker(items, tar);
            tar.finish();
        } catch (IOException e) {
            throw new ImageException("save: " + e.getMessage(), e);
        }
    }

    private void oci(List<Item> items, TarWriter tar) throws IOException, ImageException {
        Set<Digest> blobs = new LinkedHashSet<>();
        List<Object> index = new ArrayList<>();
        for (Item it : items) {
            Manifest m = store.manifest(it.image());
            blobs.add(it.image().manifest());
            blobs.add(m.config().digest());
            for (Descriptor l : m.layers()) blobs.add(l.digest());
            Map<String, String> ann = new LinkedHashMap<>();
            if (it.name() != null) {
                ann.put("io.containerd.image.name", it.name().toString());
                if (it.name().tag() != null) ann.put("org.opencontainers.image.ref.name", it.name().tag());
            }
            long size = Files.size(store.blobs().path(it.image().manifest()));
            index.add(new Descriptor(m.mediaType(), it.image().manifest(), size, null, ann).toJson());
        }
        tar.add(TarEntry.directory("blobs/", 0755, 0));
        tar.add(TarEntry.directory("blobs/sha256/", 0755, 0));
        for (Digest d : blobs) {
            Path p = store.blobs().path(d);
            try (InputStream in = Files.newInputStream(p)) {
                tar.add(TarEntry.file("blobs/" + d.algorithm() + "/" + d.hex(), 0644, Files.size(p), 0), in);
            }
        }
        Map<String, Object> idx = new LinkedHashMap<>();
        idx.put("schemaVersion", 2L);
        idx.put("mediaType", MediaTypes.OCI_INDEX);
        idx.put("manifests", index);
        file(tar, "index.json", Json.write(idx).getBytes(StandardCharsets.UTF_8));
        file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    }

    private void docker(List<Item> items, TarWriter tar) throws IOException, ImageException {
        List<Object> manifest = new ArrayList<>();
        Set<Digest> written = new LinkedHashSet<>();
        tar.add(TarEntry.directory("blobs/", 0755, 0));
        tar.add(TarEntry.directory("blobs/sha256/", 0755, 0));
        for (Item it : items) {
            Manifest m = store.manifest(it.image());
            ImageConfig c = store.config(it.image());
            Digest cd = m.config().digest();
            if (written.add(cd)) {
                Path p = store.blobs().path(cd);
                try (InputStream in = Files.newInputStream(p)) {
                    tar.add(TarEntry.file("blobs/sha256/" + cd.hex(), 0644, Files.size(p), 0), in);
                }
            }
            List<Object> layers = new ArrayList<>();
            for (int i = 0; i < m.layers().size(); i++) {
                Digest diff = c.diffIds().get(i);
                layers.add("blobs/sha256/" + diff.hex());
                if (written.add(diff)) writeUncompressed(tar, m.layers().get(i), diff);
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Config", "blobs/sha256/" + cd.hex());
            List<Object> tags = new ArrayList<>();
            if (it.name() != null && it.name().tag() != null) tags.add(familiar(it.name()));
            e.put("RepoTags", tags);
            e.put("Layers", layers);
            manifest.add(e);
        }
        file(tar, "manifest.json", Json.write(manifest).getBytes(StandardCharsets.UTF_8));
    }

    /** docker-archive layers are uncompressed tars named by their diff id. */
    private void writeUncompressed(TarWriter tar, Descriptor layer, Digest diff) throws IOException, ImageException {
        Path tmp = store.blobs().tempFile();
        try {
            MessageDigest md = diff.hasher();
            try (InputStream raw = store.blobs().open(layer.digest());
                 InputStream in = new DigestInputStream(Compression.decompress(raw), md)) {
                Files.copy(in, tmp);
            }
            if (!diff.matches(md)) throw new ImageException("save: layer " + layer.digest() + " does not match diff id " + diff);
            try (InputStream in = Files.newInputStream(tmp)) {
                tar.add(TarEntry.file("blobs/sha256/" + diff.hex(), 0644, Files.size(tmp), 0), in);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Docker writes Hub names short in RepoTags ({@code busybox:latest}). */
    static String familiar(ImageReference r) {
        String name = r.name();
        if (r.registry().equals(ImageReference.DOCKER_HUB)) {
            name = r.repository().startsWith("library/") ? r.repository().substring(8) : r.repository();
        }
        return name + ":" + r.tag();
    }

    private static void file(TarWriter tar, String name, byte[] data) throws IOException {
        tar.add(TarEntry.file(name, 0644, data.length, 0), new ByteArrayInputStream(data));
    }
}
