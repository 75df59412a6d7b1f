package burk.cgroups;

import static burk.cgroups.TestHost.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.TestHost.ScratchParent;
import burk.cgroups.TestHost.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hybrid host (v1 controllers plus a cgroup2 mount, like this machine): the container joins the
 * unified hierarchy too, and controllers only the unified hierarchy offers (hugetlb here) take
 * their limits there. Skipped on other hosts.
 */
class CgroupHybridTest {
    private static final long MB = 1024 * 1024;

    private ScratchParent parent;
    private CgroupV1 cg;
    private Path unified;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(TestHost.layout().mode() == CgroupLayout.Mode.HYBRID, "needs a hybrid host");
        parent = new ScratchParent();
        cg = (CgroupV1) parent.open("c");
        cg.create();
        unified = cg.paths().get("");
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

    @Test
    void theContainerHasADirectoryInTheUnifiedHierarchyAndItsProcessesJoinIt() throws IOException {
        Path mount = TestHost.layout().unifiedMount().orElseThrow().mountPoint();
        assertEquals(mount.resolve(parent.name).resolve("c"), unified);
        assertTrue(Files.isDirectory(unified));
        assertTrue(cg.createdPaths().contains(unified), cg.createdPaths().toString());
        try (Workload w = Workload.start("exec sleep 60")) {
            cg.addProcess(w.pid());
            assertEquals(List.of(w.pid()), CgroupFs.readProcs(unified));
            String procCgroup = Files.readString(Path.of("/proc/" + w.pid() + "/cgroup"));
            assertTrue(procCgroup.contains("0::/" + parent.name + "/c\n"), procCgroup);
            assertTrue(procCgroup.contains(":memory:/" + parent.name + "/c\n"), procCgroup);
        }
    }

    @Test
    void hugetlbLimitsGoToTheHierarchyThatHasTheController() {
        Assumptions.assumeFalse(cg.controllers().contains("hugetlb"), "hugetlb is on cgroup v1 here");
        Assumptions.assumeTrue(read(unified.resolve("cgroup.controllers")).contains("hugetlb"),
                "the unified hierarchy offers no hugetlb here");
        cg.apply(CgroupResources.none().withHugepageLimits(List.of(new CgroupResources.HugepageLimit("2MB", 4 * MB))));
        assertEquals(Long.toString(4 * MB), read(unified.resolve("hugetlb.2MB.max")));
        cg.update(CgroupResources.none().withHugepageLimits(List.of(new CgroupResources.HugepageLimit("2MB", 8 * MB))));
        assertEquals(Long.toString(8 * MB), read(unified.resolve("hugetlb.2MB.max")));
        assertTrue(cg.stats().hugetlb().containsKey("2MB"), cg.stats().hugetlb().toString());
    }

    @Test
    void aControllerNoHierarchyHasIsStillAnError() {
        Assumptions.assumeFalse(cg.controllers().contains("rdma"), "rdma is on cgroup v1 here");
        Assumptions.assumeFalse(read(unified.resolve("cgroup.controllers")).contains("rdma"), "rdma is in the unified hierarchy here");
        CgroupException e = assertThrows(CgroupException.class, () -> cg.apply(CgroupResources.none()
                .withRdma(java.util.Map.of("mlx5_0", new CgroupResources.RdmaLimit(1L, 2L)))));
        assertEquals("cgroup: rdma limits requested but the rdma controller is not mounted on cgroup v1 nor offered by the unified hierarchy",
                e.getMessage());
    }

    @Test
    void destroyRemovesTheUnifiedDirectoryAndKillsWhatRunsThere() {
        try (Workload w = Workload.start("exec sleep 600")) {
            cg.addProcess(w.pid());
            w.go();
            CgroupManager again = Cgroups.reopen(cg.savedPaths());
            again.destroy();
            assertEquals(137, w.waitFor(java.time.Duration.ofSeconds(30)));
        }
        assertFalse(Files.exists(unified));
        assertTrue(parent.existsEverywhere());
    }
}
