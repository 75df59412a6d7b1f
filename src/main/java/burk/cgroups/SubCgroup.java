package burk.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sub-cgroup of a container's cgroup that an exec'd process joins ({@code exec --cgroup},
 * runc 1.1+). Either one path for every hierarchy (the only form cgroup v2, with its one
 * hierarchy, can use), or paths per v1 controller; a hierarchy no controller names keeps the
 * process in the container's own cgroup. Paths are relative to the container's cgroup and may
 * not lead out of it. The sub-cgroup must exist: exec joins it, it does not make it.
 *
 * @param paths controller to path, or {@code ""} to the path for all hierarchies; empty: none
 */
public record SubCgroup(Map<String, String> paths) {
    /** No sub-cgroup: the process joins the container's cgroup itself. */
    public static final SubCgroup NONE = new SubCgroup(Map.of());

    public SubCgroup {
        paths = Collections.unmodifiableMap(new LinkedHashMap<>(paths));
    }

    public boolean isEmpty() {
        return paths.isEmpty();
    }

    /**
     * runc's grammar for its {@code --cgroup} flags: {@code path} alone (one flag only), or any
     * number of {@code controller[,controller...]:path}.
     *
     * @throws CgroupException with runc's words for a malformed list
     */
    public static SubCgroup parse(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String arg : args) {
            int colon = arg.indexOf(':');
            if (colon < 0) {
                if (args.size() != 1) {
                    throw new CgroupException("invalid --cgroup argument: " + arg + " (missing <controller>: prefix)");
                }
                out.put("", arg);
                continue;
            }
            String path = arg.substring(colon + 1);
            for (String controller : arg.substring(0, colon).split(",", -1)) {
                if (controller.isEmpty()) {
                    throw new CgroupException("invalid --cgroup argument: " + arg + " (empty <controller> prefix)");
                }
                if (out.putIfAbsent(controller, path) != null) {
                    throw new CgroupException("invalid --cgroup argument(s): controller " + controller
                            + " specified multiple times");
                }
            }
        }
        return new SubCgroup(out);
    }

    /**
     * The cgroup directories a process joins, one per hierarchy, for a container whose cgroup is
     * {@code containerDirs} ({@link CgroupManager#paths()}: controller to directory on v1,
     * {@code ""} to the one directory on v2). Each must exist.
     *
     * @throws CgroupException for an unknown controller, a path that leaves the container's
     *         cgroup, two controllers of one hierarchy given different paths, or a sub-cgroup
     *         that does not exist
     */
    public List<Path> targets(Map<String, Path> containerDirs) {
        // A hierarchy is one directory: cpu and cpuacct mounted together share theirs.
        Map<Path, Path> byHierarchy = new LinkedHashMap<>();
        Map<Path, String> namedBy = new LinkedHashMap<>();
        for (Path dir : containerDirs.values()) byHierarchy.put(dir, dir);
        String all = paths.get("");
        if (all != null) {
            for (Path dir : byHierarchy.keySet()) byHierarchy.put(dir, below(dir, all));
        } else {
            for (Map.Entry<String, String> e : paths.entrySet()) {
                Path base = containerDirs.get(e.getKey());
                if (base == null) throw unknownController(e.getKey(), containerDirs);
                Path target = below(base, e.getValue());
                String other = namedBy.putIfAbsent(base, e.getKey());
                if (other != null && !byHierarchy.get(base).equals(target)) {
                    throw new CgroupException("--cgroup: controllers " + other + " and " + e.getKey()
                            + " share one hierarchy (" + base + ") but are given different sub-cgroups");
                }
                byHierarchy.put(base, target);
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path target : new LinkedHashSet<>(byHierarchy.values())) {
            if (!Files.isDirectory(target)) {
                throw new CgroupException("--cgroup: sub-cgroup " + target + " does not exist (exec joins an existing"
                        + " sub-cgroup of the container's cgroup; make it first)");
            }
            out.add(target);
        }
        return out;
    }

    /** {@code base/sub} as Go's path.Join cleans it (a leading slash is still below base), kept inside base. */
    private static Path below(Path base, String sub) {
        Path p = Path.of(base + "/" + sub).normalize();
        if (!p.startsWith(base)) {
            throw new CgroupException("--cgroup: bad sub cgroup path: " + sub + " (it leads out of the container's"
                    + " cgroup " + base + ")");
        }
        return p;
    }

    private static CgroupException unknownController(String controller, Map<String, Path> containerDirs) {
        Set<String> known = new LinkedHashSet<>(containerDirs.keySet());
        if (known.equals(Set.of(""))) {
            return new CgroupException("--cgroup: unknown controller " + controller + " in --cgroup: cgroup v2 has one"
                    + " hierarchy, give the sub-cgroup as a plain path");
        }
        known.remove("");
        return new CgroupException("--cgroup: unknown controller " + controller + " in --cgroup (the container's cgroup"
                + " has: " + String.join(", ", known) + ")");
    }
}
