package burk.spec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON (RFC 8259) reader and writer with no dependencies.
 *
 * <p>Hand-written because this code runs on every CLI call and a JSON library costs tens to
 * hundreds of milliseconds of class loading at JVM start-up. It avoids regular expressions,
 * lambdas and {@code String.format} for the same reason.
 *
 * <p>{@link #parse(String)} produces a tree of plain JDK types:
 * <ul>
 *   <li>object: {@code LinkedHashMap<String, Object>} in document order (a duplicated key keeps
 *       its first position and its last value);</li>
 *   <li>array: {@code ArrayList<Object>};</li>
 *   <li>string: {@code String};</li>
 *   <li>number: {@code Long} for an integer that fits in 64 signed bits, {@code BigInteger} for a
 *       larger integer (e.g. {@code 18446744073709551615}, RLIM_INFINITY as a uint64), and
 *       {@code Double} when the number has a fraction or an exponent;</li>
 *   <li>{@code Boolean}, and {@code null} for JSON null.</li>
 * </ul>
 *
 * <p>The writers accept the same types (any {@link Map} with string keys, any {@link Collection},
 * any {@link Number}) and keep the iteration order of maps.
 */
public final class Json {
    /** Deeper documents are rejected instead of overflowing the (small, -Xss256k) stack. */
    static final int MAX_DEPTH = 512;

    private Json() {
    }

    /**
     * Parses one JSON document.
     *
     * @throws JsonException if the text is not exactly one JSON value (surrounding whitespace
     *                       allowed), with line and column in the message
     */
    public static Object parse(String json) {
        return parse(json, null);
    }

    /**
     * Parses one JSON document; {@code source} (e.g. {@code "config.json"}), if not null, starts
     * every error message: {@code config.json: line 3, column 7: expected ',' or '}', found '"'}.
     */
    public static Object parse(String json, String source) {
        if (json == null) {
            throw new NullPointerException("json");
        }
        return new Reader(json, source).document();
    }

    /** Writes {@code value} as compact JSON (no whitespace). */
    public static String write(Object value) {
        return write(value, null);
    }

    /** Writes {@code value} as JSON indented by two spaces per level. */
    public static String writePretty(Object value) {
        return write(value, "  ");
    }

    /**
     * Writes {@code value} as JSON, one member or element per line, each level indented by
     * {@code indent} (e.g. {@code "\t"}, as {@code runc spec} writes {@code config.json}), in the
     * layout of Go's {@code json.MarshalIndent(v, "", indent)}; compact when {@code indent} is
     * null or empty. There is no trailing newline.
     *
     * @throws JsonException for a value that has no JSON form (NaN, infinity, an unsupported type,
     *                       a non-string map key, nesting deeper than 512 levels)
     */
    public static String write(Object value, String indent) {
        StringBuilder out = new StringBuilder(512);
        new Writer(out, indent == null || indent.isEmpty() ? null : indent).value(value, 0);
        return out.toString();
    }

    /** Appends {@code s} as a quoted JSON string. */
    public static void quote(String s, StringBuilder out) {
        out.append('"');
        int n = s.length();
        int from = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c < 0x2028) {
                continue;
            }
            String escape = escapeOf(s, i, c);
            if (escape == null) {
                continue;
            }
            out.append(s, from, i).append(escape);
            from = i + 1;
        }
        out.append(s, from, n).append('"');
    }

    /** {@code s} as a quoted JSON string. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(s, out);
        return out.toString();
    }

    /** The escape sequence for {@code c} at {@code s[i]}, or null if it is written as is. */
    private static String escapeOf(String s, int i, char c) {
        switch (c) {
            case '"':
                return "\\\"";
            case '\\':
                return "\\\\";
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case '\b':
                return "\\b";
            case '\f':
                return "\\f";
            case '\u2028':
            case '\u2029':
                // Valid in JSON but line terminators in JavaScript: escaped, as Go's encoder does.
                return unicodeEscape(c);
            default:
                break;
        }
        if (c < 0x20) {
            return unicodeEscape(c);
        }
        if (Character.isHighSurrogate(c)) {
            boolean paired = i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            return paired ? null : unicodeEscape(c);
        }
        if (Character.isLowSurrogate(c)) {
            boolean paired = i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            // A lone surrogate cannot be encoded as UTF-8; the escape keeps it round-trippable.
            return paired ? null : unicodeEscape(c);
        }
        return null;
    }

    private static String unicodeEscape(char c) {
        char[] e = {'\\', 'u', hex(c >> 12), hex(c >> 8), hex(c >> 4), hex(c)};
        return new String(e);
    }

    private static char hex(int nibble) {
        return "0123456789abcdef".charAt(nibble & 0xf);
    }

    /**
     * A short rendering of a parsed value for error messages: strings quoted (and shortened),
     * numbers and booleans as written, containers as "an object" / "an array".
     */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return quote(s.length() > 64 ? s.substring(0, 61) + "..." : s);
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        return value.toString();
    }

    // ------------------------------------------------------------------------------------------

    /** One parse: a cursor over the text. */
    private static final class Reader {
        private final String text;
        private final int length;
        private final String source;
        private int pos;

        Reader(String text, String source) {
            this.text = text;
            this.length = text.length();
            this.source = source;
        }

        Object document() {
            skipWhitespace();
            Object value = value(0);
            skipWhitespace();
            if (pos < length) {
                throw error(pos, "expected end of input after the JSON value");
            }
            return value;
        }

        private Object value(int depth) {
            if (pos >= length) {
                throw error(pos, "expected a value");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error(pos, "expected a value");
            }
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            pos++; // '{'
            LinkedHashMap<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < length && text.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                if (pos >= length || text.charAt(pos) != '"') {
                    throw error(pos, map.isEmpty() ? "expected a string key or '}'"
                            : "expected a string key");
                }
                String key = string();
                skipWhitespace();
                if (pos >= length || text.charAt(pos) != ':') {
                    throw error(pos, "expected ':'");
                }
                pos++;
                skipWhitespace();
                map.put(key, value(depth));
                skipWhitespace();
                if (pos < length) {
                    char c = text.charAt(pos);
                    if (c == ',') {
                        pos++;
                        skipWhitespace();
                        continue;
                    }
                    if (c == '}') {
                        pos++;
                        return map;
                    }
                }
                throw error(pos, "expected ',' or '}'");
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            pos++; // '['
            ArrayList<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < length && text.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth));
                skipWhitespace();
                if (pos < length) {
                    char c = text.charAt(pos);
                    if (c == ',') {
                        pos++;
                        skipWhitespace();
                        continue;
                    }
                    if (c == ']') {
                        pos++;
                        return list;
                    }
                }
                throw error(pos, "expected ',' or ']'");
            }
        }

        private void checkDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw error(pos, "nesting deeper than " + MAX_DEPTH + " levels");
            }
        }

        private String string() {
            int open = pos;
            int start = ++pos;
            // Fast path: no escapes, the common case for config.json.
            while (pos < length) {
                char c = text.charAt(pos);
                if (c == '"') {
                    return text.substring(start, pos++);
                }
                if (c == '\\' || c < 0x20) {
                    break;
                }
                pos++;
            }
            StringBuilder sb = new StringBuilder(pos - start + 16);
            sb.append(text, start, pos);
            while (true) {
                if (pos >= length) {
                    throw error(open, "unterminated string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error(pos, "control character " + codePoint(c) + " must be escaped in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    pos++;
                    continue;
                }
                int escapeAt = pos++;
                if (pos >= length) {
                    throw error(open, "unterminated string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> sb.append(unicodeEscape(escapeAt));
                    default -> throw error(escapeAt, "invalid escape '\\" + printable(e) + "' in a string");
                }
            }
        }

        private char unicodeEscape(int escapeAt) {
            if (pos + 4 > length) {
                throw error(escapeAt, "\\u must be followed by 4 hex digits");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(text.charAt(pos + i), 16);
                if (d < 0) {
                    throw error(escapeAt, "\\u must be followed by 4 hex digits");
                }
                v = (v << 4) | d;
            }
            pos += 4;
            return (char) v;
        }

        private Object number() {
            int start = pos;
            boolean negative = text.charAt(pos) == '-';
            if (negative) {
                pos++;
            }
            if (pos >= length || !isDigit(text.charAt(pos))) {
                throw error(pos, "expected a digit");
            }
            if (text.charAt(pos) == '0') {
                pos++;
                if (pos < length && isDigit(text.charAt(pos))) {
                    throw error(start, "leading zeros are not allowed in a number");
                }
            } else {
                while (pos < length && isDigit(text.charAt(pos))) {
                    pos++;
                }
            }
            int integerEnd = pos;
            boolean integral = true;
            if (pos < length && text.charAt(pos) == '.') {
                pos++;
                requireDigits();
                integral = false;
            }
            if (pos < length && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
                pos++;
                if (pos < length && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                    pos++;
                }
                requireDigits();
                integral = false;
            }
            if (integral) {
                int digitsStart = negative ? start + 1 : start;
                if (integerEnd - digitsStart <= 18) {
                    long v = 0;
                    for (int i = digitsStart; i < integerEnd; i++) {
                        v = v * 10 + (text.charAt(i) - '0');
                    }
                    return negative ? -v : v;
                }
                BigInteger big = new BigInteger(text.substring(start, integerEnd));
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            double d = Double.parseDouble(text.substring(start, pos));
            if (Double.isInfinite(d)) {
                throw error(start, "number out of range");
            }
            return d;
        }

        private void requireDigits() {
            if (pos >= length || !isDigit(text.charAt(pos))) {
                throw error(pos, "expected a digit");
            }
            while (pos < length && isDigit(text.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void literal(String word) {
            int n = word.length();
            for (int i = 0; i < n; i++) {
                if (pos + i >= length || text.charAt(pos + i) != word.charAt(i)) {
                    throw error(pos + i, "expected '" + word + "'");
                }
            }
            pos += n;
        }

        private void skipWhitespace() {
            while (pos < length) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                pos++;
            }
        }

        /** Builds the error; line and column are computed only here, off the fast path. */
        private JsonException error(int at, String expected) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at && i < length; i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = at - lineStart + 1;
            StringBuilder m = new StringBuilder(80);
            if (source != null) {
                m.append(source).append(": ");
            }
            m.append("line ").append(line).append(", column ").append(column).append(": ").append(expected);
            if (expected.startsWith("expected")) {
                m.append(", found ").append(at < length ? quoteChar(text.charAt(at)) : "end of input");
            }
            return new JsonException(m.toString(), line, column);
        }

        private static String quoteChar(char c) {
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : codePoint(c);
        }

        private static String printable(char c) {
            return c >= 0x20 && c < 0x7f ? String.valueOf(c) : codePoint(c);
        }

        private static String codePoint(char c) {
            String h = Integer.toHexString(c).toUpperCase();
            return "U+" + "0000".substring(Math.min(4, h.length())) + h;
        }
    }

    // ------------------------------------------------------------------------------------------

    /** One write: appends to a builder; {@code indent} null means compact. */
    private static final class Writer {
        private final StringBuilder out;
        private final String indent;

        Writer(StringBuilder out, String indent) {
            this.out = out;
            this.indent = indent;
        }

        void value(Object v, int depth) {
            if (depth > MAX_DEPTH) {
                throw new JsonException("cannot write JSON nested deeper than " + MAX_DEPTH
                        + " levels (is a map or list contained in itself?)");
            }
            if (v == null) {
                out.append("null");
            } else if (v instanceof String s) {
                quote(s, out);
            } else if (v instanceof Map<?, ?> map) {
                object(map, depth);
            } else if (v instanceof Collection<?> list) {
                array(list, depth);
            } else if (v instanceof Boolean b) {
                out.append(b.booleanValue());
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short
                    || v instanceof Byte || v instanceof BigInteger) {
                out.append(v);
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new JsonException("cannot write " + d + " as JSON");
                }
                out.append(v);
            } else if (v instanceof BigDecimal bd) {
                out.append(bd.toString());
            } else {
                throw new JsonException("cannot write a value of type " + v.getClass().getName() + " as JSON");
            }
        }

        private void object(Map<?, ?> map, int depth) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new JsonException("cannot write a map key of type "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()) + " as JSON");
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(depth + 1);
                quote(key, out);
                out.append(indent == null ? ":" : ": ");
                value(e.getValue(), depth + 1);
            }
            newline(depth);
            out.append('}');
        }

        private void array(Collection<?> list, int depth) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object element : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(depth + 1);
                value(element, depth + 1);
            }
            newline(depth);
            out.append(']');
        }

        private void newline(int depth) {
            if (indent == null) {
                return;
            }
            out.append('\n');
            for (int i = 0; i < depth; i++) {
                out.append(indent);
            }
        }
    }
}
