package burk.runtime.plan;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RECV_DATA and RUN_HOOK on the wire, and how a RUN_HOOK failure is put in words. */
class HookStepsTest {
    @Test
    void recvDataAndRunHookAreEncodedAsTheFormatSays() {
        Plan p = new Plan.Builder()
                .add(new Step.RecvData(1, 300, "state"), "x")
                .add(new Step.RunHook("poststop", 2, "/bin/h", List.of("h", "-v"), List.of("A=1"), 1500, 1, -1), "y")
                .build();
        ByteBuffer b = ByteBuffer.wrap(p.encode()).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        assertEquals(48, b.getShort());
        assertEquals(0, b.getShort());
        assertEquals(8, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals(300, b.getInt());
        assertEquals(49, b.getShort());
        b.getShort();
        int size = b.getInt();
        int start = b.position();
        assertEquals("/bin/h\0", str(b));
        assertEquals(2, b.getInt());
        assertEquals("h\0", str(b));
        assertEquals("-v\0", str(b));
        assertEquals(1, b.getInt());
        assertEquals("A=1\0", str(b));
        assertEquals(1500, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals(-1, b.getInt());
        assertEquals(size, b.position() - start);
        assertEquals(b.limit(), b.position());
        assertEquals("poststop hook #2 (/bin/h)", p.step(1).step().action());
        assertEquals(6, new Step.HookSync().op(), "the hook sync is a SYNC step");
    }

    private static String str(ByteBuffer b) {
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    @Test
    void hookOutcomesInWords() {
        assertEquals("exit status 3", HookOutcome.describe(HookOutcome.ECHILD, 3 << 8));
        assertEquals("killed by signal 9", HookOutcome.describe(HookOutcome.ECHILD, 9));
        assertEquals("killed by signal 11 (core dumped)", HookOutcome.describe(HookOutcome.ECHILD, 11 | 0x80));
        assertEquals("timed out after 2s", HookOutcome.describe(HookOutcome.ETIMEDOUT, 2000));
        assertEquals("timed out after 0.5s", HookOutcome.describe(HookOutcome.ETIMEDOUT, 500));
        assertEquals("no such file or directory", HookOutcome.describe(2, 0));
        assertEquals("no child processes", HookOutcome.describe(HookOutcome.ECHILD, 0), "without a value it is the errno");
    }
}
