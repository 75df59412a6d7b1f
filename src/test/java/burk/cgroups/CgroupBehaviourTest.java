package burk.cgroups;

import static burk.cgroups.TestHost.file;
import static burk.cgroups.TestHost.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.TestHost.ScratchParent;
import burk.cgroups.TestHost.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a container runtime relies on, against the real kernel, through whichever driver this
 * host gets (v1 here, v2 in the qemu lane): the same assertions hold for both.
 */
class CgroupBehaviourTest {
    private static final long MB = 1024 * 1024;

    private ScratchParent parent;
    private CgroupManager cg;

    @BeforeEach
    void setUp() {
        parent = new ScratchParent();
        cg = parent.open("c");
        cg.create();
    }

    @AfterEach
    void tearDown() {
        try {
            cg.destroy();
        } finally {
            parent.close();
        }
    }

    @Test
    void createMakesTheCgroupAndRemembersOnlyWhatItMade() {
        assertTrue(cg.exists());
        List<Path> created = cg.createdPaths();
        assertFalse(created.isEmpty());
        for (Path p : created) {
            assertTrue(Files.isDirectory(p), p.toString());
            assertEquals("c", p.getFileName().toString(), "the parent pre-existed, only the leaf is ours: " + p);
        }
        cg.create();
        assertEquals(created, cg.createdPaths(), "create is idempotent");
    }

    @Test
    void addedProcessIsListed() {
        try (Workload w = Workload.start("exec sleep 60")) {
            cg.addProcess(w.pid());
            assertEquals(List.of(w.pid()), cg.pids());
        }
    }

