package burk.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cgroup v2 driver: one directory in the unified hierarchy.
 *
 * <p>Files written, by resource (OCI values are converted as runc does, see {@link V2Values}):
 * <ul>
 *   <li>memory.max (limit, -1 is "max"), memory.low (reservation), memory.swap.max (OCI's
 *       memory+swap minus the memory limit);
 *   <li>cpu.weight (from shares: {@code 1 + ((shares - 2) * 9999) / 262142}), cpu.max
 *       ("quota period", "max period"), cpu.max.burst, cpu.idle, cpuset.cpus, cpuset.mems;
 *   <li>pids.max; io.bfq.weight (the v1-scale weight, when BFQ provides it) or io.weight
 *       (converted), io.max (one line per device); hugetlb.SIZE.max (and .rsvd.max when
 *       present); rdma.max;
 *   <li>{@code unified}: each file written as given, last, after the checks of
 *       {@link V2Values#checkUnifiedKey}.
 * </ul>
 * <p>No v2 equivalent, ignored as runc ignores them: memory {@code kernel}, {@code kernelTcp},
 * {@code swappiness}, {@code disableOomKiller}; blockIO {@code leafWeight}; {@code network}.
 * Refused: the realtime CPU fields (a scheduling guarantee must not be dropped silently).
 *
 * <p>Device rules: v2 has no devices files. The rules are emulated as the v1 controller would
 * keep them ({@link DeviceRules}), compiled into a BPF_PROG_TYPE_CGROUP_DEVICE program
 * ({@link DeviceProgram}) and attached to the cgroup with bpf(2), replacing burk's previous one
 * ({@link DeviceFilter}). A null or empty list leaves the cgroup's devices alone.
 */
public final class CgroupV2 implements CgroupManager {
    private static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DESTROY_TIMEOUT = Duration.ofSeconds(10);

    private final Path mountPoint;
    private final Path dir;
    private final List<Path> created;
    private final Killer killer;

    CgroupV2(Path mountPoint, Path dir, List<Path> created, Killer killer) {
        this.mountPoint = mountPoint;
        this.dir = dir;
        this.created = new ArrayList<>(created);
        this.killer = killer;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    /** The cgroup's directory. */
    public Path path() {
        return dir;
    }

    @Override
    public void create() {
        for (Path p : CgroupFs.mkdirs(mountPoint, dir)) {
            if (!created.contains(p)) {
                created.add(p);
            }
        }
        CgroupFs.enableControllers(mountPoint, dir);
    }

    /** Writes one file of this cgroup; a missing file gets a hint about the controller behind it. */
    private void write(String file, String value) {
        try {
            CgroupFs.write(dir.resolve(file), value);
        } catch (CgroupException e) {
            if (!e.isNoSuchFile()) {
                throw e;
            }
            String controller = file.substring(0, Math.max(0, file.indexOf('.')));
            Set<String> enabled = CgroupFs.readIfExists(dir.resolve("cgroup.controllers")).map(CgroupFs::words).orElse(Set.of());
            if (!controller.equals("cgroup") && !enabled.contains(controller)) {
                throw e.withHint("the " + controller + " controller is not enabled for " + dir
                        + "; its cgroup.controllers lists: " + String.join(" ", enabled));
            }
            throw e;
        }
    }

    @Override
    public void apply(CgroupResources r) {
        Checks.checkResources(r);
        if (r.unified() != null) {
            r.unified().keySet().forEach(V2Values::checkUnifiedKey);
        }
        if (r.cpu() != null && (r.cpu().realtimeRuntime() != null || r.cpu().realtimePeriod() != null)) {
            throw new CgroupException("cgroup: realtime CPU limits (realtimeRuntime/realtimePeriod) have no cgroup v2 equivalent");
        }
        setPids(r.pids());
        setMemory(r.memory());
        setIo(r.blockIo());
        setCpu(r.cpu());
        setCpuset(r.cpu());
        setHugetlb(r.hugepageLimits());
        setRdma(r.rdma());
        setDevices(r.devices());
        setUnified(r.unified());
    }

    private void setDevices(List<CgroupResources.DeviceRule> rules) {
        if (rules != null && !rules.isEmpty()) {
            DeviceFilter.attach(dir, DeviceRules.of(rules));
        }
    }

    @Override
    public void update(CgroupResources r) {
        apply(r);
    }

    private void setPids(CgroupResources.Pids p) {
        if (p != null && p.limit() != null) {
            write("pids.max", p.limit() > 0 ? Long.toString(p.limit()) : "max");
        }
    }

    private void setMemory(CgroupResources.Memory m) {
        if (m == null || (m.limit() == null && m.reservation() == null && m.swap() == null)) {
            return;
        }
        Long limit = m.limit();
        if (Boolean.TRUE.equals(m.checkBeforeUpdate()) && limit != null && limit > 0) {
            long usage = CgroupFs.readLong(dir.resolve("memory.current"));
            if (limit < usage) {
                throw new CgroupException("cgroup: memory limit " + limit + " is below the current usage " + usage
                        + " of " + dir + " (checkBeforeUpdate)");
            }
        }
        String currentMax = limit == null && m.swap() != null && m.swap() > 0
                ? CgroupFs.readTrimmed(dir.resolve("memory.max")) : null;
        Optional<String> swapMax = V2Values.swapMax(limit, m.swap(), currentMax);
        if (swapMax.isPresent()) {
            if (Files.exists(dir.resolve("memory.swap.max"))) {
                write("memory.swap.max", swapMax.get());
            } else if (!swapMax.get().equals("max")) {
                throw new CgroupException("cgroup: a memory+swap limit was requested but the kernel has no swap accounting (no "
                        + dir.resolve("memory.swap.max") + ")");
            }
        }
        if (limit != null) {
            write("memory.max", V2Values.limit(limit));
        }
        if (m.reservation() != null) {
            write("memory.low", V2Values.limit(m.reservation()));
        }
    }

    private void setIo(CgroupResources.BlockIo b) {
        if (b == null) {
            return;
        }
        boolean bfq = Files.exists(dir.resolve("io.bfq.weight"));
        if (b.weight() != null && b.weight() != 0) {
            if (bfq) {
                write("io.bfq.weight", Integer.toString(b.weight()));
            } else {
                write("io.weight", Long.toString(V2Values.ioWeight(b.weight())));
            }
        }
        if (b.weightDevices() != null) {
            for (CgroupResources.WeightDevice d : b.weightDevices()) {
                if (d.weight() != null && d.weight() != 0) {
                    String device = d.major() + ":" + d.minor() + " ";
                    if (bfq) {
                        write("io.bfq.weight", device + d.weight());
                    } else {
                        write("io.weight", device + V2Values.ioWeight(d.weight()));
                    }
                }
            }
        }
        for (String line : V2Values.ioMaxLines(b)) {
            write("io.max", line);
        }
    }

    private void setCpu(CgroupResources.Cpu c) {
        if (c == null) {
            return;
        }
        if (c.shares() != null && c.shares() != 0) {
            write("cpu.weight", Long.toString(V2Values.cpuWeight(c.shares())));
        }
        String currentMax = c.quota() == null && c.period() != null ? CgroupFs.readTrimmed(dir.resolve("cpu.max")) : null;
        Optional<String> cpuMax = V2Values.cpuMax(c.quota(), c.period(), currentMax);
        if (cpuMax.isPresent()) {
            write("cpu.max", cpuMax.get());
        }
        if (c.burst() != null) {
            write("cpu.max.burst", Long.toString(c.burst()));
        }
        if (c.idle() != null) {
            write("cpu.idle", Long.toString(c.idle()));
        }
    }

    private void setCpuset(CgroupResources.Cpu c) {
        if (c == null) {
            return;
        }
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            write("cpuset.cpus", c.cpus());
        }
        if (c.mems() != null && !c.mems().isEmpty()) {
            write("cpuset.mems", c.mems());
        }
    }

    private void setHugetlb(List<CgroupResources.HugepageLimit> limits) {
        if (limits == null) {
            return;
        }
        for (CgroupResources.HugepageLimit h : limits) {
            write("hugetlb." + h.pageSize() + ".max", Long.toString(h.limit()));
            if (Files.exists(dir.resolve("hugetlb." + h.pageSize() + ".rsvd.max"))) {
                write("hugetlb." + h.pageSize() + ".rsvd.max", Long.toString(h.limit()));
            }
        }
    }

    private void setRdma(Map<String, CgroupResources.RdmaLimit> rdma) {
        if (rdma != null) {
            new TreeMap<>(rdma).forEach((device, limit) -> write("rdma.max", CgroupV1.rdmaLine(device, limit)));
        }
    }

    private void setUnified(Map<String, String> unified) {
        if (unified == null) {
            return;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(unified).entrySet()) {
            try {
                CgroupFs.write(dir.resolve(e.getKey()), e.getValue());
            } catch (CgroupException failure) {
                if (!failure.isNoSuchFile()) {
                    throw failure;
                }
                String controller = e.getKey().substring(0, e.getKey().indexOf('.'));
                Set<String> enabled = CgroupFs.readIfExists(dir.resolve("cgroup.controllers")).map(CgroupFs::words).orElse(Set.of());
                if (!controller.equals("cgroup") && !enabled.contains(controller)) {
                    throw failure.withHint("unified resource " + CgroupException.quote(e.getKey()) + ": controller "
                            + CgroupException.quote(controller) + " is not available; cgroup.controllers lists: " + String.join(" ", enabled));
                }
                throw failure.withHint("unified resource " + CgroupException.quote(e.getKey()) + ": the "
                        + controller + " controller has no such file");
            }
        }
    }

    @Override
    public void addProcess(long pid) {
        CgroupFs.write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public List<Long> pids() {
        return CgroupFs.readProcsRecursive(dir);
    }

    @Override
    public void freeze() {
        setFrozen(true);
    }

    @Override
    public void thaw() {
        setFrozen(false);
    }

    /**
     * Writes cgroup.freeze, then waits for cgroup.events to say "frozen 1" (or 0): the write only
     * requests the change, tasks stop at their next return to user space.
     */
    private void setFrozen(boolean frozen) {
        Path file = dir.resolve("cgroup.freeze");
        if (!Files.exists(file)) {
            throw CgroupException.io("freeze", file, "no such file or directory (the v2 freezer needs Linux 5.2)");
        }
        String value = frozen ? "1" : "0";
        CgroupFs.write(file, value);
        CgroupFs.Deadline deadline = CgroupFs.Deadline.in(FREEZE_TIMEOUT);
        CgroupFs.Backoff backoff = new CgroupFs.Backoff(10);
        while (CgroupFs.readFlatKeyed(dir.resolve("cgroup.events")).getOrDefault("frozen", -1L) != (frozen ? 1 : 0)) {
            if (deadline.expired()) {
                if (frozen) {
                    CgroupFs.write(file, "0");
                }
                throw CgroupException.write(file, value, "cgroup.events did not report frozen " + value
                        + " within " + FREEZE_TIMEOUT.toSeconds() + " s");
            }
            backoff.pause();
        }
    }

    @Override
    public FreezerState state() {
        Optional<String> requested = CgroupFs.readIfExists(dir.resolve("cgroup.freeze")).map(String::trim);
        if (requested.isEmpty() || requested.get().equals("0")) {
            return FreezerState.THAWED;
        }
        long frozen = CgroupFs.readFlatKeyed(dir.resolve("cgroup.events")).getOrDefault("frozen", 0L);
        return frozen == 1 ? FreezerState.FROZEN : FreezerState.FREEZING;
    }

    @Override
    public CgroupStats stats() {
        return new CgroupStats(cpuStats(), memoryStats(), pidsStats(), ioStats(), hugetlbStats());
    }

    private CgroupStats.Cpu cpuStats() {
        Map<String, Long> stat = CgroupFs.readFlatKeyed(dir.resolve("cpu.stat"));
        return new CgroupStats.Cpu(
                new CgroupStats.CpuUsage(stat.getOrDefault("usage_usec", 0L) * 1000, List.of(),
                        stat.getOrDefault("user_usec", 0L) * 1000, stat.getOrDefault("system_usec", 0L) * 1000),
                new CgroupStats.Throttling(stat.getOrDefault("nr_periods", 0L), stat.getOrDefault("nr_throttled", 0L),
                        stat.getOrDefault("throttled_usec", 0L) * 1000));
    }

    private CgroupStats.Memory memoryStats() {
        Map<String, Long> stat = CgroupFs.readFlatKeyed(dir.resolve("memory.stat"));
        Map<String, Long> events = CgroupFs.readFlatKeyed(dir.resolve("memory.events"));
        long usage = CgroupFs.readLongOrZero(dir.resolve("memory.current"));
        long limit = CgroupFs.readLongOrZero(dir.resolve("memory.max"));
        CgroupStats.MemoryData memory = new CgroupStats.MemoryData(usage,
                CgroupFs.readLongOrZero(dir.resolve("memory.peak")), events.getOrDefault("max", 0L), limit);
        // Report memory+swap, as v1's memsw and runc do, so callers see one meaning on both versions.
        long swapUsage = CgroupFs.readLongOrZero(dir.resolve("memory.swap.current"));
        long swapLimit = CgroupFs.readLongOrZero(dir.resolve("memory.swap.max"));
        long combinedLimit = swapLimit == CgroupStats.UNLIMITED || limit == CgroupStats.UNLIMITED
                ? CgroupStats.UNLIMITED : swapLimit + limit;
        Map<String, Long> swapEvents = CgroupFs.readFlatKeyed(dir.resolve("memory.swap.events"));
        CgroupStats.MemoryData swap = new CgroupStats.MemoryData(usage + swapUsage,
                CgroupFs.readLongOrZero(dir.resolve("memory.swap.peak")), swapEvents.getOrDefault("max", 0L), combinedLimit);
        return new CgroupStats.Memory(stat.getOrDefault("file", 0L), memory, swap,
                new CgroupStats.MemoryData(0, 0, 0, 0), stat, events.getOrDefault("oom_kill", 0L));
    }

    private CgroupStats.Pids pidsStats() {
        return new CgroupStats.Pids(CgroupFs.readLongOrZero(dir.resolve("pids.current")),
                CgroupFs.readLongOrZero(dir.resolve("pids.max")));
    }

    private CgroupStats.Blkio ioStats() {
        return parseIoStat(CgroupFs.readIfExists(dir.resolve("io.stat")).orElse(""));
    }

    /** io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" into v1's Read/Write tables. */
    static CgroupStats.Blkio parseIoStat(String text) {
        List<CgroupStats.BlkioEntry> bytes = new ArrayList<>();
        List<CgroupStats.BlkioEntry> ios = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 2 || !fields[0].matches("[0-9]+:[0-9]+")) {
                continue;
            }
            String[] dev = fields[0].split(":");
            long major = Long.parseLong(dev[0]);
            long minor = Long.parseLong(dev[1]);
            for (String field : Arrays.copyOfRange(fields, 1, fields.length)) {
                String[] kv = field.split("=", 2);
                if (kv.length != 2) {
                    continue;
                }
                long value = Long.parseLong(kv[1]);
                switch (kv[0]) {
                    case "rbytes" -> bytes.add(new CgroupStats.BlkioEntry(major, minor, "Read", value));
                    case "wbytes" -> bytes.add(new CgroupStats.BlkioEntry(major, minor, "Write", value));
                    case "rios" -> ios.add(new CgroupStats.BlkioEntry(major, minor, "Read", value));
                    case "wios" -> ios.add(new CgroupStats.BlkioEntry(major, minor, "Write", value));
                    default -> { }
                }
            }
        }
        return new CgroupStats.Blkio(bytes, ios);
    }

    private static final Pattern HUGETLB_CURRENT = Pattern.compile("hugetlb\\.([0-9]+[KMG]B)\\.current");

    private Map<String, CgroupStats.Hugetlb> hugetlbStats() {
        return hugetlbStats(dir);
    }

    /** hugetlb.SIZE.current and the "max" count of hugetlb.SIZE.events, per page size. */
    static Map<String, CgroupStats.Hugetlb> hugetlbStats(Path dir) {
        Map<String, CgroupStats.Hugetlb> result = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = HUGETLB_CURRENT.matcher(f.getFileName().toString());
                if (m.matches()) {
                    String size = m.group(1);
                    result.put(size, new CgroupStats.Hugetlb(CgroupFs.readLong(f), 0,
                            CgroupFs.readFlatKeyed(dir.resolve("hugetlb." + size + ".events")).getOrDefault("max", 0L)));
                }
            }
        } catch (IOException e) {
            throw CgroupException.io("list", dir, e);
        }
        return result;
    }

    @Override
    public long oomKillCount() {
        return CgroupFs.readFlatKeyed(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
    }

    @Override
    public void destroy() {
        destroyCreated();
    }

    /**
     * The default parent (/burk) is shared by every container that names no cgroupsPath and is
     * burk's own: when the last such container goes, the empty parent goes too.
     */
    private void removeDefaultParentIfEmpty() {
        Path parent = mountPoint.resolve(Cgroups.DEFAULT_PARENT.substring(1));
        if (dir.getParent() != null && dir.getParent().equals(parent) && !Files.exists(dir)) {
            CgroupFs.removeIfEmpty(parent);
        }
    }

    private void destroyCreated() {
        if (created.isEmpty()) {
            return;
        }
        CgroupFs.Deadline deadline = CgroupFs.Deadline.in(DESTROY_TIMEOUT);
        if (created.contains(dir)) {
            killRemaining(deadline);
        }
        CgroupFs.removeCreated(created, deadline);
        removeDefaultParentIfEmpty();
    }

    /**
     * Empties the cgroup: cgroup.kill (Linux 5.14) SIGKILLs every task below it atomically with
     * respect to forks; without it, freeze, kill each task through the {@link Killer}, thaw.
     */
    private void killRemaining(CgroupFs.Deadline deadline) {
        long self = ProcessHandle.current().pid();
        boolean hasKill = Files.exists(dir.resolve("cgroup.kill"));
        CgroupFs.Backoff backoff = new CgroupFs.Backoff();
        while (!deadline.expired()) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            List<Long> pids = CgroupFs.readProcsRecursive(dir);
            if (pids.isEmpty()) {
                return;
            }
            if (pids.contains(self)) {
                throw new CgroupException("cgroup: refusing to destroy " + dir + ": the calling process (" + self + ") is in it");
            }
            if (hasKill) {
                CgroupFs.write(dir.resolve("cgroup.kill"), "1");
            } else {
                boolean frozen = false;
                try {
                    freeze();
                    frozen = true;
                } catch (CgroupException e) {
                    // Kill anyway; a forking task may need another round.
                }
                pids.forEach(killer::kill);
                if (frozen) {
                    thaw();
                }
            }
            backoff.pause();
        }
    }

    @Override
    public boolean exists() {
        return Files.isDirectory(dir);
    }

    @Override
    public Map<String, Path> paths() {
        return Map.of("", dir);
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
