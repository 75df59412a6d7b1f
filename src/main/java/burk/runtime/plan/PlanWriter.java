package burk.runtime.plan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Little-endian field writer for one step's payload, in the types of docs/plan-format.md. */
final class PlanWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    PlanWriter u16(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        return this;
    }

    PlanWriter u32(long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)) & 0xff);
        return this;
    }

    PlanWriter i32(int v) { return u32(v & 0xffffffffL); }

    PlanWriter u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xff);
        return this;
    }

    /** A NUL-terminated string; null is encoded as the empty string, which the helper reads as NULL. */
    PlanWriter str(String s) {
        byte[] b = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            if (x == 0) throw new IllegalArgumentException("string contains a NUL byte: " + s);
        }
        u32(b.length + 1L);
        out.writeBytes(b);
        out.write(0);
        return this;
    }

    PlanWriter strv(List<String> v) {
        u32(v.size());
        for (String s : v) str(s);
        return this;
    }

    PlanWriter bytes(byte[] b) {
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    byte[] toByteArray() { return out.toByteArray(); }

    int size() { return out.size(); }
}
