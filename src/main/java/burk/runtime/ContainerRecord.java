package burk.runtime;

import burk.spec.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What burk remembers about a container between commands: the state.json in its state
 * directory. The pid is stored with the process's start time, because a bare pid may name another
 * process once the container's init has been reaped.
 */
public record ContainerRecord(String id, int pid, long pidStartTime, String bundle, String rootfs,
                              String created, String ociVersion, Map<String, String> annotations,
                              String cgroupDriver, Map<String, String> cgroupPaths, List<String> ownedCgroupPaths,
                              String systemdUnit) {

    public ContainerRecord {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        cgroupPaths = cgroupPaths == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cgroupPaths));
        ownedCgroupPaths = ownedCgroupPaths == null ? List.of() : List.copyOf(ownedCgroupPaths);
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("pid", (long) pid);
        m.put("pidStartTime", pidStartTime);
        m.put("bundle", bundle);
        m.put("rootfs", rootfs);
        m.put("created", created);
        m.put("ociVersion", ociVersion);
        m.put("annotations", new LinkedHashMap<String, Object>(annotations));
        m.put("cgroupDriver", cgroupDriver);
        m.put("cgroupPaths", new LinkedHashMap<String, Object>(cgroupPaths));
        m.put("ownedCgroupPaths", new ArrayList<Object>(ownedCgroupPaths));
        if (systemdUnit != null) m.put("systemdUnit", systemdUnit);
        return Json.write(m);
    }

    @SuppressWarnings("unchecked")
    static ContainerRecord fromJson(String json, String source) {
        Map<String, Object> m = (Map<String, Object>) Json.parse(json, source);
        Map<String, String> ann = stringMap(m.get("annotations"));
        return new ContainerRecord((String) m.get("id"), ((Number) m.get("pid")).intValue(),
                ((Number) m.get("pidStartTime")).longValue(), (String) m.get("bundle"), (String) m.get("rootfs"),
                (String) m.get("created"), (String) m.get("ociVersion"), ann, (String) m.get("cgroupDriver"),
                stringMap(m.get("cgroupPaths")), strings(m.get("ownedCgroupPaths")),
                (String) m.get("systemdUnit"));
    }

    private static Map<String, String> stringMap(Object o) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) m.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) for (Object x : l) out.add((String) x);
        return out;
    }
}
