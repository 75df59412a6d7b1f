package burk.image;

import burk.spec.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * burk's local image store, one directory shared by every burk process:
 * <pre>
 *   blobs/sha256/HEX      manifests, configs and layer blobs, by digest ({@link BlobStore})
 *   layers/HEX/           each layer unpacked once, named by its diff id, in overlay form
 *   images.json           the images: manifest digest, config digest, names
 *   locks/, tmp/, ingest/ lock files, files being written, resumable partial downloads
 * </pre>
 * Every change is a temporary file or directory renamed into place, so a crash never leaves a
 * half-written blob, layer or index visible; mutations of images.json and each layer's unpacking
 * hold a lock file, so concurrent burk processes (and threads) do each piece of work once.
 */
public final class ImageStore {
    private final Path root;
    private final BlobStore blobs;

    public ImageStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.blobs = new BlobStore(this.root);
    }

    /**
     * /var/lib/burk for root, $XDG_DATA_HOME/burk or ~/.local/share/burk otherwise; the system
     * property {@code burk.storage} or the environment variable BURK_STORAGE override it (tests).
     */
    public static Path defaultRoot() {
        String p = System.getProperty("burk.storage");
        if (p == null || p.isEmpty()) p = System.getenv("BURK_STORAGE");
        if (p != null && !p.isEmpty()) return Path.of(p);
        if ("root".equals(System.getProperty("user.name"))) return Path.of("/var/lib/burk");
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "burk");
        return Path.of(System.getProperty("user.home"), ".local", "share", "burk");
    }

    public Path root() {
        return root;
    }

    public BlobStore blobs() {
        return blobs;
    }

    // ---- images.json

    private Path index() {
        return root.resolve("images.json");
    }

    StoreLock lockImages() throws IOException {
        return StoreLock.acquire(root.resolve("locks").resolve("images.lock"));
    }

    /** Every stored image, most recently added first. */
    public List<StoredImage> list() throws ImageException {
        List<StoredImage> out = new ArrayList<>(readIndex().values());
        out.sort((a, b) -> b.added().compareTo(a.added()));
        return out;
    }

    private Map<Digest, StoredImage> readIndex() throws ImageException {
        Map<Digest, StoredImage> out = new LinkedHashMap<>();
        byte[] data;
        try {
            data = Files.readAllBytes(index());
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new ImageException("read " + index() + ": " + e.getMessage(), e);
        }
        Map<?, ?> m = JsonTree.parseObject(data, index().toString());
        for (Object o : JsonTree.list(m, "images")) {
            if (!(o instanceof Map<?, ?> im)) continue;
            try {
                Digest md = Digest.parse(JsonTree.string(im, "manifest"));
                Digest cd = Digest.parse(JsonTree.string(im, "config"));
                List<String> names = JsonTree.strings(im, "names");
                long size = im.get("size") instanceof Long l ? l : 0;
                out.put(md, new StoredImage(md, cd, names == null ? List.of() : names,
                        String.valueOf(im.get("added")), size));
            } catch (IllegalArgumentException e) {
                throw new ImageException(index() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private void writeIndex(Map<Digest, StoredImage> images) throws IOException {
        List<Object> arr = new ArrayList<>();
        for (StoredImage i : images.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("manifest", i.manifest().toString());
            m.put("config", i.config().toString());
            m.put("names", new ArrayList<Object>(i.names()));
            m.put("added", i.added());
            m.put("size", i.size());
            arr.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("images", arr);
        writeAtomically(index(), Json.write(doc, "  ").getBytes(StandardCharsets.UTF_8));
    }

    void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = blobs.tempFile();
        try {
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(data));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            BlobStore.syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Records the image whose manifest is stored as {@code manifest}, under {@code names}; a name
     * held by another image moves here (as a tag moves in Docker). The manifest, its config and its
     * layer blobs must already be in the store.
     */
    public StoredImage add(Digest manifest, Collection<ImageReference> names) throws ImageException {
        Manifest m = Manifest.parse(blobs.read(manifest), null);
        if (!blobs.has(m.config().digest())) throw new ImageException("config " + m.config().digest() + " is not in the store");
        long size = m.config().size();
        for (Descriptor l : m.layers()) {
            if (!blobs.has(l.digest())) throw new ImageException("layer " + l.digest() + " is not in the store");
            size += l.size();
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (ImageReference r : names) wanted.add(r.toString());
        try (StoreLock lock = lockImages()) {
            Map<Digest, StoredImage> all = readIndex();
            Map<Digest, StoredImage> next = new LinkedHashMap<>();
            for (StoredImage i : all.values()) {
                if (i.manifest().equals(manifest)) continue;
                List<String> keep = new ArrayList<>(i.names());
                keep.removeAll(wanted);
                next.put(i.manifest(), new StoredImage(i.manifest(), i.config(), keep, i.added(), i.size()));
            }
            StoredImage old = all.get(manifest);
            Set<String> merged = new LinkedHashSet<>(old == null ? List.of() : old.names());
            merged.addAll(wanted);
            StoredImage img = new StoredImage(manifest, m.config().digest(), new ArrayList<>(merged),
                    Instant.now().toString(), size);
            next.put(manifest, img);
            writeIndex(next);
            return img;
        } catch (IOException e) {
            throw new ImageException("update " + index() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Finds an image as Docker and Podman do: a full or short reference ({@code busybox} also
     * matches {@code localhost/busybox:latest}), a manifest or config digest, or an id prefix.
     * Null when there is none.
     */
    public StoredImage find(String ref) throws ImageException {
        List<StoredImage> all = list();
        if (ref.matches("(sha256:)?[a-f0-9]{3,64}")) {
            String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
            List<StoredImage> hits = new ArrayList<>();
            for (StoredImage i : all) {
                if (i.config().hex().startsWith(hex) || (ref.startsWith("sha256:") && i.manifest().hex().equals(hex))) hits.add(i);
            }
            if (hits.size() == 1) return hits.get(0);
            if (hits.size() > 1) throw new ImageException("ambiguous image id " + ref);
        }
        ImageReference r;
        try {
            r = ImageReference.parse(ref);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (StoredImage i : all) {
            if (r.digest() != null ? i.manifest().equals(r.digest()) : i.names().contains(r.toString())) return i;
        }
        if (ImageReference.isShortName(ref)) {
            String given = ref.contains("/") ? ref : r.repository().substring(r.repository().lastIndexOf('/') + 1);
            String suffix = "/" + (ref.contains("/") ? r.repository() : given) + ":" + r.tag();
            for (StoredImage i : all) {
                for (String n : i.names()) if (n.endsWith(suffix)) return i;
            }
        }
        return null;
    }

    /** Like {@link #find}, or an ImageException naming what was looked for. */
    public StoredImage get(String ref) throws ImageException {
        StoredImage i = find(ref);
        if (i == null) throw new ImageException("image not known: " + ref);
        return i;
    }

    public Manifest manifest(StoredImage i) throws ImageException {
        return Manifest.parse(blobs.read(i.manifest()), null);
    }

    public ImageConfig config(StoredImage i) throws ImageException {
        return ImageConfig.parse(blobs.read(i.config()));
    }

    /**
     * Removes a name, or (given an id or a digest, or with the last name) the whole image; blobs
     * and unpacked layers that no other image uses are deleted with it. Returns what was untagged
     * and deleted, in Docker's words.
     */
    public List<String> remove(String ref) throws ImageException {
        List<String> report = new ArrayList<>();
        try (StoreLock lock = lockImages()) {
            StoredImage img = find(ref);
            if (img == null) throw new ImageException("image not known: " + ref);
            Map<Digest, StoredImage> all = readIndex();
            String full = null;
            try {
                ImageReference r = ImageReference.parse(ref);
                for (String n : img.names()) if (n.equals(r.toString()) || n.endsWith("/" + ref) || n.endsWith("/" + ref + ":latest")) full = n;
            } catch (IllegalArgumentException ignored) {
                // an id: remove the whole image
            }
            if (full != null && img.names().size() > 1) {
                List<String> keep = new ArrayList<>(img.names());
                keep.remove(full);
                all.put(img.manifest(), new StoredImage(img.manifest(), img.config(), keep, img.added(), img.size()));
                writeIndex(all);
                report.add("Untagged: " + full);
                return report;
            }
            for (String n : img.names()) report.add("Untagged: " + n);
            all.remove(img.manifest());
            writeIndex(all);
            Set<Digest> inUse = new HashSet<>();
            Set<Digest> diffsInUse = new HashSet<>();
            for (StoredImage other : all.values()) {
                inUse.add(other.manifest());
                inUse.add(other.config());
                try {
                    for (Descriptor d : manifest(other).layers()) inUse.add(d.digest());
                    diffsInUse.addAll(config(other).diffIds());
                } catch (ImageException e) {
                    // a broken image keeps nothing alive
                }
            }
            Manifest m = manifest(img);
            ImageConfig c = config(img);
            List<Digest> mine = new ArrayList<>(List.of(img.manifest(), img.config()));
            for (Descriptor d : m.layers()) mine.add(d.digest());
            for (Digest d : mine) if (!inUse.contains(d)) blobs.delete(d);
            for (Digest d : c.diffIds()) {
                if (!diffsInUse.contains(d)) {
                    try (StoreLock ll = StoreLock.acquire(layerLock(d))) {
                        Path dir = layerDir(d);
                        if (Files.exists(dir)) {
                            Path doomed = root.resolve("layers").resolve(".del-" + d.hex() + "-" + UUID.randomUUID());
                            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
                            LayerUnpacker.removeTree(doomed);
                        }
                    }
                }
            }
            report.add("Deleted: " + img.config());
            return report;
        } catch (IOException e) {
            throw new ImageException("remove " + ref + ": " + e.getMessage(), e);
        }
    }

    // ---- layers

    Path layerDir(Digest diffId) {
        return root.resolve("layers").resolve(diffId.hex());
    }

    private Path layerLock(Digest diffId) {
        return root.resolve("locks").resolve("layer-" + diffId.hex() + ".lock");
    }

    /**
     * The image's layers unpacked (each once, shared by every image and container that uses it),
     * lowest first: the lower directories of an overlay mount, in reverse.
     */
    public List<Path> layers(StoredImage img) throws ImageException {
        Manifest m = manifest(img);
        ImageConfig c = config(img);
        if (m.layers().size() != c.diffIds().size()) {
            throw new ImageException("image " + img.id() + ": " + m.layers().size() + " layers but "
                    + c.diffIds().size() + " diff ids in its config");
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) out.add(unpack(m.layers().get(i), c.diffIds().get(i)));
        return out;
    }

    /** Unpacks one layer blob unless it already is; verifies that its uncompressed digest is {@code diffId}. */
    public Path unpack(Descriptor blob, Digest diffId) throws ImageException {
        Path dir = layerDir(diffId);
        if (Files.isDirectory(dir)) return dir;
        try (StoreLock lock = StoreLock.acquire(layerLock(diffId))) {
            if (Files.isDirectory(dir)) return dir;
            Path layers = dir.getParent();
            Files.createDirectories(layers);
            try (Stream<Path> s = Files.list(layers)) {
                // leftovers of a crashed unpack of this layer: we hold its lock, nobody else works there
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-" + diffId.hex())).toList()) {
                    LayerUnpacker.removeTree(p);
                }
            }
            Path tmp = layers.resolve(".tmp-" + diffId.hex() + "-" + UUID.randomUUID());
            Files.createDirectory(tmp);
            try {
                MessageDigest md = diffId.hasher();
                try (InputStream raw = blobs.open(blob.digest());
                     DigestInputStream tar = new DigestInputStream(Compression.decompress(raw), md)) {
                    LayerUnpacker.unpack(new NonClosing(tar), tmp, LayerUnpacker.Mode.OVERLAY);
                    tar.transferTo(java.io.OutputStream.nullOutputStream());
                }
                if (!diffId.matches(md)) {
                    throw new ImageException("layer " + blob.digest() + ": its content does not match diff id " + diffId);
                }
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                BlobStore.syncDirectory(layers);
                return dir;
            } finally {
                if (Files.exists(tmp)) LayerUnpacker.removeTree(tmp);
            }
        } catch (IOException e) {
            throw new ImageException("unpack layer " + blob.digest() + ": " + e.getMessage(), e);
        }
    }

    /** Keeps TarReader's close from closing the digesting stream before the trailer is hashed. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
