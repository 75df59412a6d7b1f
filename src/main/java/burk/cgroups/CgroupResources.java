package burk.cgroups;

import java.util.List;
import java.util.Map;

/**
 * The limits to put on a cgroup: the meaning of OCI {@code linux.resources}, in burk's own
 * records so this package does not depend on the spec model (the runtime maps one onto the
 * other).
 *
 * <p>Every field is nullable, and <b>null means "leave alone"</b>: the driver writes no file for
 * it, so {@link CgroupManager#update} can change one limit without touching the others. Lists
 * and maps are copied; a null list is "leave alone", an empty one writes nothing either.
 *
 * <p>Values follow the OCI runtime-spec's units and conventions (bytes, microseconds, -1 for
 * "unlimited"); each driver converts to its cgroup version's files. What has no equivalent in a
 * version is documented on {@link CgroupV1} and {@link CgroupV2}.
 *
 * @param memory         memory limits
 * @param cpu            CPU scheduling and placement
 * @param pids           the task count limit
 * @param blockIo        block I/O weights and throttling
 * @param hugepageLimits per page size hugetlb limits
 * @param network        v1 net_cls / net_prio settings
 * @param rdma           RDMA limits by device name
 * @param unified        raw cgroup v2 files to write (file name to content), after everything else
 * @param devices        device access rules, applied in order
 */
