package burk.runtime;

import burk.cgroups.CgroupStats;
import burk.cgroups.CgroupVersion;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A container's cgroup counters in the JSON shape of runc 1.1's {@code events} (its
 * {@code types.Stats}), so tools that parse runc's output read burk's unchanged. Field names and
 * which zero values are left out follow runc's Go struct tags ({@code omitempty}); "unlimited"
 * is written as runc reads it from each cgroup version: on v1 the page-rounded maximum the kernel
 * prints for memory and 0 for pids.max "max", on v2 Go's MaxUint64.
 *
 * @param version the cgroup version the counters came from
 * @param stats   the counters
 */
public record EventStats(CgroupVersion version, CgroupStats stats) {
    /** LONG_MAX rounded down to a 4 KiB page: what cgroup v1 prints for an unlimited page counter. */
    static final long V1_UNLIMITED_BYTES = Long.MAX_VALUE & ~4095L;
    /** Go's math.MaxUint64, what runc reports for a v2 "max". */
    static final BigInteger V2_UNLIMITED = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** One event line: {@code {"type":...,"id":...,"data":...}}; {@code data} may be null (omitted). */
    public static Map<String, Object> event(String type, String id, Map<String, Object> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("id", id);
        if (data != null) m.put("data", data);
        return m;
    }

    /** The {@code data} object of a {@code stats} event. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpu(stats.cpu()));
        m.put("memory", memory(stats.memory()));
        m.put("pids", pids(stats.pids()));
        m.put("blkio", blkio(stats.blkio()));
        Map<String, Object> huge = new TreeMap<>();
        stats.hugetlb().forEach((size, h) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            putNonZero(e, "usage", h.usage());
            putNonZero(e, "max", h.maxUsage());
            e.put("failcnt", h.failcnt());
            huge.put(size, e);
        });
        m.put("hugetlb", huge);
        m.put("intel_rdt", new LinkedHashMap<String, Object>());
        m.put("network_interfaces", null);
        return m;
    }

    private static Map<String, Object> cpu(CgroupStats.Cpu c) {
        Map<String, Object> usage = new LinkedHashMap<>();
        putNonZero(usage, "total", c.usage().totalNanos());
        if (!c.usage().perCpuNanos().isEmpty()) usage.put("percpu", new ArrayList<Object>(c.usage().perCpuNanos()));
        usage.put("kernel", c.usage().kernelNanos());
        usage.put("user", c.usage().userNanos());
        Map<String, Object> throttling = new LinkedHashMap<>();
        putNonZero(throttling, "periods", c.throttling().periods());
        putNonZero(throttling, "throttledPeriods", c.throttling().throttledPeriods());
        putNonZero(throttling, "throttledTime", c.throttling().throttledTimeNanos());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usage", usage);
        m.put("throttling", throttling);
        return m;
    }

    private Map<String, Object> memory(CgroupStats.Memory mem) {
        Map<String, Object> m = new LinkedHashMap<>();
        putNonZero(m, "cache", mem.cache());
        m.put("usage", memoryEntry(mem.usage()));
        m.put("swap", memoryEntry(mem.swap()));
        m.put("kernel", memoryEntry(mem.kernel()));
        // burk's counters have no kernel TCP entry: reported as runc does where the kernel has none.
        m.put("kernelTCP", memoryEntry(new CgroupStats.MemoryData(0, 0, 0, 0)));
        if (!mem.stats().isEmpty()) m.put("raw", new TreeMap<String, Object>(mem.stats()));
        return m;
    }

    private Map<String, Object> memoryEntry(CgroupStats.MemoryData d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("limit", unlimitedBytes(d.limit()));
        putNonZero(m, "usage", d.usage());
        putNonZero(m, "max", d.maxUsage());
        m.put("failcnt", d.failcnt());
        return m;
    }

    private Object unlimitedBytes(long v) {
        if (v != CgroupStats.UNLIMITED) return v;
        return version == CgroupVersion.V2 ? V2_UNLIMITED : V1_UNLIMITED_BYTES;
    }

    private Map<String, Object> pids(CgroupStats.Pids p) {
        Map<String, Object> m = new LinkedHashMap<>();
        putNonZero(m, "current", p.current());
        if (p.limit() == CgroupStats.UNLIMITED) {
            if (version == CgroupVersion.V2) m.put("limit", V2_UNLIMITED);
        } else {
            putNonZero(m, "limit", p.limit());
        }
        return m;
    }

    private static Map<String, Object> blkio(CgroupStats.Blkio b) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!b.ioServiceBytesRecursive().isEmpty()) m.put("ioServiceBytesRecursive", entries(b.ioServiceBytesRecursive()));
        if (!b.ioServicedRecursive().isEmpty()) m.put("ioServicedRecursive", entries(b.ioServicedRecursive()));
        return m;
    }

    private static List<Object> entries(List<CgroupStats.BlkioEntry> list) {
        List<Object> out = new ArrayList<>();
        for (CgroupStats.BlkioEntry e : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            putNonZero(m, "major", e.major());
            putNonZero(m, "minor", e.minor());
            if (!e.op().isEmpty()) m.put("op", e.op());
            putNonZero(m, "value", e.value());
            out.add(m);
        }
        return out;
    }

    private static void putNonZero(Map<String, Object> m, String key, long v) {
        if (v != 0) m.put(key, v);
    }
}
