package burk.image;

import java.util.List;

/**
 * An image in the local store.
 *
 * @param manifest the digest of its manifest (what a registry calls the image digest)
 * @param config   the digest of its config blob; its hex is the image id, as Docker shows it
 * @param names    its references, e.g. {@code docker.io/library/busybox:latest}; empty when dangling
 * @param added    when it was stored (ISO-8601)
 * @param size     the bytes of its config and layer blobs
 */
public record StoredImage(Digest manifest, Digest config, List<String> names, String added, long size) {
    public StoredImage {
        names = List.copyOf(names);
    }

    /** The short image id: the first 12 hex digits of the config digest. */
    public String id() {
        return config.shortHex();
    }
}