    @Test
    void allocationPastTheMemoryLimitIsOomKilled() {
        cg.apply(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(32 * MB)));
        try (Workload w = Workload.start("exec dd if=/dev/zero of=/dev/null bs=64M count=1")) {
            cg.addProcess(w.pid());
            w.go();
            assertEquals(137, w.waitFor(Duration.ofSeconds(120)), "killed by SIGKILL; output: " + w.output());
        }
        assertTrue(cg.oomKillCount() >= 1, "oom_kill count " + cg.oomKillCount());
        assertTrue(cg.stats().memory().oomKills() >= 1);
    }

    @Test
    void forksStopAtThePidsLimit() {
        cg.apply(CgroupResources.none().withPids(CgroupResources.Pids.of(8)));
        try (Workload w = Workload.start("i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); done; echo spawned all")) {
            cg.addProcess(w.pid());
            w.go();
            w.waitFor(Duration.ofSeconds(120));
            assertFalse(w.output().contains("spawned all"), "30 forks succeeded under pids.max 8: " + w.output());
            CgroupStats.Pids pids = cg.stats().pids();
            assertEquals(8, pids.limit());
            assertTrue(pids.current() <= 8, "pids.current " + pids.current());
            long refused = CgroupFs.parseFlatKeyed(file(cg, "pids", "pids.events"), read(file(cg, "pids", "pids.events")))
                    .getOrDefault("max", 0L);
            assertTrue(refused > 0, "pids.events max " + refused);
        } finally {
            // The sleeps outlived their shell: kill them by pid (they are this test's).
            cg.pids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void cpuQuotaThrottles() {
        cg.apply(CgroupResources.none().withCpu(CgroupResources.Cpu.ofQuota(10_000, 100_000)));
        try (Workload w = Workload.start("while :; do :; done")) {
            cg.addProcess(w.pid());
            long start = System.nanoTime();
            w.go();
            TestHost.sleep(1500);
            CgroupStats.Cpu cpu = cg.stats().cpu();
            long wall = System.nanoTime() - start;
            assertTrue(cpu.throttling().periods() > 0, cpu.toString());
            assertTrue(cpu.throttling().throttledPeriods() > 0, cpu.toString());
            assertTrue(cpu.throttling().throttledTimeNanos() > 0, cpu.toString());
            assertTrue(cpu.usage().totalNanos() > 0, cpu.toString());
            // 10 % allowed; emulation overshoots, so only check it is far from a full CPU.
            assertTrue(cpu.usage().totalNanos() < wall / 2, "used " + cpu.usage().totalNanos() + " ns in " + wall + " ns");
        }
    }

    @Test
    void frozenProcessMakesNoProgress() {
        try (Workload w = Workload.start("while :; do :; done")) {
            cg.addProcess(w.pid());
            w.go();
            TestHost.sleep(300);
            assertEquals(FreezerState.THAWED, cg.state());
            cg.freeze();
            assertEquals(FreezerState.FROZEN, cg.state());
            long before = cg.stats().cpu().usage().totalNanos();
            TestHost.sleep(500);
            assertEquals(before, cg.stats().cpu().usage().totalNanos(), "CPU time grew while frozen");
            assertTrue(w.process.isAlive());
            cg.thaw();
            assertEquals(FreezerState.THAWED, cg.state());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (cg.stats().cpu().usage().totalNanos() == before && System.nanoTime() < deadline) {
                TestHost.sleep(50);
            }
            assertNotEquals(before, cg.stats().cpu().usage().totalNanos(), "no progress after thaw");
        }
    }

    @Test
    void updateRaisesAndLowersTheMemoryLimit() {
        cg.apply(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(64 * MB)));
        assertEquals(64 * MB, cg.stats().memory().usage().limit());
        cg.update(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(128 * MB)));
        assertEquals(128 * MB, cg.stats().memory().usage().limit());
        cg.update(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(32 * MB)));
        assertEquals(32 * MB, cg.stats().memory().usage().limit());
        cg.update(CgroupResources.none().withPids(CgroupResources.Pids.of(5)));
        assertEquals(32 * MB, cg.stats().memory().usage().limit(), "fields left null stay as they are");
    }

    @Test
    void updateMovesMemoryAndSwapTogetherBothWays() {
        Assumptions.assumeTrue(TestHost.hasSwapAccounting(cg), "no swap accounting");
        cg.apply(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimitAndSwap(64 * MB, 64 * MB)));
        assertEquals(64 * MB, cg.stats().memory().swap().limit());
        // Raising: on v1 memsw must be raised before the limit, or the kernel refuses the limit.
        cg.update(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimitAndSwap(256 * MB, 512 * MB)));
        assertEquals(256 * MB, cg.stats().memory().usage().limit());
        assertEquals(512 * MB, cg.stats().memory().swap().limit());
        // Lowering: the limit must go down before memsw.
        cg.update(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimitAndSwap(32 * MB, 48 * MB)));
        assertEquals(32 * MB, cg.stats().memory().usage().limit());
        assertEquals(48 * MB, cg.stats().memory().swap().limit());
        cg.update(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(-1)));
        assertEquals(CgroupStats.UNLIMITED, cg.stats().memory().swap().limit(), "unlimited memory lifts swap");
    }

    @Test
    void checkBeforeUpdateRefusesALimitBelowUsage() throws IOException {
        Path data = Files.createTempFile("burk-test-cache", ".bin");
        try (Workload w = Workload.start("exec dd if=/dev/zero of=" + data + " bs=1M count=16")) {
            cg.addProcess(w.pid());
            w.go();
            assertEquals(0, w.waitFor(Duration.ofSeconds(120)), w.output());
            long usage = cg.stats().memory().usage().usage();
            Assumptions.assumeTrue(usage > 4 * MB, "page cache was not kept: usage " + usage);
            CgroupException e = assertThrows(CgroupException.class, () -> cg.update(CgroupResources.none().withMemory(
                    new CgroupResources.Memory(2 * MB, null, null, null, null, null, null, true))));
            assertTrue(e.getMessage().contains("checkBeforeUpdate"), e.getMessage());
            assertNotEquals(2 * MB, cg.stats().memory().usage().limit());
        } finally {
            Files.deleteIfExists(data);
        }
    }

    @Test
    void destroyRemovesWhatItCreatedAndNeverTheParent() {
        List<Path> created = cg.createdPaths();
        cg.destroy();
        for (Path p : created) {
            assertFalse(Files.exists(p), p + " still exists");
        }
        assertTrue(parent.existsEverywhere(), "the pre-existing parent was removed");
        assertTrue(cg.createdPaths().isEmpty());
        cg.destroy();
    }

    @Test
    void destroyKillsWhatStillRunsAndRemovesTheCgroup() {
        try (Workload w = Workload.start("exec sleep 600")) {
            cg.addProcess(w.pid());
            w.go();
            List<Path> created = cg.createdPaths();
            cg.destroy();
            assertEquals(137, w.waitFor(Duration.ofSeconds(30)));
            for (Path p : created) {
                assertFalse(Files.exists(p), p + " still exists");
            }
        }
    }

    @Test
    void destroyRemovesCgroupsTheContainerMadeInsideItsOwn() throws IOException {
        Path nested = Files.createDirectory(file(cg, "memory", "nested"));
        cg.destroy();
        assertFalse(Files.exists(nested));
        assertTrue(parent.existsEverywhere());
    }

    @Test
    void aPreexistingCgroupIsUsedButNeverRemoved() {
        CgroupManager existing = Cgroups.open("/" + parent.name, "x");
        existing.create();
        assertTrue(existing.createdPaths().isEmpty());
        existing.destroy();
        assertTrue(parent.existsEverywhere());
    }

    @Test
    void reopenedFromSavedPathsItDestroysTheSameCgroup() {
        CgroupPaths saved = cg.savedPaths();
        CgroupManager again = Cgroups.reopen(saved);
        assertEquals(cg.paths(), again.paths());
        again.destroy();
        assertFalse(cg.exists());
        assertTrue(parent.existsEverywhere());
    }

    @Test
    void kernelErrorsNameTheFileTheValueAndTheErrno() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> cg.apply(CgroupResources.none().withCpu(CgroupResources.Cpu.ofQuota(-1, 100))));
        assertEquals("invalid argument", e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("cgroup: write \""), e.getMessage());
        assertTrue(e.file().orElseThrow().startsWith(file(cg, "cpu", "")), e.getMessage());
        assertTrue(e.getMessage().contains("100"), e.getMessage());
    }

    @Test
    void statsCountWhatRan() {
        try (Workload w = Workload.start("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 60")) {
            cg.addProcess(w.pid());
            w.go();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (cg.stats().cpu().usage().totalNanos() < 5_000_000 && System.nanoTime() < deadline) {
                TestHost.sleep(50);
            }
            CgroupStats stats = cg.stats();
            assertTrue(stats.cpu().usage().totalNanos() >= 5_000_000, stats.cpu().toString());
            assertTrue(stats.cpu().usage().userNanos() + stats.cpu().usage().kernelNanos() > 0, stats.cpu().toString());
            assertEquals(1, stats.pids().current());
            assertTrue(stats.memory().usage().usage() > 0);
            assertFalse(stats.memory().stats().isEmpty());
        }
    }

    @Test
    void aDeniedDeviceCannotBeWrittenUntilAnUpdateAllowsIt() {
        cg.apply(CgroupResources.none().withDevices(List.of(CgroupResources.DeviceRule.denyAll(),
                CgroupResources.DeviceRule.allowChar(1, 3, "r"))));
        try (Workload w = Workload.start("cat /dev/null && echo read-ok; echo x > /dev/null && echo written")) {
            cg.addProcess(w.pid());
            w.go();
            assertNotEquals(0, w.waitFor(Duration.ofSeconds(60)), w.output());
            assertTrue(w.output().contains("read-ok"), w.output());
            assertTrue(w.output().contains("Operation not permitted"), w.output());
            assertFalse(w.output().contains("written"), w.output());
        }
        cg.update(CgroupResources.none().withDevices(List.of(CgroupResources.DeviceRule.denyAll(),
                CgroupResources.DeviceRule.allowChar(1, 3, "rw"))));
        try (Workload w = Workload.start("echo x > /dev/null && echo written")) {
            cg.addProcess(w.pid());
            w.go();
            assertEquals(0, w.waitFor(Duration.ofSeconds(60)), w.output());
            assertEquals("written", w.output().trim());
        }
    }

    /**
     * A shell keeps writing to /dev/null while the allowlist is updated back and forth between
     * two lists that both allow it: no write may fail in between (v1 must not reset to deny-all,
     * v2 must attach the new program before it detaches the old one).
     */
    @Test
    void updatingTheAllowlistNeverDeniesWhatBothListsAllow() throws IOException {
        List<CgroupResources.DeviceRule> a = List.of(CgroupResources.DeviceRule.denyAll(), CgroupResources.DeviceRule.allowChar(1, 3, "rw"));
        List<CgroupResources.DeviceRule> b = List.of(CgroupResources.DeviceRule.denyAll(), CgroupResources.DeviceRule.allowChar(1, 3, "rwm"),
                CgroupResources.DeviceRule.allowChar(1, 5, "r"));
        cg.apply(CgroupResources.none().withDevices(a));
        Path stop = Files.createTempFile("burk-test-stop", "");
        Files.delete(stop);
        try (Workload w = Workload.start("n=0; while [ ! -e " + stop + " ]; do echo x > /dev/null || echo FAIL; n=$((n+1)); done; echo writes $n")) {
            cg.addProcess(w.pid());
            w.go();
            for (int i = 0; i < 100; i++) {
                cg.update(CgroupResources.none().withDevices(i % 2 == 0 ? b : a));
            }
            Files.createFile(stop);
            assertEquals(0, w.waitFor(Duration.ofSeconds(60)), w.output());
            assertFalse(w.output().contains("FAIL"), w.output());
            assertTrue(w.output().contains("writes "), w.output());
        } finally {
            Files.deleteIfExists(stop);
        }
    }
}
