package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import burk.spec.Capabilities;
import burk.spec.ProcessSpec;
import burk.spec.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exec joins all of the container's namespaces and its cgroup, as its own user with its own caps. */
class ExecIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static String ns(int pid, String type) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + type)).toString();
    }

    private static int exec(TestBundle b, ExecRequest req, Path out) throws Exception {
        return b.exec(req, out);
    }

    @Test
    void execRunsInTheContainersNamespacesAndCgroup() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "60")) {
            b.config.put("hostname", "exec-target");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            Path out = b.dir.resolve("exec.out");
            ProcessSpec p = ProcessSpec.of(List.of("/bin/sh", "-c",
                    "hostname; for n in pid mnt uts ipc net; do readlink /proc/self/ns/$n; done; grep pids /proc/self/cgroup;"
                            + " ls /proc/self/fd | tr '\\n' ' '; echo; exit 4"), List.of("PATH=/bin"), "/");
            assertEquals(4, exec(b, ExecRequest.of(b.id, p), out));
            List<String> lines = Files.readAllLines(out);
            assertEquals("exec-target", lines.get(0));
            assertEquals(ns(c.pid(), "pid"), lines.get(1));
            assertEquals(ns(c.pid(), "mnt"), lines.get(2));
            assertEquals(ns(c.pid(), "uts"), lines.get(3));
            assertEquals(ns(c.pid(), "ipc"), lines.get(4));
            assertEquals(ns(c.pid(), "net"), lines.get(5));
            assertTrue(lines.get(6).endsWith(":pids:/burk/" + b.id), lines.get(6));
            // 0-2 and the directory ls itself opened: no fd of the runtime leaked in (CVE-2024-21626).
            assertEquals("0 1 2 3 ", lines.get(7));
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void execAsAnotherUserWithItsOwnCapabilitiesAndNoNewPrivs() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "60")) {
            b.create();
            b.runtime.start(b.id);
            Path out = b.dir.resolve("exec.out");
            ProcessSpec p = new ProcessSpec(false, null, new User(1000, 1001, null, List.of(), null),
                    List.of("/bin/sh", "-c", "id; grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status"),
                    null, List.of("PATH=/bin"), "/tmp",
                    new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_KILL")),
                    List.of(), true, null, null, null, null, null, null);
            assertEquals(0, exec(b, ExecRequest.of(b.id, p), out));
            String o = Files.readString(out);
            assertTrue(o.startsWith("uid=1000 gid=1001"), o);
            assertTrue(o.contains("CapEff:\t0000000000000020"), o);
            assertTrue(o.contains("CapBnd:\t0000000000000020"), o);
            assertTrue(o.contains("NoNewPrivs:\t1"), o);
            b.runtime.delete(b.id, true);
        }
    }

    @Test
    void detachedExecWritesItsPidAndRunsInsideTheContainer() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "60")) {
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            Path pidFile = b.dir.resolve("exec.pid");
            ProcessSpec p = ProcessSpec.of(List.of("sleep", "30"), List.of("PATH=/bin"), "/");
            assertEquals(0, exec(b, ExecRequest.of(b.id, p).withDetach(true, pidFile), b.dir.resolve("o")));
            int pid = Integer.parseInt(Files.readString(pidFile));
            assertEquals(ns(c.pid(), "mnt"), ns(pid, "mnt"));
            assertEquals(ns(c.pid(), "pid"), ns(pid, "pid"));
            b.runtime.delete(b.id, true);
            LifecycleIT.waitFor(() -> ProcStat.read(pid) == null || ProcStat.read(pid).state() == 'Z');
            Leftovers.assertNone(b);
        }
    }

    @Test
    void execErrorsAreNamed() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "60")) {
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            RuntimeError missing = assertThrows(RuntimeError.class, () -> b.runtime.exec(ExecRequest.of(b.id,
                    ProcessSpec.of(List.of("no-such-program"), List.of("PATH=/bin"), "/"))));
            assertEquals("exec: \"no-such-program\": executable file not found in $PATH", missing.getMessage());
            b.runtime.kill(b.id, 9, false);
            Syscalls.waitPid(c.pid(), 0);
            RuntimeError stopped = assertThrows(RuntimeError.class, () -> b.runtime.exec(ExecRequest.of(b.id,
                    ProcessSpec.of(List.of("true"), List.of("PATH=/bin"), "/"))));
            assertEquals("cannot exec in a stopped container", stopped.getMessage());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void execWithATerminalSendsTheMasterToTheConsoleSocket() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "60")) {
            b.create();
            b.runtime.start(b.id);
            Path sock = b.dir.resolve("exec-console.sock");
            ProcessSpec p = new ProcessSpec(true, null, User.ROOT, List.of("/bin/sh"), null, List.of("PATH=/bin"), "/",
                    null, List.of(), false, null, null, null, null, null, null);
            try (Fd listener = UnixSocket.listen(sock.toString())) {
                Path pidFile = b.dir.resolve("p");
                b.runtime.exec(ExecRequest.of(b.id, p).withConsoleSocket(sock).withDetach(true, pidFile));
                try (Fd conn = UnixSocket.accept(listener); Fd master = UnixSocket.receiveFd(conn).fd()) {
                    byte[] typed = "tty; exit\n".getBytes(StandardCharsets.UTF_8);
                    Syscalls.writeAll(master.get(), typed, typed.length);
                    ByteArrayOutputStream seen = new ByteArrayOutputStream();
                    byte[] buf = new byte[1024];
                    int n;
                    while ((n = Syscalls.readSome(master.get(), buf)) > 0) seen.write(buf, 0, n);
                    assertTrue(seen.toString(StandardCharsets.UTF_8).contains("/dev/pts/"), seen.toString());
                }
            }
            b.runtime.delete(b.id, true);
        }
    }
}
