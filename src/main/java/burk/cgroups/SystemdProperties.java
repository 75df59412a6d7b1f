package burk.cgroups;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The unit properties ({@code a(sv)}) burk gives systemd for a container's scope. The limits are
 * written to cgroupfs by burk as well; they are also given to systemd so that systemd does not put
 * its own idea of them back when it re-applies a unit's settings (daemon-reload, another
 * SetUnitProperties). Only properties systemd has had for years are used, as runc does.
 */
final class SystemdProperties {
    private SystemdProperties() {}

    /** systemd's "infinity" for a uint64 property. */
    static final long INFINITY = -1L;

    static List<Object> property(String name, String signature, Object value) {
        return List.of(name, new DBusCodec.Variant(signature, value));
    }

    /** The properties that make the scope: where it lives, who is in it, what is accounted. */
    static List<List<Object>> scope(String description, String slice, long pid, CgroupVersion version) {
        List<List<Object>> props = new ArrayList<>();
        props.add(property("Description", "s", description));
        props.add(property("Slice", "s", slice));
        // Delegate: the container may manage the cgroups below its own (and systemd leaves them alone).
        props.add(property("Delegate", "b", true));
        props.add(property("PIDs", "au", List.of(pid)));
        // No ordering against shutdown.target and friends: the runtime stops the container itself.
        props.add(property("DefaultDependencies", "b", false));
        props.add(property("MemoryAccounting", "b", true));
        props.add(property("CPUAccounting", "b", true));
        props.add(property("TasksAccounting", "b", true));
        props.add(property(version == CgroupVersion.V2 ? "IOAccounting" : "BlockIOAccounting", "b", true));
        return props;
    }

    /** The limits of {@code r} that systemd knows as properties. */
    static List<List<Object>> resources(CgroupVersion version, CgroupResources r) {
        List<List<Object>> props = new ArrayList<>();
        CgroupResources.Memory m = r.memory();
        if (m != null && m.limit() != null && m.limit() != 0) {
            props.add(property(version == CgroupVersion.V2 ? "MemoryMax" : "MemoryLimit", "t", m.limit() > 0 ? m.limit() : INFINITY));
        }
        if (version == CgroupVersion.V2 && m != null) {
            if (m.reservation() != null && m.reservation() > 0) {
                props.add(property("MemoryLow", "t", m.reservation()));
            }
            if (m.limit() != null) {
                Optional<String> swap = V2Values.swapMax(m.limit(), m.swap(), null);
                swap.ifPresent(s -> props.add(property("MemorySwapMax", "t", s.equals("max") ? INFINITY : Long.parseLong(s))));
            }
        }
        CgroupResources.Cpu c = r.cpu();
        if (c != null) {
            if (c.shares() != null && c.shares() != 0) {
                props.add(version == CgroupVersion.V2 ? property("CPUWeight", "t", V2Values.cpuWeight(c.shares()))
                        : property("CPUShares", "t", c.shares()));
            }
            if (c.quota() != null) {
                props.add(property("CPUQuotaPerSecUSec", "t", quotaPerSecond(c.quota(), c.period())));
            }
            if (c.period() != null && c.period() > 0) {
                props.add(property("CPUQuotaPeriodUSec", "t", c.period()));
            }
            if (version == CgroupVersion.V2 && c.cpus() != null && !c.cpus().isEmpty()) {
                props.add(property("AllowedCPUs", "ay", bits(c.cpus())));
            }
            if (version == CgroupVersion.V2 && c.mems() != null && !c.mems().isEmpty()) {
                props.add(property("AllowedMemoryNodes", "ay", bits(c.mems())));
            }
        }
        if (r.pids() != null && r.pids().limit() != null) {
            props.add(property("TasksMax", "t", r.pids().limit() > 0 ? r.pids().limit() : INFINITY));
        }
        if (version == CgroupVersion.V1 && r.blockIo() != null && r.blockIo().weight() != null && r.blockIo().weight() != 0) {
            props.add(property("BlockIOWeight", "t", (long) r.blockIo().weight()));
        }
        return props;
    }

    /**
     * CPU time per second of wall time, from quota per period. systemd keeps this in units of
     * 10 ms (older versions round down to 1 % of a CPU), so round up to 10 ms as runc does: a
     * container never gets less than asked for. A negative quota is unlimited.
     */
    static long quotaPerSecond(long quota, Long period) {
        if (quota <= 0) {
            return INFINITY;
        }
        long p = period == null || period <= 0 ? 100_000 : period;
        long perSecond = quota * 1_000_000 / p;
        return perSecond % 10_000 == 0 ? perSecond : (perSecond / 10_000 + 1) * 10_000;
    }

    /** A cpuset list ("0-3,6") as systemd's byte mask: bit n of byte n / 8 is CPU (or node) n. */
    static byte[] bits(String list) {
        BitSet set = new BitSet();
        for (String range : list.split(",")) {
            String r = range.trim();
            if (r.isEmpty()) {
                continue;
            }
            String[] ends = r.split("-", 2);
            try {
                int from = Integer.parseInt(ends[0]);
                int to = ends.length == 2 ? Integer.parseInt(ends[1]) : from;
                if (from < 0 || to < from || to > 65535) throw new NumberFormatException();
                set.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new CgroupException("cgroup: invalid cpuset list " + CgroupException.quote(list));
            }
        }
        return set.toByteArray();
    }
}
