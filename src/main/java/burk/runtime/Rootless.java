package burk.runtime;

import burk.cgroups.CgroupException;
import burk.cgroups.CgroupResources;
import burk.spec.IdMapping;
import burk.spec.LinuxResources;
import burk.spec.NamespaceType;
import burk.spec.RuntimeSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What burk does differently when it runs without privileges (rootless, as runc does): how a new
 * user namespace gets its id maps, and which cgroup work is possible only where a cgroup tree was
 * delegated to the user.
 */
final class Rootless {
    private Rootless() {}

    /** The effective uid and gid of this process, from /proc/self/status. */
    record Ids(long uid, long gid) {
        boolean root() { return uid == 0; }

        static Ids ofThisProcess() throws IOException {
            long uid = -1, gid = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) uid = Long.parseLong(line.split("\\s+")[2]);
                if (line.startsWith("Gid:")) gid = Long.parseLong(line.split("\\s+")[2]);
            }
            return new Ids(uid, gid);
        }
    }

    /**
     * Writes the uid and gid maps of the new user namespace of {@code pid}, as config.json says.
     * Root writes /proc/PID/{uid,gid}_map itself. Without privileges the kernel lets a process map
     * only its own id, once, and only after it denied setgroups (else a process could drop a
     * group that was restricting it); any other mapping goes through the setuid helpers
     * newuidmap/newgidmap, which check /etc/subuid and /etc/subgid.
     */
    static void writeIdMaps(RuntimeSpec spec, int pid) throws IOException {
        var linux = spec.linuxOrEmpty();
        var userNs = linux.namespace(NamespaceType.USER);
        if (userNs == null || (userNs.path() != null && !userNs.path().isEmpty())) return;
        Ids me = Ids.ofThisProcess();
        List<IdMapping> uids = linux.uidMappings(), gids = linux.gidMappings();
        try {
            if (!uids.isEmpty()) {
                if (me.root() || isOnlyOwn(uids, me.uid())) {
                    Files.writeString(procFile(pid, "uid_map"), mapLines(uids));
                } else {
                    runMapper("newuidmap", "linux.uidMappings", "/etc/subuid", me.uid(), pid, uids);
                }
            }
            if (!gids.isEmpty()) {
                if (me.root()) {
                    Files.writeString(procFile(pid, "gid_map"), mapLines(gids));
                } else if (isOnlyOwn(gids, me.gid())) {
                    Files.writeString(procFile(pid, "setgroups"), "deny");
                    Files.writeString(procFile(pid, "gid_map"), mapLines(gids));
                } else {
                    runMapper("newgidmap", "linux.gidMappings", "/etc/subgid", me.uid(), pid, gids);
                }
            }
        } catch (IOException e) {
            throw new IOException("write the user namespace id maps of pid " + pid + ": " + e.getMessage(), e);
        }
    }

    private static Path procFile(int pid, String name) {
        return Path.of("/proc/" + pid + "/" + name);
    }

    private static boolean isOnlyOwn(List<IdMapping> maps, long id) {
        return maps.size() == 1 && maps.get(0).hostID() == id && maps.get(0).size() == 1;
    }

    private static void runMapper(String tool, String field, String ranges, long uid, int pid, List<IdMapping> maps)
            throws IOException {
        Path exe = findTool(tool);
        if (exe == null) {
            throw new IOException(field + ": mapping more than your own id (uid " + uid + ") without privileges needs "
                    + tool + " (Debian package uidmap) and a range for you in " + ranges);
        }
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), Integer.toString(pid)));
        for (IdMapping m : maps) {
            cmd.add(Long.toString(m.containerID()));
            cmd.add(Long.toString(m.hostID()));
            cmd.add(Long.toString(m.size()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(tool + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(tool + " was interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(field + ": " + tool + " failed" + (out.isEmpty() ? "" : ": " + out)
                    + " (are the ranges in " + ranges + "?)");
        }
    }

    private static Path findTool(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
        dirs.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Whether a cgroup failed because this user may not write there (the tree is not delegated to it). */
    static boolean isPermissionProblem(CgroupException e) {
        String r = String.valueOf(e.reason()).toLowerCase(java.util.Locale.ROOT) + " " + e.getMessage().toLowerCase(java.util.Locale.ROOT);
        return r.contains("permission denied") || r.contains("operation not permitted")
                || r.contains("read-only file system") || r.contains("accessdenied");
    }

    /** Whether config.json asks for any limit (device rules aside: only root can set those). */
    static boolean hasLimits(RuntimeSpec spec) {
        LinuxResources r = spec.linuxOrEmpty().resources();
        return r != null && (r.memory() != null || r.cpu() != null || r.pids() != null || r.blockIO() != null
                || !r.hugepageLimits().isEmpty() || r.network() != null || !r.rdma().isEmpty() || !r.unified().isEmpty());
    }

    /**
     * The resources without device rules: the v1 devices controller takes writes only from
     * CAP_SYS_ADMIN in the host's user namespace, and a v2 device program needs CAP_BPF there
     * (runc's rootless mode skips them too; the user's own permissions on /dev still apply).
     */
    static CgroupResources withoutDevices(CgroupResources r) {
        return new CgroupResources(r.memory(), r.cpu(), r.pids(), r.blockIo(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified(), null);
    }

    /** uid_map/gid_map lines: "containerID hostID size" per mapping. */
    static String mapLines(List<IdMapping> maps) {
        StringBuilder sb = new StringBuilder();
        for (IdMapping m : maps) sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
        return sb.toString();
    }
}
