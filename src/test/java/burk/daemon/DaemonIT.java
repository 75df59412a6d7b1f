package burk.daemon;

import burk.runtime.ContainerRuntime;
import burk.runtime.CreateRequest;
import burk.runtime.RuntimeError;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The daemon and the real native front (target/burk-front) against each other: a daemon runs in
 * this JVM with a test handler; the front runs as a child process, as an engine would run it.
 */
class DaemonIT {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();
    private static final Path FRONT = HOME.resolve("target/burk-front");
    private static final Path JAR = HOME.resolve("target/burk.jar");

    private Path work;
    private Path socket;
    private final AtomicInteger calls = new AtomicInteger();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final List<Daemon> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isExecutable(FRONT), "no target/burk-front: build with mvn compile");
        assumeTrue(Files.isReadable(JAR), "no target/burk.jar: the front checks the daemon's jar");
        work = Files.createTempDirectory("burk-daemon-it-");
        socket = work.resolve("d/socket");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Daemon d : daemons) d.close();
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Daemon daemon(Path jar, Handler h) throws IOException {
        Daemon d = Daemon.start(socket, jar, h, new PrintStream(log, true, StandardCharsets.UTF_8));
        daemons.add(d);
        return d;
    }

    private final Handler echo = inv -> {
        calls.incrementAndGet();
        if (inv.args().getFirst().equals("fallback")) return Outcome.fallback("asked to");
        inv.out().println(String.join(",", inv.args()) + "|" + inv.cwd());
        inv.err().println("to stderr");
        return Outcome.exit(42);
    };

    /** What a front run printed and how it exited. */
    private record Ran(int code, String out, String err) {}

    private Ran front(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(FRONT.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(work.resolve("out").toFile()).redirectError(work.resolve("err").toFile());
        pb.environment().put(Daemon.SOCKET_ENV, socket.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the front did not finish");
        return new Ran(p.exitValue(), Files.readString(work.resolve("out")), Files.readString(work.resolve("err")));
    }

    @Test
    void theFrontRunsACommandLineInTheDaemonWithItsCwdStdoutStderrAndExitCode() throws Exception {
        daemon(JAR, echo);
        Ran r = front(List.of(), "echo", "a b", "--flag");
        assertEquals(42, r.code());
        assertEquals("echo,a b,--flag|" + work.toRealPath() + "\n", r.out());
        assertEquals("to stderr\n", r.err());
        assertEquals(1, calls.get());
    }

    @Test
    void aFallbackRunsThePerCallJvmInstead() throws Exception {
        daemon(JAR, echo);
        Ran r = front(List.of(), "fallback");
        assertEquals(1, calls.get());
        // burk's own JVM answers: an unknown command is its usage error, exit 1
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("No help topic for 'fallback'"), r.err());
    }

    @Test
    void noDaemonMeansThePerCallJvm() throws Exception {
        Ran r = front(List.of(), "--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("burk version "), r.out());
        assertEquals(0, calls.get());
    }

    @Test
    void aDaemonOfAnotherBuildIsNotAsked() throws Exception {
        Path otherJar = Files.writeString(work.resolve("other.jar"), "not the front's jar");
        daemon(otherJar, echo);
        Ran r = front(List.of(), "echo");
        assertEquals(0, calls.get(), "the handler must not run for a front of another build");
        assertTrue(log.toString().contains("another burk.jar"), log.toString());
        assertTrue(r.err().contains("No help topic for 'echo'"), r.err());
    }

    @Test
    void aCallerInAnotherMountNamespaceIsNotServed() throws Exception {
        daemon(JAR, echo);
        Ran r = front(List.of("unshare", "-m"), "echo");
        assertEquals(0, calls.get(), "paths of another mount namespace mean other files");
        assertTrue(log.toString().contains("the caller's ns/mnt differs"), log.toString());
        assertTrue(r.err().contains("No help topic for 'echo'"), r.err());
    }

    @Test
    void aCallerWithFewerCapabilitiesIsNotServed() throws Exception {
        assumeTrue(isRoot(), "drops a capability of root");
        daemon(JAR, echo);
        Ran r = front(List.of("setpriv", "--bounding-set", "-sys_module"), "echo");
        assertEquals(0, calls.get(), "the daemon must not lend a capability the caller lacks");
        assertTrue(log.toString().contains("the caller's Cap"), log.toString());
        assertTrue(r.err().contains("No help topic for 'echo'"), r.err());
    }

    @Test
    void aCallerWithAnotherUmaskIsNotServed() throws Exception {
        daemon(JAR, echo);
        String mine = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Umask:")).findFirst().orElseThrow().split("\\s+")[1];
        String other = mine.equals("0077") ? "0022" : "0077";
        Ran r = front(List.of("sh", "-c", "umask " + other + "; exec \"$0\" \"$@\""), "echo");
        assertEquals(0, calls.get(), "files the daemon makes would get other modes");
        assertTrue(log.toString().contains("the caller's Umask differs"), log.toString());
        assertTrue(r.err().contains("No help topic for 'echo'"), r.err());
    }

    @Test
    void theSocketDirectoryMustBePrivate() throws Exception {
        Path open = Files.createDirectories(work.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Daemon.start(open.resolve("socket"), JAR, echo, new PrintStream(log)));
        assertTrue(e.getMessage().contains("mode 0700"), e.getMessage());
        assertFalse(Files.exists(open.resolve("socket")));
    }

    @Test
    void awaitStopReturnsOnlyOnceTheCommandsInFlightHadTheirChance() throws Exception {
        // burk's main halts the JVM as soon as awaitStop returns: returning when only the accepting
        // had stopped cut the command in flight and the stop line (seen under the engine suite).
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        Daemon d = daemon(JAR, inv -> {
            entered.countDown();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inv.out().println("finished");
            return Outcome.exit(7);
        });
        ProcessBuilder pb = new ProcessBuilder(FRONT.toString(), "slow").directory(work.toFile())
                .redirectOutput(work.resolve("out").toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put(Daemon.SOCKET_ENV, socket.toString());
        Process front = pb.start();
        try {
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the command never started");
            Thread stopper = Thread.ofPlatform().start(d::close);
            d.awaitStop();
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("burk daemon: stopped (served 1 commands"),
                    log.toString(StandardCharsets.UTF_8));
            stopper.join();
            assertTrue(front.waitFor(30, TimeUnit.SECONDS));
            assertEquals(7, front.exitValue());
            assertEquals("finished\n", Files.readString(work.resolve("out")));
        } finally {
            front.destroyForcibly();
        }
    }

    @Test
    void aSecondDaemonOnTheSameSocketIsRefused() throws Exception {
        daemon(JAR, echo);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Daemon.start(socket, JAR, echo, new PrintStream(log)));
        assertTrue(e.getMessage().contains("already serves"), e.getMessage());
        assertEquals(42, front(List.of(), "echo").code(), "the first daemon still serves");
    }

    @Test
    void aForegroundRunDescendsFromTheFrontWhichWaitsAndExitsWithTheContainersStatus() throws Exception {
        assumeTrue(isRoot(), "runs a real container");
        Path rootfs = HOME.resolve("build/rootfs");
        assumeTrue(Files.isExecutable(rootfs.resolve("bin/busybox")), "no build/rootfs");
        Path bundle = bundle(rootfs, "/bin/sh", "-c", "sleep 1; exit 5");
        Path state = work.resolve("state");
        String id = "burk-daemon-it-" + ProcessHandle.current().pid();
        Path pidFile = work.resolve("init.pid");
        daemon(JAR, inv -> {
            ContainerRuntime rt = new ContainerRuntime(state, burk.cgroups.CgroupDriver.CGROUPFS, inv.err()::println, inv.host());
            try {
                return Outcome.exit(rt.run(CreateRequest.of(id, bundle).withPidFile(pidFile)));
            } catch (RuntimeError e) {
                inv.err().println(e.getMessage());
                return Outcome.exit(1);
            }
        });
        ProcessBuilder pb = new ProcessBuilder(FRONT.toString(), "run").directory(work.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(work.resolve("err").toFile());
        pb.environment().put(Daemon.SOCKET_ENV, socket.toString());
        Process front = pb.start();
        try {
            long initPid = awaitPid(pidFile);
            // The helper that cloned the init was the front's child and has exited: the init is
            // now the front's (the subreaper's), as it would be a per-call JVM's.
            long parent = -1;
            for (int i = 0; i < 200 && parent != front.pid(); i++) {
                parent = ProcessHandle.of(initPid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
                Thread.sleep(10);
            }
            assertEquals(front.pid(), parent, "the init's parent");
            assertTrue(front.waitFor(30, TimeUnit.SECONDS));
            assertEquals(5, front.exitValue(), Files.readString(work.resolve("err")));
        } finally {
            front.destroyForcibly();
            new ContainerRuntime(state).delete(id, true);
        }
        assertFalse(Files.exists(state.resolve(id)), "state directory left");
        try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : s.toList()) assertFalse(Files.exists(h.resolve("burk").resolve(id)), "cgroup left in " + h);
        }
    }

    private static long awaitPid(Path pidFile) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (Files.exists(pidFile)) {
                String s = Files.readString(pidFile).trim();
                if (!s.isEmpty()) return Long.parseLong(s);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no pid file " + pidFile);
    }

    private Path bundle(Path rootfs, String... args) throws IOException {
        Path b = Files.createDirectories(work.resolve("bundle"));
        Map<String, Object> config = SpecCodec.toTree(DefaultSpec.create());
        config.put("root", new LinkedHashMap<>(Map.of("path", rootfs.toString(), "readonly", true)));
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) config.get("process");
        process.put("terminal", false);
        process.put("args", new ArrayList<Object>(List.of(args)));
        Files.writeString(b.resolve("config.json"), Json.write(config));
        return b;
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
