package burk.runtime;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.runtime.helper.HelperMessage;
import burk.runtime.helper.HelperSession;
import burk.runtime.plan.Plan;
import burk.runtime.plan.Step;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The helper's RECV_DATA and RUN_HOOK steps on their own: the checks it makes before running
 * anything, what a hook gets (stdin, fds, output file), and how it reports each way of failing.
 */
class HookStepIT {
    private static final int EINVAL = 22, EMSGSIZE = 90, ENODATA = 61, ECHILD = 10, ETIMEDOUT = 110;
    private static final int O_WRONLY = 1, O_CREAT = 0100, O_APPEND = 02000;

    private static String busybox() {
        return TestBundle.rootfs().resolve("bin/busybox").toString();
    }

    private static Step.RunHook sh(String script, int timeoutMs, int buf, int out) {
        return new Step.RunHook("test", 0, busybox(), List.of("sh", "-c", script), List.of(), timeoutMs, buf, out);
    }

    private static Plan plan(Step... steps) {
        Plan.Builder b = new Plan.Builder();
        for (Step s : steps) b.add(s, "test");
        return b.build();
    }

    /** Runs the plan, answering DATA with {@code data}; returns the ERROR message, or null when the helper succeeded. */
    private static HelperMessage run(Plan plan, byte[] data, int... extraFds) throws Exception {
        try (Fd nul = Syscalls.open("/dev/null", Syscalls.O_RDWR, 0)) {
            int[] fds = new int[3 + extraFds.length];
            fds[0] = fds[1] = fds[2] = nul.get();
            System.arraycopy(extraFds, 0, fds, 3, extraFds.length);
            try (HelperSession s = HelperSession.spawn(plan, fds)) {
                for (HelperMessage m; (m = s.next()) != null; ) {
                    if (m.kind() == HelperMessage.Kind.DATA) {
                        try {
                            s.sendData(data);
                        } catch (LinuxException e) {
                            // EPIPE: the helper refused the data and went away; its ERROR is already queued
                        }
                    } else if (m.kind() == HelperMessage.Kind.ERROR) {
                        return m;
                    }
                }
                assertEquals(0, s.reapHelper().shellStatus());
                return null;
            }
        }
    }

    @Test
    void badBuffersAndEmptyArgvAreRefusedBeforeAnythingRuns() throws Exception {
        for (Step bad : List.of(new Step.RecvData(4, 10, "x"), new Step.RecvData(0, (1 << 20) + 1, "x"),
                sh("true", 0, 4, -1), new Step.RunHook("test", 0, busybox(), List.of(), List.of(), 0, 0, -1))) {
            HelperMessage m = run(plan(new Step.SetHostname("never"), bad), new byte[0]);
            assertEquals(1, m.step(), bad.toString());
            assertEquals(EINVAL, m.err(), bad.toString());
        }
    }

    @Test
    void moreDataThanTheStepAllowsAndAHookWithoutDataFail() throws Exception {
        assertEquals(EMSGSIZE, run(plan(new Step.RecvData(0, 4, "x")), new byte[10]).err());
        assertEquals(ENODATA, run(plan(sh("true", 0, 2, -1)), new byte[0]).err());
    }

    @Test
    void theHookReadsTheDataSeesOnlyItsStdioAndWritesToTheOutputSlotTruncatedPerHook() throws Exception {
        Path dir = Files.createTempDirectory("burk-hookstep-");
        try (Fd extra = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
            Path out = dir.resolve("out");
            Files.writeString(out, "left over from an earlier hook\n");
            byte[] data = "{\"state\":1}".getBytes(StandardCharsets.UTF_8);
            // fd 3 of the helper is a preserved fd (as --preserve-fds gives the container): a hook must not see it.
            // (The glob's own directory fd is closed by the time the loop tests each entry.)
            HelperMessage m = run(plan(new Step.RecvData(0, data.length, "x"),
                    new Step.Open(5, O_WRONLY | O_CREAT | O_APPEND, out.toString()),
                    sh("cat; echo; for f in /proc/$$/fd/*; do [ -e $f ] && echo -n \"${f##*/} \"; done; true", 0, 0, 5)),
                    data, extra.get());
            assertNull(m, () -> "failed: " + m);
            assertEquals("{\"state\":1}\n0 1 2 ", Files.readString(out));
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void exitStatusSignalAndTimeoutAreReportedInTheMessagesValue() throws Exception {
        byte[] d = new byte[0];
        HelperMessage exit = run(plan(new Step.RecvData(0, 0, "x"), sh("exit 7", 0, 0, -1)), d);
        assertEquals(ECHILD, exit.err());
        assertEquals(7 << 8, exit.value(), "the raw wait status");
        HelperMessage signal = run(plan(new Step.RecvData(0, 0, "x"), sh("kill -9 $$", 0, 0, -1)), d);
        assertEquals(ECHILD, signal.err());
        assertEquals(9, signal.value());
        long t0 = System.nanoTime();
        HelperMessage timeout = run(plan(new Step.RecvData(0, 0, "x"), sh("sleep 30", 300, 0, -1)), d);
        assertEquals(ETIMEDOUT, timeout.err());
        assertEquals(300, timeout.value());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(true, ms >= 300 && ms < 5000, "killed after its 300 ms: " + ms);
        assertNull(run(plan(new Step.RecvData(0, 0, "x"), sh("exit 0", 1000, 0, -1)), d), "a quick hook within its timeout");
    }
}
