package burk.cgroups;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens the cgroup manager for a container.
 *
 * <p>How {@code cgroupsPath} (OCI {@code linux.cgroupsPath}) is resolved, as runc does with its
 * cgroupfs driver:
 * <ul>
 *   <li>absolute ({@code /a/b}): relative to the root of each hierarchy as this process sees it
 *       (its mount point);
 *   <li>relative ({@code a/b}): relative to the caller's own cgroup in each hierarchy, from
 *       /proc/self/cgroup (on v1 that can differ per controller);
 *   <li>null or empty: {@value #DEFAULT_PARENT}{@code /<containerId>}, absolute.
 * </ul>
 * {@code ..} is resolved lexically and cannot climb above the hierarchy root; a path that
 * resolves to the root itself is refused (a container must not be the root cgroup). The systemd
 * "slice:prefix:name" form belongs to {@link CgroupDriver#SYSTEMD}; the cgroupfs driver takes it
 * as a relative path like any other, as runc does.
 *
 * <p>Hybrid hosts (v1 controllers plus a cgroup2 mount) use the v1 driver, as runc does, with a
 * directory in the unified hierarchy too (key {@code ""}); only a host with cgroup2 alone gets
 * the v2 driver.
 */
public final class Cgroups {
    /** Parent of the default cgroup, {@code /burk/<containerId>}. */
    public static final String DEFAULT_PARENT = "/burk";

    private Cgroups() {}

    /** Opens the manager for {@code cgroupsPath} on this host, killing leftovers with {@link Killer#PROCESS_HANDLE}. Creates nothing. */
    public static CgroupManager open(String cgroupsPath, String containerId) {
        return open(CgroupLayout.detect(), cgroupsPath, containerId, Killer.PROCESS_HANDLE);
    }

    /**
     * Opens the manager for {@code cgroupsPath} with the given driver on this host. With
     * {@link CgroupDriver#SYSTEMD} the path is "slice:prefix:name" (see {@link SystemdCgroup}).
     * Creates nothing and does not contact systemd yet.
     */
    public static CgroupManager open(String cgroupsPath, String containerId, CgroupDriver driver) {
        return open(CgroupLayout.detect(), cgroupsPath, containerId, Killer.PROCESS_HANDLE, driver);
    }

    /** Opens the manager for {@code cgroupsPath} with the given driver in a given layout. Creates nothing. */
    public static CgroupManager open(CgroupLayout layout, String cgroupsPath, String containerId, Killer killer,
                                     CgroupDriver driver) {
        return switch (driver) {
            case CGROUPFS -> open(layout, cgroupsPath, containerId, killer);
            case SYSTEMD -> openSystemd(layout, cgroupsPath, containerId, killer, SystemdBus.system());
        };
    }

    /** The systemd driver, talking to systemd on {@code bus}. */
    static SystemdCgroup openSystemd(CgroupLayout layout, String cgroupsPath, String containerId, Killer killer,
                                     SystemdBus bus) {
        SystemdUnit unit = SystemdUnit.parse(cgroupsPath, containerId);
        CgroupManager fs = open(layout, unit.cgroupPath(), containerId, killer);
        return new SystemdCgroup(fs, unit.unit(), unit.slice(), "burk container " + containerId, bus, false);
    }

    /** Opens the manager for {@code cgroupsPath} in a given layout (cgroupfs driver). Creates nothing. */
    public static CgroupManager open(CgroupLayout layout, String cgroupsPath, String containerId, Killer killer) {
        return switch (layout.version()) {
            case V1 -> {
                Map<String, Path> mountPoints = new LinkedHashMap<>();
                Map<String, Path> dirs = new LinkedHashMap<>();
                layout.v1Mounts().forEach((controller, mount) -> {
                    String relative = resolve(cgroupsPath, containerId, layout.ownCgroup(controller), mount.root());
                    mountPoints.put(controller, mount.mountPoint());
                    dirs.put(controller, under(mount.mountPoint(), relative));
                });
                // Hybrid host: join the unified hierarchy too, as runc does.
                layout.unifiedMount().ifPresent(mount -> {
                    String relative = resolve(cgroupsPath, containerId, layout.ownCgroup(""), mount.root());
                    mountPoints.put(CgroupV1.UNIFIED, mount.mountPoint());
                    dirs.put(CgroupV1.UNIFIED, under(mount.mountPoint(), relative));
                });
                yield new CgroupV1(mountPoints, dirs, List.of(), killer);
            }
            case V2 -> {
                CgroupLayout.Mount mount = layout.unifiedMount().orElseThrow();
                String relative = resolve(cgroupsPath, containerId, layout.ownCgroup(""), mount.root());
                yield new CgroupV2(mount.mountPoint(), under(mount.mountPoint(), relative), List.of(), killer);
            }
        };
    }

    /** Reopens a manager from what {@link CgroupManager#savedPaths()} returned earlier, on this host. */
    public static CgroupManager reopen(CgroupPaths saved) {
        return reopen(CgroupLayout.detect(), saved, Killer.PROCESS_HANDLE);
    }

    /**
     * Reopens a manager from saved paths. Each directory must lie in a mounted hierarchy and
     * each created path must be one of those directories or an ancestor of one below its
     * hierarchy root, so a damaged state file cannot make {@link CgroupManager#destroy()} remove
     * anything else.
     */
    public static CgroupManager reopen(CgroupLayout layout, CgroupPaths saved, Killer killer) {
        return reopen(layout, saved, killer, SystemdBus.system());
    }

    static CgroupManager reopen(CgroupLayout layout, CgroupPaths saved, Killer killer, SystemdBus bus) {
        CgroupManager fs = reopenCgroupfs(layout, saved, killer);
        if (saved.systemdUnit() == null) {
            return fs;
        }
        SystemdUnit.checkScopeName(saved.systemdUnit());
        return new SystemdCgroup(fs, saved.systemdUnit(), null, null, bus, true);
    }

    private static CgroupManager reopenCgroupfs(CgroupLayout layout, CgroupPaths saved, Killer killer) {
        return switch (saved.version()) {
            case V1 -> {
                Map<String, Path> mountPoints = new LinkedHashMap<>();
                saved.dirs().forEach((controller, dir) -> {
                    CgroupLayout.Mount mount = controller.equals(CgroupV1.UNIFIED)
                            ? layout.unifiedMount().orElse(null) : layout.v1Mounts().get(controller);
                    if (mount == null || !dir.normalize().equals(dir) || !dir.startsWith(mount.mountPoint())) {
                        String name = controller.equals(CgroupV1.UNIFIED) ? "unified" : controller;
                        throw new CgroupException("cgroup: saved path " + dir + " for " + name
                                + " is not in a mounted " + name + " hierarchy");
                    }
                    mountPoints.put(controller, mount.mountPoint());
                });
                checkCreated(saved, mountPoints);
                yield new CgroupV1(mountPoints, saved.dirs(), saved.created(), killer);
            }
            case V2 -> {
                Path dir = saved.dirs().get("");
                CgroupLayout.Mount mount = layout.unifiedMount().orElseThrow(
                        () -> new CgroupException("cgroup: saved cgroup is v2 but no cgroup2 hierarchy is mounted"));
                if (dir == null || saved.dirs().size() != 1 || !dir.normalize().equals(dir)
                        || !dir.startsWith(mount.mountPoint())) {
                    throw new CgroupException("cgroup: saved v2 paths " + saved.dirs() + " are not in " + mount.mountPoint());
                }
                checkCreated(saved, Map.of("", mount.mountPoint()));
                yield new CgroupV2(mount.mountPoint(), dir, saved.created(), killer);
            }
        };
    }

    private static void checkCreated(CgroupPaths saved, Map<String, Path> mountPoints) {
        for (Path created : saved.created()) {
            boolean ok = saved.dirs().entrySet().stream().anyMatch(e -> e.getValue().startsWith(created)
                    && created.startsWith(mountPoints.get(e.getKey()))
                    && !created.equals(mountPoints.get(e.getKey())));
            if (!ok) {
                throw new CgroupException("cgroup: saved created path " + created + " is not part of " + saved.dirs().values());
            }
        }
    }

    /**
     * Resolves {@code cgroupsPath} to a cgroup path relative to a hierarchy's mount point,
     * starting with "/".
     *
     * @param ownCgroup the caller's cgroup in that hierarchy (from /proc/self/cgroup)
     * @param mountRoot the cgroup mounted at the mount point (mountinfo's root field)
     */
    static String resolve(String cgroupsPath, String containerId, String ownCgroup, String mountRoot) {
        String path;
        if (cgroupsPath == null || cgroupsPath.isEmpty()) {
            if (containerId == null || containerId.isEmpty() || containerId.contains("/")
                    || containerId.equals(".") || containerId.equals("..")) {
                throw new CgroupException("cgroup: container id " + (containerId == null ? "null" : CgroupException.quote(containerId))
                        + " cannot name a cgroup");
            }
            path = DEFAULT_PARENT + "/" + containerId;
        } else if (cgroupsPath.startsWith("/")) {
            path = cgroupsPath;
        } else {
            // /proc/self/cgroup shows paths from the cgroup namespace root, the mount shows
            // `mountRoot` at its mount point: our own cgroup as seen below the mount point is the
            // part past mountRoot.
            String own = normalize(ownCgroup);
            String root = normalize(mountRoot);
            if (!root.equals("/") && (own.equals(root) || own.startsWith(root + "/"))) {
                own = own.substring(root.length());
            }
            path = own + "/" + cgroupsPath;
        }
        if (path.indexOf('\0') >= 0) {
            throw new CgroupException("cgroup: cgroupsPath contains a NUL byte");
        }
        String normalized = normalize(path);
        if (normalized.equals("/")) {
            throw new CgroupException("cgroup: cgroupsPath " + CgroupException.quote(String.valueOf(cgroupsPath))
                    + " resolves to the hierarchy root");
        }
        return normalized;
    }

    /** Lexical clean-up: "/a//b/./c/../d" to "/a/b/d"; ".." at the root stays at the root. */
    static String normalize(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static Path under(Path mountPoint, String relative) {
        return mountPoint.resolve(relative.substring(1));
    }
}
