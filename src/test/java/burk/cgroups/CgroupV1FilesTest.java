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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The v1 driver's files, read back from the real kernel. Skipped on a cgroup-v2-only host. */
class CgroupV1FilesTest {
    private static final long MB = 1024 * 1024;

    private ScratchParent parent;
    private CgroupV1 cg;

    @BeforeEach
    void setUp() {
        TestHost.assumeV1();
        parent = new ScratchParent();
        cg = (CgroupV1) parent.open("c");
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

    private String file(String controller, String name) {
        return read(cg.path(controller).resolve(name));
    }

    /** major:minor of a real block device (throttle files refuse devices that do not exist). */
    private static String blockDevice() throws IOException {
        try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
            return devices.filter(d -> !d.getFileName().toString().matches("(loop|ram|zram).*"))
                    .map(d -> read(d.resolve("dev"))).findFirst().orElse(null);
        }
    }

    @Test
    void applyWritesEveryFile() throws IOException {
        String device = blockDevice();
        Assumptions.assumeTrue(device != null, "no block device");
        long major = Long.parseLong(device.split(":")[0]);
        long minor = Long.parseLong(device.split(":")[1]);
        CgroupResources r = CgroupResources.none()
                .withMemory(new CgroupResources.Memory(64 * MB, 32 * MB, 128 * MB, 4 * MB, 16 * MB, 10L, true, null))
                .withCpu(new CgroupResources.Cpu(512L, 20_000L, 1_000L, 100_000L, 0L, 500_000L, "0", "0", 0L))
                .withPids(CgroupResources.Pids.of(50))
                .withBlockIo(new CgroupResources.BlockIo(500, null, null,
                        List.of(new CgroupResources.ThrottleDevice(major, minor, 1_048_576)), null, null,
                        List.of(new CgroupResources.ThrottleDevice(major, minor, 100))))
                .withDevices(List.of(CgroupResources.DeviceRule.denyAll(),
                        CgroupResources.DeviceRule.allowChar(1, 3, "rwm"), CgroupResources.DeviceRule.allowChar(1, 5, "r")));
        cg.apply(r);
        assertEquals(Long.toString(64 * MB), file("memory", "memory.limit_in_bytes"));
        assertEquals(Long.toString(32 * MB), file("memory", "memory.soft_limit_in_bytes"));
        if (Files.exists(cg.path("memory").resolve("memory.memsw.limit_in_bytes"))) {
            assertEquals(Long.toString(128 * MB), file("memory", "memory.memsw.limit_in_bytes"));
        }
        assertEquals(Long.toString(16 * MB), file("memory", "memory.kmem.tcp.limit_in_bytes"));
        assertEquals("10", file("memory", "memory.swappiness"));
        assertTrue(file("memory", "memory.oom_control").contains("oom_kill_disable 1"));
        assertEquals("512", file("cpu", "cpu.shares"));
        assertEquals("20000", file("cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", file("cpu", "cpu.cfs_period_us"));
        assertEquals("1000", file("cpu", "cpu.cfs_burst_us"));
        assertEquals("500000", file("cpu", "cpu.rt_period_us"));
        assertEquals("0", file("cpu", "cpu.rt_runtime_us"));
        assertEquals("0", file("cpuset", "cpuset.cpus"));
        assertEquals("0", file("cpuset", "cpuset.mems"));
        assertEquals("50", file("pids", "pids.max"));
        String weightFile = Files.exists(cg.path("blkio").resolve("blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
        assertTrue(file("blkio", weightFile).contains("500"), file("blkio", weightFile));
        assertEquals(device + " 1048576", file("blkio", "blkio.throttle.read_bps_device"));
        assertEquals(device + " 100", file("blkio", "blkio.throttle.write_iops_device"));
        assertEquals("c 1:3 rwm\nc 1:5 r", file("devices", "devices.list"));
    }

    /** Docker sends {@code blockIO: {weight: 0}} for every container; 0 means unset, as in runc. */
    @Test
    void zeroBlkioWeightsAreLeftUnset() {
        String weightFile = Files.exists(cg.path("blkio").resolve("blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
        String before = file("blkio", weightFile);
        cg.apply(CgroupResources.none().withBlockIo(new CgroupResources.BlockIo(0, 0,
                List.of(new CgroupResources.WeightDevice(8, 0, 0, 0)), null, null, null, null)));
        assertEquals(before, file("blkio", weightFile));
    }

    @Test
    void newCpusetInheritsCpusAndMemsSoTasksCanJoin() {
        assertFalse(file("cpuset", "cpuset.cpus").isEmpty());
        assertFalse(file("cpuset", "cpuset.mems").isEmpty());
        try (Workload w = Workload.start("exec sleep 60")) {
            cg.addProcess(w.pid());
            assertTrue(file("cpuset", "cgroup.procs").contains(Long.toString(w.pid())));
        }
    }

    @Test
    void processJoinsEveryHierarchyIncludingNamedOnes() {
        try (Workload w = Workload.start("exec sleep 60")) {
            cg.addProcess(w.pid());
            for (String controller : cg.controllers()) {
                assertEquals(Long.toString(w.pid()), file(controller, "cgroup.procs"), controller);
            }
        }
        assertTrue(cg.controllers().contains("name=systemd") || !TestHost.layout().v1Mounts().containsKey("name=systemd"));
    }

    @Test
    void freezerStateFileFollows() {
        cg.freeze();
        assertEquals("FROZEN", file("freezer", "freezer.state"));
        cg.thaw();
        assertEquals("THAWED", file("freezer", "freezer.state"));
    }

    @Test
    void sharesTheKernelClampsAreAnError() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> cg.apply(CgroupResources.none().withCpu(CgroupResources.Cpu.ofShares(1))));
        assertTrue(e.getMessage().contains("cpu.shares"), e.getMessage());
        assertTrue(e.getMessage().contains("2..262144"), e.getMessage());
    }

    @Test
    void unifiedIsRefusedOnV1() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> cg.apply(CgroupResources.none().withUnified(Map.of("memory.high", "1000000"))));
        assertTrue(e.getMessage().contains("cgroup v2"), e.getMessage());
    }

    @Test
    void limitForAnUnmountedControllerNamesIt() {
        Assumptions.assumeFalse(cg.controllers().contains("net_cls"), "net_cls is mounted here");
        CgroupException e = assertThrows(CgroupException.class, () -> cg.apply(CgroupResources.none()
                .withNetwork(new CgroupResources.Network(7L, null))));
        assertEquals("cgroup: a network class id requested but the net_cls controller is not mounted", e.getMessage());
    }

    @Test
    void swapLimitBelowMemoryIsRefusedByTheKernel() {
        Assumptions.assumeTrue(TestHost.hasSwapAccounting(cg));
        CgroupException e = assertThrows(CgroupException.class, () -> cg.apply(CgroupResources.none()
                .withMemory(CgroupResources.Memory.ofLimitAndSwap(64 * MB, 32 * MB))));
        assertEquals("invalid argument", e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("memory.memsw.limit_in_bytes"), e.getMessage());
    }
}
