package burk.image;

import burk.spec.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image manifest, OCI or Docker v2 schema 2 (the same shape): the config blob and the layers,
 * lowest first.
 */
public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers) {
    public Manifest {
        layers = List.copyOf(layers);
    }

    /** Parses manifest bytes; {@code mediaType} is the one the registry or index announced, if any. */
    public static Manifest parse(byte[] json, String mediaType) throws ImageException {
        Map<?, ?> m = JsonTree.parseObject(json, "manifest");
        String mt = JsonTree.string(m, "mediaType");
        if (mt == null) mt = mediaType == null ? MediaTypes.OCI_MANIFEST : mediaType;
        if (!(m.get("schemaVersion") instanceof Long v) || v != 2) {
            throw new ImageException("manifest: unsupported schemaVersion " + m.get("schemaVersion")
                    + " (Docker schema 1 images are not supported)");
        }
        if (MediaTypes.isIndex(mt) || m.containsKey("manifests")) throw new ImageException("manifest: this is an image index");
        Descriptor config = Descriptor.fromJson(m.get("config"), "manifest.config");
        List<Descriptor> layers = new ArrayList<>();
        List<?> l = JsonTree.list(m, "layers");
        for (int i = 0; i < l.size(); i++) layers.add(Descriptor.fromJson(l.get(i), "manifest.layers[" + i + "]"));
        return new Manifest(mt, config, layers);
    }

    /** The canonical bytes burk writes for a manifest it makes (import, archives without one). */
    public byte[] toBytes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2L);
        m.put("mediaType", mediaType);
        m.put("config", config.toJson());
        m.put("layers", Descriptor.toJson(layers));
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }
}
