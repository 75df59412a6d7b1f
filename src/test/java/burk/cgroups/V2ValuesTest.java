package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class V2ValuesTest {
    @Test
    void sharesToWeightFollowsRunc() {
        assertEquals(0, V2Values.cpuWeight(0), "0 is unset");
        assertEquals(1, V2Values.cpuWeight(2));
        assertEquals(39, V2Values.cpuWeight(1024));
        assertEquals(10000, V2Values.cpuWeight(262144));
        assertEquals(1, V2Values.cpuWeight(1), "below the v1 minimum still lands on the v2 minimum");
    }

    @Test
    void blkioWeightToIoWeight() {
        assertEquals(0, V2Values.ioWeight(0));
        assertEquals(1, V2Values.ioWeight(10));
        assertEquals(4950, V2Values.ioWeight(500));
        assertEquals(10000, V2Values.ioWeight(1000));
    }

    @Test
    void swapIsMemoryPlusSwapMinusMemory() {
        long m = 64L << 20;
        assertEquals(Optional.of(Long.toString(64L << 20)), V2Values.swapMax(m, 2 * m, null));
        assertEquals(Optional.of("0"), V2Values.swapMax(m, m, null), "swap == memory disables swap");
        assertEquals(Optional.of("max"), V2Values.swapMax(m, -1L, null));
        assertEquals(Optional.empty(), V2Values.swapMax(m, null, null), "swap not given: leave it");
        assertEquals(Optional.empty(), V2Values.swapMax(m, 0L, null), "0 means unset, as in runc");
        assertEquals(Optional.of("max"), V2Values.swapMax(-1L, null, null), "unlimited memory lifts swap too");
        assertEquals(Optional.of(Long.toString(m)), V2Values.swapMax(null, 2 * m, Long.toString(m)),
                "swap alone is converted against the limit in force");
    }

    @Test
    void impossibleSwapIsRefused() {
        long m = 64L << 20;
        assertThrows(CgroupException.class, () -> V2Values.swapMax(m, m / 2, null));
        assertThrows(CgroupException.class, () -> V2Values.swapMax(-1L, m, null));
        assertThrows(CgroupException.class, () -> V2Values.swapMax(null, m, "max"));
        assertThrows(CgroupException.class, () -> V2Values.swapMax(m, -5L, null));
    }

    @Test
    void cpuMaxKeepsWhatIsNotGiven() {
        assertEquals(Optional.of("50000 100000"), V2Values.cpuMax(50000L, 100000L, null));
        assertEquals(Optional.of("max 100000"), V2Values.cpuMax(-1L, 100000L, null));
        assertEquals(Optional.of("20000"), V2Values.cpuMax(20000L, null, null));
        assertEquals(Optional.of("30000 50000"), V2Values.cpuMax(null, 50000L, "30000 100000\n"));
        assertEquals(Optional.of("max 50000"), V2Values.cpuMax(null, 50000L, "max 100000"));
        assertEquals(Optional.empty(), V2Values.cpuMax(null, null, "max 100000"));
    }

    @Test
    void ioMaxOneLinePerDevice() {
        var dev = (java.util.function.BiFunction<Long, Long, CgroupResources.ThrottleDevice>)
                (maj, rate) -> new CgroupResources.ThrottleDevice(maj, 0, rate);
        CgroupResources.BlockIo io = new CgroupResources.BlockIo(null, null, null,
                List.of(dev.apply(8L, 1048576L), dev.apply(253L, 10L)), List.of(dev.apply(8L, 0L)),
                null, List.of(dev.apply(253L, 100L)));
        assertEquals(List.of("8:0 rbps=1048576 wbps=max", "253:0 rbps=10 wiops=100"), V2Values.ioMaxLines(io));
        assertTrue(V2Values.ioMaxLines(new CgroupResources.BlockIo(500, null, null, null, null, null, null)).isEmpty());
    }

    @Test
    void limitSpellsMinusOneAsMax() {
        assertEquals("max", V2Values.limit(-1));
        assertEquals("4096", V2Values.limit(4096));
    }

    @Test
    void unifiedKeysAreSingleFilesOfTheContainersCgroup() {
        V2Values.checkUnifiedKey("memory.high");
        V2Values.checkUnifiedKey("cpu.max.burst");
        V2Values.checkUnifiedKey("cgroup.max.depth");
        for (String bad : List.of("", "memory", ".high", "memory.", "../memory.max", "a/memory.max", "..", ".",
                "cgroup.procs", "cgroup.kill", "cgroup.subtree_control", "cgroup.freeze", "cgroup.type", "cgroup.threads")) {
            CgroupException e = assertThrows(CgroupException.class, () -> V2Values.checkUnifiedKey(bad), bad);
            assertTrue(e.getMessage().startsWith("cgroup: unified resource"), e.getMessage());
        }
    }
}
