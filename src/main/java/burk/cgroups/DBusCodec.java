package burk.cgroups;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The D-Bus wire format for the types the systemd driver needs, driven by a type signature
 * (D-Bus specification, "Marshaling"). Java values per type code:
 * <ul>
 *   <li>{@code y} Byte; {@code b} Boolean; {@code i}, {@code u} Integer or Long (u as unsigned);
 *       {@code x}, {@code t} Long (t as unsigned); {@code s}, {@code o}, {@code g} String;
 *   <li>{@code a...} a List, or byte[] for {@code ay}; {@code a{kv}} a Map; {@code (...)} a List
 *       of the members; {@code v} a {@link Variant}.
 * </ul>
 * Every value is aligned to its type's boundary counted from the start of the message (strings
 * and arrays to 4, 64-bit values, structs and dict entries to 8). Array lengths count the bytes
 * of the elements only, not the padding before the first one.
 */
final class DBusCodec {
    private DBusCodec() {}

    /** A variant: a value together with its own signature. */
    record Variant(String signature, Object value) {}

    /** Appends values to a message being built; offsets count from the message's first byte. */
    static final class Writer {
        private byte[] buf = new byte[256];
        private int size;

        int position() {
            return size;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf, size);
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        void align(int boundary) {
            while (size % boundary != 0) {
                writeByte(0);
            }
        }

        void writeByte(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        void writeBytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void writeUint32(long v) {
            align(4);
            ensure(4);
            ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putInt(size, (int) v);
            size += 4;
        }

        private void writeInt64(long v) {
            align(8);
            ensure(8);
            ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putLong(size, v);
            size += 8;
        }

        private void patchUint32(int at, long v) {
            ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
        }

        /** Writes every value of {@code signature} (a sequence of complete types). */
        void write(String signature, List<?> values) {
            List<String> types = splitTypes(signature);
            if (types.size() != values.size()) {
                throw new IllegalArgumentException("signature " + signature + " has " + types.size() + " types for "
                        + values.size() + " values");
            }
            for (int i = 0; i < types.size(); i++) {
                writeValue(types.get(i), values.get(i));
            }
        }

        void writeValue(String type, Object value) {
            char code = type.charAt(0);
            switch (code) {
                case 'y' -> writeByte(((Number) value).intValue());
                case 'b' -> writeUint32(((Boolean) value) ? 1 : 0);
                case 'i', 'u' -> writeUint32(((Number) value).longValue());
                case 'x', 't' -> writeInt64(((Number) value).longValue());
                case 's', 'o' -> {
                    byte[] b = ((String) value).getBytes(StandardCharsets.UTF_8);
                    writeUint32(b.length);
                    writeBytes(b);
                    writeByte(0);
                }
                case 'g' -> {
                    byte[] b = ((String) value).getBytes(StandardCharsets.US_ASCII);
                    if (b.length > 255) throw new IllegalArgumentException("signature longer than 255: " + value);
                    writeByte(b.length);
                    writeBytes(b);
                    writeByte(0);
                }
                case 'v' -> {
                    Variant v = (Variant) value;
                    writeValue("g", v.signature());
                    writeValue(v.signature(), v.value());
                }
                case '(' -> {
                    align(8);
                    List<?> members = (List<?>) value;
                    List<String> types = splitTypes(type.substring(1, type.length() - 1));
                    if (types.size() != members.size()) {
                        throw new IllegalArgumentException("struct " + type + " given " + members.size() + " members");
                    }
                    for (int i = 0; i < types.size(); i++) {
                        writeValue(types.get(i), members.get(i));
                    }
                }
                case 'a' -> writeArray(type.substring(1), value);
                default -> throw new IllegalArgumentException("unsupported D-Bus type " + type);
            }
        }

        private void writeArray(String element, Object value) {
            writeUint32(0);
            int lengthAt = position() - 4;
            align(alignment(element));
            int start = position();
            if (element.equals("y") && value instanceof byte[] bytes) {
                writeBytes(bytes);
            } else if (element.startsWith("{")) {
                List<String> kv = splitTypes(element.substring(1, element.length() - 1));
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    align(8);
                    writeValue(kv.get(0), e.getKey());
                    writeValue(kv.get(1), e.getValue());
                }
            } else {
                for (Object item : (List<?>) value) {
                    writeValue(element, item);
                }
            }
            patchUint32(lengthAt, position() - start);
        }
    }

