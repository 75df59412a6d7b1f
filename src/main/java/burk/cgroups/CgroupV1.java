package burk.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cgroup v1 driver: one directory per mounted controller hierarchy (the named
 * {@code name=systemd} hierarchy included, so systemd keeps seeing where the processes are).
 *
 * <p>Files written, by resource:
 * <ul>
 *   <li>memory: memory.limit_in_bytes, memory.memsw.limit_in_bytes (ordered so the kernel's
 *       "memsw &gt;= limit" rule holds at every step, as runc does), memory.soft_limit_in_bytes
 *       (reservation), memory.kmem.tcp.limit_in_bytes, memory.swappiness, memory.oom_control.
 *       {@code kernel} is ignored: Linux 6.1 removed kmem limits and runc ignores them too. A swap
 *       limit without swap accounting (no memsw file) is an error unless it is -1.
 *   <li>cpu: cpu.shares (read back: the kernel clamps to 2..262144, a clamped value is an error),
 *       cpu.cfs_period_us then cpu.cfs_quota_us, cpu.cfs_burst_us, cpu.rt_period_us then
 *       cpu.rt_runtime_us, cpu.idle; cpuset.cpus/cpuset.mems.
 *   <li>pids.max; blkio.weight or blkio.bfq.weight (whichever the I/O scheduler provides),
 *       blkio.leaf_weight, blkio.[bfq.]weight_device, blkio.throttle.*_device;
 *       hugetlb.SIZE.limit_in_bytes (and .rsvd.limit_in_bytes when present); net_cls.classid;
 *       net_prio.ifpriomap; rdma.max; devices.allow/devices.deny in rule order.
 *   <li>{@code unified} is refused: those are cgroup v2 files.
 * </ul>
 * Asking for a limit whose controller is not mounted is an error naming the controller.
 *
 * <p>On a hybrid host (v1 controllers plus a cgroup2 mount) the container also gets a directory
 * in the unified hierarchy, under the key {@code ""} as runc's cgroup_paths has it, and its
 * processes join it: tools that only read the unified hierarchy then see the container, and
 * controllers bound to no v1 hierarchy live there. hugetlb and rdma limits go to whichever
 * hierarchy has the controller: the v1 one if mounted, else the unified one (hugetlb.SIZE.max,
 * rdma.max) when its cgroup.controllers offers it.
 *
 * <p>Device rules are not written as given: the state they describe ({@link DeviceRules}) is
 * compared with the kernel's devices.list and only the difference is written, access taken away
 * before access granted, so updating a running container's allowlist never denies, even briefly,
 * what both the old and the new list allow. The list read back afterwards must equal the target.
 */
public final class CgroupV1 implements CgroupManager {
    private static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DESTROY_TIMEOUT = Duration.ofSeconds(10);

    /** The key of the unified hierarchy's directory on a hybrid host. */
    static final String UNIFIED = "";

    /** Which hierarchy lists the processes: one every container's cgroup is sure to be in. */
    private static final List<String> PROCS_SOURCE = List.of("freezer", "pids", "memory", "cpu", "devices", "cpuacct");

    private final Map<String, Path> mountPoints;
    private final Map<String, Path> dirs;
    private final List<Path> created;
    private final Killer killer;

