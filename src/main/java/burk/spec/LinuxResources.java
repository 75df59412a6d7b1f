package burk.spec;

import java.util.List;
import java.util.Map;

/**
 * {@code linux.resources}: cgroup limits.
 *
 * @param devices        device allow/deny rules, applied in order
 * @param memory         memory controller settings, or null
 * @param cpu            cpu/cpuset controller settings, or null
 * @param pids           pids controller settings, or null
 * @param blockIO        blkio/io controller settings, or null
 * @param hugepageLimits hugetlb limits
 * @param network        net_cls/net_prio settings, or null
 * @param rdma           rdma limits by device name
 * @param unified        cgroup v2 files and their contents, in document order
 */
public record LinuxResources(
        List<DeviceRule> devices,
        MemoryResources memory,
        CpuResources cpu,
        PidsResources pids,
        BlockIoResources blockIO,
        List<HugepageLimit> hugepageLimits,
        NetworkResources network,
        Map<String, RdmaLimit> rdma,
        Map<String, String> unified) {

    public LinuxResources {
        devices = Copies.list(devices);
        hugepageLimits = Copies.list(hugepageLimits);
        rdma = Copies.map(rdma);
        unified = Copies.map(unified);
    }
}
