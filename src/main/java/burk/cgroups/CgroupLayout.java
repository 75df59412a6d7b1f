package burk.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where this host mounts its cgroup hierarchies and which cgroup the calling process is in, read
 * from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}.
 *
 * @param v1Mounts     controller name ({@code memory}, {@code name=systemd}, ...) to its v1 hierarchy
 * @param unifiedMount the cgroup2 mount, if any
 * @param ownCgroups   the caller's cgroup per v1 controller, and under {@code ""} in the unified
 *                     hierarchy, as /proc/self/cgroup lists them
 */
public record CgroupLayout(Map<String, Mount> v1Mounts, Optional<Mount> unifiedMount, Map<String, String> ownCgroups) {

    /**
     * One mounted hierarchy.
     *
     * @param mountPoint  where it is mounted
     * @param root        which cgroup of the hierarchy is at the mount point ("/" unless bind-mounted
     *                    from inside, as in a container without a cgroup namespace)
     * @param controllers the controllers bound to it (empty for cgroup2)
     */
    public record Mount(Path mountPoint, String root, Set<String> controllers) {
        public Mount {
            controllers = Collections.unmodifiableSet(new LinkedHashSet<>(controllers));
        }
    }

    /** How the host lays out its hierarchies. */
    public enum Mode {
        /** v1 controllers only. */
        LEGACY,
        /** v1 controllers plus a cgroup2 mount (systemd's "hybrid"): controllers stay with v1. */
        HYBRID,
        /** cgroup2 only. */
        UNIFIED
    }

    /** v1 controller names as the kernel spells them in mount options. */
    private static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices",
            "freezer", "net_cls", "net_prio", "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc");

    public CgroupLayout {
        v1Mounts = Collections.unmodifiableMap(new LinkedHashMap<>(v1Mounts));
        ownCgroups = Collections.unmodifiableMap(new LinkedHashMap<>(ownCgroups));
    }

    /** Reads the layout as the calling process sees it. */
    public static CgroupLayout detect() {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        Path cgroup = Path.of("/proc/self/cgroup");
        try {
            return parse(Files.readString(mountinfo), Files.readString(cgroup));
        } catch (IOException e) {
            throw CgroupException.io("read", mountinfo, e);
        }
    }

    /** Parses the contents of /proc/self/mountinfo and /proc/self/cgroup. */
    public static CgroupLayout parse(String mountinfo, String procSelfCgroup) {
        Map<String, Mount> v1 = new LinkedHashMap<>();
        Mount unified = null;
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            String root = unescape(left[3]);
            Path mountPoint = Path.of(unescape(left[4]));
            String fsType = right[0];
            if (fsType.equals("cgroup2")) {
                // Several cgroup2 mounts can be visible (bind mounts); the canonical one wins.
                if (unified == null || mountPoint.equals(Path.of("/sys/fs/cgroup"))) {
                    unified = new Mount(mountPoint, root, Set.of());
                }
            } else if (fsType.equals("cgroup")) {
                Set<String> controllers = new LinkedHashSet<>();
                for (String option : right[2].split(",")) {
                    if (V1_CONTROLLERS.contains(option) || option.startsWith("name=")) {
                        controllers.add(option);
                    }
                }
                Mount mount = new Mount(mountPoint, root, controllers);
                for (String controller : controllers) {
                    v1.putIfAbsent(controller, mount);
                }
            }
        }
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : procSelfCgroup.split("\n")) {
            // hierarchy-id:controller-list:path; the path may itself contain ':'.
            String[] parts = line.split(":", 3);
            if (parts.length != 3) {
                continue;
            }
            if (parts[1].isEmpty()) {
                own.put("", parts[2]);
            } else {
                for (String controller : parts[1].split(",")) {
                    own.put(controller, parts[2]);
                }
            }
        }
        return new CgroupLayout(v1, Optional.ofNullable(unified), own);
    }

    /** LEGACY, HYBRID or UNIFIED. A v1 mount holding only a named hierarchy does not make a host v1. */
    public Mode mode() {
        boolean v1Controllers = v1Mounts.keySet().stream().anyMatch(c -> !c.startsWith("name="));
        if (!v1Controllers) {
            if (unifiedMount.isEmpty()) {
                throw new CgroupException("cgroup: no cgroup hierarchy is mounted (see /proc/self/mountinfo)");
            }
            return Mode.UNIFIED;
        }
        return unifiedMount.isPresent() ? Mode.HYBRID : Mode.LEGACY;
    }

    /** The driver that manages controllers here: v1 unless the host is cgroup2 only (as runc decides). */
    public CgroupVersion version() {
        return mode() == Mode.UNIFIED ? CgroupVersion.V2 : CgroupVersion.V1;
    }

    /** The caller's cgroup for a controller key ("" for unified), "/" when unknown. */
    public String ownCgroup(String controller) {
        return ownCgroups.getOrDefault(controller, "/");
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
