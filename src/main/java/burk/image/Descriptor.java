package burk.image;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI content descriptor: what a blob is, its digest and its exact size. Sizes are checked on
 * every download, so a registry cannot stream an endless blob.
 *
 * @param platform only set on entries of an image index
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform, Map<String, String> annotations) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        if (size < 0) throw new IllegalArgumentException("negative size in descriptor " + digest);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, Map.of());
    }

    static Descriptor fromJson(Object o, String where) throws ImageException {
        if (!(o instanceof Map<?, ?> m)) throw new ImageException(where + ": not an object");
        try {
            String mt = JsonTree.string(m, "mediaType");
            Digest d = Digest.parse(JsonTree.string(m, "digest"));
            Object size = m.get("size");
            if (!(size instanceof Long l)) throw new ImageException(where + ".size: missing or not an integer");
            Platform p = null;
            if (m.get("platform") instanceof Map<?, ?> pm) {
                p = new Platform(JsonTree.string(pm, "os"), JsonTree.string(pm, "architecture"), JsonTree.string(pm, "variant"));
            }
            Map<String, String> ann = new LinkedHashMap<>();
            if (m.get("annotations") instanceof Map<?, ?> am) {
                am.forEach((k, v) -> ann.put(String.valueOf(k), String.valueOf(v)));
            }
            return new Descriptor(mt, d, l, p, ann);
        } catch (IllegalArgumentException e) {
            throw new ImageException(where + ": " + e.getMessage(), e);
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", digest.toString());
        m.put("size", size);
        if (platform != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("architecture", platform.architecture());
            p.put("os", platform.os());
            if (platform.variant() != null) p.put("variant", platform.variant());
            m.put("platform", p);
        }
        if (!annotations.isEmpty()) m.put("annotations", new LinkedHashMap<>(annotations));
        return m;
    }

    static List<Object> toJson(List<Descriptor> ds) {
        return ds.stream().map(d -> (Object) d.toJson()).toList();
    }
}
