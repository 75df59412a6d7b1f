package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The D-Bus wire format, byte by byte where the specification fixes the bytes. */
class DBusCodecTest {
    private static String hex(String signature, List<?> values) {
        DBusCodec.Writer w = new DBusCodec.Writer();
        w.write(signature, values);
        return HexFormat.of().formatHex(w.bytes());
    }

    private static List<Object> roundTrip(String signature, List<?> values) {
        DBusCodec.Writer w = new DBusCodec.Writer();
        w.write(signature, values);
        return new DBusCodec.Reader(w.bytes(), ByteOrder.LITTLE_ENDIAN).read(signature);
    }

    @Test
    void signaturesSplitIntoCompleteTypes() {
        assertEquals(List.of("s", "s", "a(sv)", "a(sa(sv))"), DBusCodec.splitTypes("ssa(sv)a(sa(sv))"));
        assertEquals(List.of("a{sv}", "u"), DBusCodec.splitTypes("a{sv}u"));
        assertThrows(IllegalArgumentException.class, () -> DBusCodec.splitTypes("a(sv"));
        assertThrows(IllegalArgumentException.class, () -> DBusCodec.splitTypes("a"));
        assertThrows(IllegalArgumentException.class, () -> DBusCodec.splitTypes("z"));
    }

    @Test
    void valuesAreAlignedToTheirSize() {
        // y at 0, then t aligned to 8.
        assertEquals("01" + "00".repeat(7) + "0200000000000000", hex("yt", List.of((byte) 1, 2L)));
        // A string: u32 length without the NUL, the bytes, a NUL.
        assertEquals("02000000" + "616200", hex("s", List.of("ab")));
        // A signature: one length byte, no alignment.
        assertEquals("01" + "7500", hex("g", List.of("u")));
        // A boolean is a u32.
        assertEquals("01000000", hex("b", List.of(true)));
    }

    @Test
    void arrayLengthsCountElementsNotThePaddingBeforeThem() {
        // An empty array of structs still pads to the struct alignment after its length.
        assertEquals("00000000" + "00000000", hex("a(sv)", List.of(List.of())));
        // One struct (s "a", v u 7) at 8: the string to 14, the variant's signature 14..16, its
        // u32 aligned to 20; the length counts 8..24.
        assertEquals("10000000" + "00000000" + "01000000" + "6100" + "01" + "7500" + "000000" + "07000000",
                hex("a(sv)", List.of(List.of(List.of("a", new DBusCodec.Variant("u", 7L))))));
        assertEquals("03000000" + "010203", hex("ay", List.of(new byte[] {1, 2, 3})));
        // u64 elements: the length counts 8 bytes, the 4 bytes of padding before them are outside it.
        assertEquals("08000000" + "00000000" + "0900000000000000", hex("at", List.of(List.of(9L))));
    }

    @Test
    void everyTypeTheDriverUsesRoundTrips() {
        List<Object> props = List.of(
                List.of("Description", new DBusCodec.Variant("s", "burk container c1")),
                List.of("Delegate", new DBusCodec.Variant("b", true)),
                List.of("PIDs", new DBusCodec.Variant("au", List.of(1234L, 5L))),
                List.of("MemoryMax", new DBusCodec.Variant("t", -1L)),
                List.of("AllowedCPUs", new DBusCodec.Variant("ay", new byte[] {0x0f})));
        List<Object> decoded = roundTrip("ssa(sv)a(sa(sv))", List.of("burk-c1.scope", "replace", props, List.of()));
        assertEquals("burk-c1.scope", decoded.get(0));
        assertEquals(List.of(), decoded.get(3));
        Map<String, Object> byName = FakeSystemd.properties(decoded.get(2));
        assertEquals(true, byName.get("Delegate"));
        assertEquals(List.of(1234L, 5L), byName.get("PIDs"));
        assertEquals(-1L, byName.get("MemoryMax"));
        assertArrayEquals(new byte[] {0x0f}, (byte[]) byName.get("AllowedCPUs"));
        assertEquals(List.of(Map.of("k", 1), "/o/p"), roundTrip("a{si}o", List.of(Map.of("k", 1), "/o/p")));
    }

    @Test
    void messagesRoundTripWithTheirHeaderFields() {
        DBusMessage call = DBusMessage.call(7, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                "org.freedesktop.systemd1.Manager", "StopUnit", "ss", List.of("burk-c1.scope", "replace"));
        byte[] bytes = call.encode();
        assertEquals('l', bytes[0]);
        assertEquals(DBusMessage.METHOD_CALL, bytes[1]);
        assertEquals(1, bytes[3], "protocol version");
        assertEquals(bytes.length, DBusMessage.totalLength(java.util.Arrays.copyOf(bytes, 16)));
        DBusMessage back = DBusMessage.decode(bytes);
        assertEquals(call, back);
        DBusMessage error = back.error(8, "org.freedesktop.systemd1.NoSuchUnit", "Unit burk-c1.scope not loaded.");
        DBusMessage errorBack = DBusMessage.decode(error.encode());
        assertEquals(7, errorBack.replySerial());
        assertEquals("org.freedesktop.systemd1.NoSuchUnit", errorBack.errorName());
        assertEquals("Unit burk-c1.scope not loaded.", errorBack.errorText());
    }

    @Test
    void nonZeroPaddingIsRefused() {
        byte[] bad = HexFormat.of().parseHex("01ff0000000000000200000000000000");
        assertThrows(DBusError.class, () -> new DBusCodec.Reader(bad, ByteOrder.LITTLE_ENDIAN).read("yt"));
    }
}
