package burk.front;

import burk.image.ImageImporter;
import burk.image.ImageReference;
import burk.image.ImageStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The front through bin/burk as a person types it: terminals (under util-linux's {@code script},
 * which gives burk a real pty as its stdin and stdout), exec, --init, volumes. Every container
 * lives in a store and a runtime root of the test's own.
 */
class FrontCliIT {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath();
    private static final Path ROOTFS = HOME.resolve("build/rootfs");
    private static Path work;
    private static Path store;
    private static Path runRoot;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(Files.isExecutable(ROOTFS.resolve("bin/busybox")), "no busybox rootfs at " + ROOTFS + " (scripts/make-rootfs)");
        work = Files.createTempDirectory("burk-front-cli-");
        store = work.resolve("store");
        new ImageImporter(new ImageStore(store)).importDirectory(ROOTFS, ImageReference.parse("localhost/busybox:latest"),
                List.of("/bin/sh"), List.of("PATH=/bin:/usr/bin"));
        runRoot = Files.createDirectories(Path.of("/run/burk-fcli-" + ProcessHandle.current().pid()));
    }

    @AfterEach
    void removeContainers() throws Exception {
        if (work == null) return;
        Front front = new Front(new ImageStore(store), new burk.runtime.ContainerRuntime(runRoot), null);
        for (Front.Row r : front.ps(true)) front.remove(r.container().id(), true);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work == null) return;
        boolean mounted = Files.readString(Path.of("/proc/self/mountinfo")).contains(work.toString());
        for (Path dir : List.of(work, runRoot)) {
            if (!Files.exists(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        assertFalse(mounted, "a mount under the test's directory was left behind");
    }

    private static List<String> burkCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/burk").toString(), "--root", runRoot.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static ProcessBuilder builder(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BURK_CLASSPATH", HOME.resolve("target/classes").toString());
        pb.environment().put("BURK_STORAGE", store.toString());
        return pb;
    }

    /**
     * Runs {@code cmd} with stdout and stderr in files (a detached container's monitor keeps the
     * stdio it inherited, so a pipe might never reach EOF), stdin from {@code input} or /dev/null.
     */
    private static Result run(List<String> cmd, String input) throws Exception {
        Path out = Files.createTempFile(work, "out-", ".txt");
        Path err = Files.createTempFile(work, "err-", ".txt");
        try {
            ProcessBuilder pb = builder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (input == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (input != null) {
                try (OutputStream in = p.getOutputStream()) {
                    // line by line with pauses, as typed: a shell reading its terminal sees each line on its own
                    for (String line : input.split("(?<=\n)")) {
                        Thread.sleep(1500);
                        in.write(line.getBytes(StandardCharsets.UTF_8));
                        in.flush();
                    }
                    Thread.sleep(1500);
                }
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish: " + Files.readString(out) + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Result burk(String... args) throws Exception {
        return run(burkCommand(args), null);
    }

    /** burk under a pseudo-terminal: util-linux's script runs it with a pty as stdin/stdout. */
    private static Result underPty(String input, String... args) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script is not installed");
        StringBuilder line = new StringBuilder("stty rows 33 cols 101; exec");
        for (String a : burkCommand(args)) line.append(' ').append(quote(a));
        return run(List.of("/usr/bin/script", "-qec", line.toString(), "/dev/null"), input);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void foregroundTerminalIsAPtyWithTheCallersSizeAndExitStatus() throws Exception {
        Result r = underPty(null, "run", "-t", "--rm", "busybox", "sh", "-c", "tty; stty size; exit 3");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.out().contains("/dev/pts/0"), r.toString());
        assertTrue(r.out().contains("33 101"), "the container's terminal has the size of burk's: " + r);

        Result plain = burk("run", "--rm", "busybox", "tty");
        assertEquals(1, plain.code(), "without -t stdin is /dev/null, not a terminal: " + plain);
        assertTrue(plain.out().contains("not a tty"), plain.toString());
    }

    @Test
    void interactiveTerminalTakesTypedInput() throws Exception {
        Result r = underPty("echo typed-$((6*7))\nexit 4\n", "run", "-it", "--rm", "busybox", "sh");
        assertEquals(4, r.code(), r.toString());
        assertTrue(r.out().contains("typed-42"), "the shell read the typed line from its terminal and ran it: " + r);
    }

    @Test
    void detachedTerminalOutputGoesToTheLog() throws Exception {
        Result r = burk("run", "-d", "-t", "--name", "dt", "busybox", "sh", "-c", "tty; echo out-$((2+3)); exit 6");
        assertEquals(0, r.code(), r.toString());
        String id = r.out().trim();
        assertEquals(64, id.length(), r.toString());
        Result logs = null;
        for (int i = 0; i < 100; i++) {
            Result ps = burk("ps", "-a");
            if (ps.out().contains("Exited (6)")) {
                logs = burk("logs", "dt");
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(logs != null, "the container exited with 6 and the monitor recorded it");
        assertEquals("/dev/pts/0\r\nout-5\r\n", logs.out(), "a terminal's output, with its CRLF, in the log");
    }

    @Test
    void detachedInteractiveTerminalKeepsItsShellAlive() throws Exception {
        Result r = burk("run", "-dit", "--name", "dit", "busybox", "sh");
        assertEquals(0, r.code(), r.toString());
        Thread.sleep(1500);
        Result ps = burk("ps");
        assertTrue(ps.out().contains("dit") && ps.out().contains("Up"), "sh -i on a held terminal does not see EOF: " + ps);
        assertEquals(0, burk("stop", "-t", "1", "dit").code());
        assertTrue(burk("ps", "-a").out().contains("Exited"), "stopped");
    }

    @Test
    void execRunsInTheContainerWithDockersFlags() throws Exception {
        assertEquals(0, burk("run", "-d", "--name", "ex", "busybox", "sh", "-c", "echo $$ > /tmp/init-pid; sleep 600").code());
        Result r = burk("exec", "ex", "sh", "-c", "cat /tmp/init-pid; echo $HOSTNAME; id -u; pwd");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("1", lines.get(0), "the container's own PID namespace and filesystem: " + r);
        assertEquals(12, lines.get(1).length(), "the container's env (HOSTNAME): " + r);
        assertEquals(List.of("0", "/"), lines.subList(2, 4));

        r = burk("exec", "-u", "nobody", "-w", "/tmp", "-e", "MINE=flag", "ex", "sh", "-c", "id -u; id -g; pwd; echo $MINE; exit 9");
        assertEquals(9, r.code(), "the process's exit status: " + r);
        assertEquals(List.of("65534", "65534", "/tmp", "flag"), r.out().lines().toList(), "user looked up in the image");

        Path input = Files.writeString(work.resolve("stdin.txt"), "through-stdin\n");
        Result piped = run(List.of("/bin/sh", "-c", String.join(" ", burkCommand("exec", "-i", "ex", "cat").stream()
                .map(FrontCliIT::quote).toList()) + " < " + quote(input.toString())), null);
        assertEquals("through-stdin\n", piped.out(), "-i passes stdin: " + piped);
        Result closed = run(List.of("/bin/sh", "-c", String.join(" ", burkCommand("exec", "ex", "cat").stream()
                .map(FrontCliIT::quote).toList()) + " < " + quote(input.toString())), null);
        assertEquals("", closed.out(), "without -i stdin is /dev/null: " + closed);

        Result tty = underPty(null, "exec", "-it", "ex", "sh", "-c", "tty; stty size; exit 2");
        assertEquals(2, tty.code(), tty.toString());
        assertTrue(tty.out().contains("/dev/pts/") && tty.out().contains("33 101"), tty.toString());

        Result missing = burk("exec", "ex", "no-such-command");
        assertEquals(127, missing.code(), missing.toString());
        assertTrue(missing.err().contains("executable file not found"), missing.toString());
        Result noContainer = burk("exec", "no-such-container", "true");
        assertEquals(1, noContainer.code());
        assertTrue(noContainer.err().contains("no such container"), noContainer.toString());

        assertEquals(0, burk("stop", "-t", "1", "ex").code());
        Result stopped = burk("exec", "ex", "true");
        assertEquals(1, stopped.code());
        assertTrue(stopped.err().contains("is not running"), stopped.toString());
    }
}
