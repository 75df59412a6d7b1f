package burk.spec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the runtime-spec records into a JSON tree for {@link Json#write}. Members come in the
 * order of the runtime-spec's Go bindings and are omitted when the bindings omit them (null, empty
 * list or map, and false/0 where the field is {@code omitempty}), so {@code burk spec} writes the
 * same document as {@code runc spec}.
 */
final class SpecWriter {
    private SpecWriter() {
    }

    static Map<String, Object> spec(RuntimeSpec s) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        put(m, "ociVersion", s.ociVersion());
        if (s.process() != null) {
            m.put("process", process(s.process()));
        }
        if (s.root() != null) {
            LinkedHashMap<String, Object> root = new LinkedHashMap<>();
            put(root, "path", s.root().path());
            putTrue(root, "readonly", s.root().readonly());
            m.put("root", root);
        }
        put(m, "hostname", s.hostname());
        put(m, "domainname", s.domainname());
        if (!s.mounts().isEmpty()) {
            ArrayList<Object> mounts = new ArrayList<>(s.mounts().size());
            for (Mount mount : s.mounts()) {
                mounts.add(mount(mount));
            }
            m.put("mounts", mounts);
        }
        if (s.hooks() != null) {
            m.put("hooks", hooks(s.hooks()));
        }
        putMap(m, "annotations", s.annotations());
        if (s.linux() != null) {
            m.put("linux", linux(s.linux()));
        }
        return m;
    }

    // --- process ---------------------------------------------------------------------------------

    static Map<String, Object> process(ProcessSpec p) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        putTrue(m, "terminal", p.terminal());
        if (p.consoleSize() != null) {
            LinkedHashMap<String, Object> box = new LinkedHashMap<>();
            box.put("height", u64(p.consoleSize().height()));
            box.put("width", u64(p.consoleSize().width()));
            m.put("consoleSize", box);
        }
        m.put("user", user(p.user()));
        putList(m, "args", p.args());
        put(m, "commandLine", p.commandLine());
        putList(m, "env", p.env());
        put(m, "cwd", p.cwd());
        if (p.capabilities() != null) {
            Capabilities c = p.capabilities();
            LinkedHashMap<String, Object> caps = new LinkedHashMap<>();
            putList(caps, "bounding", c.bounding());
            putList(caps, "effective", c.effective());
            putList(caps, "inheritable", c.inheritable());
            putList(caps, "permitted", c.permitted());
            putList(caps, "ambient", c.ambient());
            m.put("capabilities", caps);
        }
        if (!p.rlimits().isEmpty()) {
            ArrayList<Object> list = new ArrayList<>(p.rlimits().size());
            for (Rlimit r : p.rlimits()) {
                LinkedHashMap<String, Object> e = new LinkedHashMap<>();
                put(e, "type", r.type());
                e.put("hard", u64(r.hard()));
                e.put("soft", u64(r.soft()));
                list.add(e);
            }
            m.put("rlimits", list);
        }
        putTrue(m, "noNewPrivileges", p.noNewPrivileges());
        put(m, "apparmorProfile", p.apparmorProfile());
        put(m, "oomScoreAdj", p.oomScoreAdj());
        if (p.scheduler() != null) {
            m.put("scheduler", scheduler(p.scheduler()));
        }
        put(m, "selinuxLabel", p.selinuxLabel());
        if (p.ioPriority() != null) {
            LinkedHashMap<String, Object> io = new LinkedHashMap<>();
            io.put("class", p.ioPriority().priorityClass().spec());
            io.put("priority", p.ioPriority().priority());
            m.put("ioPriority", io);
        }
        if (p.execCPUAffinity() != null) {
            LinkedHashMap<String, Object> a = new LinkedHashMap<>();
            put(a, "initial", p.execCPUAffinity().initial());
            put(a, "final", p.execCPUAffinity().finalCpus());
            m.put("execCPUAffinity", a);
        }
        return m;
    }

    private static Map<String, Object> user(User u) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("uid", u.uid());
        m.put("gid", u.gid());
        put(m, "umask", u.umask());
        putList(m, "additionalGids", u.additionalGids());
        put(m, "username", u.username());
        return m;
    }

    private static Map<String, Object> scheduler(Scheduler s) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("policy", s.policy().spec());
        putNonZero(m, "nice", s.nice());
        putNonZero(m, "priority", s.priority());
        if (!s.flags().isEmpty()) {
            ArrayList<Object> flags = new ArrayList<>(s.flags().size());
            for (SchedulerFlag f : s.flags()) {
                flags.add(f.spec());
            }
            m.put("flags", flags);
        }
        putNonZeroU64(m, "runtime", s.runtime());
        putNonZeroU64(m, "deadline", s.deadline());
        putNonZeroU64(m, "period", s.period());
        return m;
    }

    // --- mounts, hooks ---------------------------------------------------------------------------

    private static Map<String, Object> mount(Mount mount) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        put(m, "destination", mount.destination());
        put(m, "type", mount.type());
        put(m, "source", mount.source());
        putList(m, "options", mount.options());
        putIdMappings(m, "uidMappings", mount.uidMappings());
        putIdMappings(m, "gidMappings", mount.gidMappings());
        return m;
    }

    private static void putIdMappings(Map<String, Object> m, String key, List<IdMapping> mappings) {
        if (mappings.isEmpty()) {
            return;
        }
        ArrayList<Object> list = new ArrayList<>(mappings.size());
        for (IdMapping id : mappings) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            e.put("containerID", id.containerID());
            e.put("hostID", id.hostID());
            e.put("size", id.size());
            list.add(e);
        }
        m.put(key, list);
    }

    private static Map<String, Object> hooks(Hooks h) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        putHooks(m, "prestart", h.prestart());
        putHooks(m, "createRuntime", h.createRuntime());
        putHooks(m, "createContainer", h.createContainer());
        putHooks(m, "startContainer", h.startContainer());
        putHooks(m, "poststart", h.poststart());
        putHooks(m, "poststop", h.poststop());
        return m;
    }

    private static void putHooks(Map<String, Object> m, String key, List<Hook> hooks) {
        if (hooks.isEmpty()) {
            return;
        }
        ArrayList<Object> list = new ArrayList<>(hooks.size());
        for (Hook h : hooks) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            put(e, "path", h.path());
            putList(e, "args", h.args());
            putList(e, "env", h.env());
            put(e, "timeout", h.timeout());
            list.add(e);
        }
        m.put(key, list);
    }

    // --- linux -----------------------------------------------------------------------------------

    private static Map<String, Object> linux(Linux l) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        putIdMappings(m, "uidMappings", l.uidMappings());
        putIdMappings(m, "gidMappings", l.gidMappings());
        putMap(m, "sysctl", l.sysctl());
        if (l.resources() != null) {
            m.put("resources", resources(l.resources()));
        }
        put(m, "cgroupsPath", l.cgroupsPath());
        if (!l.namespaces().isEmpty()) {
            ArrayList<Object> list = new ArrayList<>(l.namespaces().size());
            for (LinuxNamespace ns : l.namespaces()) {
                LinkedHashMap<String, Object> e = new LinkedHashMap<>();
                e.put("type", ns.type().spec());
                put(e, "path", ns.path());
                list.add(e);
            }
            m.put("namespaces", list);
        }
        if (!l.devices().isEmpty()) {
            ArrayList<Object> list = new ArrayList<>(l.devices().size());
            for (LinuxDevice d : l.devices()) {
                LinkedHashMap<String, Object> e = new LinkedHashMap<>();
                put(e, "path", d.path());
                put(e, "type", d.type());
                put(e, "major", d.major());
                put(e, "minor", d.minor());
                put(e, "fileMode", d.fileMode());
                put(e, "uid", d.uid());
                put(e, "gid", d.gid());
                list.add(e);
            }
            m.put("devices", list);
        }
        if (!l.netDevices().isEmpty()) {
            LinkedHashMap<String, Object> devs = new LinkedHashMap<>();
            for (Map.Entry<String, NetDevice> e : l.netDevices().entrySet()) {
                LinkedHashMap<String, Object> d = new LinkedHashMap<>();
                put(d, "name", e.getValue().name());
                devs.put(e.getKey(), d);
            }
            m.put("netDevices", devs);
        }
        if (l.seccomp() != null) {
            m.put("seccomp", l.seccomp().json());
        }
        put(m, "rootfsPropagation", l.rootfsPropagation());
        putList(m, "maskedPaths", l.maskedPaths());
        putList(m, "readonlyPaths", l.readonlyPaths());
        put(m, "mountLabel", l.mountLabel());
        if (l.intelRdt() != null) {
            IntelRdt r = l.intelRdt();
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            put(e, "closID", r.closID());
            putList(e, "schemata", r.schemata());
            put(e, "l3CacheSchema", r.l3CacheSchema());
            put(e, "memBwSchema", r.memBwSchema());
            put(e, "enableMonitoring", r.enableMonitoring());
            m.put("intelRdt", e);
        }
        if (l.memoryPolicy() != null) {
            MemoryPolicy p = l.memoryPolicy();
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            put(e, "mode", p.mode());
            put(e, "nodes", p.nodes());
            putList(e, "flags", p.flags());
            m.put("memoryPolicy", e);
        }
        if (l.personality() != null) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            e.put("domain", l.personality().domain().spec());
            putList(e, "flags", l.personality().flags());
            m.put("personality", e);
        }
        if (!l.timeOffsets().isEmpty()) {
            LinkedHashMap<String, Object> offsets = new LinkedHashMap<>();
            for (Map.Entry<String, TimeOffset> e : l.timeOffsets().entrySet()) {
                LinkedHashMap<String, Object> o = new LinkedHashMap<>();
                putNonZero(o, "secs", e.getValue().secs());
                putNonZero(o, "nanosecs", e.getValue().nanosecs());
                offsets.put(e.getKey(), o);
            }
            m.put("timeOffsets", offsets);
        }
        return m;
    }

    private static Map<String, Object> resources(LinuxResources r) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        if (!r.devices().isEmpty()) {
            ArrayList<Object> list = new ArrayList<>(r.devices().size());
            for (DeviceRule d : r.devices()) {
                LinkedHashMap<String, Object> e = new LinkedHashMap<>();
                e.put("allow", d.allow());
                put(e, "type", d.type());
                put(e, "major", d.major());
                put(e, "minor", d.minor());
                put(e, "access", d.access());
                list.add(e);
            }
            m.put("devices", list);
        }
        if (r.memory() != null) {
            MemoryResources mem = r.memory();
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            put(e, "limit", mem.limit());
            put(e, "reservation", mem.reservation());
            put(e, "swap", mem.swap());
            put(e, "kernel", mem.kernel());
            put(e, "kernelTCP", mem.kernelTCP());
            putU64(e, "swappiness", mem.swappiness());
            put(e, "disableOOMKiller", mem.disableOOMKiller());
            put(e, "useHierarchy", mem.useHierarchy());
            put(e, "checkBeforeUpdate", mem.checkBeforeUpdate());
            m.put("memory", e);
        }
        if (r.cpu() != null) {
            CpuResources cpu = r.cpu();
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            putU64(e, "shares", cpu.shares());
            put(e, "quota", cpu.quota());
            putU64(e, "burst", cpu.burst());
            putU64(e, "period", cpu.period());
            put(e, "realtimeRuntime", cpu.realtimeRuntime());
            putU64(e, "realtimePeriod", cpu.realtimePeriod());
            put(e, "cpus", cpu.cpus());
            put(e, "mems", cpu.mems());
            put(e, "idle", cpu.idle());
            m.put("cpu", e);
        }
        if (r.pids() != null) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            put(e, "limit", r.pids().limit());
            m.put("pids", e);
        }
        if (r.blockIO() != null) {
            m.put("blockIO", blockIo(r.blockIO()));
        }
        if (!r.hugepageLimits().isEmpty()) {
            ArrayList<Object> list = new ArrayList<>(r.hugepageLimits().size());
            for (HugepageLimit h : r.hugepageLimits()) {
                LinkedHashMap<String, Object> e = new LinkedHashMap<>();
                put(e, "pageSize", h.pageSize());
                e.put("limit", u64(h.limit()));
                list.add(e);
            }
            m.put("hugepageLimits", list);
        }
        if (r.network() != null) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            put(e, "classID", r.network().classID());
            if (!r.network().priorities().isEmpty()) {
                ArrayList<Object> list = new ArrayList<>(r.network().priorities().size());
                for (InterfacePriority p : r.network().priorities()) {
                    LinkedHashMap<String, Object> pe = new LinkedHashMap<>();
                    put(pe, "name", p.name());
                    pe.put("priority", p.priority());
                    list.add(pe);
                }
                e.put("priorities", list);
            }
            m.put("network", e);
        }
        if (!r.rdma().isEmpty()) {
            LinkedHashMap<String, Object> rdma = new LinkedHashMap<>();
            for (Map.Entry<String, RdmaLimit> e : r.rdma().entrySet()) {
                LinkedHashMap<String, Object> d = new LinkedHashMap<>();
                put(d, "hcaHandles", e.getValue().hcaHandles());
                put(d, "hcaObjects", e.getValue().hcaObjects());
                rdma.put(e.getKey(), d);
            }
            m.put("rdma", rdma);
        }
        putMap(m, "unified", r.unified());
        return m;
    }

    private static Map<String, Object> blockIo(BlockIoResources b) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        put(m, "weight", b.weight());
        put(m, "leafWeight", b.leafWeight());
        if (!b.weightDevice().isEmpty()) {
            ArrayList<Object> list = new ArrayList<>(b.weightDevice().size());
            for (WeightDevice w : b.weightDevice()) {
                LinkedHashMap<String, Object> e = new LinkedHashMap<>();
                e.put("major", w.major());
                e.put("minor", w.minor());
                put(e, "weight", w.weight());
                put(e, "leafWeight", w.leafWeight());
                list.add(e);
            }
            m.put("weightDevice", list);
        }
        putThrottles(m, "throttleReadBpsDevice", b.throttleReadBpsDevice());
        putThrottles(m, "throttleWriteBpsDevice", b.throttleWriteBpsDevice());
        putThrottles(m, "throttleReadIOPSDevice", b.throttleReadIOPSDevice());
        putThrottles(m, "throttleWriteIOPSDevice", b.throttleWriteIOPSDevice());
        return m;
    }

    private static void putThrottles(Map<String, Object> m, String key, List<ThrottleDevice> devices) {
        if (devices.isEmpty()) {
            return;
        }
        ArrayList<Object> list = new ArrayList<>(devices.size());
        for (ThrottleDevice t : devices) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            e.put("major", t.major());
            e.put("minor", t.minor());
            e.put("rate", u64(t.rate()));
            list.add(e);
        }
        m.put(key, list);
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** A uint64 held bit for bit in a long, as a JSON number (BigInteger above Long.MAX_VALUE). */
    static Object u64(long v) {
        return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void putU64(Map<String, Object> m, String key, Long value) {
        if (value != null) {
            m.put(key, u64(value));
        }
    }

    private static void putTrue(Map<String, Object> m, String key, boolean value) {
        if (value) {
            m.put(key, Boolean.TRUE);
        }
    }

    private static void putNonZero(Map<String, Object> m, String key, long value) {
        if (value != 0) {
            m.put(key, value);
        }
    }

    private static void putNonZeroU64(Map<String, Object> m, String key, long value) {
        if (value != 0) {
            m.put(key, u64(value));
        }
    }

    private static void putList(Map<String, Object> m, String key, List<?> list) {
        if (!list.isEmpty()) {
            m.put(key, list);
        }
    }

    private static void putMap(Map<String, Object> m, String key, Map<String, ?> map) {
        if (!map.isEmpty()) {
            m.put(key, map);
        }
    }
}
