package burk.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a parsed JSON tree onto the runtime-spec records, checking every value's type. Semantic
 * rules are {@link SpecValidator}'s job; only what the records cannot hold (an unknown enum
 * string, a missing enum) is rejected here.
 */
final class SpecReader {
    private SpecReader() {
    }

    static RuntimeSpec spec(JsonFields f) {
        return new RuntimeSpec(
                f.string("ociVersion"),
                process(f.object("process")),
                root(f.object("root")),
                f.string("hostname"),
                f.string("domainname"),
                mounts(f),
                hooks(f.object("hooks")),
                f.stringMap("annotations"),
                linux(f.object("linux")));
    }

    // --- process ---------------------------------------------------------------------------------

    static ProcessSpec process(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new ProcessSpec(
                f.bool("terminal"),
                consoleSize(f.object("consoleSize")),
                user(f.object("user")),
                f.strings("args"),
                f.string("commandLine"),
                f.strings("env"),
                f.string("cwd"),
                capabilities(f.object("capabilities")),
                rlimits(f),
                f.bool("noNewPrivileges"),
                f.string("apparmorProfile"),
                f.int32("oomScoreAdj"),
                f.string("selinuxLabel"),
                scheduler(f.object("scheduler")),
                ioPriority(f.object("ioPriority")),
                execCpuAffinity(f.object("execCPUAffinity")));
    }

    private static ConsoleSize consoleSize(JsonFields f) {
        if (f == null) {
            return null;
        }
        // Go's uint: 64 bits on every platform burk runs on.
        return new ConsoleSize(f.uint64("height", 0), f.uint64("width", 0));
    }

    private static User user(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new User(f.uint32("uid", 0), f.uint32("gid", 0), f.uint32("umask"), f.uint32s("additionalGids"),
                f.string("username"));
    }

    private static Capabilities capabilities(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new Capabilities(f.strings("bounding"), f.strings("effective"), f.strings("inheritable"),
                f.strings("permitted"), f.strings("ambient"));
    }

