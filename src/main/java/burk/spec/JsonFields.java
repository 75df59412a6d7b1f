package burk.spec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the members of one parsed JSON object, with the object's JSON path for error
 * messages ({@code linux.namespaces[2].type: ...}). A member that is absent or JSON null reads as
 * absent, as Go's decoder (and so runc) treats it; a member of the wrong type is a
 * {@link SpecException}.
 */
final class JsonFields {
    private static final BigInteger UINT64_MAX = new BigInteger("18446744073709551615");

    private final Map<String, Object> map;
    private final String path;

    private JsonFields(Map<String, Object> map, String path) {
        this.map = map;
        this.path = path;
    }

    /** The object {@code value} found at {@code path}; a non-object is an error. */
    @SuppressWarnings("unchecked")
    static JsonFields of(Object value, String path) {
        if (value instanceof Map<?, ?> m) {
            return new JsonFields((Map<String, Object>) m, path);
        }
        throw typeError(path, "an object", value);
    }

    String path() {
        return path;
    }

    /** The JSON path of member {@code key}. */
    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String elementPath(String arrayPath, int index) {
        return arrayPath + "[" + index + "]";
    }

    static String entryPath(String mapPath, String key) {
        return mapPath + "[" + Json.quote(key) + "]";
    }

    static SpecException typeError(String path, String expected, Object got) {
        return new SpecException(path, "expected " + expected + ", got " + Json.describe(got));
    }

    // --- scalars ---------------------------------------------------------------------------------

    String string(String key) {
        Object v = map.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw typeError(pathOf(key), "a string", v);
    }

    /** A string member that must be present (and not null). */
    String requiredString(String key) {
        String s = string(key);
        if (s == null) {
            throw new SpecException(pathOf(key), "required");
        }
        return s;
    }

    Boolean optBoolean(String key) {
        Object v = map.get(key);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw typeError(pathOf(key), "a boolean", v);
    }

    boolean bool(String key) {
        Boolean b = optBoolean(key);
        return b != null && b;
    }

    Long int64(String key) {
        Object v = map.get(key);
        return v == null ? null : int64(v, pathOf(key));
    }

    Integer int32(String key) {
        Object v = map.get(key);
        return v == null ? null : (int) ranged(v, pathOf(key), Integer.MIN_VALUE, Integer.MAX_VALUE, "int32");
    }

    Integer uint16(String key) {
        Object v = map.get(key);
        return v == null ? null : (int) ranged(v, pathOf(key), 0, 0xffff, "uint16");
    }

    Long uint32(String key) {
        Object v = map.get(key);
        return v == null ? null : ranged(v, pathOf(key), 0, 0xffffffffL, "uint32");
    }

    /** An unsigned 64-bit member, returned bit for bit in a long. */
    Long uint64(String key) {
        Object v = map.get(key);
        return v == null ? null : uint64(v, pathOf(key));
    }

    int int32(String key, int absent) {
        Integer v = int32(key);
        return v == null ? absent : v;
    }

    long uint32(String key, long absent) {
        Long v = uint32(key);
        return v == null ? absent : v;
    }

    long int64(String key, long absent) {
        Long v = int64(key);
        return v == null ? absent : v;
    }

    long uint64(String key, long absent) {
        Long v = uint64(key);
        return v == null ? absent : v;
    }

    static long int64(Object v, String path) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof BigInteger) {
            throw new SpecException(path, "expected an integer from -9223372036854775808 to "
                    + "9223372036854775807 (int64), got " + v);
        }
        throw notAnInteger(path, v);
    }

    static long uint64(Object v, String path) {
        if (v instanceof Long l) {
            if (l >= 0) {
                return l;
            }
        } else if (v instanceof BigInteger b) {
            if (b.signum() >= 0 && b.compareTo(UINT64_MAX) <= 0) {
                return b.longValue();
            }
        } else {
            throw notAnInteger(path, v);
        }
        throw new SpecException(path, "expected an integer from 0 to 18446744073709551615 (uint64), got " + v);
    }

    static long ranged(Object v, String path, long min, long max, String typeName) {
        if (v instanceof Long l && l >= min && l <= max) {
            return l;
        }
        if (v instanceof Long || v instanceof BigInteger) {
            throw new SpecException(path, "expected an integer from " + min + " to " + max + " (" + typeName
                    + "), got " + v);
        }
        throw notAnInteger(path, v);
    }

    private static SpecException notAnInteger(String path, Object v) {
        if (v instanceof Double) {
            return new SpecException(path, "expected an integer, got " + v);
        }
        return typeError(path, "a number", v);
    }

    // --- containers ------------------------------------------------------------------------------

    /** A nested object member, or null when absent. */
    JsonFields object(String key) {
        Object v = map.get(key);
        return v == null ? null : of(v, pathOf(key));
    }

    /** A nested object member kept as parsed JSON, or null when absent. */
    @SuppressWarnings("unchecked")
    Map<String, Object> rawObject(String key) {
        Object v = map.get(key);
        if (v == null || v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw typeError(pathOf(key), "an object", v);
    }

    /** An array member, or an empty list when absent. */
    @SuppressWarnings("unchecked")
    List<Object> array(String key) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List) {
            return (List<Object>) v;
        }
        throw typeError(pathOf(key), "an array", v);
    }

    /** An array of objects, each with its element path. */
    List<JsonFields> objects(String key) {
        List<Object> list = array(key);
        if (list.isEmpty()) {
            return List.of();
        }
        String p = pathOf(key);
        ArrayList<JsonFields> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(of(list.get(i), elementPath(p, i)));
        }
        return out;
    }

    List<String> strings(String key) {
        List<Object> list = array(key);
        if (list.isEmpty()) {
            return List.of();
        }
        ArrayList<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object v = list.get(i);
            if (!(v instanceof String s)) {
                throw typeError(elementPath(pathOf(key), i), "a string", v);
            }
            out.add(s);
        }
        return out;
    }

    List<Long> uint32s(String key) {
        List<Object> list = array(key);
        if (list.isEmpty()) {
            return List.of();
        }
        ArrayList<Long> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(ranged(list.get(i), elementPath(pathOf(key), i), 0, 0xffffffffL, "uint32"));
        }
        return out;
    }

    /** An object member whose values are all strings, in document order; empty when absent. */
    Map<String, String> stringMap(String key) {
        Map<String, Object> raw = rawObject(key);
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw typeError(entryPath(pathOf(key), e.getKey()), "a string", e.getValue());
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** An object member whose values are all objects, in document order; empty when absent. */
    Map<String, JsonFields> objectMap(String key) {
        Map<String, Object> raw = rawObject(key);
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, JsonFields> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            out.put(e.getKey(), of(e.getValue(), entryPath(pathOf(key), e.getKey())));
        }
        return out;
    }
}
