package burk.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OCI runtime state of a container: what {@code state} prints in the spec's form and what
 * hooks receive on stdin.
 *
 * @param ociVersion  spec version the state complies with
 * @param id          container id
 * @param status      {@code creating}, {@code created}, {@code running}, {@code stopped}, or a
 *                    runtime-defined state such as {@code paused}
 * @param pid         the container process id (0 when there is none; then omitted in JSON)
 * @param bundle      absolute path of the bundle directory
 * @param annotations the config's annotations
 */
public record ContainerState(
        String ociVersion,
        String id,
        String status,
        int pid,
        String bundle,
        Map<String, String> annotations) {

    public static final String CREATING = "creating";
    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";

    public ContainerState {
        annotations = Copies.map(annotations);
    }

    /** Compact JSON with the spec's property names; {@code pid} and empty annotations omitted. */
    public String toJson() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", ociVersion);
        m.put("id", id);
        m.put("status", status);
        if (pid != 0) {
            m.put("pid", pid);
        }
        m.put("bundle", bundle);
        if (!annotations.isEmpty()) {
            m.put("annotations", annotations);
        }
        return Json.write(m);
    }

    /**
     * Parses a state document; unknown properties are ignored.
     *
     * @throws JsonException if the text is not JSON
     * @throws SpecException if a property has the wrong type or a required one is missing
     */
    public static ContainerState parse(String json) {
        return SpecCodec.parseState(json);
    }
}
