package burk.runtime;

import burk.cgroups.CgroupStats;
import burk.cgroups.CgroupVersion;
import burk.spec.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JSON of events: runc 1.1's field names, omitted zeros, and "unlimited" per cgroup version. */
class EventStatsTest {
    private static CgroupStats stats(long memLimit, long pidsLimit, long total) {
        CgroupStats.MemoryData mem = new CgroupStats.MemoryData(4096, 8192, 0, memLimit);
        return new CgroupStats(
                new CgroupStats.Cpu(new CgroupStats.CpuUsage(total, total == 0 ? List.of() : List.of(total), 0, 0), new CgroupStats.Throttling(0, 0, 0)),
                new CgroupStats.Memory(0, mem, mem, new CgroupStats.MemoryData(0, 0, 0, memLimit), Map.of("rss", 4096L, "cache", 0L), 0),
                new CgroupStats.Pids(3, pidsLimit),
                new CgroupStats.Blkio(List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 512)), List.of()),
                Map.of("2MB", new CgroupStats.Hugetlb(0, 0, 0)));
    }

    @Test
    void v1ShapeMatchesRunc() {
        String json = Json.write(EventStats.event("stats", "c1",
                new EventStats(CgroupVersion.V1, stats(CgroupStats.UNLIMITED, CgroupStats.UNLIMITED, 100)).toJson()));
        assertEquals("{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
                + "\"cpu\":{\"usage\":{\"total\":100,\"percpu\":[100],\"kernel\":0,\"user\":0},\"throttling\":{}},"
                + "\"memory\":{\"usage\":{\"limit\":9223372036854771712,\"usage\":4096,\"max\":8192,\"failcnt\":0},"
                + "\"swap\":{\"limit\":9223372036854771712,\"usage\":4096,\"max\":8192,\"failcnt\":0},"
                + "\"kernel\":{\"limit\":9223372036854771712,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
                + "\"raw\":{\"cache\":0,\"rss\":4096}},"
                + "\"pids\":{\"current\":3},"
                + "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":512}]},"
                + "\"hugetlb\":{\"2MB\":{\"failcnt\":0}},\"intel_rdt\":{},\"network_interfaces\":null}}", json);
    }

    @Test
    void v2UnlimitedIsGosMaxUint64AndLimitsAreKept() {
        Map<String, Object> data = new EventStats(CgroupVersion.V2, stats(CgroupStats.UNLIMITED, CgroupStats.UNLIMITED, 0)).toJson();
        assertEquals("{\"current\":3,\"limit\":18446744073709551615}", Json.write(data.get("pids")));
        assertEquals("{\"kernel\":0,\"user\":0}", Json.write(((Map<?, ?>) data.get("cpu")).get("usage")));
        Map<String, Object> limited = new EventStats(CgroupVersion.V2, stats(1 << 20, 10, 0)).toJson();
        assertEquals("{\"current\":3,\"limit\":10}", Json.write(limited.get("pids")));
        assertEquals(1L << 20, ((Map<?, ?>) ((Map<?, ?>) limited.get("memory")).get("usage")).get("limit"));
    }

    @Test
    void anOomEventHasNoData() {
        assertEquals("{\"type\":\"oom\",\"id\":\"c1\"}", Json.write(EventStats.event("oom", "c1", null)));
    }
}
