package burk.runtime;

import burk.cgroups.CgroupResources;
import burk.spec.LinuxDevice;
import burk.spec.LinuxResources;
import burk.spec.RuntimeSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps config.json's linux.resources onto the cgroup library's own records. The device list gets
 * the runtime-spec default devices appended, as runc does, so a container whose rules start with
 * "deny all" can still use /dev/null, /dev/zero, its terminals and the other defaults it is given.
 */
final class ResourceMapper {
    private ResourceMapper() {}

    static CgroupResources map(RuntimeSpec spec) {
        LinuxResources r = spec.linuxOrEmpty().resources();
        if (r == null) return CgroupResources.none().withDevices(devices(spec, List.of()));
        CgroupResources.Memory mem = r.memory() == null ? null : new CgroupResources.Memory(
                r.memory().limit(), r.memory().reservation(), r.memory().swap(), r.memory().kernel(),
                r.memory().kernelTCP(), r.memory().swappiness(), r.memory().disableOOMKiller(),
                r.memory().checkBeforeUpdate());
        CgroupResources.Cpu cpu = r.cpu() == null ? null : new CgroupResources.Cpu(r.cpu().shares(), r.cpu().quota(),
                r.cpu().burst(), r.cpu().period(), r.cpu().realtimeRuntime(), r.cpu().realtimePeriod(),
                r.cpu().cpus(), r.cpu().mems(), r.cpu().idle());
        CgroupResources.Pids pids = r.pids() == null || r.pids().limit() == null ? null
                : new CgroupResources.Pids(r.pids().limit());
        CgroupResources.BlockIo bio = null;
        if (r.blockIO() != null) {
            var b = r.blockIO();
            List<CgroupResources.WeightDevice> wd = new ArrayList<>();
            for (var w : b.weightDevice()) wd.add(new CgroupResources.WeightDevice(w.major(), w.minor(), w.weight(), w.leafWeight()));
            // Docker sends "weight": 0 for "not set"; runc writes no weight then (the kernel refuses 0).
            bio = new CgroupResources.BlockIo(zeroIsUnset(b.weight()), zeroIsUnset(b.leafWeight()), wd,
                    throttle(b.throttleReadBpsDevice()),
                    throttle(b.throttleWriteBpsDevice()), throttle(b.throttleReadIOPSDevice()),
                    throttle(b.throttleWriteIOPSDevice()));
        }
        List<CgroupResources.HugepageLimit> huge = new ArrayList<>();
        for (var h : r.hugepageLimits()) huge.add(new CgroupResources.HugepageLimit(h.pageSize(), h.limit()));
        CgroupResources.Network net = null;
        if (r.network() != null) {
            List<CgroupResources.InterfacePriority> prios = new ArrayList<>();
            if (r.network().priorities() != null) {
                for (var p : r.network().priorities()) prios.add(new CgroupResources.InterfacePriority(p.name(), p.priority()));
            }
            net = new CgroupResources.Network(r.network().classID(), prios);
        }
        Map<String, CgroupResources.RdmaLimit> rdma = new LinkedHashMap<>();
        if (r.rdma() != null) r.rdma().forEach((k, v) -> rdma.put(k, new CgroupResources.RdmaLimit(v.hcaHandles(), v.hcaObjects())));
        List<CgroupResources.DeviceRule> rules = new ArrayList<>();
        for (var d : r.devices()) rules.add(new CgroupResources.DeviceRule(d.allow(), d.type(), d.major(), d.minor(), d.access()));
        return new CgroupResources(mem, cpu, pids, bio, huge, net, rdma, r.unified(), devices(spec, rules));
    }

    private static Integer zeroIsUnset(Integer v) {
        return v == null || v == 0 ? null : v;
    }

    private static List<CgroupResources.ThrottleDevice> throttle(List<burk.spec.ThrottleDevice> in) {
        List<CgroupResources.ThrottleDevice> out = new ArrayList<>();
        for (var t : in) out.add(new CgroupResources.ThrottleDevice(t.major(), t.minor(), t.rate()));
        return out;
    }

    private static List<CgroupResources.DeviceRule> devices(RuntimeSpec spec, List<CgroupResources.DeviceRule> rules) {
        if (rules.isEmpty()) return rules; // no device rules given: leave the device cgroup as it is
        List<CgroupResources.DeviceRule> out = new ArrayList<>(rules);
        long[][] defaults = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}};
        for (long[] d : defaults) out.add(new CgroupResources.DeviceRule(true, "c", d[0], d[1], "rwm"));
        out.add(new CgroupResources.DeviceRule(true, "c", 136L, null, "rwm")); // /dev/pts/*
        for (LinuxDevice d : spec.linuxOrEmpty().devices()) {
            // A FIFO is no device to the device controller: it has no rule to allow (runc skips it too).
            if (d.type().equals("p")) continue;
            out.add(new CgroupResources.DeviceRule(true, d.type().equals("u") ? "c" : d.type(), d.major(), d.minor(), "rwm"));
        }
        return out;
    }
}