public record CgroupResources(
        Memory memory,
        Cpu cpu,
        Pids pids,
        BlockIo blockIo,
        List<HugepageLimit> hugepageLimits,
        Network network,
        Map<String, RdmaLimit> rdma,
        Map<String, String> unified,
        List<DeviceRule> devices) {

    public CgroupResources {
        hugepageLimits = hugepageLimits == null ? null : List.copyOf(hugepageLimits);
        rdma = rdma == null ? null : Map.copyOf(rdma);
        unified = unified == null ? null : Map.copyOf(unified);
        devices = devices == null ? null : List.copyOf(devices);
    }

    /** Nothing set: applying it writes no file. */
    public static CgroupResources none() {
        return new CgroupResources(null, null, null, null, null, null, null, null, null);
    }

    public CgroupResources withMemory(Memory m) {
        return new CgroupResources(m, cpu, pids, blockIo, hugepageLimits, network, rdma, unified, devices);
    }

    public CgroupResources withCpu(Cpu c) {
        return new CgroupResources(memory, c, pids, blockIo, hugepageLimits, network, rdma, unified, devices);
    }

    public CgroupResources withPids(Pids p) {
        return new CgroupResources(memory, cpu, p, blockIo, hugepageLimits, network, rdma, unified, devices);
    }

    public CgroupResources withBlockIo(BlockIo b) {
        return new CgroupResources(memory, cpu, pids, b, hugepageLimits, network, rdma, unified, devices);
    }

    public CgroupResources withHugepageLimits(List<HugepageLimit> h) {
        return new CgroupResources(memory, cpu, pids, blockIo, h, network, rdma, unified, devices);
    }

    public CgroupResources withNetwork(Network n) {
        return new CgroupResources(memory, cpu, pids, blockIo, hugepageLimits, n, rdma, unified, devices);
    }

    public CgroupResources withRdma(Map<String, RdmaLimit> r) {
        return new CgroupResources(memory, cpu, pids, blockIo, hugepageLimits, network, r, unified, devices);
    }

    public CgroupResources withUnified(Map<String, String> u) {
        return new CgroupResources(memory, cpu, pids, blockIo, hugepageLimits, network, rdma, u, devices);
    }

    public CgroupResources withDevices(List<DeviceRule> d) {
        return new CgroupResources(memory, cpu, pids, blockIo, hugepageLimits, network, rdma, unified, d);
    }

    /**
     * OCI {@code memory}.
     *
     * @param limit             bytes; -1 unlimited
     * @param reservation       soft limit in bytes (v2: memory.low)
     * @param swap              memory+swap limit in bytes, as OCI and cgroup v1 define it; -1 unlimited
     * @param kernel            deprecated kernel memory limit: ignored (removed from Linux 6.1, ignored by runc)
     * @param kernelTcp         v1 kernel TCP buffer limit in bytes
     * @param swappiness        0..100
     * @param disableOomKiller  v1: do not OOM-kill, pause the allocating task instead
     * @param checkBeforeUpdate refuse a limit below the current usage
     */
    public record Memory(Long limit, Long reservation, Long swap, Long kernel, Long kernelTcp,
                         Long swappiness, Boolean disableOomKiller, Boolean checkBeforeUpdate) {
        public static Memory ofLimit(long bytes) {
            return new Memory(bytes, null, null, null, null, null, null, null);
        }

        public static Memory ofLimitAndSwap(long bytes, long memoryPlusSwapBytes) {
            return new Memory(bytes, null, memoryPlusSwapBytes, null, null, null, null, null);
        }
    }

    /**
     * OCI {@code cpu}.
     *
     * @param shares          relative weight, cgroup v1 scale 2..262144; 0 means unset (as in runc)
     * @param quota           microseconds per period; -1 unlimited
     * @param burst           microseconds of accumulated quota a burst may use
     * @param period          microseconds
     * @param realtimeRuntime microseconds (v1 only)
     * @param realtimePeriod  microseconds (v1 only)
     * @param cpus            cpuset list, e.g. "0-3,6"
     * @param mems            memory node list
     * @param idle            1 makes the group SCHED_IDLE
     */
    public record Cpu(Long shares, Long quota, Long burst, Long period, Long realtimeRuntime,
                      Long realtimePeriod, String cpus, String mems, Long idle) {
        public static Cpu ofQuota(long quota, long period) {
            return new Cpu(null, quota, null, period, null, null, null, null, null);
        }

        public static Cpu ofShares(long shares) {
            return new Cpu(shares, null, null, null, null, null, null, null, null);
        }

        public static Cpu ofCpuset(String cpus, String mems) {
            return new Cpu(null, null, null, null, null, null, cpus, mems, null);
        }
    }

    /** OCI {@code pids}: {@code limit} &gt; 0 is a limit; 0 or negative means unlimited ("max"). */
    public record Pids(Long limit) {
        public static Pids of(long limit) {
            return new Pids(limit);
        }
    }

    /**
     * OCI {@code blockIO}. Weights are on the v1 scale 10..1000.
     */
    public record BlockIo(Integer weight, Integer leafWeight, List<WeightDevice> weightDevices,
                          List<ThrottleDevice> throttleReadBpsDevices,
                          List<ThrottleDevice> throttleWriteBpsDevices,
                          List<ThrottleDevice> throttleReadIopsDevices,
                          List<ThrottleDevice> throttleWriteIopsDevices) {
        public BlockIo {
            weightDevices = weightDevices == null ? null : List.copyOf(weightDevices);
            throttleReadBpsDevices = throttleReadBpsDevices == null ? null : List.copyOf(throttleReadBpsDevices);
            throttleWriteBpsDevices = throttleWriteBpsDevices == null ? null : List.copyOf(throttleWriteBpsDevices);
            throttleReadIopsDevices = throttleReadIopsDevices == null ? null : List.copyOf(throttleReadIopsDevices);
            throttleWriteIopsDevices = throttleWriteIopsDevices == null ? null : List.copyOf(throttleWriteIopsDevices);
        }
    }

    /** A per-device weight; either weight may be null. */
    public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {}

    /** A per-device rate (bytes or operations per second); 0 removes the limit. */
    public record ThrottleDevice(long major, long minor, long rate) {}

    /** OCI {@code hugepageLimits[]}: {@code pageSize} like "2MB" or "1GB", {@code limit} in bytes. */
    public record HugepageLimit(String pageSize, long limit) {}

    /** OCI {@code network}: net_cls class id and per-interface net_prio priorities. */
    public record Network(Long classId, List<InterfacePriority> priorities) {
        public Network {
            priorities = priorities == null ? null : List.copyOf(priorities);
        }
    }

    public record InterfacePriority(String name, long priority) {}

    /** OCI {@code rdma.<device>}: either count may be null (unlimited). */
    public record RdmaLimit(Long hcaHandles, Long hcaObjects) {}

    /**
     * OCI {@code devices[]}.
     *
     * @param allow  allow or deny
     * @param type   "a" (all), "c" or "b"; null means "a"
     * @param major  null means any
     * @param minor  null means any
     * @param access subset of "rwm"; null means "rwm"
     */
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
        public static DeviceRule denyAll() {
            return new DeviceRule(false, "a", null, null, "rwm");
        }

        public static DeviceRule allowChar(long major, long minor, String access) {
            return new DeviceRule(true, "c", major, minor, access);
        }
    }
}
