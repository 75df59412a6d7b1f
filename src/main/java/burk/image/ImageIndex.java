package burk.image;

import burk.spec.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An OCI image index or a Docker manifest list: one manifest per platform. */
public record ImageIndex(String mediaType, List<Descriptor> manifests) {
    public ImageIndex {
        manifests = List.copyOf(manifests);
    }

    public static ImageIndex parse(byte[] json, String mediaType) throws ImageException {
        Map<?, ?> m = JsonTree.parseObject(json, "index");
        String mt = JsonTree.string(m, "mediaType");
        if (mt == null) mt = mediaType == null ? MediaTypes.OCI_INDEX : mediaType;
        List<Descriptor> out = new ArrayList<>();
        List<?> l = JsonTree.list(m, "manifests");
        for (int i = 0; i < l.size(); i++) out.add(Descriptor.fromJson(l.get(i), "index.manifests[" + i + "]"));
        return new ImageIndex(mt, out);
    }

    /**
     * The manifest for {@code want}: an exact variant match first, then any entry of the same
     * os/architecture when no variant was asked for. Attestation manifests (platform unknown/unknown)
     * never match.
     */
    public Descriptor select(Platform want) throws ImageException {
        for (Descriptor d : manifests) {
            if (d.platform() != null && want.matches(d.platform()) && MediaTypes.isManifest(d.mediaType())) return d;
        }
        List<String> have = new ArrayList<>();
        for (Descriptor d : manifests) if (d.platform() != null) have.add(d.platform().toString());
        throw new ImageException("no image for platform " + want + " in the index (it has: " + String.join(", ", have) + ")");
    }

    public byte[] toBytes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2L);
        m.put("mediaType", mediaType);
        m.put("manifests", Descriptor.toJson(manifests));
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }
}