    CgroupV1(Map<String, Path> mountPoints, Map<String, Path> dirs, List<Path> created, Killer killer) {
        this.mountPoints = Collections.unmodifiableMap(new LinkedHashMap<>(mountPoints));
        this.dirs = Collections.unmodifiableMap(new LinkedHashMap<>(dirs));
        this.created = new ArrayList<>(created);
        this.killer = killer;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    /** The directory of one controller, e.g. {@code path("memory")}. */
    public Path path(String controller) {
        Path dir = dirs.get(controller);
        if (dir == null) {
            throw new CgroupException("cgroup: the " + controller + " controller is not mounted");
        }
        return dir;
    }

    /** The controllers this manager has a directory for; {@code ""} is the unified hierarchy on a hybrid host. */
    public Set<String> controllers() {
        return dirs.keySet();
    }

    private Optional<Path> dir(String controller) {
        return Optional.ofNullable(dirs.get(controller));
    }

    private Path require(String controller, String what) {
        Path dir = dirs.get(controller);
        if (dir == null) {
            throw new CgroupException("cgroup: " + what + " requested but the " + controller + " controller is not mounted");
        }
        return dir;
    }

    private Set<Path> uniqueDirs() {
        return new LinkedHashSet<>(dirs.values());
    }

    @Override
    public void create() {
        Set<Path> done = new LinkedHashSet<>();
        dirs.forEach((controller, dir) -> {
            if (done.add(dir)) {
                for (Path p : CgroupFs.mkdirs(mountPoints.get(controller), dir)) {
                    if (!created.contains(p)) {
                        created.add(p);
                    }
                }
            }
        });
        if (dirs.containsKey("cpuset")) {
            inheritCpuset(mountPoints.get("cpuset"), dirs.get("cpuset"));
        }
        if (dirs.containsKey(UNIFIED)) {
            CgroupFs.enableControllers(mountPoints.get(UNIFIED), dirs.get(UNIFIED));
        }
    }

    /**
     * The directory to write {@code controller}'s v2 files in: the unified one, when the host is
     * hybrid and the unified hierarchy offers that controller.
     */
    private Optional<Path> unifiedFor(String controller) {
        return dir(UNIFIED).filter(d -> CgroupFs.readIfExists(d.resolve("cgroup.controllers"))
                .map(CgroupFs::words).orElse(Set.of()).contains(controller));
    }

    private CgroupException notAvailable(String controller, String what) {
        return new CgroupException("cgroup: " + what + " requested but the " + controller + " controller is not mounted"
                + (dirs.containsKey(UNIFIED) ? " on cgroup v1 nor offered by the unified hierarchy" : ""));
    }

    /**
     * A new v1 cpuset starts with empty cpuset.cpus and cpuset.mems, and the kernel refuses to
     * attach a task to it (ENOSPC) until both are set: copy them from the parent, top-down, at
     * every level that is still empty (cgroup.clone_children would do it, but it is off by
     * default and not ours to change).
     */
    private static void inheritCpuset(Path mountPoint, Path dir) {
        Path current = mountPoint;
        for (Path name : mountPoint.relativize(dir)) {
            Path parent = current;
            current = current.resolve(name.toString());
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFs.readTrimmed(current.resolve(file)).isEmpty()) {
                    CgroupFs.write(current.resolve(file), CgroupFs.readTrimmed(parent.resolve(file)));
                }
            }
        }
    }

    @Override
    public void apply(CgroupResources r) {
        Checks.checkResources(r);
        if (r.unified() != null && !r.unified().isEmpty()) {
            throw new CgroupException("cgroup: unified resources " + new TreeSet<>(r.unified().keySet())
                    + " need cgroup v2, but this host's controllers are on cgroup v1");
        }
        setCpuset(r.cpu());
        setMemory(r.memory());
        setCpu(r.cpu());
        setPids(r.pids());
        setBlkio(r.blockIo());
        setHugetlb(r.hugepageLimits());
        setNetwork(r.network());
        setRdma(r.rdma());
        setDevices(r.devices());
    }

    @Override
    public void update(CgroupResources r) {
        apply(r);
    }

    private void setCpuset(CgroupResources.Cpu cpu) {
        if (cpu == null || (cpu.cpus() == null && cpu.mems() == null)) {
            return;
        }
        Path dir = require("cpuset", "cpuset cpus/mems");
        if (cpu.cpus() != null && !cpu.cpus().isEmpty()) {
            CgroupFs.write(dir.resolve("cpuset.cpus"), cpu.cpus());
        }
        if (cpu.mems() != null && !cpu.mems().isEmpty()) {
            CgroupFs.write(dir.resolve("cpuset.mems"), cpu.mems());
        }
    }

    private void setMemory(CgroupResources.Memory m) {
        if (m == null || (m.limit() == null && m.reservation() == null && m.swap() == null && m.kernelTcp() == null
                && m.swappiness() == null && m.disableOomKiller() == null)) {
            return;
        }
        Path dir = require("memory", "memory limits");
        Path limitFile = dir.resolve("memory.limit_in_bytes");
        Path swapFile = dir.resolve("memory.memsw.limit_in_bytes");
        boolean swapAccounting = Files.exists(swapFile);
        Long limit = m.limit();
        Long swap = m.swap() != null && m.swap() == 0 ? null : m.swap();
        if (limit != null && limit == -1 && swap == null && swapAccounting) {
            // v1 convention kept by runc: lifting the memory limit without naming swap lifts both.
            swap = -1L;
        }
        if (swap != null && !swapAccounting) {
            if (swap != -1) {
                throw new CgroupException("cgroup: a memory+swap limit was requested but the kernel has no swap accounting (no "
                        + swapFile + ")");
            }
            swap = null;
        }
        if (Boolean.TRUE.equals(m.checkBeforeUpdate()) && limit != null && limit > 0) {
            long usage = CgroupFs.readLong(dir.resolve("memory.usage_in_bytes"));
            if (limit < usage) {
                throw new CgroupException("cgroup: memory limit " + limit + " is below the current usage " + usage
                        + " of " + dir + " (checkBeforeUpdate)");
            }
        }
        if (limit != null && swap != null) {
            // The kernel keeps memsw >= limit at all times: when raising, memsw goes first.
            long current = CgroupFs.readLong(limitFile);
            if (swap == -1 || current < swap) {
                CgroupFs.write(swapFile, Long.toString(swap));
                CgroupFs.write(limitFile, Long.toString(limit));
            } else {
                CgroupFs.write(limitFile, Long.toString(limit));
                CgroupFs.write(swapFile, Long.toString(swap));
            }
        } else if (limit != null) {
            CgroupFs.write(limitFile, Long.toString(limit));
        } else if (swap != null) {
            CgroupFs.write(swapFile, Long.toString(swap));
        }
        if (m.reservation() != null) {
            CgroupFs.write(dir.resolve("memory.soft_limit_in_bytes"), Long.toString(m.reservation()));
        }
        if (m.kernelTcp() != null) {
            CgroupFs.write(dir.resolve("memory.kmem.tcp.limit_in_bytes"), Long.toString(m.kernelTcp()));
        }
        if (m.swappiness() != null) {
            CgroupFs.write(dir.resolve("memory.swappiness"), Long.toString(m.swappiness()));
        }
        if (m.disableOomKiller() != null) {
            CgroupFs.write(dir.resolve("memory.oom_control"), m.disableOomKiller() ? "1" : "0");
        }
    }

    private void setCpu(CgroupResources.Cpu c) {
        if (c == null || (c.shares() == null && c.quota() == null && c.burst() == null && c.period() == null
                && c.realtimeRuntime() == null && c.realtimePeriod() == null && c.idle() == null)) {
            return;
        }
        Path dir = require("cpu", "cpu limits");
        if (c.shares() != null && c.shares() != 0) {
            Path file = dir.resolve("cpu.shares");
            CgroupFs.write(file, Long.toString(c.shares()));
            long actual = CgroupFs.readLong(file);
            if (actual != c.shares()) {
                throw CgroupException.write(file, Long.toString(c.shares()),
                        "the kernel set " + actual + " instead (cpu.shares must be in 2..262144)");
            }
        }
        if (c.period() != null) {
            CgroupFs.write(dir.resolve("cpu.cfs_period_us"), Long.toString(c.period()));
        }
        if (c.quota() != null && c.burst() != null) {
            // burst may not exceed quota: when lowering both, the old burst blocks the new quota.
            try {
                CgroupFs.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(c.quota()));
            } catch (CgroupException e) {
                CgroupFs.write(dir.resolve("cpu.cfs_burst_us"), Long.toString(c.burst()));
                CgroupFs.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(c.quota()));
            }
            CgroupFs.write(dir.resolve("cpu.cfs_burst_us"), Long.toString(c.burst()));
        } else if (c.quota() != null) {
            CgroupFs.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(c.quota()));
        } else if (c.burst() != null) {
            CgroupFs.write(dir.resolve("cpu.cfs_burst_us"), Long.toString(c.burst()));
        }
        if (c.realtimePeriod() != null) {
            CgroupFs.write(dir.resolve("cpu.rt_period_us"), Long.toString(c.realtimePeriod()));
        }
        if (c.realtimeRuntime() != null) {
            CgroupFs.write(dir.resolve("cpu.rt_runtime_us"), Long.toString(c.realtimeRuntime()));
        }
        if (c.idle() != null) {
            CgroupFs.write(dir.resolve("cpu.idle"), Long.toString(c.idle()));
        }
    }

    private void setPids(CgroupResources.Pids p) {
        if (p == null || p.limit() == null) {
            return;
        }
        Path dir = require("pids", "a pids limit");
        CgroupFs.write(dir.resolve("pids.max"), p.limit() > 0 ? Long.toString(p.limit()) : "max");
    }

    private void setBlkio(CgroupResources.BlockIo b) {
        if (b == null) {
            return;
        }
        // A weight of 0 means "not set": Docker always sends blockIO.weight 0 when the user gave
        // none, and the kernel rejects 0 (ERANGE), so runc skips zero weights; so does burk.
        boolean any = isSet(b.weight()) || isSet(b.leafWeight()) || b.weightDevices() != null
                || b.throttleReadBpsDevices() != null || b.throttleWriteBpsDevices() != null
                || b.throttleReadIopsDevices() != null || b.throttleWriteIopsDevices() != null;
        if (!any) {
            return;
        }
        Path dir = require("blkio", "block I/O limits");
        if (isSet(b.weight())) {
            CgroupFs.write(firstExisting(dir, "blkio.weight", "blkio.bfq.weight"), Integer.toString(b.weight()));
        }
        if (isSet(b.leafWeight())) {
            CgroupFs.write(firstExisting(dir, "blkio.leaf_weight"), Integer.toString(b.leafWeight()));
        }
        if (b.weightDevices() != null) {
            for (CgroupResources.WeightDevice d : b.weightDevices()) {
                if (isSet(d.weight())) {
                    CgroupFs.write(firstExisting(dir, "blkio.weight_device", "blkio.bfq.weight_device"),
                            d.major() + ":" + d.minor() + " " + d.weight());
                }
                if (isSet(d.leafWeight())) {
                    CgroupFs.write(firstExisting(dir, "blkio.leaf_weight_device"),
                            d.major() + ":" + d.minor() + " " + d.leafWeight());
                }
            }
        }
        writeThrottles(dir.resolve("blkio.throttle.read_bps_device"), b.throttleReadBpsDevices());
        writeThrottles(dir.resolve("blkio.throttle.write_bps_device"), b.throttleWriteBpsDevices());
        writeThrottles(dir.resolve("blkio.throttle.read_iops_device"), b.throttleReadIopsDevices());
        writeThrottles(dir.resolve("blkio.throttle.write_iops_device"), b.throttleWriteIopsDevices());
    }

    private static boolean isSet(Integer weight) {
        return weight != null && weight != 0;
    }

    /** The first of the files that exists; the I/O scheduler decides which weight files there are. */
    private static Path firstExisting(Path dir, String... names) {
        for (String name : names) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw CgroupException.io("write", dir.resolve(names[0]),
                "no such file or directory (the kernel's I/O scheduler offers no " + String.join(" or ", names) + ")");
    }

    private static void writeThrottles(Path file, List<CgroupResources.ThrottleDevice> devices) {
        if (devices != null) {
            for (CgroupResources.ThrottleDevice d : devices) {
                CgroupFs.write(file, d.major() + ":" + d.minor() + " " + d.rate());
            }
        }
    }

    private void setHugetlb(List<CgroupResources.HugepageLimit> limits) {
        if (limits == null || limits.isEmpty()) {
            return;
        }
        Optional<Path> v1 = dir("hugetlb");
        if (v1.isEmpty()) {
            Path unified = unifiedFor("hugetlb").orElseThrow(() -> notAvailable("hugetlb", "hugepage limits"));
            for (CgroupResources.HugepageLimit h : limits) {
                CgroupFs.write(unified.resolve("hugetlb." + h.pageSize() + ".max"), Long.toString(h.limit()));
                Path reserved = unified.resolve("hugetlb." + h.pageSize() + ".rsvd.max");
                if (Files.exists(reserved)) {
                    CgroupFs.write(reserved, Long.toString(h.limit()));
                }
            }
            return;
        }
        Path dir = v1.get();
        for (CgroupResources.HugepageLimit h : limits) {
            CgroupFs.write(dir.resolve("hugetlb." + h.pageSize() + ".limit_in_bytes"), Long.toString(h.limit()));
            Path reserved = dir.resolve("hugetlb." + h.pageSize() + ".rsvd.limit_in_bytes");
            if (Files.exists(reserved)) {
                CgroupFs.write(reserved, Long.toString(h.limit()));
            }
        }
    }

    private void setNetwork(CgroupResources.Network n) {
        if (n == null) {
            return;
        }
        if (n.classId() != null) {
            CgroupFs.write(require("net_cls", "a network class id").resolve("net_cls.classid"), Long.toString(n.classId()));
        }
        if (n.priorities() != null && !n.priorities().isEmpty()) {
            Path file = require("net_prio", "network priorities").resolve("net_prio.ifpriomap");
            for (CgroupResources.InterfacePriority p : n.priorities()) {
                CgroupFs.write(file, p.name() + " " + p.priority());
            }
        }
    }

    private void setRdma(Map<String, CgroupResources.RdmaLimit> rdma) {
        if (rdma == null || rdma.isEmpty()) {
            return;
        }
        // rdma.max has the same format on both versions.
        Path file = dir("rdma").or(() -> unifiedFor("rdma")).orElseThrow(() -> notAvailable("rdma", "rdma limits")).resolve("rdma.max");
        new TreeMap<>(rdma).forEach((device, limit) -> CgroupFs.write(file, rdmaLine(device, limit)));
    }

    static String rdmaLine(String device, CgroupResources.RdmaLimit limit) {
        return device + " hca_handle=" + (limit.hcaHandles() == null ? "max" : limit.hcaHandles())
                + " hca_object=" + (limit.hcaObjects() == null ? "max" : limit.hcaObjects());
    }

    private void setDevices(List<CgroupResources.DeviceRule> rules) {
        if (rules == null || rules.isEmpty()) {
            return;
        }
        Path dir = require("devices", "device rules");
        DeviceRules target = DeviceRules.of(rules);
        Path list = dir.resolve("devices.list");
        DeviceRules current = DeviceRules.parseDevicesList(CgroupFs.read(list));
        for (CgroupResources.DeviceRule rule : target.transitionFrom(current)) {
            CgroupFs.write(dir.resolve(rule.allow() ? "devices.allow" : "devices.deny"), Checks.deviceLine(rule));
        }
        // In deny-all mode devices.list shows the whole state: check the kernel now holds exactly
        // the target (an allow-all list hides its deny exceptions, so it cannot be checked).
        if (!target.defaultAllow()) {
            DeviceRules after = DeviceRules.parseDevicesList(CgroupFs.read(list));
            if (!after.equals(target)) {
                throw new CgroupException("cgroup: " + list + " reads \"" + after + "\" after the update, not \"" + target + "\"");
            }
        }
    }

    @Override
    public void addProcess(long pid) {
        for (Path dir : uniqueDirs()) {
            CgroupFs.write(dir.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    /**
     * As the interface says, and a cpuset sub-cgroup whose cpuset.cpus or cpuset.mems is still
     * empty gets its parent's first, level by level: v1 refuses tasks there (ENOSPC) until both
     * are set, and an empty value is what cgroup v2 reads as "the parent's". Values already set
     * are left alone.
     */
    @Override
    public void addProcess(long pid, SubCgroup sub) {
        Path cpuset = dirs.get("cpuset");
        if (!sub.isEmpty() && cpuset != null) {
            for (Path target : sub.targets(dirs)) {
                if (target.startsWith(cpuset) && !target.equals(cpuset)) {
                    inheritCpuset(mountPoints.get("cpuset"), target);
                }
            }
        }
        CgroupManager.super.addProcess(pid, sub);
    }

    @Override
    public List<Long> pids() {
        return CgroupFs.readProcsRecursive(procsDir());
    }

    private Path procsDir() {
        for (String controller : PROCS_SOURCE) {
            if (dirs.containsKey(controller)) {
                return dirs.get(controller);
            }
        }
        return dirs.values().iterator().next();
    }

    @Override
    public void freeze() {
        Path file = require("freezer", "freezing").resolve("freezer.state");
        CgroupFs.Deadline deadline = CgroupFs.Deadline.in(FREEZE_TIMEOUT);
        CgroupFs.Backoff backoff = new CgroupFs.Backoff(10);
        for (int attempt = 1; ; attempt++) {
            CgroupFs.write(file, "FROZEN");
            String state = CgroupFs.readTrimmed(file);
            if (state.equals("FROZEN")) {
                return;
            }
            if (deadline.expired()) {
                CgroupFs.write(file, "THAWED");
                throw CgroupException.write(file, "FROZEN", "still " + state + " after " + FREEZE_TIMEOUT.toSeconds() + " s");
            }
            if (attempt % 25 == 0) {
                // A task that keeps a v1 freeze in FREEZING (stuck in a vfork, or racing a fork)
                // gets a chance to move on if thawed briefly; then freeze again.
                CgroupFs.write(file, "THAWED");
            }
            backoff.pause();
        }
    }

    @Override
    public void thaw() {
        Path file = require("freezer", "thawing").resolve("freezer.state");
        CgroupFs.Deadline deadline = CgroupFs.Deadline.in(FREEZE_TIMEOUT);
        CgroupFs.Backoff backoff = new CgroupFs.Backoff(10);
        while (true) {
            CgroupFs.write(file, "THAWED");
            String state = CgroupFs.readTrimmed(file);
            if (state.equals("THAWED")) {
                return;
            }
            if (deadline.expired()) {
                throw CgroupException.write(file, "THAWED", "still " + state + " after " + FREEZE_TIMEOUT.toSeconds() + " s");
            }
            backoff.pause();
        }
    }

    @Override
    public FreezerState state() {
        String state = CgroupFs.readTrimmed(require("freezer", "the freezer state").resolve("freezer.state"));
        return switch (state) {
            case "FROZEN" -> FreezerState.FROZEN;
            case "FREEZING" -> FreezerState.FREEZING;
            case "THAWED" -> FreezerState.THAWED;
            default -> throw new CgroupException("cgroup: unknown freezer state " + CgroupException.quote(state));
        };
    }

    @Override
    public CgroupStats stats() {
        return new CgroupStats(cpuStats(), memoryStats(), pidsStats(), blkioStats(), hugetlbStats());
    }

    /** USER_HZ: cpuacct.stat counts in these ticks; it is 100 on every Linux ABI burk runs on. */
    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    private CgroupStats.Cpu cpuStats() {
        long total = 0;
        long user = 0;
        long kernel = 0;
        List<Long> perCpu = List.of();
        Optional<Path> acct = dir("cpuacct");
        if (acct.isPresent()) {
            Path d = acct.get();
            total = CgroupFs.readLongOrZero(d.resolve("cpuacct.usage"));
            perCpu = CgroupFs.readIfExists(d.resolve("cpuacct.usage_percpu"))
                    .map(s -> Stream.of(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).map(Long::parseLong).toList())
                    .orElse(List.of());
            if (Files.exists(d.resolve("cpuacct.usage_user"))) {
                user = CgroupFs.readLong(d.resolve("cpuacct.usage_user"));
                kernel = CgroupFs.readLong(d.resolve("cpuacct.usage_sys"));
            } else {
                Map<String, Long> stat = CgroupFs.readFlatKeyed(d.resolve("cpuacct.stat"));
                user = stat.getOrDefault("user", 0L) * NANOS_PER_TICK;
                kernel = stat.getOrDefault("system", 0L) * NANOS_PER_TICK;
            }
        }
        Map<String, Long> cpuStat = dir("cpu").map(d -> CgroupFs.readFlatKeyed(d.resolve("cpu.stat"))).orElse(Map.of());
        return new CgroupStats.Cpu(new CgroupStats.CpuUsage(total, perCpu, user, kernel),
                new CgroupStats.Throttling(cpuStat.getOrDefault("nr_periods", 0L),
                        cpuStat.getOrDefault("nr_throttled", 0L), cpuStat.getOrDefault("throttled_time", 0L)));
    }

    private CgroupStats.Memory memoryStats() {
        Optional<Path> memory = dir("memory");
        if (memory.isEmpty()) {
            CgroupStats.MemoryData zero = new CgroupStats.MemoryData(0, 0, 0, 0);
            return new CgroupStats.Memory(0, zero, zero, zero, Map.of(), 0);
        }
        Path d = memory.get();
        Map<String, Long> stat = CgroupFs.readFlatKeyed(d.resolve("memory.stat"));
        long cache = stat.getOrDefault("total_cache", stat.getOrDefault("cache", 0L));
        return new CgroupStats.Memory(cache, memoryData(d, "memory"), memoryData(d, "memory.memsw"),
                memoryData(d, "memory.kmem"), stat, oomKillCount());
    }

    private static CgroupStats.MemoryData memoryData(Path dir, String prefix) {
        return new CgroupStats.MemoryData(
                CgroupFs.readLongOrZero(dir.resolve(prefix + ".usage_in_bytes")),
                CgroupFs.readLongOrZero(dir.resolve(prefix + ".max_usage_in_bytes")),
                CgroupFs.readLongOrZero(dir.resolve(prefix + ".failcnt")),
                unlimitedIfMax(CgroupFs.readLongOrZero(dir.resolve(prefix + ".limit_in_bytes"))));
    }

    /**
     * v1 has no "max": an unlimited page counter reads as LONG_MAX rounded down to the page size
     * (9223372036854771712 with 4 KiB pages). Reported as {@link CgroupStats#UNLIMITED} so both
     * versions mean the same thing; 64 KiB is the largest page size Linux uses.
     */
    static long unlimitedIfMax(long bytes) {
        return bytes >= Long.MAX_VALUE - 65535 ? CgroupStats.UNLIMITED : bytes;
    }

    private CgroupStats.Pids pidsStats() {
        return dir("pids").map(d -> new CgroupStats.Pids(CgroupFs.readLongOrZero(d.resolve("pids.current")),
                CgroupFs.readLongOrZero(d.resolve("pids.max")))).orElse(new CgroupStats.Pids(0, 0));
    }

    private CgroupStats.Blkio blkioStats() {
        Optional<Path> blkio = dir("blkio");
        if (blkio.isEmpty()) {
            return new CgroupStats.Blkio(List.of(), List.of());
        }
        Path d = blkio.get();
        return new CgroupStats.Blkio(
                parseBlkio(CgroupFs.readIfExists(d.resolve("blkio.throttle.io_service_bytes_recursive")).orElse("")),
                parseBlkio(CgroupFs.readIfExists(d.resolve("blkio.throttle.io_serviced_recursive")).orElse("")));
    }

    /** "8:0 Read 4096" lines; the "Total" summary lines are dropped. */
    static List<CgroupStats.BlkioEntry> parseBlkio(String text) {
        List<CgroupStats.BlkioEntry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].contains(":")) {
                String[] dev = f[0].split(":");
                entries.add(new CgroupStats.BlkioEntry(Long.parseLong(dev[0]), Long.parseLong(dev[1]), f[1], Long.parseLong(f[2])));
            }
        }
        return entries;
    }

    private static final Pattern HUGETLB_LIMIT = Pattern.compile("hugetlb\\.([0-9]+[KMG]B)\\.limit_in_bytes");

    private Map<String, CgroupStats.Hugetlb> hugetlbStats() {
        Optional<Path> hugetlb = dir("hugetlb");
        if (hugetlb.isEmpty()) {
            return unifiedFor("hugetlb").map(CgroupV2::hugetlbStats).orElse(Map.of());
        }
        Map<String, CgroupStats.Hugetlb> result = new TreeMap<>();
        Path d = hugetlb.get();
        try (Stream<Path> files = Files.list(d)) {
            for (Path f : files.toList()) {
                Matcher m = HUGETLB_LIMIT.matcher(f.getFileName().toString());
                if (m.matches()) {
                    String size = m.group(1);
                    result.put(size, new CgroupStats.Hugetlb(
                            CgroupFs.readLongOrZero(d.resolve("hugetlb." + size + ".usage_in_bytes")),
                            CgroupFs.readLongOrZero(d.resolve("hugetlb." + size + ".max_usage_in_bytes")),
                            CgroupFs.readLongOrZero(d.resolve("hugetlb." + size + ".failcnt"))));
                }
            }
        } catch (IOException e) {
            throw CgroupException.io("list", d, e);
        }
        return result;
    }

    @Override
    public long oomKillCount() {
        return dir("memory").map(d -> CgroupFs.readFlatKeyed(d.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L))
                .orElse(0L);
    }

    /**
     * The default parent (/burk) is shared by every container that names no cgroupsPath and is
     * burk's own: when the last such container goes, the empty parent goes too.
     */
    private void removeDefaultParentIfEmpty() {
        for (Map.Entry<String, Path> e : mountPoints.entrySet()) {
            Path parent = e.getValue().resolve(Cgroups.DEFAULT_PARENT.substring(1));
            for (Path d : uniqueDirs()) {
                if (d.getParent() != null && d.getParent().equals(parent) && !Files.exists(d)) CgroupFs.removeIfEmpty(parent);
            }
        }
    }

    @Override
    public void destroy() {
        if (created.isEmpty()) {
            return;
        }
        CgroupFs.Deadline deadline = CgroupFs.Deadline.in(DESTROY_TIMEOUT);
        killRemaining(deadline);
        CgroupFs.removeCreated(created, deadline);
        removeDefaultParentIfEmpty();
    }

    /**
     * Kills every task in the cgroups burk created. Freezing first makes the set of tasks hold
     * still, so a fork loop cannot outrun the kills; SIGKILL stays pending on a frozen task and
     * lands at the thaw.
     */
    private void killRemaining(CgroupFs.Deadline deadline) {
        List<Path> targets = uniqueDirs().stream().filter(created::contains).toList();
        if (targets.isEmpty()) {
            return;
        }
        Path freezer = dirs.get("freezer");
        boolean canFreeze = freezer != null && targets.contains(freezer);
        long self = ProcessHandle.current().pid();
        CgroupFs.Backoff backoff = new CgroupFs.Backoff();
        while (!deadline.expired()) {
            Set<Long> pids = new TreeSet<>();
            for (Path dir : targets) {
                if (Files.isDirectory(dir)) {
                    pids.addAll(CgroupFs.readProcsRecursive(dir));
                }
            }
            if (pids.isEmpty()) {
                return;
            }
            if (pids.contains(self)) {
                throw new CgroupException("cgroup: refusing to destroy " + targets + ": the calling process (" + self + ") is in it");
            }
            boolean frozen = false;
            if (canFreeze) {
                try {
                    freeze();
                    frozen = true;
                } catch (CgroupException e) {
                    // Kill anyway; without the freeze a forking task may need another round.
                }
            }
            pids.forEach(killer::kill);
            if (frozen) {
                thaw();
            }
            backoff.pause();
        }
    }

    @Override
    public boolean exists() {
        return uniqueDirs().stream().allMatch(Files::isDirectory);
    }

    @Override
    public Map<String, Path> paths() {
        return dirs;
    }

    /**
     * Counts {@code dir}, made by someone acting for burk (systemd, for the scope it started), as
     * created by burk: {@link #destroy()} removes it.
     */
    void adopt(Path dir) {
        if (!created.contains(dir)) {
            created.add(dir);
        }
    }

    @Override
    public List<Path> createdPaths() {
        return List.copyOf(created);
    }
}
