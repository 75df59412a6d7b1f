package burk.runtime;

import burk.cgroups.CgroupResources;
import burk.spec.LinuxResources;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How update reads a linux.resources document: runc's rules for zeros, swap and ignored fields. */
class ResourceUpdatesTest {
    private final List<String> warnings = new ArrayList<>();

    private CgroupResources read(String json) throws RuntimeError {
        return ResourceUpdates.toCgroup(ResourceUpdates.parse(json, "stdin"), warnings::add);
    }

    @Test
    void dockersDocumentWithZerosChangesOnlyWhatItSets() throws Exception {
        // The shape Docker's daemon sends through containerd for `docker update --memory 64m`.
        CgroupResources r = read("""
                {"devices":[{"allow":false,"access":"rwm"}],
                 "memory":{"limit":67108864,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0},
                 "cpu":{"shares":0,"quota":0,"period":0,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""},
                 "pids":{"limit":0},"blockIO":{"weight":0}}""");
        assertEquals(CgroupResources.Memory.ofLimit(64L << 20).limit(), r.memory().limit());
        assertNull(r.memory().reservation());
        assertNull(r.memory().swap());
        assertNull(r.cpu(), "all-zero cpu: nothing to write");
        assertNull(r.pids());
        assertNull(r.blockIo());
        assertNull(r.devices(), "devices are never changed by update");
        assertEquals(List.of(), warnings);
    }

    @Test
    void liftingTheMemoryLimitLiftsSwapTooUnlessSwapIsNamed() throws Exception {
        assertEquals(-1L, read("{\"memory\":{\"limit\":-1}}").memory().swap());
        assertEquals(1L << 30, read("{\"memory\":{\"limit\":-1,\"swap\":1073741824}}").memory().swap());
    }

    @Test
    void everyCpuFieldAndThePidsAndUnifiedValuesPassThrough() throws Exception {
        CgroupResources r = read("""
                {"cpu":{"shares":512,"quota":20000,"period":100000,"realtimeRuntime":5,"realtimePeriod":10,
                        "cpus":"0","mems":"0","burst":0,"idle":1},
                 "pids":{"limit":-1},"blockIO":{"weight":300},"unified":{"cpu.weight":"50"}}""");
        assertEquals(new CgroupResources.Cpu(512L, 20000L, 0L, 100000L, 5L, 10L, "0", "0", 1L), r.cpu());
        assertEquals(-1L, r.pids().limit());
        assertEquals(300, r.blockIo().weight());
        assertEquals(Map.of("cpu.weight", "50"), r.unified());
    }

    @Test
    void kernelMemoryIsIgnoredWithAWarningAndSoAreFieldsRuncDoesNotUpdate() throws Exception {
        CgroupResources r = read("{\"memory\":{\"kernel\":1048576},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],"
                + "\"network\":{\"classID\":7}}");
        assertNull(r.memory());
        assertNull(r.hugepageLimits());
        assertNull(r.network());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("kernel memory"), warnings.toString());
    }

    @Test
    void badDocumentsNameTheFieldAndTheSource() {
        RuntimeError type = assertThrows(RuntimeError.class, () -> read("{\"memory\":{\"limit\":\"lots\"}}"));
        assertTrue(type.getMessage().startsWith("stdin: memory.limit: "), type.getMessage());
        RuntimeError notObject = assertThrows(RuntimeError.class, () -> read("[1]"));
        assertEquals("stdin: the resources must be a JSON object", notObject.getMessage());
        assertThrows(RuntimeError.class, () -> read("{\"memory\":"));
        assertEquals(CgroupResources.none(), ResourceUpdates.toCgroup(
                new LinuxResources(null, null, null, null, null, null, null, null, null), warnings::add));
    }
}
