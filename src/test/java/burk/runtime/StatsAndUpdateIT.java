package burk.runtime;

import burk.linux.Syscalls;
import burk.spec.LinuxResources;
import burk.spec.MemoryResources;
import burk.spec.PidsResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static burk.runtime.LifecycleIT.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ps's pid list, events' statistics and OOM count, and update, on real containers and cgroups. */
class StatsAndUpdateIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static String cgroupFile(String controller, String id, String file) throws Exception {
        return Files.readString(Path.of("/sys/fs/cgroup", controller, "burk", id, file)).trim();
    }

    /** The pids of every host process whose /proc/PID/cgroup names the container's cgroup. */
    private static List<Long> pidsSeenFromProc(String id) {
        List<Long> l = new ArrayList<>(Leftovers.processesInCgroup(id));
        l.sort(null);
        return l;
    }

    @Test
    void processesAreTheCgroupsPidsAndNoneAfterTheContainerStopped() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("sleep 1000 & sleep 1000 & echo up; wait");
            ContainerInfo c = b.create();
            assertEquals(List.of((long) c.pid()), b.runtime.processes(b.id), "a created container is its waiting init");
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up") && b.runtime.processes(b.id).size() == 3);
            List<Long> pids = b.runtime.processes(b.id);
            assertEquals(pidsSeenFromProc(b.id), pids);
            assertTrue(pids.contains((long) c.pid()));
            b.runtime.kill(b.id, 9, true);
            Syscalls.waitPid(c.pid(), 0);
            waitFor(() -> b.runtime.processes(b.id).isEmpty());
            RuntimeError missing = assertThrows(RuntimeError.class, () -> b.runtime.processes("no-such-container"));
            assertEquals("container does not exist", missing.getMessage());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void statsReportTheCgroupsCountersInRuncsShape() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.resources("memory", Map.of("limit", 64L << 20));
            b.resources("pids", Map.of("limit", 42L));
            // Burn some CPU first, so the usage counters have something to count.
            b.sh("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1000 & echo up; wait");
            b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            ContainerMonitor mon = b.runtime.monitor(b.id);
            assertTrue(mon.running());
            EventStats s = mon.stats();
            assertEquals(2, s.stats().pids().current());
            Map<String, Object> json = s.toJson();
            assertEquals(List.of("cpu", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"),
                    new ArrayList<>(json.keySet()));
            assertEquals(Map.of("current", 2L, "limit", 42L), json.get("pids"));
            Map<?, ?> memory = (Map<?, ?>) json.get("memory");
            Map<?, ?> usage = (Map<?, ?>) memory.get("usage");
            assertEquals(64L << 20, usage.get("limit"));
            assertTrue((Long) usage.get("usage") > 0, "the container uses memory: " + usage);
            assertTrue(Long.parseLong(cgroupFile("memory", b.id, "memory.max_usage_in_bytes")) >= (Long) usage.get("usage"));
            assertTrue(((Map<?, ?>) memory.get("raw")).containsKey("total_rss"), "memory.stat is passed through as raw");
            Map<?, ?> cpuUsage = (Map<?, ?>) ((Map<?, ?>) json.get("cpu")).get("usage");
            assertTrue((Long) cpuUsage.get("total") > 0, "the loop used CPU time: " + cpuUsage);
            assertEquals(0, mon.oomKills());
            b.runtime.kill(b.id, 9, true);
            waitFor(() -> !mon.running());
            b.runtime.delete(b.id, false);
            RuntimeError gone = assertThrows(RuntimeError.class, () -> b.runtime.monitor(b.id));
            assertEquals("container does not exist", gone.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void theOomKillCountGrowsWhenTheKernelKillsAProcessOfTheContainer() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.resources("memory", Map.of("limit", 16L << 20, "swap", 16L << 20));
            b.sh("trap 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo dd $?' USR1; echo up; "
                    + "while true; do sleep 0.05; done");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            ContainerMonitor mon = b.runtime.monitor(b.id);
            assertEquals(0, mon.oomKills());
            Syscalls.kill(c.pid(), 10);
            waitFor(() -> b.output().contains("dd "));
            assertTrue(b.output().contains("dd 137"), b.output());
            assertEquals(1, mon.oomKills());
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void updateLowersThePidsLimitOfARunningContainerAndForksFail() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.resources("pids", Map.of("limit", 100L));
            b.sh("trap 'i=0; while [ $i -lt 20 ]; do (sleep 5 &) 2>/dev/null || break; i=$((i+1)); done; echo forked $i' USR1; "
                    + "echo up; while true; do sleep 0.05; done");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            assertEquals("100", cgroupFile("pids", b.id, "pids.max"));
            b.runtime.update(b.id, pids(6));
            assertEquals("6", cgroupFile("pids", b.id, "pids.max"));
            Syscalls.kill(c.pid(), 10);
            waitFor(() -> b.output().contains("forked "));
            String line = b.output().lines().filter(l -> l.startsWith("forked ")).findFirst().orElseThrow();
            int forked = Integer.parseInt(line.substring(7));
            assertTrue(forked < 6, "forks stopped at the new limit: " + line);
            // 0 leaves the limit as it is, as with runc (Docker sends zeros for what it does not change).
            b.runtime.update(b.id, pids(0));
            assertEquals("6", cgroupFile("pids", b.id, "pids.max"));
            b.runtime.update(b.id, pids(-1));
            assertEquals("max", cgroupFile("pids", b.id, "pids.max"));
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void updateRaisesTheMemoryLimitSoAnAllocationThatWasKilledNowSucceeds() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.resources("memory", Map.of("limit", 16L << 20));
            b.sh("trap 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo dd $?' USR1; echo up; "
                    + "while true; do sleep 0.05; done");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            Syscalls.kill(c.pid(), 10);
            waitFor(() -> b.output().contains("dd "));
            assertTrue(b.output().contains("dd 137"), "killed at 16 MiB: " + b.output());
            b.runtime.update(b.id, memory(256L << 20));
            assertEquals(Long.toString(256L << 20), cgroupFile("memory", b.id, "memory.limit_in_bytes"));
            Syscalls.kill(c.pid(), 10);
            waitFor(() -> b.output().contains("dd 0"));
            b.runtime.kill(b.id, 9, false);
            Syscalls.waitPid(c.pid(), 0);
            RuntimeError stopped = assertThrows(RuntimeError.class, () -> b.runtime.update(b.id, memory(1L << 30)));
            assertEquals("container not running", stopped.getMessage());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    private static LinuxResources pids(long limit) {
        return new LinuxResources(null, null, null, new PidsResources(limit), null, null, null, null, null);
    }

    private static LinuxResources memory(long limit) {
        return new LinuxResources(null, new MemoryResources(limit, null, null, null, null, null, null, null, null),
                null, null, null, null, null, null, null);
    }
}
