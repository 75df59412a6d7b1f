package burk.runtime;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.seccomp compiled by burk.seccomp and installed by the helper, seen from inside a container. */
class SeccompIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static Map<String, Object> profile(String defaultAction, List<Object> rules) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("defaultAction", defaultAction);
        s.put("architectures", new ArrayList<Object>(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM")));
        s.put("syscalls", new ArrayList<>(rules));
        return s;
    }

    private static Map<String, Object> rule(String action, Long errno, String... names) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("names", new ArrayList<Object>(List.of(names)));
        r.put("action", action);
        if (errno != null) r.put("errnoRet", errno);
        return r;
    }

    @Test
    void aDeniedSyscallFailsWithTheChosenErrnoAndTheFilterModeIsVisible() throws Exception {
        for (boolean nnp : new boolean[] {true, false}) {
            try (TestBundle b = TestBundle.make()) {
                b.process().put("noNewPrivileges", nnp);
                // sethostname needs CAP_SYS_ADMIN: grant it so only seccomp can refuse it.
                @SuppressWarnings("unchecked")
                Map<String, Object> caps = (Map<String, Object>) b.process().get("capabilities");
                for (String set : List.of("bounding", "effective", "permitted")) b.list(caps, set).add("CAP_SYS_ADMIN");
                b.linux().put("seccomp", profile("SCMP_ACT_ALLOW",
                        List.of(rule("SCMP_ACT_ERRNO", 13L, "sethostname"), rule("SCMP_ACT_ERRNO", 95L, "mkdir", "mkdirat"))));
                b.sh("grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; hostname other; mkdir /tmp/x; echo done");
                TestBundle.Ran r = b.run();
                assertEquals(0, r.status(), r.output());
                assertTrue(r.output().contains("Seccomp:\t2"), r.output());
                assertTrue(r.output().contains("NoNewPrivs:\t" + (nnp ? 1 : 0)), r.output());
                assertTrue(r.output().contains("Permission denied"), "sethostname gets EACCES (13): " + r.output());
                assertTrue(r.output().contains("Operation not supported"), "mkdir gets EOPNOTSUPP (95): " + r.output());
                assertTrue(r.output().endsWith("done\n"), r.output());
            }
        }
    }

    @Test
    void aProfileThatRefusesOpenat2AndFaccessat2StillRunsTheContainerWithoutNoNewPrivileges() throws Exception {
        // Docker's profile names landlock (444-446), so openat2 (437) and faccessat2 (439), which it
        // lacks, get its default EPERM rather than ENOSYS; without no_new_privs the filter is in
        // place before the init's chdir, executable check and oom score (runtime-tools' default
        // config). Refusing both outright is the same situation for the init.
        try (TestBundle b = TestBundle.make()) {
            b.process().put("noNewPrivileges", false);
            b.process().put("cwd", "/tmp");
            b.process().put("oomScoreAdj", 500);
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_ERRNO", 1L, "openat2", "faccessat2"))));
            b.sh("pwd; cat /proc/self/oom_score_adj");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals("/tmp\n500\n", r.output());
        }
    }

    @Test
    void killProcessAndTrapEndTheProcessWithTheirSignals() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_KILL_PROCESS", null, "getppid"))));
            b.removeNamespace("pid").args("/bin/sh", "-c", "echo before; echo $PPID; exec cat /proc/self/status");
            // busybox sh reads getppid() for $PPID at startup: KILL_PROCESS ends it with SIGSYS.
            TestBundle.Ran r = b.run();
            assertEquals(128 + 31, r.status(), r.output());
        }
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_TRAP", null, "uname"))));
            b.args("/bin/uname");
            assertEquals(128 + 31, b.run().status());
        }
    }

    @Test
    void anUnknownActionIsNamedWithItsJsonPath() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.linux().put("seccomp", profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_EXPLODE", null, "read"))));
            b.write();
            RuntimeError e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeError.class, b::create);
            assertEquals("linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_EXPLODE\"", e.getMessage());
            Leftovers.assertNone(b);
        }
    }
}