    /** Reads values from a received message; offsets count from the message's first byte. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] message, ByteOrder order) {
            this.in = ByteBuffer.wrap(message).order(order);
        }

        int position() {
            return in.position();
        }

        void position(int p) {
            in.position(p);
        }

        void align(int boundary) {
            int p = in.position();
            int aligned = (p + boundary - 1) / boundary * boundary;
            for (int i = p; i < aligned; i++) {
                if (in.get() != 0) throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "non-zero padding at " + i);
            }
        }

        long readUint32() {
            align(4);
            return Integer.toUnsignedLong(in.getInt());
        }

        List<Object> read(String signature) {
            List<Object> values = new ArrayList<>();
            for (String type : splitTypes(signature)) {
                values.add(readValue(type));
            }
            return values;
        }

        Object readValue(String type) {
            return switch (type.charAt(0)) {
                case 'y' -> in.get();
                case 'b' -> {
                    long v = readUint32();
                    if (v > 1) throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "boolean " + v);
                    yield v == 1;
                }
                case 'i' -> (int) readUint32();
                case 'u' -> readUint32();
                case 'x', 't' -> {
                    align(8);
                    yield in.getLong();
                }
                case 's', 'o' -> {
                    int length = (int) readUint32();
                    byte[] b = new byte[length];
                    in.get(b);
                    if (in.get() != 0) throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "string not NUL-terminated");
                    yield new String(b, StandardCharsets.UTF_8);
                }
                case 'g' -> {
                    int length = in.get() & 0xff;
                    byte[] b = new byte[length];
                    in.get(b);
                    in.get();
                    yield new String(b, StandardCharsets.US_ASCII);
                }
                case 'v' -> {
                    String signature = (String) readValue("g");
                    if (splitTypes(signature).size() != 1) {
                        throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "variant signature " + signature);
                    }
                    yield new Variant(signature, readValue(signature));
                }
                case '(' -> {
                    align(8);
                    List<Object> members = new ArrayList<>();
                    for (String member : splitTypes(type.substring(1, type.length() - 1))) {
                        members.add(readValue(member));
                    }
                    yield members;
                }
                case 'a' -> readArray(type.substring(1));
                default -> throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "unsupported D-Bus type " + type);
            };
        }

        private Object readArray(String element) {
            long length = readUint32();
            if (length > 64L * 1024 * 1024) throw new DBusError("org.freedesktop.DBus.Error.LimitsExceeded", "array of " + length + " bytes");
            align(alignment(element));
            int end = in.position() + (int) length;
            if (element.equals("y")) {
                byte[] b = new byte[(int) length];
                in.get(b);
                return b;
            }
            if (element.startsWith("{")) {
                List<String> kv = splitTypes(element.substring(1, element.length() - 1));
                Map<Object, Object> map = new LinkedHashMap<>();
                while (in.position() < end) {
                    align(8);
                    map.put(readValue(kv.get(0)), readValue(kv.get(1)));
                }
                return map;
            }
            List<Object> items = new ArrayList<>();
            while (in.position() < end) {
                items.add(readValue(element));
            }
            return items;
        }
    }

    /** The alignment of a type's first byte. */
    static int alignment(String type) {
        return switch (type.charAt(0)) {
            case 'y', 'g', 'v' -> 1;
            case 'n', 'q' -> 2;
            case 'b', 'i', 'u', 's', 'o', 'a', 'h' -> 4;
            case 'x', 't', 'd', '(', '{' -> 8;
            default -> throw new IllegalArgumentException("unknown D-Bus type " + type);
        };
    }

    /** "sa(sv)u" to ["s", "a(sv)", "u"]. */
    static List<String> splitTypes(String signature) {
        List<String> types = new ArrayList<>();
        int i = 0;
        while (i < signature.length()) {
            int end = completeTypeEnd(signature, i);
            types.add(signature.substring(i, end));
            i = end;
        }
        return types;
    }

    private static int completeTypeEnd(String s, int i) {
        if (i >= s.length()) throw new IllegalArgumentException("incomplete D-Bus signature " + s);
        char c = s.charAt(i);
        if (c == 'a') {
            return completeTypeEnd(s, i + 1);
        }
        if (c == '(' || c == '{') {
            char close = c == '(' ? ')' : '}';
            int j = i + 1;
            while (j < s.length() && s.charAt(j) != close) {
                j = completeTypeEnd(s, j);
            }
            if (j >= s.length()) throw new IllegalArgumentException("unclosed " + c + " in D-Bus signature " + s);
            return j + 1;
        }
        if ("ybnqiuxtdsogvh".indexOf(c) < 0) throw new IllegalArgumentException("unknown type " + c + " in D-Bus signature " + s);
        return i + 1;
    }
}
