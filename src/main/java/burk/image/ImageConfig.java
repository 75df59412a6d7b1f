package burk.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an image's config blob a container is made from (OCI image-spec config.md, which
 * Docker's image JSON shares): the process defaults and the layers' uncompressed digests.
 *
 * @param entrypoint null when the image sets none
 * @param cmd        null when the image sets none
 * @param volumes    the paths the image declares as volumes
 * @param diffIds    the digest of each layer's uncompressed tar, lowest first
 */
public record ImageConfig(Platform platform, List<String> entrypoint, List<String> cmd, List<String> env,
                          String workingDir, String user, List<String> volumes, String stopSignal,
                          Map<String, String> labels, String created, List<Digest> diffIds) {

    public static ImageConfig parse(byte[] json) throws ImageException {
        Map<?, ?> m = JsonTree.parseObject(json, "image config");
        Map<?, ?> c = JsonTree.object(m, "config");
        List<Digest> diffIds = new ArrayList<>();
        Map<?, ?> rootfs = JsonTree.object(m, "rootfs");
        for (Object o : JsonTree.list(rootfs, "diff_ids")) {
            try {
                diffIds.add(Digest.parse(String.valueOf(o)));
            } catch (IllegalArgumentException e) {
                throw new ImageException("image config: rootfs.diff_ids: " + e.getMessage(), e);
            }
        }
        List<String> volumes = new ArrayList<>();
        for (Object k : JsonTree.object(c, "Volumes").keySet()) volumes.add(String.valueOf(k));
        Map<String, String> labels = new LinkedHashMap<>();
        JsonTree.object(c, "Labels").forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
        List<String> env = JsonTree.strings(c, "Env");
        String os = JsonTree.string(m, "os");
        String arch = JsonTree.string(m, "architecture");
        return new ImageConfig(new Platform(os == null ? "linux" : os, arch == null ? "amd64" : arch, JsonTree.string(m, "variant")),
                JsonTree.strings(c, "Entrypoint"), JsonTree.strings(c, "Cmd"), env == null ? List.of() : env,
                JsonTree.string(c, "WorkingDir"), JsonTree.string(c, "User"), volumes, JsonTree.string(c, "StopSignal"),
                labels, JsonTree.string(m, "created"), diffIds);
    }
}
