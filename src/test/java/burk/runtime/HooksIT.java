package burk.runtime;

import burk.linux.Syscalls;
import burk.spec.ContainerState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static burk.runtime.LifecycleIT.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The six hooks on real containers: order, namespaces, the state on stdin, argv and env exactly
 * as given, timeouts, and what a failure does at each point of the lifecycle.
 *
 * <p>Each hook appends a line to {@code order} in a host directory that is also bind-mounted at
 * /hostlog in the container, so the hooks inside the container write to the same file. The hook
 * program is busybox, run with argv[0] "sh": busybox picks its applet from argv[0], so the line
 * being written at all shows that args[0] became argv[0].
 */
class HooksIT {
    private static final List<String> KINDS = List.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");

    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    /** busybox on the host, from the test rootfs. */
    private static String hostBusybox() {
        return TestBundle.rootfs().resolve("bin/busybox").toString();
    }

    /** The host side of /hostlog, with a copy of busybox at /hostlog/bb that exists only inside the container. */
    private static Path logDir(TestBundle b) throws IOException {
        Path log = b.dir.resolve("log");
        Files.createDirectories(log);
        Files.copy(Path.of(hostBusybox()), log.resolve("bb"), StandardCopyOption.COPY_ATTRIBUTES);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", "/hostlog");
        m.put("type", "bind");
        m.put("source", log.toString());
        m.put("options", new ArrayList<Object>(List.of("rbind", "rw")));
        b.list(b.config, "mounts").add(m);
        return log;
    }

