package burk.cli;

import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.SpecCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * pause, resume, ps, events, update, features and --help through bin/burk, as engines and people
 * call them; where Debian's runc is installed, the same commands on the same bundle through runc,
 * compared for shape.
 */
class OpsCliIT {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();
    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private Path tmp, root, runcRoot, bundle;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory("burk-ops-");
        root = tmp.resolve("state");
        runcRoot = tmp.resolve("runc-state");
        bundle = tmp.resolve("bundle");
        Files.createDirectories(bundle);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Path r : List.of(root, runcRoot)) {
            if (!Files.isDirectory(r)) continue;
            try (Stream<Path> s = Files.list(r)) {
                for (Path p : s.toList()) {
                    if (r == root) burk("delete", "--force", p.getFileName().toString());
                    else runc("delete", "--force", p.getFileName().toString());
                }
            }
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private void config(Map<String, Object> resources, String... args) throws IOException {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create());
        tree.put("root", new LinkedHashMap<>(Map.of("path", HOME.resolve("build/rootfs").toString(), "readonly", true)));
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) tree.get("process");
        process.put("terminal", false);
        process.put("args", new ArrayList<Object>(List.of(args)));
        // runc refuses ambient capabilities that are not inheritable; the two runtimes get the same bundle.
        @SuppressWarnings("unchecked")
        Map<String, Object> caps = (Map<String, Object>) process.get("capabilities");
        if (caps != null) caps.remove("ambient");
        if (resources != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
            linux.put("resources", resources);
        }
        Files.writeString(bundle.resolve("config.json"), Json.write(tree, "  "));
    }

    private Result exec(List<String> cmd, String stdin) throws Exception {
        Path out = Files.createTempFile("burk-ops-out-", ".txt");
        Path err = Files.createTempFile("burk-ops-err-", ".txt");
        Path in = Files.createTempFile("burk-ops-in-", ".txt");
        try {
            Files.writeString(in, stdin == null ? "" : stdin);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(bundle.toFile()); // engines run the runtime in the bundle
            pb.environment().put("BURK_CLASSPATH", HOME.resolve("target/classes").toString());
            pb.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(in);
        }
    }

    private Result burkIn(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/burk").toString(), "--root", root.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, stdin);
    }

    private Result burk(String... args) throws Exception {
        return burkIn(null, args);
    }

    private Result runc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(RUNC.toString(), "--root", runcRoot.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, null);
    }

    private static boolean haveRunc() {
        return Files.isExecutable(RUNC);
    }

    private Result ok(Result r) {
        assertEquals(0, r.code(), r.err());
        return r;
    }

    private static String cgroupFile(String controller, String id, String file) throws IOException {
        return Files.readString(Path.of("/sys/fs/cgroup", controller, "burk", id, file)).trim();
    }

    private static Object json(String s) {
        return Json.parse(s);
    }

    @Test
    void pauseAndResumeShowInStateAndListAndMisuseFailsWithRuncsWords() throws Exception {
        config(null, "/bin/sh", "-c", "sleep 1000");
        ok(burk("run", "-d", "--bundle", bundle.toString(), "p1"));
        assertEquals("container not paused", lastLine(burk("resume", "p1")));
        ok(burk("pause", "p1"));
        assertEquals("paused", ((Map<?, ?>) json(burk("state", "p1").out())).get("status"));
        assertTrue(burk("list").out().lines().anyMatch(l -> l.startsWith("p1 ") && l.contains(" paused ")));
        assertEquals("FROZEN", cgroupFile("freezer", "p1", "freezer.state"));
        Result again = burk("pause", "p1");
        assertEquals(1, again.code());
        assertEquals("container not running", lastLine(again));
        ok(burk("resume", "p1"));
        assertEquals("THAWED", cgroupFile("freezer", "p1", "freezer.state"));
        assertEquals("running", ((Map<?, ?>) json(burk("state", "p1").out())).get("status"));
        assertEquals("container does not exist", lastLine(burk("pause", "nope")));
        assertTrue(burk("pause").err().contains("\"pause\" requires exactly 1 argument(s)"));
        if (haveRunc()) {
            ok(runc("run", "-d", "--bundle", bundle.toString(), "p1"));
            assertEquals(lastLine(runc("resume", "p1")), lastLine(burk("resume", "p1")));
            ok(runc("pause", "p1"));
            ok(burk("pause", "p1"));
            assertEquals(lastLine(runc("pause", "p1")), lastLine(burk("pause", "p1")));
            assertEquals(lastLine(runc("pause", "nope")), lastLine(burk("pause", "nope")));
        }
    }

    /** The message of the last error line: burk's "burk: MSG", runc's {@code msg="MSG"}. */
    private static String lastLine(Result r) {
        List<String> lines = r.err().lines().toList();
        if (lines.isEmpty()) return "";
        String l = lines.get(lines.size() - 1);
        if (l.startsWith("burk: ")) return l.substring(6);
        int m = l.indexOf("msg=\"");
        return m < 0 ? l : l.substring(m + 5, l.lastIndexOf('"'));
    }

    @Test
    void psPrintsTheHostPsLinesOfTheContainerAndJsonPids() throws Exception {
        config(null, "/bin/sh", "-c", "sleep 1000 & sleep 1000");
        ok(burk("run", "-d", "ps1"));
        String procs = cgroupFile("pids", "ps1", "cgroup.procs");
        List<Long> pids = procs.lines().map(Long::parseLong).sorted().toList();
        assertEquals(2, pids.size(), procs);
        Result json = ok(burk("ps", "--format", "json", "ps1"));
        assertEquals(pids.toString().replace(" ", "") + "\n", json.out());
        Result table = ok(burk("ps", "ps1"));
        List<String> lines = table.out().lines().toList();
        assertTrue(lines.get(0).matches("UID +PID +PPID +C +STIME +TTY +TIME +CMD"), lines.get(0));
        assertEquals(3, lines.size(), table.out());
        for (String l : lines.subList(1, 3)) assertTrue(pids.contains(Long.parseLong(l.trim().split("\\s+")[1])), l);
        Result custom = ok(burk("ps", "ps1", "-o", "pid,comm"));
        assertEquals(List.of("PID COMMAND", pids.get(0) + " sleep", pids.get(1) + " sleep"),
                custom.out().lines().map(l -> l.trim().replaceAll(" +", " ")).toList());
        assertEquals("invalid format option", lastLine(burk("ps", "--format", "xml", "ps1")));
        if (haveRunc()) {
            ok(runc("run", "-d", "--bundle", bundle.toString(), "ps1"));
            Result r = ok(runc("ps", "--format", "json", "ps1"));
            assertTrue(r.out().matches("\\[\\d+(,\\d+)*]\n"), "runc's shape is the same: " + r.out());
            assertEquals(ok(runc("ps", "ps1")).out().lines().findFirst(), Optional(lines.get(0)));
        }
        ok(burk("kill", "ps1", "KILL"));
        CliIT.waitFor(() -> burk("state", "ps1").out().contains("stopped"));
        assertEquals("null\n", ok(burk("ps", "--format", "json", "ps1")).out(), "Go encodes no pids as null");
    }

    private static java.util.Optional<String> Optional(String s) {
        return java.util.Optional.of(s);
    }

    @Test
    void eventsStatsHasRuncsShapeAndTheStreamReportsOomKillsUntilTheContainerStops() throws Exception {
        config(Map.of("memory", Map.of("limit", 16L << 20, "swap", 16L << 20), "pids", Map.of("limit", 50L)), "/bin/sh", "-c",
                "trap 'dd if=/dev/zero of=/dev/null bs=64M count=1' USR1; while true; do sleep 0.05; done");
        ok(burk("run", "-d", "ev1"));
        Result stats = ok(burk("events", "--stats", "ev1"));
        assertEquals(1, stats.out().lines().count(), "one event line");
        Map<?, ?> ev = (Map<?, ?>) json(stats.out());
        assertEquals("stats", ev.get("type"));
        assertEquals("ev1", ev.get("id"));
        Map<?, ?> data = (Map<?, ?>) ev.get("data");
        assertEquals(50L, ((Map<?, ?>) data.get("pids")).get("limit"));
        assertEquals(16L << 20, ((Map<?, ?>) ((Map<?, ?>) data.get("memory")).get("usage")).get("limit"));
        if (haveRunc()) {
            ok(runc("run", "-d", "--bundle", bundle.toString(), "ev1"));
            Map<?, ?> theirs = (Map<?, ?>) ((Map<?, ?>) json(ok(runc("events", "--stats", "ev1")).out())).get("data");
            TreeSet<Object> missing = new TreeSet<>(theirs.keySet());
            missing.removeAll(data.keySet());
            assertEquals(new TreeSet<>(List.of("cpuset")), missing, "only runc's cpuset section is not reported");
            assertTrue(theirs.keySet().containsAll(data.keySet()));
            for (String section : List.of("memory", "pids", "cpu")) {
                // runc omits zero-valued fields (omitempty): a key burk shows for a non-zero value
                // may be absent from runc's run of the same container, e.g. memory.cache.
                TreeSet<Object> extra = new TreeSet<>(((Map<?, ?>) data.get(section)).keySet());
                extra.removeAll(((Map<?, ?>) theirs.get(section)).keySet());
                extra.remove("cache");
                assertEquals(new TreeSet<>(), extra, section + ": " + data.get(section) + " vs runc's " + theirs.get(section));
            }
            ok(runc("delete", "--force", "ev1"));
        }

        String pid = ((Map<?, ?>) json(burk("state", "ev1").out())).get("pid").toString();
        List<String> cmd = List.of(HOME.resolve("bin/burk").toString(), "--root", root.toString(), "events", "--interval",
                "300ms", "ev1");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("BURK_CLASSPATH", HOME.resolve("target/classes").toString());
        Process events = pb.start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("stats", ((Map<?, ?>) json(lines.readLine())).get("type"), "a stats event every interval");
            Runtime.getRuntime().exec(new String[] {"kill", "-USR1", pid}).waitFor();
            String line;
            while ((line = lines.readLine()) != null && !line.contains("\"oom\"")) {
                assertEquals("stats", ((Map<?, ?>) json(line)).get("type"));
            }
            assertEquals("{\"type\":\"oom\",\"id\":\"ev1\"}", line);
            ok(burk("kill", "ev1", "KILL"));
            assertTrue(events.waitFor(10, TimeUnit.SECONDS), "events ends when the container stops");
            assertEquals(0, events.exitValue());
        } finally {
            events.destroyForcibly();
        }
        assertEquals("container with id ev1 is not running", lastLine(burk("events", "--stats", "ev1")));
        assertEquals("duration interval must be greater than 0", lastLine(burk("events", "--interval", "0s", "ev1")));
    }

    @Test
    void updateTakesDockersStdinPodmansFileAndRuncsFlags() throws Exception {
        config(Map.of("memory", Map.of("limit", 32L << 20), "pids", Map.of("limit", 50L)), "/bin/sleep", "1000");
        ok(burk("run", "-d", "up1"));
        // Docker: update --resources - with the whole resources object on stdin, zeros for what is unchanged.
        ok(burkIn("{\"memory\":{\"limit\":67108864,\"reservation\":0,\"swap\":0},\"cpu\":{\"shares\":0,\"quota\":0,"
                + "\"period\":0,\"cpus\":\"\",\"mems\":\"\"},\"pids\":{\"limit\":0},\"blockIO\":{\"weight\":0},"
                + "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", "update", "--resources", "-", "up1"));
        assertEquals(Long.toString(64L << 20), cgroupFile("memory", "up1", "memory.limit_in_bytes"));
        assertEquals("50", cgroupFile("pids", "up1", "pids.max"), "a zero leaves the limit alone");
        // Podman: update --resources=FILE.
        Path file = tmp.resolve("resources.json");
        Files.writeString(file, "{\"pids\":{\"limit\":12},\"cpu\":{\"quota\":20000,\"period\":100000}}");
        ok(burk("update", "--resources=" + file, "up1"));
        assertEquals("12", cgroupFile("pids", "up1", "pids.max"));
        assertEquals("20000", cgroupFile("cpu", "up1", "cpu.cfs_quota_us"));
        // runc's own flags, sizes with units.
        ok(burk("update", "--memory", "128m", "--memory-reservation", "16M", "--pids-limit", "30", "--cpu-share", "512",
                "--cpu-quota", "-1", "--cpuset-cpus", "0", "up1"));
        assertEquals(Long.toString(128L << 20), cgroupFile("memory", "up1", "memory.limit_in_bytes"));
        assertEquals(Long.toString(16L << 20), cgroupFile("memory", "up1", "memory.soft_limit_in_bytes"));
        assertEquals("30", cgroupFile("pids", "up1", "pids.max"));
        assertEquals("512", cgroupFile("cpu", "up1", "cpu.shares"));
        assertEquals("-1", cgroupFile("cpu", "up1", "cpu.cfs_quota_us"));
        assertEquals("0", cgroupFile("cpuset", "up1", "cpuset.cpus"));
        assertEquals("invalid value for memory: invalid size: '12x'", lastLine(burk("update", "--memory", "12x", "up1")));
        Result bad = burkIn("{\"pids\":{\"limit\":\"ten\"}}", "update", "-r", "-", "up1");
        assertEquals(1, bad.code());
        assertTrue(lastLine(bad).startsWith("stdin: pids.limit: "), bad.err());
        assertTrue(lastLine(burk("update", "--resources", tmp.resolve("none.json").toString(), "up1"))
                .startsWith("open " + tmp.resolve("none.json")));
        ok(burk("kill", "up1", "KILL"));
        CliIT.waitFor(() -> burk("state", "up1").out().contains("stopped"));
        assertEquals("container not running", lastLine(burk("update", "--pids-limit", "5", "up1")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void featuresIsTheSpecsDocumentAndAgreesWithRuncOnTheHooks() throws Exception {
        Result r = ok(burk("features"));
        Map<String, Object> doc = (Map<String, Object>) json(r.out());
        assertEquals(List.of("ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations"),
                List.copyOf(doc.keySet()));
        assertTrue(r.out().contains("\n    \"ociVersionMin\": "), "indented as runc prints it");
        assertEquals(Main.VERSION, ((Map<?, ?>) doc.get("annotations")).get("dev.burk.version"));
        if (haveRunc()) {
            Map<String, Object> theirs = (Map<String, Object>) json(ok(runc("features")).out());
            assertEquals(theirs.get("hooks"), doc.get("hooks"));
            List<Object> ns = (List<Object>) ((Map<?, ?>) doc.get("linux")).get("namespaces");
            assertTrue(ns.containsAll((List<Object>) ((Map<?, ?>) theirs.get("linux")).get("namespaces")), ns.toString());
            // runc 1.1 predates idmapped mounts (runc 1.2 lists idmap and ridmap too)
            List<Object> ours = new java.util.ArrayList<>((List<Object>) doc.get("mountOptions"));
            assertTrue(ours.removeAll(List.of("idmap", "ridmap")), ours.toString());
            assertTrue(((List<Object>) theirs.get("mountOptions")).containsAll(ours));
        }
    }

    @Test
    void everyCommandAnswersHelpInRuncsShapeAndListsRuncsFlags() throws Exception {
        for (String cmd : HelpTest.COMMANDS) {
            Result r = ok(burk(cmd, "--help"));
            assertTrue(r.out().startsWith("NAME:\n   burk " + cmd + " - "), cmd + ":\n" + r.out());
            assertTrue(r.out().contains("\nUSAGE:\n   burk " + cmd), r.out());
            if (cmd.equals("ps")) assertEquals(r.out(), ok(burk(cmd, "-h")).out());
            if (!haveRunc() || cmd.equals("demo")) continue;
            String theirs = ok(runc(cmd, "--help")).out();
            for (String section : List.of("DESCRIPTION:", "OPTIONS:")) {
                if (theirs.contains("\n" + section)) assertTrue(r.out().contains("\n" + section), cmd + " has " + section);
            }
            // Every flag runc documents for the command is accepted and documented by burk too.
            for (String line : theirs.substring(theirs.indexOf("OPTIONS:") + 1).lines().toList()) {
                if (!theirs.contains("OPTIONS:") || !line.startsWith("   --")) continue;
                String flag = line.trim().split("[ ,]")[0];
                assertTrue(r.out().contains("   " + flag + " ") || r.out().contains("   " + flag + ","),
                        cmd + " documents " + flag + ":\n" + r.out());
            }
        }
        // A bare `burk ps` is the daemonless front's list; runc's ps is chosen by an id or --format.
        Result usage = burk("ps", "--format", "json");
        assertEquals(1, usage.code());
        assertTrue(usage.err().contains("\"ps\" requires a minimum of 1 argument(s)"), usage.err());
        assertTrue(usage.err().contains("USAGE:\n   burk ps [command options] <container-id> [ps options]"), usage.err());
    }
}
