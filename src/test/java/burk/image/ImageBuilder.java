package burk.image;

import burk.spec.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Makes images for the tests: given layer blobs (as stored) and their uncompressed tars. */
final class ImageBuilder {
    private ImageBuilder() {}

    static byte[] config(List<byte[]> tars, List<String> cmd, Platform p) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", p.architecture());
        c.put("os", p.os());
        Map<String, Object> cc = new LinkedHashMap<>();
        cc.put("Env", List.of("PATH=/bin"));
        cc.put("Cmd", new ArrayList<Object>(cmd));
        c.put("config", cc);
        List<Object> diffs = new ArrayList<>();
        for (byte[] t : tars) diffs.add(Digest.sha256(t).toString());
        c.put("rootfs", new LinkedHashMap<>(Map.of("type", "layers", "diff_ids", diffs)));
        return Json.write(c).getBytes(StandardCharsets.UTF_8);
    }

    static Manifest manifest(byte[] config, List<byte[]> blobs) {
        List<Descriptor> layers = new ArrayList<>();
        for (byte[] b : blobs) {
            boolean gz = b.length > 1 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
            layers.add(new Descriptor(gz ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, Digest.sha256(b), b.length));
        }
        return new Manifest(MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length), layers);
    }

    static StoredImage build(ImageStore store, String name, List<byte[]> blobs, List<byte[]> tars) throws Exception {
        byte[] cfg = config(tars, List.of("/bin/sh"), Platform.current());
        store.blobs().write(cfg);
        for (byte[] b : blobs) store.blobs().write(b);
        Digest md = store.blobs().write(manifest(cfg, blobs).toBytes());
        return store.add(md, List.of(ImageReference.parse(name)));
    }
}
