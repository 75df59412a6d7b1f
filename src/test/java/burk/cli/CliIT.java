package burk.cli;

import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.SpecCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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

/**
 * bin/burk as engines and people call it: by absolute path, through a symlink, from the bundle as
 * cwd; runc's flags, output shapes, exit codes and error text.
 */
class CliIT {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();
    private Path tmp;
    private Path root;
    private Path bundle;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory("burk-cli-");
        root = tmp.resolve("state");
        bundle = tmp.resolve("bundle");
        Files.createDirectories(bundle);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) burk(tmp, "--root", root.toString(), "delete", "--force", p.getFileName().toString());
            }
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private void config(String... args) throws IOException {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create());
        tree.put("root", new LinkedHashMap<>(Map.of("path", HOME.resolve("build/rootfs").toString(), "readonly", true)));
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) tree.get("process");
        process.put("terminal", false);
        process.put("args", new ArrayList<Object>(List.of(args)));
        Files.writeString(bundle.resolve("config.json"), Json.write(tree, "  "));
    }

    private static Process start(Path cwd, Path exe, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("BURK_CLASSPATH", HOME.resolve("target/classes").toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    /**
     * Runs burk with stdout and stderr in files: a created or detached container keeps the stdio
     * it was given (as with runc), so a pipe would never reach EOF.
     */
    private static Result run(Path cwd, Path exe, String... args) throws Exception {
        Path out = Files.createTempFile("burk-cli-out-", ".txt");
        Path err = Files.createTempFile("burk-cli-err-", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(exe.toString());
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
            pb.environment().put("BURK_CLASSPATH", HOME.resolve("target/classes").toString());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("burk " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Result burk(Path cwd, String... args) throws Exception {
        return run(cwd, HOME.resolve("bin/burk"), args);
    }

    private Result rooted(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("--root", root.toString()));
        a.addAll(List.of(args));
        return burk(bundle, a.toArray(String[]::new));
    }

    @Test
    void versionHasRuncsShape() throws Exception {
        Result r = burk(tmp, "--version");
        assertEquals(0, r.code());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("burk version "), r.out());
        assertTrue(lines.get(1).startsWith("commit: "), r.out());
        assertEquals("spec: 1.2.0", lines.get(2));
    }

    @Test
    void worksByAbsolutePathFromAnyCwdAndThroughASymlink() throws Exception {
        Path link = tmp.resolve("runtime-link");
        Files.createSymbolicLink(link, HOME.resolve("bin/burk"));
        Result r = run(Path.of("/"), link, "-v");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("burk version "), r.out());
    }

    @Test
    void specWritesRuncsDefaultConfigOnceAndRootlessToo() throws Exception {
        Result r = burk(bundle, "spec");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) Json.parse(Files.readString(bundle.resolve("config.json")));
        assertEquals("rootfs", ((Map<?, ?>) c.get("root")).get("path"));
        assertEquals(List.of("sh"), ((Map<?, ?>) c.get("process")).get("args"));
        Result again = burk(bundle, "spec");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("File config.json exists. Remove it first"), again.err());
        Path rl = tmp.resolve("rootless");
        Files.createDirectories(rl);
        assertEquals(0, burk(tmp, "spec", "--rootless", "--bundle", rl.toString()).code());
        assertTrue(Files.readString(rl.resolve("config.json")).contains("\"uidMappings\""));
    }

    @Test
    void runInTheForegroundPassesOutputAndExitStatusThrough() throws Exception {
        config("/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        Result r = rooted("run", "--bundle", bundle.toString(), "fg");
        assertEquals(3, r.code(), r.err());
        assertEquals("out\n", r.out());
        assertTrue(r.err().contains("err\n"), r.err());
        assertEquals(1, rooted("state", "fg").code(), "run removes the container after it exits");
    }

    @Test
    void detachedLifecycleWithStateKillAndDelete() throws Exception {
        config("/bin/sleep", "60");
        Path pidFile = tmp.resolve("pid");
        Result r = rooted("-root", root.toString(), "run", "-d", "--pid-file=" + pidFile, "det");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> st = (Map<String, Object>) Json.parse(rooted("state", "det").out());
        assertEquals("running", st.get("status"));
        assertEquals("det", st.get("id"));
        assertEquals(bundle.toString(), st.get("bundle"));
        assertEquals(Files.readString(pidFile), st.get("pid").toString());
        assertTrue(rooted("list").out().lines().anyMatch(l -> l.startsWith("det ") && l.contains("running")));
        assertEquals("det\n", rooted("list", "-q").out());
        Result del = rooted("delete", "det");
        assertEquals(1, del.code());
        assertTrue(del.err().contains("cannot delete container det that is not stopped: running"), del.err());
        assertEquals(0, rooted("kill", "det", "SIGKILL").code());
        waitFor(() -> rooted("state", "det").out().contains("\"stopped\""));
        Result again = rooted("kill", "det", "KILL");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("container not running"), again.err());
        assertEquals(0, rooted("delete", "det").code());
        Result gone = rooted("state", "det");
        assertEquals(1, gone.code());
        assertTrue(gone.err().contains("container does not exist"), gone.err());
        assertEquals(0, rooted("delete", "--force", "det").code(), "delete --force of a missing container succeeds");
    }

    @Test
    void execCgroupJoinsASubCgroupAndRefusesBadListsWithRuncsWords() throws Exception {
        config("/bin/sleep", "60");
        String id = "execcg" + ProcessHandle.current().pid();
        Result r = rooted("run", "-d", id);
        assertEquals(0, r.code(), r.err());
        Files.createDirectories(Path.of("/sys/fs/cgroup/pids/burk", id, "sub"));
        Result in = rooted("exec", "--cgroup", "pids:sub", id, "cat", "/proc/self/cgroup");
        assertEquals(0, in.code(), in.err());
        assertTrue(in.out().lines().anyMatch(l -> l.endsWith(":pids:/burk/" + id + "/sub")), in.out());
        assertTrue(in.out().lines().anyMatch(l -> l.endsWith(":memory:/burk/" + id)), in.out());
        Result bad = rooted("exec", "--cgroup", "sub", "--cgroup", "pids:sub", id, "true");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("invalid --cgroup argument: sub (missing <controller>: prefix)"), bad.err());
        Result missing = rooted("exec", "--cgroup=pids:nope", id, "true");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("--cgroup: sub-cgroup /sys/fs/cgroup/pids/burk/" + id + "/nope does not exist"),
                missing.err());
        assertEquals(0, rooted("delete", "--force", id).code());
    }

    @Test
    void createFromTheBundleAsCwdThenStartAsEnginesDo() throws Exception {
        config("/bin/sh", "-c", "echo started");
        Path pidFile = tmp.resolve("pid");
        Result c = rooted("create", "--pid-file", pidFile.toString(), "eng");
        assertEquals(0, c.code(), c.err());
        assertTrue(Files.readString(pidFile).matches("\\d+"), "pid file without newline");
        assertTrue(rooted("state", "eng").out().contains("\"created\""));
        Result dup = rooted("create", "eng");
        assertEquals(1, dup.code());
        assertTrue(dup.err().contains("container with id exists: eng"), dup.err());
        assertEquals(0, rooted("start", "eng").code());
        waitFor(() -> rooted("state", "eng").out().contains("\"stopped\""));
        Result again = rooted("start", "eng");
        assertTrue(again.err().contains("cannot start a container that has stopped"), again.err());
        assertEquals(0, rooted("delete", "eng").code());
    }

    @Test
    void signalsSentToBurkRunReachTheContainer() throws Exception {
        config("/bin/sh", "-c", "trap 'echo got TERM; exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        Process p = start(bundle, HOME.resolve("bin/burk"), List.of("--root", root.toString(), "run", "sig"));
        try {
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            assertEquals("ready", reader.readLine());
            // bin/burk execs the JVM, so the process started here is burk itself.
            Runtime.getRuntime().exec(new String[] {"kill", "-TERM", Long.toString(p.pid())}).waitFor();
            assertEquals("got TERM", reader.readLine());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(42, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void errorsGoToStderrAndAsJsonToTheLogFile() throws Exception {
        Path log = tmp.resolve("log.json");
        Result r = burk(tmp, "--root", root.toString(), "--log", log.toString(), "--log-format=json", "state", "nope");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("container does not exist"), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> line = (Map<String, Object>) Json.parse(Files.readString(log).strip());
        assertEquals("error", line.get("level"));
        assertEquals("container does not exist", line.get("msg"));
        assertTrue(line.get("time") instanceof String);
        Result usage = burk(tmp, "kill");
        assertEquals(1, usage.code());
        Result unknownFlag = burk(tmp, "state", "--bogus", "x");
        assertEquals(1, unknownFlag.code());
        assertTrue(unknownFlag.err().contains("flag provided but not defined: -bogus"), unknownFlag.err());
    }

    @Test
    void pidfdSocketReceivesAPidfdOfTheInitAndKeepLeavesAStoppedContainer() throws Exception {
        config("/bin/sh", "-c", "exit 0");
        Path sock = tmp.resolve("pidfd.sock");
        try (burk.linux.Fd listener = burk.linux.UnixSocket.listen(sock.toString())) {
            Result c = rooted("create", "--pidfd-socket", sock.toString(), "pfd");
            assertEquals(0, c.code(), c.err());
            try (burk.linux.Fd conn = burk.linux.UnixSocket.accept(listener)) {
                burk.linux.UnixSocket.Received got = burk.linux.UnixSocket.receiveFd(conn);
                try (burk.linux.Fd pidfd = got.fd()) {
                    String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pidfd.get())).toString();
                    assertEquals("anon_inode:[pidfd]", target);
                    String pid = Files.readAllLines(Path.of("/proc/self/fdinfo/" + pidfd.get())).stream()
                            .filter(l -> l.startsWith("Pid:")).findFirst().orElseThrow().split("\\s+")[1];
                    assertTrue(rooted("state", "pfd").out().contains("\"pid\": " + pid), "the pidfd is the init's");
                }
            }
        }
        assertEquals(0, rooted("delete", "--force", "pfd").code());
        Result kept = rooted("run", "--keep", "kept");
        assertEquals(0, kept.code(), kept.err());
        assertTrue(rooted("state", "kept").out().contains("\"stopped\""), "--keep leaves the stopped container");
        assertEquals(0, rooted("delete", "kept").code());
        Result nosub = rooted("run", "--no-subreaper", "ns");
        assertEquals(1, nosub.code());
        assertTrue(nosub.err().contains("--no-subreaper"), nosub.err());
    }

    @Test
    void theSystemdDriverFailsClearlyWhereSystemdIsNotRunning() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of("/run/systemd/system")),
                "this host runs systemd");
        config("/bin/true");
        Result r = rooted("--systemd-cgroup", "run", "sd");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("systemd is not running"), r.err());
        assertFalse(Files.exists(root.resolve("sd")), "no state directory left");
    }

    @Test
    void explainPrintsEveryStepWithItsReason() throws Exception {
        config("/bin/true");
        Result r = rooted("run", "--explain", "exp");
        assertEquals(0, r.code(), r.err());
        String e = r.err();
        for (String step : List.of("clone the container init into new", "wait for the runtime to place the init in its cgroup",
                "mount proc on /proc", "pivot_root into", "sethostname burk", "setrlimit RLIMIT_NOFILE",
                "limit the capability bounding set", "prctl PR_SET_NO_NEW_PRIVS 1", "exec /bin/true")) {
            assertTrue(e.contains(step), "missing step '" + step + "' in:\n" + e);
        }
        assertTrue(e.contains("↳ "), "each step has a reason");
        assertFalse(Files.exists(root.resolve("exp")));
    }

    interface Check { boolean ok() throws Exception; }

    static void waitFor(Check c) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met within 20 s");
            Thread.sleep(50);
        }
    }
}
