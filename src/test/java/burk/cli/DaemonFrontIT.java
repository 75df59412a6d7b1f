package burk.cli;

import burk.daemon.Daemon;
import burk.runtime.ContainerRuntime;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * burk's own command line served by the resident daemon through the real native front, the way an
 * engine drives it: create, start, exec --detach (containerd's shim form), state, pause, resume, kill,
 * delete. The daemon's stop line counts what it served: every call here must have been, none sent
 * back.
 */
class DaemonFrontIT {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();
    private static final Path FRONT = HOME.resolve("target/burk-front");
    private static final Path JAR = HOME.resolve("target/burk.jar");

    private Path work;
    private Daemon daemon;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isExecutable(FRONT), "no target/burk-front");
        assumeTrue(Files.isReadable(JAR), "no target/burk.jar: the front checks the daemon's jar");
        assumeTrue(Files.isExecutable(HOME.resolve("build/rootfs/bin/busybox")), "no build/rootfs");
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "runs containers");
        work = Files.createTempDirectory("burk-daemon-front-");
        daemon = Daemon.start(work.resolve("d/socket"), JAR, Main::serveForFront,
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (daemon != null) daemon.close();
        if (work == null) return;
        try {
            new ContainerRuntime(work.resolve("root")).delete("df1", true);
        } catch (burk.runtime.RuntimeError ignored) {
            // already gone
        }
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private record Ran(int code, String out, String err, long pid) {}

    private Ran front(String... args) throws Exception {
        return front(Files.createTempFile(work, "out", ""), Files.createTempFile(work, "err", ""), args);
    }

    private Ran front(Path out, Path err, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(FRONT.toString(), "--root", "root"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put(Daemon.SOCKET_ENV, work.resolve("d/socket").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the front did not finish: " + cmd);
        return new Ran(p.exitValue(), Files.readString(out), Files.readString(err), p.pid());
    }

    @Test
    void anEnginesCallsGoThroughTheDaemonExecDetachedIncluded() throws Exception {
        bundle(Map.of());

        assertEquals(0, front("create", "--bundle", "bundle", "df1").code());
        assertEquals(0, front("start", "df1").code());
        // Relative paths are the caller's: the pid file lands in the front's cwd, not the daemon's.
        Path out = work.resolve("exec.out"), err = work.resolve("exec.err");
        Ran exec = front(out, err, "exec", "--detach", "--pid-file", "exec.pid", "df1", "sh", "-c",
                "echo in-exec; echo to-err >&2");
        assertEquals(0, exec.code(), exec.err());
        int execPid = Integer.parseInt(Files.readString(work.resolve("exec.pid")));
        assertTrue(execPid > 0);
        // The detached process writes to the caller's stdout and stderr (the front's fds 1 and 2).
        for (int i = 0; i < 500 && !(Files.readString(out).contains("in-exec") && Files.readString(err).contains("to-err")); i++) {
            Thread.sleep(10);
        }
        assertEquals("in-exec\n", Files.readString(out));
        assertEquals("to-err\n", Files.readString(err));
        reapIfOurs(execPid);
        assertTrue(front("state", "df1").out().contains("\"status\": \"running\""));
        assertEquals(0, front("pause", "df1").code());
        assertTrue(front("state", "df1").out().contains("\"status\": \"paused\""));
        assertEquals(0, front("resume", "df1").code());
        assertTrue(front("state", "df1").out().contains("\"status\": \"running\""));
        assertEquals(0, front("kill", "df1", "KILL").code());
        Ran state = front("state", "df1");
        for (int i = 0; i < 500 && !state.out().contains("stopped"); i++) {
            Thread.sleep(10);
            state = front("state", "df1");
        }
        assertTrue(state.out().contains("\"status\": \"stopped\""), state.out() + state.err());
        Ran delete = front("delete", "df1");
        assertEquals(0, delete.code(), delete.err());
        assertFalse(Files.exists(work.resolve("root/df1")), "state directory left");
        daemon.close();
        daemon = null;
        String stopLine = log.toString(StandardCharsets.UTF_8);
        assertTrue(stopLine.matches("(?s).*stopped \\(served \\d+ commands, sent 0 back to a JVM of their own\\).*"), stopLine);
        assertFalse(stopLine.contains("not serving"), stopLine);
    }

    /**
     * This JVM stands in for the engine's shim. When it is a child subreaper (other tests in this
     * JVM make it one) the detached process, its parents gone, becomes its child, and a shim reaps
     * its children: an unreaped zombie of the container's PID namespace would keep the namespace's
     * init from ever finishing its exit (the kernel waits for every task of the namespace).
     */
    private static void reapIfOurs(int pid) throws Exception {
        for (int i = 0; i < 500; i++) {
            try {
                if (burk.linux.Syscalls.waitPid(pid, burk.linux.Syscalls.WNOHANG) != null) return;
            } catch (burk.linux.LinuxException e) {
                return; // not our child: the host's init reaps it
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the exec'd process " + pid + " did not exit");
    }

    /** work/bundle: a `sleep 1000` container from build/rootfs, with {@code hooks} as config.json's hooks. */
    private void bundle(Map<String, Object> hooks) throws IOException {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Map<String, Object> config = SpecCodec.toTree(DefaultSpec.create());
        config.put("root", new LinkedHashMap<>(Map.of("path", HOME.resolve("build/rootfs").toString(), "readonly", true)));
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) config.get("process");
        process.put("terminal", false);
        process.put("args", new ArrayList<Object>(List.of("sleep", "1000")));
        if (!hooks.isEmpty()) config.put("hooks", new LinkedHashMap<>(hooks));
        Files.writeString(bundle.resolve("config.json"), Json.write(config));
    }

    /** A host hook that writes its kind, the state's status and its runner's parent pid to work/KIND. */
    private List<Object> hook(String kind) {
        String script = "read -r state; st=$(echo \"$state\" | sed 's/.*\"status\": *\"\\([a-z]*\\)\".*/\\1/');"
                + " echo \"$st $(awk '/^PPid/{print $2}' /proc/$PPID/status)\" > " + work.resolve(kind);
        return new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", script),
                "env", List.of("PATH=/usr/bin:/bin")))));
    }

    @Test
    void hostHooksRunUnderTheFrontThatTheEngineRan() throws Exception {
        // prestart/poststart/poststop run in the runtime's process tree: under the daemon, their
        // runner is a helper that the front forked, so they are the engine's descendants (and in
        // its cgroup), as they would be a per-call JVM's.
        bundle(Map.of("prestart", hook("prestart"), "poststart", hook("poststart"), "poststop", hook("poststop")));
        Ran create = front("create", "--bundle", "bundle", "df1");
        assertEquals(0, create.code(), create.err());
        Ran start = front("start", "df1");
        assertEquals(0, start.code(), start.err());
        Ran delete = front("delete", "--force", "df1");
        assertEquals(0, delete.code(), delete.err());
        assertEquals("creating " + create.pid() + "\n", Files.readString(work.resolve("prestart")));
        assertEquals("running " + start.pid() + "\n", Files.readString(work.resolve("poststart")));
        assertEquals("stopped " + delete.pid() + "\n", Files.readString(work.resolve("poststop")));
        daemon.close();
        daemon = null;
        String log = this.log.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("sent 0 back to a JVM of their own"), log);
    }
}
