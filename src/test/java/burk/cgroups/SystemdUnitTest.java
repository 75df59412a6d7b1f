package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** "slice:prefix:name", slice paths, and the unit properties made from limits. */
class SystemdUnitTest {
    @Test
    void cgroupsPathNamesAScopeInASlice() {
        SystemdUnit u = SystemdUnit.parse("machine-app.slice:docker:abc", "abc");
        assertEquals("docker-abc.scope", u.unit());
        assertEquals("/machine.slice/machine-app.slice/docker-abc.scope", u.cgroupPath());
        assertEquals(new SystemdUnit("system.slice", "burk-c1.scope"), SystemdUnit.parse(null, "c1"));
        assertEquals(new SystemdUnit("system.slice", "x.scope"), SystemdUnit.parse("::x", "c1"));
        assertEquals("/system.slice/x.scope", SystemdUnit.parse("::x", "c1").cgroupPath());
        assertEquals("/x.scope", SystemdUnit.parse("-.slice::x", "c1").cgroupPath());
    }

    @Test
    void badPathsAreRefusedWithTheReason() {
        CgroupException notTriple = assertThrows(CgroupException.class, () -> SystemdUnit.parse("/burk/c1", "c1"));
        assertEquals("cgroup: cgroupsPath \"/burk/c1\" is not of the form slice:prefix:name, which the systemd cgroup driver needs",
                notTriple.getMessage());
        assertThrows(CgroupException.class, () -> SystemdUnit.parse("system.slice:burk:", "c1"));
        assertThrows(CgroupException.class, () -> SystemdUnit.parse("system.slice:burk:a/b", "c1"));
        assertThrows(CgroupException.class, () -> SystemdUnit.parse("system.slice:burk:sub.slice", "c1"));
        assertThrows(CgroupException.class, () -> SystemdUnit.parse("system:burk:c1", "c1"));
        assertThrows(CgroupException.class, () -> SystemdUnit.parse("a--b.slice:burk:c1", "c1"));
        assertThrows(CgroupException.class, () -> SystemdUnit.parse("-a.slice:burk:c1", "c1"));
        assertThrows(CgroupException.class, () -> SystemdUnit.checkScopeName("../x.scope"));
    }

    private static Map<String, Object> props(CgroupVersion v, CgroupResources r) {
        return SystemdProperties.resources(v, r).stream().collect(Collectors.toMap(p -> (String) p.get(0),
                p -> ((DBusCodec.Variant) p.get(1)).value()));
    }

    @Test
    void limitsBecomeTheirSystemdProperties() {
        CgroupResources r = CgroupResources.none()
                .withMemory(new CgroupResources.Memory(64L << 20, 16L << 20, 96L << 20, null, null, null, null, null))
                .withCpu(new CgroupResources.Cpu(1024L, 50_000L, null, 100_000L, null, null, "0-2,5", "0", null))
                .withPids(CgroupResources.Pids.of(-1));
        Map<String, Object> v2 = props(CgroupVersion.V2, r);
        assertEquals(64L << 20, v2.get("MemoryMax"));
        assertEquals(16L << 20, v2.get("MemoryLow"));
        assertEquals(32L << 20, v2.get("MemorySwapMax"), "OCI swap is memory+swap");
        assertEquals(39L, v2.get("CPUWeight"));
        assertEquals(500_000L, v2.get("CPUQuotaPerSecUSec"));
        assertEquals(100_000L, v2.get("CPUQuotaPeriodUSec"));
        assertEquals(SystemdProperties.INFINITY, v2.get("TasksMax"));
        assertArrayEquals(new byte[] {0b100111}, (byte[]) v2.get("AllowedCPUs"));
        Map<String, Object> v1 = props(CgroupVersion.V1, r);
        assertEquals(64L << 20, v1.get("MemoryLimit"));
        assertEquals(1024L, v1.get("CPUShares"));
        assertTrue(!v1.containsKey("AllowedCPUs") && !v1.containsKey("MemorySwapMax"), v1.toString());
        assertEquals(List.of(), SystemdProperties.resources(CgroupVersion.V2, CgroupResources.none()));
    }

    @Test
    void theQuotaIsRoundedUpToTenMilliseconds() {
        assertEquals(10_000, SystemdProperties.quotaPerSecond(1_000, 100_000L));
        assertEquals(20_000, SystemdProperties.quotaPerSecond(1_001, 100_000L));
        assertEquals(1_500_000, SystemdProperties.quotaPerSecond(150_000, null));
        assertEquals(SystemdProperties.INFINITY, SystemdProperties.quotaPerSecond(-1, 100_000L));
        assertThrows(CgroupException.class, () -> SystemdProperties.bits("3-1"));
    }
}
