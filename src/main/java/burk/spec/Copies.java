package burk.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defensive, immutable, null-to-empty copies for record components. */
final class Copies {
    private Copies() {
    }

    /** An immutable copy; empty for null. Elements must not be null. */
    static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    /** An immutable copy keeping iteration order (Map.copyOf would not); empty for null. */
    static <V> Map<String, V> map(Map<String, V> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
