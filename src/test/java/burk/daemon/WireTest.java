package burk.daemon;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WireTest {
    private static Wire.In in(byte[] b) throws Wire.ProtocolException {
        return new Wire.In(b, b.length);
    }

    @Test
    void fieldsRoundTripLittleEndian() throws Exception {
        byte[] b = new Wire.Out(Wire.SPAWN).u32(3).u64(0x0102030405060708L).str("héllo").str("").bytes();
        assertEquals(3, b[0]);                       // u32 type, little-endian
        assertEquals(0, b[1]);
        assertEquals(0x08, b[8]);                    // low byte of the u64 first
        Wire.In m = in(b);
        assertEquals(Wire.SPAWN, m.type);
        assertEquals(3, m.u32());
        assertEquals(0x0102030405060708L, m.u64());
        assertEquals("héllo", m.str());
        assertEquals("", m.str());
    }

    @Test
    void stringListsRoundTrip() throws Exception {
        byte[] b = new Wire.Out(Wire.REQUEST).u32(3).str("create").str("-b").str("/x y").bytes();
        assertEquals(List.of("create", "-b", "/x y"), in(b).strs());
    }

    @Test
    void readingPastTheEndIsAProtocolError() throws Exception {
        byte[] b = new Wire.Out(Wire.EXIT).bytes();
        Wire.In m = in(b);
        assertThrows(Wire.ProtocolException.class, m::u32);
        assertThrows(Wire.ProtocolException.class, () -> in(new byte[] {1, 0}));
    }

    @Test
    void aStringLongerThanTheMessageIsRefused() throws Exception {
        byte[] b = new Wire.Out(Wire.REQUEST).u32(1000).bytes();   // claims 1000 bytes, has none
        Wire.In m = in(b);
        assertThrows(Wire.ProtocolException.class, m::str);
    }

    @Test
    void anAbsurdStringCountIsRefusedBeforeAllocating() throws Exception {
        byte[] b = new Wire.Out(Wire.REQUEST).u32(Integer.MAX_VALUE).bytes();
        assertThrows(Wire.ProtocolException.class, in(b)::strs);
    }
}
