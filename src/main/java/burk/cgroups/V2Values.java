package burk.cgroups;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** OCI (cgroup v1 scale) values to cgroup v2 file contents. Pure functions. */
final class V2Values {
    private V2Values() {}

    /**
     * cgroup v1 cpu.shares (2..262144, default 1024) to v2 cpu.weight (1..10000, default 100),
     * with runc's linear map {@code 1 + ((shares - 2) * 9999) / 262142}: it sends the two ranges'
     * ends onto each other (2 to 1, 262144 to 10000). crun's newer quadratic map instead sends
     * the default 1024 to exactly 100; runc's gives 39. burk follows runc because engines test
     * against it and because cpu.weight read back is then what runc users expect. 0 means unset
     * and maps to 0 (write nothing).
     */
    static long cpuWeight(long shares) {
        if (shares == 0) {
            return 0;
        }
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    /** blkio weight (10..1000) to io.weight (1..10000), runc's linear map; 0 stays 0 (unset). */
    static long ioWeight(long blkioWeight) {
        if (blkioWeight == 0) {
            return 0;
        }
        return 1 + (blkioWeight - 10) * 9999 / 990;
    }

    /** A limit for a *.max file: -1 is "max", anything else is the number itself. */
    static String limit(long value) {
        return value == -1 ? "max" : Long.toString(value);
    }

    /**
     * OCI's swap is memory+swap (cgroup v1 memsw); v2's memory.swap.max is swap alone. Returns
     * the content for memory.swap.max, or empty to leave it alone. Follows runc's conversion:
     * swap -1 is "max"; a memory limit of -1 with swap unset also lifts the swap limit (v1
     * behaviour: "unlimited memory" meant both); swap 0 means unset; otherwise swap - memory,
     * which needs a memory limit (the one given, else the one in force) not above swap.
     *
     * @param currentMemoryMax memory.max as read now, used when {@code memory} is null
     */
    static Optional<String> swapMax(Long memory, Long swap, String currentMemoryMax) {
        if (swap == null || swap == 0) {
            return memory != null && memory == -1 ? Optional.of("max") : Optional.empty();
        }
        if (swap == -1) {
            return Optional.of("max");
        }
        if (swap < -1) {
            throw new CgroupException("cgroup: invalid memory swap value " + swap);
        }
        long effectiveMemory;
        if (memory != null) {
            effectiveMemory = memory;
        } else if (currentMemoryMax == null || currentMemoryMax.trim().equals("max")) {
            effectiveMemory = -1;
        } else {
            effectiveMemory = Long.parseLong(currentMemoryMax.trim());
        }
        if (effectiveMemory == -1 || effectiveMemory == 0) {
            throw new CgroupException("cgroup: unable to set swap limit " + swap + " without a memory limit");
        }
        if (effectiveMemory < 0) {
            throw new CgroupException("cgroup: invalid memory value " + effectiveMemory);
        }
        if (swap < effectiveMemory) {
            throw new CgroupException("cgroup: memory+swap limit " + swap + " must be >= memory limit " + effectiveMemory);
        }
        return Optional.of(Long.toString(swap - effectiveMemory));
    }

    /**
     * The cpu.max content, or empty to leave it. cpu.max is "$MAX $PERIOD"; writing one number
     * changes only $MAX, so a quota alone is written alone, and a period alone keeps the quota in
     * force (read from {@code currentCpuMax}). Quota -1 is "max".
     */
    static Optional<String> cpuMax(Long quota, Long period, String currentCpuMax) {
        if (quota == null && period == null) {
            return Optional.empty();
        }
        String max;
        if (quota != null) {
            max = quota < 0 ? "max" : Long.toString(quota);
        } else {
            String current = currentCpuMax == null ? "max" : currentCpuMax.trim();
            max = current.isEmpty() ? "max" : current.split("\\s+")[0];
        }
        return Optional.of(period == null ? max : max + " " + period);
    }

    /**
     * io.max lines, one per device (the kernel parses one device per write), each with every
     * throttle given for that device, e.g. "8:0 rbps=1048576 wbps=max". Rate 0 means "no limit"
     * in OCI (as writing 0 to v1's throttle files does), which v2 spells "max".
     */
    static List<String> ioMaxLines(CgroupResources.BlockIo io) {
        Map<String, StringBuilder> byDevice = new LinkedHashMap<>();
        addThrottles(byDevice, "rbps", io.throttleReadBpsDevices());
        addThrottles(byDevice, "wbps", io.throttleWriteBpsDevices());
        addThrottles(byDevice, "riops", io.throttleReadIopsDevices());
        addThrottles(byDevice, "wiops", io.throttleWriteIopsDevices());
        List<String> lines = new ArrayList<>();
        byDevice.forEach((device, keys) -> lines.add(device + keys));
        return lines;
    }

    private static void addThrottles(Map<String, StringBuilder> byDevice, String key,
                                     List<CgroupResources.ThrottleDevice> devices) {
        if (devices == null) {
            return;
        }
        for (CgroupResources.ThrottleDevice d : devices) {
            String rate = d.rate() == 0 ? "max" : Long.toString(d.rate());
            byDevice.computeIfAbsent(d.major() + ":" + d.minor(), k -> new StringBuilder())
                    .append(' ').append(key).append('=').append(rate);
        }
    }

    /** cgroup.* files a config may set through {@code unified}: limits on the container's own subtree. */
    private static final Set<String> HARMLESS_CGROUP_FILES = Set.of("cgroup.max.depth", "cgroup.max.descendants");

    /**
     * A {@code unified} key must name one file of the container's own cgroup: no path separator,
     * no "."/".." (runc checks only "/"; the rest is cheap insurance), the CONTROLLER.FILE form,
     * and none of the cgroup.* core files that move tasks, kill, freeze or change delegation
     * (cgroup.procs, cgroup.kill, cgroup.subtree_control, ...): those are the runtime's.
     */
    static void checkUnifiedKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new CgroupException("cgroup: unified resource with an empty name");
        }
        if (key.contains("/") || key.contains("\0") || key.equals(".") || key.equals("..")) {
            throw new CgroupException("cgroup: unified resource " + CgroupException.quote(key) + " must be a file name (no \"/\", no \"..\")");
        }
        int dot = key.indexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            throw new CgroupException("cgroup: unified resource " + CgroupException.quote(key) + " must be in the form CONTROLLER.PARAMETER");
        }
        if (key.startsWith("cgroup.") && !HARMLESS_CGROUP_FILES.contains(key)) {
            throw new CgroupException("cgroup: unified resource " + CgroupException.quote(key)
                    + " is not allowed (only " + String.join(", ", HARMLESS_CGROUP_FILES.stream().sorted().toList())
                    + " of the cgroup.* files may be set)");
        }
    }
}