    /** A hook running busybox sh with {@code script}; startContainer's path resolves in the container. */
    private static Map<String, Object> hook(String kind, String script, Integer timeout) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("path", kind.equals("startContainer") ? "/hostlog/bb" : hostBusybox());
        h.put("args", new ArrayList<Object>(List.of("sh", "-c", script)));
        h.put("env", new ArrayList<Object>(List.of("X=x-" + kind)));
        if (timeout != null) h.put("timeout", timeout);
        return h;
    }

    /** The directory a hook of {@code kind} writes the log to. */
    private static String logPath(String kind, Path log) {
        return kind.equals("startContainer") ? "/hostlog" : log.toString();
    }

    private static String append(String kind, Path log, String text) {
        return "echo \"" + text + "\" >> " + logPath(kind, log) + "/order";
    }

    @SuppressWarnings("unchecked")
    private static void hooks(TestBundle b, String kind, Map<String, Object>... hooks) {
        Map<String, Object> all = (Map<String, Object>) b.config.computeIfAbsent("hooks", k -> new LinkedHashMap<>());
        all.put(kind, new ArrayList<Object>(List.of(hooks)));
    }

    private static List<String> order(Path log) throws IOException {
        Path f = log.resolve("order");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    @Test
    @SuppressWarnings("unchecked")
    void allSixRunInTheirNamespacesInOrderWithTheStateArgvAndEnvExactlyAsGiven() throws Exception {
        String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        try (TestBundle b = TestBundle.make()) {
            Path log = logDir(b);
            b.config.put("annotations", new LinkedHashMap<>(Map.of("org.example.key", "value")));
            for (String kind : KINDS) {
                hooks(b, kind, hook(kind, append(kind, log,
                        kind + " $0 $X ${HOME-nohome} $(readlink /proc/self/ns/mnt) $(cat)"), null));
            }
            b.sh("echo process >> /hostlog/order");
            ContainerInfo c = b.create();
            assertEquals(List.of("prestart", "createRuntime", "createContainer"),
                    order(log).stream().map(l -> l.split(" ")[0]).toList(), "create runs the first three");
            b.runtime.start(b.id);
            assertEquals(0, Syscalls.waitPid(c.pid(), 0).shellStatus());
            b.runtime.delete(b.id, false);

            List<String> lines = order(log);
            List<String> kinds = lines.stream().map(l -> l.split(" ")[0]).filter(k -> !k.equals("process")).toList();
            assertEquals(KINDS, kinds, String.join("\n", lines));
            assertTrue(lines.indexOf("process") > kinds.indexOf("startContainer"), "startContainer runs before the process");
            String containerMnt = null;
            for (String line : lines) {
                if (line.equals("process")) continue;
                String[] f = line.split(" ", 6);
                String kind = f[0];
                assertEquals("sh", f[1], kind + ": argv[0] is args[0]");
                assertEquals("x-" + kind, f[2], kind + ": env as given");
                assertEquals("nohome", f[3], kind + ": nothing of burk's environment");
                boolean inside = kind.equals("createContainer") || kind.equals("startContainer");
                if (inside) {
                    assertNotEquals(hostMnt, f[4], kind + " runs in the container's mount namespace");
                    if (containerMnt != null) assertEquals(containerMnt, f[4]);
                    containerMnt = f[4];
                } else {
                    assertEquals(hostMnt, f[4], kind + " runs in the runtime's mount namespace");
                }
                ContainerState st = ContainerState.parse(f[5]);
                assertEquals(b.id, st.id(), kind);
                assertEquals(b.dir.toString(), st.bundle(), kind);
                assertEquals(Map.of("org.example.key", "value"), st.annotations(), kind);
                String status = switch (kind) {
                    case "startContainer" -> "created";
                    case "poststart" -> "running";
                    case "poststop" -> "stopped";
                    default -> "creating";
                };
                assertEquals(status, st.status(), kind);
                assertEquals(kind.equals("poststop") ? 0 : c.pid(), st.pid(), kind + ": the init's pid as the host sees it");
            }
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aFailingCreateHookFailsCreateLeavesNothingAndRunsThePoststopHooks() throws Exception {
        for (String kind : List.of("prestart", "createRuntime", "createContainer")) {
            try (TestBundle b = TestBundle.make("/bin/true")) {
                Path log = logDir(b);
                hooks(b, kind, hook(kind, append(kind, log, kind + " ok"), null),
                        hook(kind, "echo oops from " + kind + " >&2; exit 3", null));
                hooks(b, "poststop", hook("poststop", append("poststop", log, "poststop"), null));
                RuntimeError e = assertThrows(RuntimeError.class, b::create);
                assertEquals(kind + " hook #1 (" + hostBusybox() + "): exit status 3: output: oops from " + kind,
                        e.getMessage());
                Leftovers.assertNone(b);
                assertEquals(List.of(kind + " ok", "poststop"), order(log), "hook #0 ran, then the lifecycle's poststop");
            }
        }
    }

    @Test
    void aFailingStartContainerHookFailsStartAndTheProcessNeverRuns() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            Path log = logDir(b);
            hooks(b, "startContainer", hook("startContainer", "echo oops inside >&2; exit 4", null));
            hooks(b, "poststop", hook("poststop", append("poststop", log, "poststop"), null));
            b.sh("echo process >> /hostlog/order");
            ContainerInfo c = b.create();
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.start(b.id));
            assertEquals("startContainer hook #0 (/hostlog/bb): exit status 4: output: oops inside", e.getMessage());
            Syscalls.waitPid(c.pid(), 0);
            assertEquals(ContainerStatus.STOPPED, b.runtime.state(b.id).status());
            assertEquals(List.of(), order(log), "the process did not run");
            b.runtime.delete(b.id, false);
            assertEquals(List.of("poststop"), order(log));
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndNamed() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            hooks(b, "prestart", hook("prestart", "exec sleep 4241", 1));
            long t0 = System.nanoTime();
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("prestart hook #0 (" + hostBusybox() + "): timed out after 1s", e.getMessage());
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "the hook was not waited for");
            assertEquals(List.of(), processesWithArg("4241"), "the hook was killed");
            Leftovers.assertNone(b);
        }
        try (TestBundle b = TestBundle.make("/bin/true")) {
            logDir(b);
            hooks(b, "startContainer", hook("startContainer", "exec sleep 4242", 1));
            ContainerInfo c = b.create();
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.start(b.id));
            assertEquals("startContainer hook #0 (/hostlog/bb): timed out after 1s", e.getMessage());
            Syscalls.waitPid(c.pid(), 0);
            assertEquals(List.of(), processesWithArg("4242"));
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void failingPoststartAndPoststopHooksAreWarningsAndTheNextHooksStillRun() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            Path log = logDir(b);
            hooks(b, "poststart", hook("poststart", "exit 5", null), hook("poststart", append("poststart", log, "poststart #1"), null));
            hooks(b, "poststop", hook("poststop", "echo no >&2; exit 6", null), hook("poststop", append("poststop", log, "poststop #1"), null));
            b.sh("echo up; sleep 1000");
            List<String> warnings = new ArrayList<>();
            ContainerRuntime rt = new ContainerRuntime(b.stateRoot, warnings::add);
            ContainerInfo c = b.create();
            rt.start(b.id);
            assertEquals(ContainerStatus.RUNNING, rt.state(b.id).status(), "a failed poststart hook does not stop the container");
            assertEquals(List.of("poststart hook #0 (" + hostBusybox() + "): exit status 5"), warnings);
            waitFor(() -> b.output().contains("up"));
            rt.delete(b.id, true);
            assertEquals(List.of("poststart hook #0 (" + hostBusybox() + "): exit status 5",
                    "poststop hook #0 (" + hostBusybox() + "): exit status 6: output: no"), warnings);
            assertEquals(List.of("poststart #1", "poststop #1"), order(log));
            assertTrue(ProcStat.read(c.pid()) == null || ProcStat.read(c.pid()).state() == 'Z');
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aMissingHookProgramIsNamedWithTheKernelsReason() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("path", "/no/such/hook");
            hooks(b, "createContainer", h);
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("createContainer hook #0 (/no/such/hook): no such file or directory", e.getMessage());
            Leftovers.assertNone(b);
        }
    }

    /** Host processes whose command line has {@code arg} as an argument. */
    private static List<Long> processesWithArg(String arg) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) continue;
                try {
                    String cmdline = Files.readString(p.resolve("cmdline"));
                    if (List.of(cmdline.split("\0")).contains(arg)) out.add(Long.parseLong(p.getFileName().toString()));
                } catch (IOException ignored) {
                    // exited meanwhile
                }
            }
        }
        assertFalse(out.contains(ProcessHandle.current().pid()));
        return out;
    }
}
