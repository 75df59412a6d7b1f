package burk.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code burk load}: reads an OCI archive (an OCI image layout in a tar), a docker-archive
 * ({@code docker save}'s manifest.json form, old or Docker 25's), or an OCI image layout directory,
 * and stores its images. The tar is read once, in order: blobs go straight into the store
 * (verified against their names where the name is a digest), small JSON files are kept in memory,
 * and the images are assembled at the end.
 */
public final class ArchiveLoader {
    private static final long MAX_JSON = 8 << 20;
    private final ImageStore store;
    private final Platform platform;
    private final Map<String, byte[]> json = new HashMap<>();
    private final Map<String, Digest> files = new HashMap<>();
    private final Map<Digest, Boolean> gzipped = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    public ArchiveLoader(ImageStore store, Platform platform) {
        this.store = store;
        this.platform = platform;
    }

    /** Loads every image of an archive stream; returns them with their names. */
    public List<StoredImage> load(InputStream archive) throws ImageException {
        try {
            TarReader r = new TarReader(archive);
            for (TarEntry e; (e = r.next()) != null; ) {
                String name = normalize(e.name());
                if (e.type() == TarEntry.Type.SYMLINK || e.type() == TarEntry.Type.HARDLINK) {
                    String target = e.type() == TarEntry.Type.HARDLINK ? normalize(e.linkName())
                            : normalize(resolveSibling(name, e.linkName()));
                    links.put(name, target);
                    continue;
                }
                if (e.type() != TarEntry.Type.FILE) continue;
                if (name.matches("blobs/sha(256|512)/[a-f0-9]+")) {
                    String[] p = name.split("/");
                    Digest d = new Digest(p[1], p[2]);
                    ingest(r.content(), e.size(), d);
                    files.put(name, d);
                } else if (e.size() <= MAX_JSON && (name.endsWith(".json") || name.equals("oci-layout") || name.equals("repositories"))) {
                    json.put(name, r.content().readAllBytes());
                } else {
                    files.put(name, ingest(r.content(), e.size(), null));
                }
            }
        } catch (IOException e) {
            throw new ImageException("load: " + e.getMessage(), e);
        }
        return assemble();
    }

