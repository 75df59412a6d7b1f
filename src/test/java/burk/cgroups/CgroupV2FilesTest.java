package burk.cgroups;

import static burk.cgroups.TestHost.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.TestHost.ScratchParent;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The v2 driver's files, read back from the real kernel. Runs on a cgroup-v2-only host (the
 * qemu lane, scripts/cgroup-v2-lane); skipped elsewhere.
 */
class CgroupV2FilesTest {
    private static final long MB = 1024 * 1024;

    private ScratchParent parent;
    private CgroupV2 cg;

    @BeforeEach
    void setUp() {
        TestHost.assumeV2Only();
        parent = new ScratchParent();
        cg = (CgroupV2) parent.open("c");
        cg.create();
    }

    @AfterEach
    void tearDown() {
        if (parent == null) {
            return;
        }
        try {
            cg.destroy();
        } finally {
            parent.close();
        }
    }

    private String file(String name) {
        return read(cg.path().resolve(name));
    }

    @Test
    void controllersAreEnabledInTheAncestorsNotInTheLeaf() {
        Set<String> parentSubtree = Set.of(read(parent.dirs.get(0).resolve("cgroup.subtree_control")).split(" "));
        assertTrue(parentSubtree.containsAll(Set.of("memory", "pids", "cpu")), parentSubtree.toString());
        assertEquals("", file("cgroup.subtree_control"));
        assertTrue(Files.exists(cg.path().resolve("memory.max")));
    }

    @Test
    void applyWritesEveryFile() {
        CgroupResources r = CgroupResources.none()
                .withMemory(new CgroupResources.Memory(64 * MB, 16 * MB, 96 * MB, null, null, null, null, null))
                .withCpu(new CgroupResources.Cpu(1024L, 50_000L, 1_000L, 100_000L, null, null, "0", "0", 0L))
                .withPids(CgroupResources.Pids.of(50));
        cg.apply(r);
        assertEquals(Long.toString(64 * MB), file("memory.max"));
        assertEquals(Long.toString(16 * MB), file("memory.low"));
        if (TestHost.hasSwapAccounting(cg)) {
            assertEquals(Long.toString(32 * MB), file("memory.swap.max"), "OCI swap is memory+swap");
        }
        assertEquals("39", file("cpu.weight"), "runc's shares-to-weight conversion of 1024");
        assertEquals("50000 100000", file("cpu.max"));
        assertEquals("1000", file("cpu.max.burst"));
        assertEquals("0", file("cpuset.cpus"));
        assertEquals("0", file("cpuset.mems"));
        assertEquals("50", file("pids.max"));
        if (Files.exists(cg.path().resolve("cpu.idle"))) {
            assertEquals("0", file("cpu.idle"));
        }
    }

    @Test
    void unlimitedIsMax() {
        cg.apply(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(64 * MB)).withPids(CgroupResources.Pids.of(9)));
        cg.update(CgroupResources.none().withMemory(CgroupResources.Memory.ofLimit(-1)).withPids(CgroupResources.Pids.of(-1))
                .withCpu(CgroupResources.Cpu.ofQuota(-1, 100_000)));
        assertEquals("max", file("memory.max"));
        assertEquals("max", file("pids.max"));
        assertEquals("max 100000", file("cpu.max"));
    }

    @Test
    void periodAloneKeepsTheQuotaAndSwapAloneUsesTheLimitInForce() {
        cg.apply(CgroupResources.none().withCpu(CgroupResources.Cpu.ofQuota(20_000, 100_000))
                .withMemory(CgroupResources.Memory.ofLimit(64 * MB)));
        cg.update(CgroupResources.none().withCpu(new CgroupResources.Cpu(null, null, null, 50_000L, null, null, null, null, null)));
        assertEquals("20000 50000", file("cpu.max"));
        Assumptions.assumeTrue(TestHost.hasSwapAccounting(cg));
        cg.update(CgroupResources.none().withMemory(new CgroupResources.Memory(null, null, 128 * MB, null, null, null, null, null)));
        assertEquals(Long.toString(64 * MB), file("memory.swap.max"));
    }

    @Test
    void hugetlbLimit() {
        Assumptions.assumeTrue(Files.exists(cg.path().resolve("hugetlb.2MB.max")), "no 2MB hugetlb here");
        cg.apply(CgroupResources.none().withHugepageLimits(List.of(new CgroupResources.HugepageLimit("2MB", 4 * MB))));
        assertEquals(Long.toString(4 * MB), file("hugetlb.2MB.max"));
        assertTrue(cg.stats().hugetlb().containsKey("2MB"), cg.stats().hugetlb().toString());
    }

    @Test
    void unifiedIsWrittenLastAndWins() {
        cg.apply(CgroupResources.none().withPids(CgroupResources.Pids.of(50))
                .withUnified(Map.of("memory.high", Long.toString(48 * MB), "pids.max", "40")));
        assertEquals(Long.toString(48 * MB), file("memory.high"));
        assertEquals("40", file("pids.max"));
    }

    @Test
    void unifiedErrorsSayWhatIsMissing() {
        CgroupException noController = assertThrows(CgroupException.class,
                () -> cg.apply(CgroupResources.none().withUnified(Map.of("bogus.limit", "1"))));
        assertTrue(noController.getMessage().contains("controller \"bogus\" is not available"), noController.getMessage());
        CgroupException noFile = assertThrows(CgroupException.class,
                () -> cg.apply(CgroupResources.none().withUnified(Map.of("memory.bogus", "1"))));
        assertTrue(noFile.getMessage().contains("no such file"), noFile.getMessage());
        CgroupException refused = assertThrows(CgroupException.class,
                () -> cg.apply(CgroupResources.none().withUnified(Map.of("cgroup.procs", "1"))));
        assertTrue(refused.getMessage().contains("not allowed"), refused.getMessage());
    }

    @Test
    void realtimeIsRefused() {
        CgroupException e = assertThrows(CgroupException.class, () -> cg.apply(CgroupResources.none()
                .withCpu(new CgroupResources.Cpu(null, null, null, null, 1000L, 100_000L, null, null, null))));
        assertTrue(e.getMessage().contains("realtime"), e.getMessage());
    }

    @Test
    void freezeUsesCgroupFreezeAndEvents() {
        cg.freeze();
        assertEquals("1", file("cgroup.freeze"));
        assertTrue(file("cgroup.events").contains("frozen 1"), file("cgroup.events"));
        cg.thaw();
        assertEquals("0", file("cgroup.freeze"));
        assertTrue(file("cgroup.events").contains("frozen 0"), file("cgroup.events"));
    }
}
