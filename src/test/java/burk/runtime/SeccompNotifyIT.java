package burk.runtime;

import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import burk.seccomp.Arch;
import burk.spec.ProcessSpec;
import burk.spec.RuntimeSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static burk.runtime.NotifyAgent.within10s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SCMP_ACT_NOTIFY: the notify fd and the container process state reach the agent at
 * linux.seccomp.listenerPath during create, and the agent's answers are what the container sees.
 */
class SeccompNotifyIT {
    private static final int EBADE = 52; // "Invalid exchange": no other path of the test yields it

    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static Map<String, Object> profile(String defaultAction, String listenerPath, String metadata,
                                               String action, String... names) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("defaultAction", defaultAction);
        if (listenerPath != null) s.put("listenerPath", listenerPath);
        if (metadata != null) s.put("listenerMetadata", metadata);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("names", new ArrayList<Object>(List.of(names)));
        r.put("action", action);
        s.put("syscalls", new ArrayList<Object>(List.of(r)));
        return s;
    }

    private static int nr(String name) {
        return Arch.host().syscallNumber(name).orElse(-1);
    }

    @Test
    void theAgentGetsTheFdDuringCreateAndTheContainerSeesItsAnswers() throws Exception {
        for (boolean nnp : new boolean[] {true, false}) {
            try (TestBundle b = TestBundle.make(); NotifyAgent agent = NotifyAgent.listen(agentSocket(b))) {
                b.process().put("noNewPrivileges", nnp);
                // A relative listenerPath is the bundle's, as runc (which runs in the bundle) has it.
                String path = nnp ? agent.socket.toString() : "agent.sock";
                b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", path, "meta " + nnp, "SCMP_ACT_NOTIFY",
                        "mkdir", "mkdirat"));
                b.sh("mkdir /tmp/denied; echo \"denied rc=$?\";"
                        + " mkdir /tmp/faked && echo faked-ok; [ -d /tmp/faked ] || echo faked-absent;"
                        + " mkdir /dev/shm/real && [ -d /dev/shm/real ] && echo real-made;"
                        + " ls -l /proc/1/fd/ /proc/self/fd/; echo done");
                CompletableFuture<Map<String, Object>> state = new CompletableFuture<>();
                CompletableFuture<NotifyAgent.Session> served = agent.serve(List.of(new NotifyAgent.Reply.Error(EBADE),
                        new NotifyAgent.Reply.Value(0), new NotifyAgent.Reply.Continue()), state);

                ContainerInfo c = b.create();
                Map<String, Object> doc = within10s(state);
                assertEquals("", b.output(), "the process must not run before start");
                assertEquals(RuntimeSpec.OCI_VERSION, doc.get("ociVersion"));
                assertEquals(List.of("seccompFd"), doc.get("fds"));
                assertEquals((long) c.pid(), ((Number) doc.get("pid")).longValue(), doc.toString());
                assertEquals("meta " + nnp, doc.get("metadata"));
                @SuppressWarnings("unchecked")
                Map<String, Object> st = (Map<String, Object>) doc.get("state");
                assertEquals(b.id, st.get("id"));
                assertEquals("creating", st.get("status"));
                assertEquals((long) c.pid(), ((Number) st.get("pid")).longValue());
                assertEquals(b.dir.toAbsolutePath().normalize().toString(), st.get("bundle"));

                b.runtime.start(b.id);
                assertEquals(0, Syscalls.waitPid(c.pid(), 0).shellStatus(), b.output());
                NotifyAgent.Session s = within10s(served);
                assertEquals("anon_inode:seccomp notify", s.fdTarget());
                for (int n : s.syscalls()) assertTrue(n == nr("mkdir") || n == nr("mkdirat"), "syscall " + n);
                String out = b.output();
                assertTrue(out.contains("Invalid exchange") && out.contains("denied rc=1"), "the agent's EBADE: " + out);
                assertTrue(out.contains("faked-ok\nfaked-absent\n"), "the agent's faked success: " + out);
                assertTrue(out.contains("real-made\n"), "the kernel ran the call the agent let through: " + out);
                // Neither the init (pid 1, the shell) nor its children hold a notify fd.
                assertFalse(out.contains("seccomp"), out);
                assertTrue(out.endsWith("done\n"), out);
                b.runtime.delete(b.id, false);
                Leftovers.assertNone(b);
            }
        }
    }

    @Test
    void execHandsItsOwnNotifyFdToTheAgent() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "60"); NotifyAgent agent = NotifyAgent.listen(agentSocket(b))) {
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", agent.socket.toString(), null, "SCMP_ACT_NOTIFY",
                    "mkdir", "mkdirat"));
            CompletableFuture<Map<String, Object>> initState = new CompletableFuture<>();
            CompletableFuture<NotifyAgent.Session> initServed = agent.serve(List.of(), initState);
            ContainerInfo c = b.create();
            assertFalse(within10s(initState).containsKey("metadata"), "no listenerMetadata, no metadata");
            within10s(initServed);
            b.runtime.start(b.id);

            CompletableFuture<Map<String, Object>> execState = new CompletableFuture<>();
            CompletableFuture<NotifyAgent.Session> execServed = agent.serve(
                    List.of(new NotifyAgent.Reply.Error(EBADE)), execState);
            Path out = b.dir.resolve("exec.out");
            ProcessSpec p = ProcessSpec.of(List.of("/bin/sh", "-c", "mkdir /tmp/x; echo rc=$?; ls /proc/self/fd | tr '\\n' ' '"),
                    List.of("PATH=/bin"), "/");
            int status = b.exec(ExecRequest.of(b.id, p), out);
            String o = Files.readString(out);
            assertEquals(0, status, o);
            within10s(execServed);
            Map<String, Object> doc = within10s(execState);
            int execPid = ((Number) doc.get("pid")).intValue();
            assertTrue(execPid > 0 && execPid != c.pid(), "the exec'd process's pid: " + doc);
            @SuppressWarnings("unchecked")
            Map<String, Object> st = (Map<String, Object>) doc.get("state");
            assertEquals("running", st.get("status"));
            assertEquals((long) c.pid(), ((Number) st.get("pid")).longValue());
            assertTrue(o.contains("Invalid exchange") && o.contains("rc=1"), o);
            // 0-2 and ls's directory: the exec'd process got no copy of its notify fd either.
            assertTrue(o.endsWith("0 1 2 3 "), o);
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void anUnreachableAgentFailsCreateAndLeavesNothing() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            Path missing = b.dir.resolve("no-agent.sock");
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", missing.toString(), null, "SCMP_ACT_NOTIFY", "mkdir"));
            b.write();
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("linux.seccomp.listenerPath: cannot connect to the seccomp agent at " + missing
                    + ": no such file or directory", e.getMessage());
            Leftovers.assertNone(b);
        }
        try (TestBundle b = TestBundle.make("/bin/true")) {
            Path dead = agentSocket(b);
            UnixSocket.listen(dead.toString()).close(); // the socket file stays; nobody listens
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", dead.toString(), "m", "SCMP_ACT_NOTIFY", "mkdir"));
            b.process().put("noNewPrivileges", false);
            b.write();
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("linux.seccomp.listenerPath: cannot connect to the seccomp agent at " + dead
                    + ": connection refused", e.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void profilesNoAgentCouldServeAreRefusedBeforeAnythingRuns() throws Exception {
        record Case(Map<String, Object> profile, String message) {}
        List<Case> cases = List.of(
                new Case(profile("SCMP_ACT_ALLOW", null, null, "SCMP_ACT_NOTIFY", "mkdir"),
                        "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"
                                + " (no agent would answer the notifications)"),
                new Case(profile("SCMP_ACT_ALLOW", "", null, "SCMP_ACT_NOTIFY", "mkdir"),
                        "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"
                                + " (no agent would answer the notifications)"),
                new Case(profile("SCMP_ACT_NOTIFY", "/run/agent.sock", null, "SCMP_ACT_ALLOW", "read"),
                        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"),
                new Case(profile("SCMP_ACT_ALLOW", "/run/agent.sock", null, "SCMP_ACT_NOTIFY", "mkdir", "sendmsg"),
                        "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg: burk's init hands the"
                                + " notify fd to the runtime with it, before any agent could answer"),
                new Case(profile("SCMP_ACT_ALLOW", null, "meta", "SCMP_ACT_ERRNO", "mkdir"),
                        "linux.seccomp.listenerMetadata: set, but linux.seccomp.listenerPath is not"));
        for (Case k : cases) {
            try (TestBundle b = TestBundle.make("/bin/true")) {
                b.linux().put("seccomp", k.profile());
                b.write();
                RuntimeError e = assertThrows(RuntimeError.class, b::create, k.message());
                assertEquals(k.message(), e.getMessage());
                Leftovers.assertNone(b);
            }
        }
    }

    @Test
    void aListenerPathWithoutNotifyRulesIsIgnoredAsTheSpecSays() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", b.dir.resolve("nobody.sock").toString(), "m",
                    "SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
            b.sh("mkdir /tmp/x; echo rc=$?");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().contains("rc=1"), r.output());
            Leftovers.assertNone(b);
        }
    }

    /** Where a test's agent listens: in the bundle, so TestBundle.close removes the socket file. */
    private static Path agentSocket(TestBundle b) {
        return b.dir.resolve("agent.sock");
    }
}