    /** Loads an OCI image layout directory. */
    public List<StoredImage> loadLayout(Path dir) throws ImageException {
        try {
            json.put("index.json", Files.readAllBytes(dir.resolve("index.json")));
            json.put("oci-layout", Files.readAllBytes(dir.resolve("oci-layout")));
            Path blobs = dir.resolve("blobs");
            try (var algs = Files.list(blobs)) {
                for (Path alg : algs.toList()) {
                    try (var s = Files.list(alg)) {
                        for (Path b : s.toList()) {
                            Digest d = new Digest(alg.getFileName().toString(), b.getFileName().toString());
                            try (InputStream in = Files.newInputStream(b)) {
                                ingest(in, Files.size(b), d);
                            }
                            files.put("blobs/" + d.algorithm() + "/" + d.hex(), d);
                        }
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ImageException("load " + dir + ": " + e.getMessage(), e);
        }
        return assemble();
    }

    private static String normalize(String n) {
        String s = n;
        while (s.startsWith("./")) s = s.substring(2);
        while (s.startsWith("/")) s = s.substring(1);
        return Path.of(s.isEmpty() ? "." : s).normalize().toString();
    }

    private static String resolveSibling(String name, String target) {
        Path parent = Path.of(name).getParent();
        return parent == null ? target : parent.resolve(target).toString();
    }

    /** Stores a blob; with {@code expected} null its digest is computed from the content. */
    private Digest ingest(InputStream in, long size, Digest expected) throws IOException, ImageException {
        if (expected != null && store.blobs().has(expected)) {
            in.skipNBytes(size);
            gzipped.putIfAbsent(expected, null);
            return expected;
        }
        Path tmp = store.blobs().tempFile();
        try {
            MessageDigest md = expected == null ? Digest.newSha256() : expected.hasher();
            byte[] head = new byte[2];
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                byte[] buf = new byte[1 << 16];
                long left = size, n = 0;
                while (left > 0) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (r < 0) throw new ImageException("load: archive ends inside a blob");
                    if (n == 0 && r >= 2) System.arraycopy(buf, 0, head, 0, 2);
                    md.update(buf, 0, r);
                    out.write(buf, 0, r);
                    left -= r;
                    n += r;
                }
                ch.force(true);
            }
            Digest d = new Digest(expected == null ? "sha256" : expected.algorithm(), HexFormat.of().formatHex(md.digest()));
            if (expected != null && !expected.equals(d)) {
                throw new ImageException("load: blob " + expected + " does not match its digest (corrupt archive)");
            }
            gzipped.put(d, (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b);
            store.blobs().publish(tmp, d);
            return d;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private byte[] fileBytes(String name) throws ImageException {
        String n = normalize(name);
        for (int i = 0; i < 8 && links.containsKey(n); i++) n = links.get(n);
        if (json.containsKey(n)) return json.get(n);
        Digest d = files.get(n);
        if (d == null) throw new ImageException("load: the archive has no " + name);
        return store.blobs().read(d);
    }

    private Digest fileDigest(String name) throws ImageException {
        String n = normalize(name);
        for (int i = 0; i < 8 && links.containsKey(n); i++) n = links.get(n);
        Digest d = files.get(n);
        if (d == null && json.containsKey(n)) d = store.blobs().write(json.get(n));
        if (d == null) throw new ImageException("load: the archive has no " + name);
        return d;
    }

    private List<StoredImage> assemble() throws ImageException {
        List<StoredImage> out = new ArrayList<>();
        if (json.containsKey("index.json") && !json.containsKey("manifest.json")) {
            ImageIndex idx = ImageIndex.parse(json.get("index.json"), MediaTypes.OCI_INDEX);
            for (Descriptor d : idx.manifests()) {
                Digest manifest = d.digest();
                if (MediaTypes.isIndex(d.mediaType())) {
                    manifest = ImageIndex.parse(store.blobs().read(d.digest()), d.mediaType()).select(platform).digest();
                }
                List<ImageReference> names = new ArrayList<>();
                String full = d.annotations().get("io.containerd.image.name");
                String tag = d.annotations().get("org.opencontainers.image.ref.name");
                if (full == null && tag != null && (tag.contains("/") || tag.contains(":"))) full = tag;
                if (full != null) {
                    try {
                        names.add(ImageReference.parse(full));
                    } catch (IllegalArgumentException e) {
                        throw new ImageException("load: bad image name " + full + " in index.json", e);
                    }
                }
                out.add(store.add(manifest, names));
            }
            return out;
        }
        if (!json.containsKey("manifest.json")) {
            throw new ImageException("load: neither an OCI archive (index.json) nor a docker-archive (manifest.json)");
        }
        Object parsed = burk.spec.Json.parse(new String(json.get("manifest.json"), java.nio.charset.StandardCharsets.UTF_8), "manifest.json");
        if (!(parsed instanceof List<?> items)) throw new ImageException("load: manifest.json is not a list");
        for (Object o : items) {
            if (!(o instanceof Map<?, ?> item)) continue;
            String configName = JsonTree.string(item, "Config");
            if (configName == null) throw new ImageException("load: manifest.json entry without Config");
            byte[] config = fileBytes(configName);
            Digest configDigest = store.blobs().write(config);
            ImageConfig cfg = ImageConfig.parse(config);
            List<String> layerNames = JsonTree.strings(item, "Layers");
            if (layerNames == null) layerNames = List.of();
            if (layerNames.size() != cfg.diffIds().size()) {
                throw new ImageException("load: " + layerNames.size() + " layers but " + cfg.diffIds().size() + " diff ids in " + configName);
            }
            List<Descriptor> layers = new ArrayList<>();
            for (String ln : layerNames) {
                Digest d = fileDigest(ln);
                boolean gz = Boolean.TRUE.equals(gzipped.get(d)) || (gzipped.get(d) == null && isGzip(d));
                long size;
                try {
                    size = Files.size(store.blobs().path(d));
                } catch (IOException e) {
                    throw new ImageException("load: " + e.getMessage(), e);
                }
                layers.add(new Descriptor(gz ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, d, size));
            }
            Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, configDigest, config.length), layers);
            Digest md = store.blobs().write(m.toBytes());
            List<ImageReference> names = new ArrayList<>();
            for (String t : JsonTree.strings(item, "RepoTags") == null ? List.<String>of() : JsonTree.strings(item, "RepoTags")) {
                try {
                    names.add(ImageReference.parse(t));
                } catch (IllegalArgumentException e) {
                    throw new ImageException("load: bad tag " + t + " in manifest.json", e);
                }
            }
            out.add(store.add(md, names));
        }
        return out;
    }

    private boolean isGzip(Digest d) throws ImageException {
        try (InputStream in = store.blobs().open(d)) {
            byte[] h = in.readNBytes(2);
            return h.length == 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
        } catch (IOException e) {
            throw new ImageException("load: " + e.getMessage(), e);
        }
    }
}
