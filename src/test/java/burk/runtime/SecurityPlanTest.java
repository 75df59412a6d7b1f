package burk.runtime;

import burk.runtime.plan.Plan;
import burk.runtime.plan.PlanStep;
import burk.runtime.plan.Step;
import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.RuntimeSpec;
import burk.spec.SpecCodec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan decisions the escape tests rely on, checked without a kernel. */
class SecurityPlanTest {
    @SuppressWarnings("unchecked")
    private static Plan plan(Map<String, Object> tree) {
        ((Map<String, Object>) tree.get("process")).put("terminal", false);
        RuntimeSpec spec = SpecCodec.parse(Json.write(tree, ""));
        return InitPlanner.plan(new InitPlanner.Inputs(spec, Path.of("/b"), Path.of("/b/rootfs"), Path.of("/run/burk/c"),
                false, List.of(), null, false));
    }

    private static int index(Plan p, java.util.function.Predicate<PlanStep> what) {
        for (int i = 0; i < p.steps().size(); i++) if (what.test(p.steps().get(i))) return i;
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static Plan seccompPlan(boolean noNewPrivileges, String action) {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create(false));
        ((Map<String, Object>) tree.get("process")).put("noNewPrivileges", noNewPrivileges);
        Map<String, Object> rule = new LinkedHashMap<>(Map.of("names", new ArrayList<Object>(List.of("mkdir")),
                "action", action));
        Map<String, Object> seccomp = new LinkedHashMap<>(Map.of("defaultAction", "SCMP_ACT_ALLOW",
                "listenerPath", "/run/agent.sock", "syscalls", new ArrayList<Object>(List.of(rule))));
        ((Map<String, Object>) tree.get("linux")).put("seccomp", seccomp);
        return plan(tree);
    }

    @Test
    void aNotifyFilterHandsItsFdToTheRuntimeRightAfterItIsInstalledAndBeforeTheStartBarrier() {
        for (boolean nnp : new boolean[] {true, false}) {
            Plan p = seccompPlan(nnp, "SCMP_ACT_NOTIFY");
            int filter = index(p, s -> s.step() instanceof Step.Seccomp);
            Step.Seccomp f = (Step.Seccomp) p.steps().get(filter).step();
            assertEquals(8, f.flags() & 8, "SECCOMP_FILTER_FLAG_NEW_LISTENER");
            // nothing in between: the helper's only call before Java holds the fd is its sendmsg
            assertEquals(new Step.SendFdSync(Step.Seccomp.LISTENER_SLOT, "the seccomp notify fd"),
                    p.steps().get(filter + 1).step(), p.explain());
            assertTrue(filter < index(p, s -> s.step() instanceof Step.WaitStart), p.explain());
            assertEquals(1, p.steps().stream().filter(s -> s.step() instanceof Step.Seccomp).count());
        }
        // Without a notifying rule a no_new_privs filter stays the last step before execve.
        Plan p = seccompPlan(true, "SCMP_ACT_ERRNO");
        int filter = index(p, s -> s.step() instanceof Step.Seccomp);
        assertTrue(filter > index(p, s -> s.step() instanceof Step.WaitStart), p.explain());
        assertEquals(-1, index(p, s -> s.step() instanceof Step.SendFdSync));
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutNoNewPrivilegesTheFilterComesAfterOomScoreAndRlimitsAndBeforeTheSwitchToTheUser() {
        // A whitelist profile (Docker's, as runtime-tools' validation generates it) need not allow
        // what sets the oom score (openat2 of /proc) or the rlimits.
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create(false));
        Map<String, Object> process = (Map<String, Object>) tree.get("process");
        process.put("noNewPrivileges", false);
        process.put("oomScoreAdj", 500);
        Map<String, Object> nofile = new LinkedHashMap<>(Map.of("type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024));
        process.put("rlimits", new ArrayList<Object>(List.of(nofile)));
        Map<String, Object> allowExecve = new LinkedHashMap<>(Map.of("names", new ArrayList<Object>(List.of("execve")),
                "action", "SCMP_ACT_ALLOW"));
        Map<String, Object> seccomp = new LinkedHashMap<>(Map.of("defaultAction", "SCMP_ACT_ERRNO",
                "syscalls", new ArrayList<Object>(List.of(allowExecve))));
        ((Map<String, Object>) tree.get("linux")).put("seccomp", seccomp);
        Plan p = plan(tree);
        int filter = index(p, s -> s.step() instanceof Step.Seccomp);
        assertTrue(filter > index(p, s -> s.step() instanceof Step.WriteProc w && w.action().contains("oom_score_adj")),
                p.explain());
        assertTrue(filter > index(p, s -> s.step() instanceof Step.SetRlimit), p.explain());
        assertTrue(filter < index(p, s -> s.step() instanceof Step.SetResUid), p.explain());
        assertTrue(filter < index(p, s -> s.step() instanceof Step.WaitStart), p.explain());
    }

    @Test
    void procAndSysfsAreMountedOnlyOnARealDirectory() {
        Plan p = plan(SpecCodec.toTree(DefaultSpec.create(false)));
        for (PlanStep s : p.steps()) {
            if (s.step() instanceof Step.Mount m && ("proc".equals(m.fstype()) || "sysfs".equals(m.fstype()))) {
                assertEquals(PlanStep.NOFOLLOW, s.flags() & PlanStep.NOFOLLOW, m.action());
            }
        }
        assertTrue(index(p, s -> s.step() instanceof Step.Mount m && "proc".equals(m.fstype())) >= 0);
    }

    @Test
    void sysctlIsWrittenToVerifiedProcfsBeforeProcSysBecomesReadOnly() {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create(false));
        @SuppressWarnings("unchecked")
        Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
        linux.put("sysctl", new LinkedHashMap<String, Object>(Map.of("net.ipv4.ip_forward", "1")));
        Plan p = plan(tree);
        int write = index(p, s -> s.step() instanceof Step.WriteProc w && w.path().equals("sys/net/ipv4/ip_forward")
                && w.procDir().equals("/proc"));
        int readonly = index(p, s -> s.step() instanceof Step.Mount m && "/proc/sys".equals(m.target()));
        int pivot = index(p, s -> s.step() instanceof Step.PivotRoot);
        assertTrue(pivot < write && write < readonly, p.explain());
    }

    @Test
    void aNewUserNamespaceIsDumpableOnlyWhileItsMapsAreWritten() {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.rootless(1000, 1000));
        Plan p = plan(tree);
        int sync = index(p, s -> s.step() instanceof Step.Sync);
        assertEquals(new Step.Prctl(Step.Prctl.PR_SET_DUMPABLE, 1, "PR_SET_DUMPABLE 1"), p.steps().get(sync - 1).step());
        assertEquals(new Step.Prctl(Step.Prctl.PR_SET_DUMPABLE, 0, "PR_SET_DUMPABLE 0"), p.steps().get(sync + 1).step());
        // and /sys, an rbind without its own network namespace, is read-only all the way down
        int attr = index(p, s -> s.step() instanceof Step.MountSetattr m && m.target().equals("/sys") && m.recursive()
                && (m.attrSet() & Step.MountSetattr.MOUNT_ATTR_RDONLY) != 0);
        assertTrue(attr > 0, p.explain());
    }

