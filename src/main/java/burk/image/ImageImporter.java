package burk.image;

import burk.spec.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code burk import}: makes a one-layer image from a directory (its files, modes, owners, links
 * and devices as they are) or from a tarball, as {@code docker import} does, with a default command.
 */
public final class ImageImporter {
    private final ImageStore store;

    public ImageImporter(ImageStore store) {
        this.store = store;
    }

    /** A directory tree becomes the image's single, uncompressed layer. */
    public StoredImage importDirectory(Path dir, ImageReference name, List<String> cmd, List<String> env) throws ImageException {
        Path tmp;
        try {
            tmp = store.blobs().tempFile();
        } catch (IOException e) {
            throw new ImageException("import: " + e.getMessage(), e);
        }
        try {
            MessageDigest md = Digest.newSha256();
            try (OutputStream out = new DigestOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), md)) {
                TarWriter tar = new TarWriter(out);
                LayerDirectorySource src = new LayerDirectorySource(dir, false);
                for (TarEntry e; (e = src.next()) != null; ) {
                    if (e.type() == TarEntry.Type.FILE) {
                        try (InputStream in = src.content()) {
                            tar.add(e, in);
                        }
                    } else {
                        tar.add(e);
                    }
                }
                tar.finish();
            }
            Digest d = new Digest("sha256", HexFormat.of().formatHex(md.digest()));
            long size = Files.size(tmp);
            store.blobs().publish(tmp, d);
            return finish(new Descriptor(MediaTypes.OCI_LAYER, d, size), d, name, cmd, env);
        } catch (IOException e) {
            throw new ImageException("import " + dir + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stray temp file in tmp/ is harmless
            }
        }
    }

    /** A tarball (plain or gzip) becomes the image's single layer, stored as given. */
    public StoredImage importTarball(Path tarball, ImageReference name, List<String> cmd, List<String> env) throws ImageException {
        try {
            Digest blob;
            try (InputStream in = Files.newInputStream(tarball)) {
                blob = Digest.sha256(in);
            }
            long size = Files.size(tarball);
            try (InputStream in = Files.newInputStream(tarball)) {
                store.blobs().ingest(in, new Descriptor("", blob, size));
            }
            Digest diff;
            boolean gz;
            try (InputStream raw = store.blobs().open(blob)) {
                InputStream in = Compression.decompress(raw);
                gz = in instanceof java.util.zip.GZIPInputStream;
                diff = Digest.sha256(in);
            }
            return finish(new Descriptor(gz ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, blob, size), diff, name, cmd, env);
        } catch (IOException e) {
            throw new ImageException("import " + tarball + ": " + e.getMessage(), e);
        }
    }

    private StoredImage finish(Descriptor layer, Digest diffId, ImageReference name, List<String> cmd, List<String> env)
            throws ImageException {
        Platform p = Platform.current();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", Instant.now().toString());
        config.put("architecture", p.architecture());
        config.put("os", p.os());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Env", new ArrayList<Object>(env));
        if (cmd != null && !cmd.isEmpty()) c.put("Cmd", new ArrayList<Object>(cmd));
        config.put("config", c);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of(diffId.toString()));
        config.put("rootfs", rootfs);
        config.put("history", List.of(Map.of("created", config.get("created"), "created_by", "burk import")));
        byte[] cfg = Json.write(config).getBytes(StandardCharsets.UTF_8);
        Digest cd = store.blobs().write(cfg);
        Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, cd, cfg.length), List.of(layer));
        Digest md = store.blobs().write(m.toBytes());
        return store.add(md, name == null ? List.of() : List.of(name));
    }
}
