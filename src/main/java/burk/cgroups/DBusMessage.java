package burk.cgroups;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One D-Bus message (specification, "Message Format"): a fixed header, header fields
 * {@code a(yv)}, padding to 8, then the body in the types of {@code signature}. burk writes
 * little-endian and reads either byte order.
 *
 * @param type        {@link #METHOD_CALL}, {@link #METHOD_RETURN}, {@link #ERROR} or {@link #SIGNAL}
 * @param flags       e.g. {@link #NO_REPLY_EXPECTED}
 * @param serial      the sender's serial, never 0
 * @param path        object path, or null
 * @param iface       interface, or null
 * @param member      method or signal name, or null
 * @param errorName   for errors
 * @param replySerial for replies and errors: the serial of the call answered, else 0
 * @param destination bus name, or null
 * @param sender      unique name the bus daemon filled in, or null
 * @param signature   body signature, "" for none
 * @param body        body values, see {@link DBusCodec}
 */
record DBusMessage(int type, int flags, long serial, String path, String iface, String member, String errorName,
                   long replySerial, String destination, String sender, String signature, List<Object> body) {
    static final int METHOD_CALL = 1, METHOD_RETURN = 2, ERROR = 3, SIGNAL = 4;
    static final int NO_REPLY_EXPECTED = 1;
    /** Fixed header (12 bytes) plus the header field array's length. */
    static final int PREFIX = 16;
    /** The specification's limit on a whole message. */
    static final int MAX_SIZE = 128 * 1024 * 1024;

    private static final int F_PATH = 1, F_INTERFACE = 2, F_MEMBER = 3, F_ERROR_NAME = 4, F_REPLY_SERIAL = 5,
            F_DESTINATION = 6, F_SENDER = 7, F_SIGNATURE = 8;

    DBusMessage {
        signature = signature == null ? "" : signature;
        body = body == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(body));
    }

    static DBusMessage call(long serial, String destination, String path, String iface, String member, String signature,
                            List<?> args) {
        return new DBusMessage(METHOD_CALL, 0, serial, path, iface, member, null, 0, destination, null, signature,
                new ArrayList<>(args));
    }

    static DBusMessage signal(long serial, String path, String iface, String member, String signature, List<?> args) {
        return new DBusMessage(SIGNAL, NO_REPLY_EXPECTED, serial, path, iface, member, null, 0, null, null, signature,
                new ArrayList<>(args));
    }

    /** A method return answering {@code call}. */
    DBusMessage reply(long serial, String signature, List<?> values) {
        return new DBusMessage(METHOD_RETURN, NO_REPLY_EXPECTED, serial, null, null, null, null, this.serial, sender, null,
                signature, new ArrayList<>(values));
    }

    /** An error answering {@code call}. */
    DBusMessage error(long serial, String name, String text) {
        return new DBusMessage(ERROR, NO_REPLY_EXPECTED, serial, null, null, null, name, this.serial, sender, null, "s",
                List.of(text));
    }

    /** The first body value of an error reply, its human-readable text. */
    String errorText() {
        return !body.isEmpty() && body.get(0) instanceof String s ? s : "";
    }

    byte[] encode() {
        DBusCodec.Writer body = new DBusCodec.Writer();
        // The body starts 8-aligned in the message, so aligning within it from 0 is the same.
        body.write(signature, this.body);
        byte[] bodyBytes = body.bytes();

        DBusCodec.Writer w = new DBusCodec.Writer();
        w.writeByte('l');
        w.writeByte(type);
        w.writeByte(flags);
        w.writeByte(1);
        w.writeUint32(bodyBytes.length);
        w.writeUint32(serial);
        Map<Integer, DBusCodec.Variant> fields = new TreeMap<>();
        if (path != null) fields.put(F_PATH, new DBusCodec.Variant("o", path));
        if (iface != null) fields.put(F_INTERFACE, new DBusCodec.Variant("s", iface));
        if (member != null) fields.put(F_MEMBER, new DBusCodec.Variant("s", member));
        if (errorName != null) fields.put(F_ERROR_NAME, new DBusCodec.Variant("s", errorName));
        if (replySerial != 0) fields.put(F_REPLY_SERIAL, new DBusCodec.Variant("u", replySerial));
        if (destination != null) fields.put(F_DESTINATION, new DBusCodec.Variant("s", destination));
        if (sender != null) fields.put(F_SENDER, new DBusCodec.Variant("s", sender));
        if (!signature.isEmpty()) fields.put(F_SIGNATURE, new DBusCodec.Variant("g", signature));
        List<Object> array = new ArrayList<>();
        fields.forEach((code, value) -> array.add(List.of((byte) (int) code, value)));
        w.writeValue("a(yv)", array);
        w.align(8);
        w.writeBytes(bodyBytes);
        return w.bytes();
    }

    /** The whole message's length from its first 16 bytes. */
    static int totalLength(byte[] prefix) {
        ByteOrder order = order(prefix[0]);
        ByteBuffer b = ByteBuffer.wrap(prefix).order(order);
        long bodyLength = Integer.toUnsignedLong(b.getInt(4));
        long fieldsLength = Integer.toUnsignedLong(b.getInt(12));
        long header = (PREFIX + fieldsLength + 7) / 8 * 8;
        long total = header + bodyLength;
        if (prefix[3] != 1) throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "protocol version " + prefix[3]);
        if (total > MAX_SIZE) throw new DBusError("org.freedesktop.DBus.Error.LimitsExceeded", "message of " + total + " bytes");
        return (int) total;
    }

    private static ByteOrder order(byte endian) {
        return switch (endian) {
            case 'l' -> ByteOrder.LITTLE_ENDIAN;
            case 'B' -> ByteOrder.BIG_ENDIAN;
            default -> throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "bad endianness byte " + endian);
        };
    }

    static DBusMessage decode(byte[] message) {
        DBusCodec.Reader r = new DBusCodec.Reader(message, order(message[0]));
        r.position(4);
        long bodyLength = r.readUint32();
        long serial = r.readUint32();
        @SuppressWarnings("unchecked")
        List<List<Object>> fields = (List<List<Object>>) r.readValue("a(yv)");
        String path = null, iface = null, member = null, errorName = null, destination = null, sender = null, signature = "";
        long replySerial = 0;
        for (List<Object> field : fields) {
            Object value = ((DBusCodec.Variant) field.get(1)).value();
            switch ((Byte) field.get(0)) {
                case F_PATH -> path = (String) value;
                case F_INTERFACE -> iface = (String) value;
                case F_MEMBER -> member = (String) value;
                case F_ERROR_NAME -> errorName = (String) value;
                case F_REPLY_SERIAL -> replySerial = (Long) value;
                case F_DESTINATION -> destination = (String) value;
                case F_SENDER -> sender = (String) value;
                case F_SIGNATURE -> signature = (String) value;
                default -> { } // unknown fields are to be ignored
            }
        }
        r.align(8);
        int bodyStart = r.position();
        if (bodyStart + bodyLength != message.length) {
            throw new DBusError("org.freedesktop.DBus.Error.InvalidArgs", "body length " + bodyLength + " does not fit the message");
        }
        // Body alignment counts from the body's start, which is 8-aligned: the same as from 0.
        DBusCodec.Reader body = new DBusCodec.Reader(java.util.Arrays.copyOfRange(message, bodyStart, message.length),
                order(message[0]));
        List<Object> values = body.read(signature);
        return new DBusMessage(message[1], message[2], serial, path, iface, member, errorName, replySerial, destination,
                sender, signature, values);
    }
}