    @Test
    void aSysfsMountInAUserNamespaceWithoutItsNetworkNamespaceBecomesARecursiveBind() {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create(false));
        @SuppressWarnings("unchecked")
        Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
        @SuppressWarnings("unchecked")
        List<Object> nss = new ArrayList<>((List<Object>) linux.get("namespaces"));
        nss.removeIf(n -> "network".equals(((Map<?, ?>) n).get("type")));
        nss.add(new LinkedHashMap<String, Object>(Map.of("type", "user")));
        linux.put("namespaces", nss);
        Map<String, Object> id = new LinkedHashMap<>(Map.of("containerID", 0L, "hostID", 1000L, "size", 1L));
        linux.put("uidMappings", List.of(id));
        linux.put("gidMappings", List.of(id));
        Plan p = plan(tree);
        assertTrue(index(p, s -> s.step() instanceof Step.Mount m && "sysfs".equals(m.fstype())) < 0, p.explain());
        assertTrue(index(p, s -> s.step() instanceof Step.Mount m && "/sys".equals(m.source()) && "/sys".equals(m.target())
                && (m.flags() & 0x4000 /* MS_REC */) != 0) >= 0, p.explain());
    }

    @Test
    void theNewStepsAreEncodedAsTheFormatSays() {
        Plan p = new Plan.Builder()
                .add(new Step.WriteProc("/proc", "sys/x", new byte[] {'1'}), "")
                .add(new Step.MountSetattr(2, true, 1, 0, 0, "/sys", "ro"), "")
                .add(new Step.Mount(2, 1, 0, "proc", "/proc", "proc", null), PlanStep.NOFOLLOW, "")
                .build();
        ByteBuffer b = ByteBuffer.wrap(p.encode()).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        assertEquals(46, b.getShort());
        assertEquals(0, b.getShort());
        assertEquals(4 + 6 + 4 + 6 + 4 + 1, b.getInt());
        b.position(b.position() + 25);
        assertEquals(44, b.getShort());
        b.getShort();
        assertEquals(4 + 4 + 8 + 8 + 8 + 4 + 5, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals(1L, b.getLong());
        assertEquals(0L, b.getLong());
        assertEquals(0L, b.getLong());
        b.position(b.position() + 9);
        assertEquals(8, b.getShort());
        assertEquals(PlanStep.NOFOLLOW, b.getShort());
    }
}
