package burk.cgroups;

import java.util.List;
import java.util.Map;

/**
 * A cgroup's usage counters, in the shape runc's {@code events --stats} reports, so the runtime
 * can print them without knowing the cgroup version. Times are nanoseconds, sizes bytes. A limit
 * the kernel reports as "max" (v2) or as its page-rounded maximum (v1) is {@link #UNLIMITED}; a
 * counter whose controller is not available is 0.
 */
public record CgroupStats(Cpu cpu, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb) {
    /** What an unlimited limit reads as. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    public CgroupStats {
        hugetlb = Map.copyOf(hugetlb);
    }

    public record Cpu(CpuUsage usage, Throttling throttling) {}

    /** Per-CPU usage exists only on cgroup v1 (cpuacct); it is empty on v2. */
    public record CpuUsage(long totalNanos, List<Long> perCpuNanos, long userNanos, long kernelNanos) {
        public CpuUsage {
            perCpuNanos = List.copyOf(perCpuNanos);
        }
    }

    public record Throttling(long periods, long throttledPeriods, long throttledTimeNanos) {}

    /**
     * @param cache  page cache bytes
     * @param usage  memory alone
     * @param swap   memory plus swap, as cgroup v1's memsw reports it (computed the same way on v2)
     * @param kernel kernel memory (v1 only; zero on v2)
     * @param stats  the raw memory.stat map
     * @param oomKills how many tasks the OOM killer killed in this cgroup
     */
    public record Memory(long cache, MemoryData usage, MemoryData swap, MemoryData kernel,
                         Map<String, Long> stats, long oomKills) {
        public Memory {
            stats = Map.copyOf(stats);
        }
    }

    /** @param maxUsage peak usage (v2: memory.peak when the kernel has it, else 0) */
    public record MemoryData(long usage, long maxUsage, long failcnt, long limit) {}

    public record Pids(long current, long limit) {}

    public record Blkio(List<BlkioEntry> ioServiceBytesRecursive, List<BlkioEntry> ioServicedRecursive) {
        public Blkio {
            ioServiceBytesRecursive = List.copyOf(ioServiceBytesRecursive);
            ioServicedRecursive = List.copyOf(ioServicedRecursive);
        }
    }

    /** @param op "Read", "Write", "Sync", "Async", "Discard" (v1 names; v2's io.stat maps to Read/Write) */
    public record BlkioEntry(long major, long minor, String op, long value) {}

    /** @param maxUsage v1 only; 0 on v2 */
    public record Hugetlb(long usage, long maxUsage, long failcnt) {}
}