    private static List<Rlimit> rlimits(JsonFields process) {
        List<JsonFields> list = process.objects("rlimits");
        ArrayList<Rlimit> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new Rlimit(f.string("type"), f.uint64("hard", 0), f.uint64("soft", 0)));
        }
        return out;
    }

    private static Scheduler scheduler(JsonFields f) {
        if (f == null) {
            return null;
        }
        String policyName = f.requiredString("policy");
        SchedulerPolicy policy = SchedulerPolicy.fromSpec(policyName);
        if (policy == null) {
            throw new SpecException(f.pathOf("policy"), "unknown scheduler policy " + Json.quote(policyName));
        }
        List<String> flagNames = f.strings("flags");
        ArrayList<SchedulerFlag> flags = new ArrayList<>(flagNames.size());
        for (int i = 0; i < flagNames.size(); i++) {
            SchedulerFlag flag = SchedulerFlag.fromSpec(flagNames.get(i));
            if (flag == null) {
                throw new SpecException(JsonFields.elementPath(f.pathOf("flags"), i),
                        "unknown scheduler flag " + Json.quote(flagNames.get(i)));
            }
            flags.add(flag);
        }
        return new Scheduler(policy, f.int32("nice", 0), f.int32("priority", 0), flags, f.uint64("runtime", 0),
                f.uint64("deadline", 0), f.uint64("period", 0));
    }

    private static IoPriority ioPriority(JsonFields f) {
        if (f == null) {
            return null;
        }
        String className = f.requiredString("class");
        IoPriorityClass c = IoPriorityClass.fromSpec(className);
        if (c == null) {
            throw new SpecException(f.pathOf("class"), "unknown I/O priority class " + Json.quote(className));
        }
        // Go's int: 64 bits; the valid range 0..7 is the validator's business.
        return new IoPriority(c, f.int32("priority", 0));
    }

    private static ExecCpuAffinity execCpuAffinity(JsonFields f) {
        return f == null ? null : new ExecCpuAffinity(f.string("initial"), f.string("final"));
    }

    // --- root, mounts, hooks ---------------------------------------------------------------------

    private static Root root(JsonFields f) {
        return f == null ? null : new Root(f.string("path"), f.bool("readonly"));
    }

    private static List<Mount> mounts(JsonFields spec) {
        List<JsonFields> list = spec.objects("mounts");
        ArrayList<Mount> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new Mount(f.string("destination"), f.string("type"), f.string("source"), f.strings("options"),
                    idMappings(f, "uidMappings"), idMappings(f, "gidMappings")));
        }
        return out;
    }

    private static List<IdMapping> idMappings(JsonFields owner, String key) {
        List<JsonFields> list = owner.objects(key);
        ArrayList<IdMapping> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new IdMapping(f.uint32("containerID", 0), f.uint32("hostID", 0), f.uint32("size", 0)));
        }
        return out;
    }

    private static Hooks hooks(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new Hooks(hookList(f, "prestart"), hookList(f, "createRuntime"), hookList(f, "createContainer"),
                hookList(f, "startContainer"), hookList(f, "poststart"), hookList(f, "poststop"));
    }

    private static List<Hook> hookList(JsonFields hooks, String key) {
        List<JsonFields> list = hooks.objects(key);
        ArrayList<Hook> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new Hook(f.string("path"), f.strings("args"), f.strings("env"), f.int32("timeout")));
        }
        return out;
    }

    // --- linux -----------------------------------------------------------------------------------

    private static Linux linux(JsonFields f) {
        if (f == null) {
            return null;
        }
        Map<String, Object> seccomp = f.rawObject("seccomp");
        return new Linux(
                namespaces(f),
                idMappings(f, "uidMappings"),
                idMappings(f, "gidMappings"),
                timeOffsets(f),
                devices(f),
                netDevices(f),
                f.string("cgroupsPath"),
                resources(f.object("resources")),
                f.string("rootfsPropagation"),
                seccomp == null ? null : new LinuxSeccompRaw(seccomp),
                f.stringMap("sysctl"),
                f.strings("maskedPaths"),
                f.strings("readonlyPaths"),
                f.string("mountLabel"),
                personality(f.object("personality")),
                intelRdt(f.object("intelRdt")),
                memoryPolicy(f.object("memoryPolicy")));
    }

    private static List<LinuxNamespace> namespaces(JsonFields linux) {
        List<JsonFields> list = linux.objects("namespaces");
        ArrayList<LinuxNamespace> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            String typeName = f.requiredString("type");
            NamespaceType type = NamespaceType.fromSpec(typeName);
            if (type == null) {
                throw new SpecException(f.pathOf("type"), "unknown namespace " + Json.quote(typeName));
            }
            out.add(new LinuxNamespace(type, f.string("path")));
        }
        return out;
    }

    private static Map<String, TimeOffset> timeOffsets(JsonFields linux) {
        Map<String, JsonFields> raw = linux.objectMap("timeOffsets");
        if (raw.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, TimeOffset> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonFields> e : raw.entrySet()) {
            JsonFields f = e.getValue();
            out.put(e.getKey(), new TimeOffset(f.int64("secs", 0), f.uint32("nanosecs", 0)));
        }
        return out;
    }

    private static List<LinuxDevice> devices(JsonFields linux) {
        List<JsonFields> list = linux.objects("devices");
        ArrayList<LinuxDevice> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new LinuxDevice(f.string("type"), f.string("path"), f.int64("major"), f.int64("minor"),
                    f.uint32("fileMode"), f.uint32("uid"), f.uint32("gid")));
        }
        return out;
    }

    private static Map<String, NetDevice> netDevices(JsonFields linux) {
        Map<String, JsonFields> raw = linux.objectMap("netDevices");
        if (raw.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, NetDevice> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonFields> e : raw.entrySet()) {
            out.put(e.getKey(), new NetDevice(e.getValue().string("name")));
        }
        return out;
    }

    private static Personality personality(JsonFields f) {
        if (f == null) {
            return null;
        }
        String domainName = f.requiredString("domain");
        PersonalityDomain domain = PersonalityDomain.fromSpec(domainName);
        if (domain == null) {
            throw new SpecException(f.pathOf("domain"), "unknown personality domain " + Json.quote(domainName));
        }
        return new Personality(domain, f.strings("flags"));
    }

    private static IntelRdt intelRdt(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new IntelRdt(f.string("closID"), f.strings("schemata"), f.string("l3CacheSchema"),
                f.string("memBwSchema"), f.optBoolean("enableMonitoring"));
    }

    private static MemoryPolicy memoryPolicy(JsonFields f) {
        return f == null ? null : new MemoryPolicy(f.string("mode"), f.string("nodes"), f.strings("flags"));
    }

    // --- resources -------------------------------------------------------------------------------

    private static LinuxResources resources(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new LinuxResources(
                deviceRules(f),
                memory(f.object("memory")),
                cpu(f.object("cpu")),
                pids(f.object("pids")),
                blockIo(f.object("blockIO")),
                hugepageLimits(f),
                network(f.object("network")),
                rdma(f),
                f.stringMap("unified"));
    }

    private static List<DeviceRule> deviceRules(JsonFields resources) {
        List<JsonFields> list = resources.objects("devices");
        ArrayList<DeviceRule> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new DeviceRule(f.bool("allow"), f.string("type"), f.int64("major"), f.int64("minor"),
                    f.string("access")));
        }
        return out;
    }

    private static MemoryResources memory(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new MemoryResources(f.int64("limit"), f.int64("reservation"), f.int64("swap"), f.int64("kernel"),
                f.int64("kernelTCP"), f.uint64("swappiness"), f.optBoolean("disableOOMKiller"),
                f.optBoolean("useHierarchy"), f.optBoolean("checkBeforeUpdate"));
    }

    private static CpuResources cpu(JsonFields f) {
        if (f == null) {
            return null;
        }
        return new CpuResources(f.uint64("shares"), f.int64("quota"), f.uint64("burst"), f.uint64("period"),
                f.int64("realtimeRuntime"), f.uint64("realtimePeriod"), f.string("cpus"), f.string("mems"),
                f.int64("idle"));
    }

    private static PidsResources pids(JsonFields f) {
        return f == null ? null : new PidsResources(f.int64("limit"));
    }

    private static BlockIoResources blockIo(JsonFields f) {
        if (f == null) {
            return null;
        }
        List<JsonFields> weights = f.objects("weightDevice");
        ArrayList<WeightDevice> weightDevices = new ArrayList<>(weights.size());
        for (JsonFields w : weights) {
            weightDevices.add(new WeightDevice(w.int64("major", 0), w.int64("minor", 0), w.uint16("weight"),
                    w.uint16("leafWeight")));
        }
        return new BlockIoResources(f.uint16("weight"), f.uint16("leafWeight"), weightDevices,
                throttles(f, "throttleReadBpsDevice"), throttles(f, "throttleWriteBpsDevice"),
                throttles(f, "throttleReadIOPSDevice"), throttles(f, "throttleWriteIOPSDevice"));
    }

    private static List<ThrottleDevice> throttles(JsonFields blockIo, String key) {
        List<JsonFields> list = blockIo.objects(key);
        ArrayList<ThrottleDevice> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new ThrottleDevice(f.int64("major", 0), f.int64("minor", 0), f.uint64("rate", 0)));
        }
        return out;
    }

    private static List<HugepageLimit> hugepageLimits(JsonFields resources) {
        List<JsonFields> list = resources.objects("hugepageLimits");
        ArrayList<HugepageLimit> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            out.add(new HugepageLimit(f.string("pageSize"), f.uint64("limit", 0)));
        }
        return out;
    }

    private static NetworkResources network(JsonFields f) {
        if (f == null) {
            return null;
        }
        List<JsonFields> list = f.objects("priorities");
        ArrayList<InterfacePriority> priorities = new ArrayList<>(list.size());
        for (JsonFields p : list) {
            priorities.add(new InterfacePriority(p.string("name"), p.uint32("priority", 0)));
        }
        return new NetworkResources(f.uint32("classID"), priorities);
    }

    private static Map<String, RdmaLimit> rdma(JsonFields resources) {
        Map<String, JsonFields> raw = resources.objectMap("rdma");
        if (raw.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, RdmaLimit> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonFields> e : raw.entrySet()) {
            out.put(e.getKey(), new RdmaLimit(e.getValue().uint32("hcaHandles"), e.getValue().uint32("hcaObjects")));
        }
        return out;
    }

    // --- state -----------------------------------------------------------------------------------

    static ContainerState state(JsonFields f) {
        return new ContainerState(f.requiredString("ociVersion"), f.requiredString("id"),
                f.requiredString("status"), f.int32("pid", 0), f.requiredString("bundle"), f.stringMap("annotations"));
    }
}
