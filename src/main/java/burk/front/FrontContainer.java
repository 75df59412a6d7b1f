package burk.front;

import burk.spec.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container as the front keeps it (container.json in its directory): what it was made from and
 * how it ended. The runtime's own state (pid, status) lives in the runtime's root and is asked for
 * when shown.
 *
 * @param exitCode  null while running or when unknown
 * @param finished  when it exited (ISO-8601), or null
 */
public record FrontContainer(String id, String name, String image, String imageId, List<String> command,
                             String created, boolean detached, boolean autoRemove, Integer exitCode, String finished,
                             String stopSignal) {
    public FrontContainer {
        command = List.copyOf(command);
    }

    public String shortId() {
        return id.substring(0, 12);
    }

    public FrontContainer exited(int code, String when) {
        return new FrontContainer(id, name, image, imageId, command, created, detached, autoRemove, code, when, stopSignal);
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("image", image);
        m.put("imageId", imageId);
        m.put("command", new ArrayList<Object>(command));
        m.put("created", created);
        m.put("detached", detached);
        m.put("autoRemove", autoRemove);
        if (exitCode != null) m.put("exitCode", (long) exitCode);
        if (finished != null) m.put("finished", finished);
        if (stopSignal != null) m.put("stopSignal", stopSignal);
        return Json.write(m, "  ");
    }

    static FrontContainer fromJson(String json, String where) throws FrontException {
        try {
            if (!(Json.parse(json, where) instanceof Map<?, ?> m)) throw new FrontException(where + ": not an object");
            List<String> cmd = new ArrayList<>();
            if (m.get("command") instanceof List<?> l) for (Object o : l) cmd.add(String.valueOf(o));
            Integer code = m.get("exitCode") instanceof Long l ? (int) (long) l : null;
            return new FrontContainer(str(m, "id"), str(m, "name"), str(m, "image"), str(m, "imageId"), cmd,
                    str(m, "created"), Boolean.TRUE.equals(m.get("detached")), Boolean.TRUE.equals(m.get("autoRemove")),
                    code, str(m, "finished"), str(m, "stopSignal"));
        } catch (RuntimeException e) {
            throw new FrontException(where + ": " + e.getMessage(), e);
        }
    }

    private static String str(Map<?, ?> m, String k) {
        return m.get(k) instanceof String s ? s : null;
    }
}
