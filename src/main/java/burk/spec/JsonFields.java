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
 *
 * <p>Paths are built only when an error is reported: an object knows its parent and where it sits
 * in it. (String concatenation with {@code +} is also kept off the success path: its first use
 * bootstraps an invokedynamic call site, about 20 ms at JVM start-up.)
 */
final class JsonFields {
    private static final BigInteger UINT64_MAX = new BigInteger("18446744073709551615");

    private final Map<String, Object> map;
    /** The object holding this one, or null at the root. */
    private final JsonFields parent;
    /** At the root: the root's path. Otherwise the member of {@code parent} holding this object. */
    private final String member;
    /** The index in the array {@code member}, or -1. */
    private final int index;
    /** The key in the object {@code member}, or null. */
    private final String entryKey;

    private JsonFields(Map<String, Object> map, JsonFields parent, String member, int index, String entryKey) {
        this.map = map;
        this.parent = parent;
        this.member = member;
        this.index = index;
        this.entryKey = entryKey;
    }

    /** The root object {@code value} (error paths start with {@code path}); a non-object is an error. */
    static JsonFields of(Object value, String path) {
        return child(value, null, path, -1, null);
    }

    @SuppressWarnings("unchecked")
    private static JsonFields child(Object value, JsonFields parent, String member, int index, String entryKey) {
        if (value instanceof Map<?, ?> m) {
            return new JsonFields((Map<String, Object>) m, parent, member, index, entryKey);
        }
        throw typeError(pathOf(parent, member, index, entryKey), "an object", value);
    }

    String path() {
        StringBuilder sb = new StringBuilder(48);
        appendPath(sb);
        return sb.toString();
    }

    private void appendPath(StringBuilder sb) {
        if (parent == null) {
            sb.append(member);
        } else {
            parent.appendPath(sb);
            appendStep(sb, member, index, entryKey);
        }
    }

    private static void appendStep(StringBuilder sb, String member, int index, String entryKey) {
        if (sb.length() > 0) {
            sb.append('.');
        }
        sb.append(member);
        if (index >= 0) {
            sb.append('[').append(index).append(']');
        }
        if (entryKey != null) {
            sb.append('[');
            Json.quote(entryKey, sb);
            sb.append(']');
        }
    }

    private static String pathOf(JsonFields parent, String member, int index, String entryKey) {
        if (parent == null) {
            return member;
        }
        StringBuilder sb = new StringBuilder(48);
        parent.appendPath(sb);
        appendStep(sb, member, index, entryKey);
        return sb.toString();
    }

    /** The JSON path of member {@code key}. */
    String pathOf(String key) {
        return pathOf(this, key, -1, null);
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
        if (v == null || v instanceof Long) {
            return (Long) v;
        }
        throw rangeError(pathOf(key), v, Long.MIN_VALUE, Long.MAX_VALUE, "int64");
    }

    Integer int32(String key) {
        Object v = map.get(key);
        return v == null ? null : (int) ranged(key, v, Integer.MIN_VALUE, Integer.MAX_VALUE, "int32");
    }

    Integer uint16(String key) {
        Object v = map.get(key);
        return v == null ? null : (int) ranged(key, v, 0, 0xffff, "uint16");
    }

    Long uint32(String key) {
        Object v = map.get(key);
        return v == null ? null : ranged(key, v, 0, 0xffffffffL, "uint32");
    }

    /** An unsigned 64-bit member, returned bit for bit in a long. */
    Long uint64(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l && l >= 0) {
            return l;
        }
        if (v instanceof BigInteger b && b.signum() >= 0 && b.compareTo(UINT64_MAX) <= 0) {
            return b.longValue();
        }
        throw rangeError(pathOf(key), v, 0, -1L, "uint64");
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

    private long ranged(String key, Object v, long min, long max, String typeName) {
        if (v instanceof Long l && l >= min && l <= max) {
            return l;
        }
        throw rangeError(pathOf(key), v, min, max, typeName);
    }

    /**
     * The error for {@code v} not being an integer from {@code min} to {@code max} ({@code max}
     * read as unsigned, so -1 stands for 2^64-1).
     */
    static SpecException rangeError(String path, Object v, long min, long max, String typeName) {
        if (v instanceof Long || v instanceof BigInteger) {
            return new SpecException(path, "expected an integer from " + min + " to " + Long.toUnsignedString(max)
                    + " (" + typeName + "), got " + v);
        }
        if (v instanceof Double) {
            return new SpecException(path, "expected an integer, got " + v);
        }
        return typeError(path, "a number", v);
    }

    // --- containers ------------------------------------------------------------------------------

    /** A nested object member, or null when absent. */
    JsonFields object(String key) {
        Object v = map.get(key);
        return v == null ? null : child(v, this, key, -1, null);
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
        ArrayList<JsonFields> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(child(list.get(i), this, key, i, null));
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
                throw typeError(pathOf(this, key, i, null), "a string", v);
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
            Object v = list.get(i);
            if (v instanceof Long l && l >= 0 && l <= 0xffffffffL) {
                out.add(l);
            } else {
                throw rangeError(pathOf(this, key, i, null), v, 0, 0xffffffffL, "uint32");
            }
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
                throw typeError(pathOf(this, key, -1, e.getKey()), "a string", e.getValue());
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
            out.put(e.getKey(), child(e.getValue(), this, key, -1, e.getKey()));
        }
        return out;
    }
}
