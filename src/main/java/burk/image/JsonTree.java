package burk.image;

import burk.spec.Json;
import burk.spec.JsonException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small accessors over the maps and lists {@link Json} parses into. */
final class JsonTree {
    private JsonTree() {}

    static Map<?, ?> parseObject(byte[] json, String what) throws ImageException {
        try {
            Object o = Json.parse(new String(json, StandardCharsets.UTF_8), what);
            if (!(o instanceof Map<?, ?> m)) throw new ImageException(what + ": not a JSON object");
            return m;
        } catch (JsonException e) {
            throw new ImageException(e.getMessage(), e);
        }
    }

    static String string(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof String s ? s : null;
    }

    static Map<?, ?> object(Map<?, ?> m, String key) {
        return m.get(key) instanceof Map<?, ?> o ? o : Map.of();
    }

    static List<?> list(Map<?, ?> m, String key) {
        return m.get(key) instanceof List<?> l ? l : List.of();
    }

    static List<String> strings(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof List<?> l)) return null;
        List<String> out = new ArrayList<>();
        for (Object o : l) out.add(String.valueOf(o));
        return out;
    }
}
