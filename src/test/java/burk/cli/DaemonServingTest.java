package burk.cli;

import burk.daemon.Invocation;
import burk.daemon.Outcome;
import burk.runtime.ProcessHost;
import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.SpecCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which command lines burk's resident daemon runs for a front and which it sends back to a JVM
 * of the caller's own (decided before anything is done). Only fallbacks and harmless commands
 * are run here: nothing in these tests touches the kernel.
 */
class DaemonServingTest {
    private Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("burk-serving-");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** A front's process as the daemon sees it; nothing here may reach it. */
    private static final ProcessHost FRONT = new ProcessHost() {
        @Override
        public burk.runtime.helper.HelperSession spawnHelper(burk.runtime.plan.Plan plan, int[] childFds) {
            throw new AssertionError("no helper in these tests");
        }

        @Override
        public void becomeSubreaper() { throw new AssertionError("no subreaper in these tests"); }

        @Override
        public int startAndWait(int pid, StartAction start) { throw new AssertionError("no wait in these tests"); }
    };

    private Outcome serve(Map<String, String> env, String... args) {
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Map<String, String> e = new LinkedHashMap<>(env);
        String dbus = System.getenv("DBUS_SYSTEM_BUS_ADDRESS");
        if (dbus != null) e.putIfAbsent("DBUS_SYSTEM_BUS_ADDRESS", dbus);
        return Main.serveForFront(new Invocation(List.of(args), dir, e, ps, ps, FRONT));
    }

    private Outcome serve(String... args) { return serve(Map.of(), args); }

    /** A bundle in dir/NAME whose config.json is the default spec changed by {@code edit}. */
    private Path bundle(String name, java.util.function.Consumer<Map<String, Object>> edit) throws IOException {
        Path b = Files.createDirectories(dir.resolve(name).resolve("rootfs")).getParent();
        Map<String, Object> config = SpecCodec.toTree(DefaultSpec.create());
        edit.accept(config);
        Files.writeString(b.resolve("config.json"), Json.write(config));
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> process(Map<String, Object> config) {
        return (Map<String, Object>) config.get("process");
    }

    @Test
    void versionIsServed() {
        Outcome o = serve("--version");
        assertFalse(o.isFallback(), o.fallbackReason());
        assertEquals(0, o.exitCode());
        assertTrue(out.toString().startsWith("burk version "), out.toString());
    }

    @Test
    void commandsTheDaemonDoesNotServeFallBack() {
        for (String c : List.of("events", "update", "ps", "features", "demo", "pull", "daemon")) {
            assertTrue(serve(c, "x").isFallback(), c);
        }
        assertTrue(serve("--no-such-flag", "state", "x").isFallback(), "a usage error is the JVM's to report");
        assertEquals("", out.toString(), "a fallback prints nothing");
    }

    @Test
    void aForegroundRunWithATerminalBurkRelaysFallsBack() throws IOException {
        Path tty = bundle("tty", c -> process(c).put("terminal", true));
        assertTrue(serve("run", "--bundle", tty.toString(), "c3").isFallback());
    }

    @Test
    void execIsServedDetachedOnly() {
        // runc's form with --detach, as containerd's shim and conmon call it: served (here the
        // container does not exist, so the daemon answers that, and no helper is spawned).
        Outcome o = serve("--root", "root", "exec", "--detach", "--pid-file", "p", "c4", "true");
        assertFalse(o.isFallback(), o.fallbackReason());
        assertEquals(1, o.exitCode());
        assertTrue(out.toString().contains("container does not exist"), out.toString());
        Outcome fg = serve("--root", "root", "exec", "--pid-file", "p", "c4", "true");
        assertTrue(fg.isFallback());
        assertEquals("exec in the foreground", fg.fallbackReason());
    }

    @Test
    void anotherSystemBusThanTheDaemonsFallsBack() {
        Outcome o = serve(Map.of("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/" + ProcessHandle.current().pid()),
                "--version");
        assertTrue(o.isFallback());
        assertTrue(o.fallbackReason().contains("DBUS_SYSTEM_BUS_ADDRESS"), o.fallbackReason());
    }

    @Test
    void theDaemonsOwnStatusIsServed() {
        Outcome o = serve("daemon", "status");
        assertFalse(o.isFallback(), o.fallbackReason());
        assertEquals(0, o.exitCode());
        assertTrue(out.toString().startsWith("burk daemon: running (pid "), out.toString());
    }

}
