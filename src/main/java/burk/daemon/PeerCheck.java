package burk.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whom the daemon serves: a caller in exactly the daemon's situation, so that the daemon does for
 * it precisely what a JVM the caller started would have done, with no privilege the caller lacks.
 * <ul>
 * <li>the same credentials (uids, gids, supplementary groups), capability sets, no_new_privs and
 *     seccomp mode: a root caller whose capabilities were dropped must not borrow the daemon's;</li>
 * <li>the same namespaces (mount, pid, user, network, ipc, uts, cgroup, time) and root directory:
 *     paths in a command (bundle, --root, --pid-file) and pids (the pid file, kill) mean the same
 *     thing only there;</li>
 * <li>the same umask: the state directory, pid file and config.json the daemon writes get the
 *     modes the caller's own JVM would give them;</li>
 * <li>the same LSM label, where one is readable.</li>
 * </ul>
 * Anything else falls back to a JVM per call, which is always right.
 *
 * @param uid      this process's effective uid, which a peer must have (checked first, from SO_PEERCRED)
 * @param identity what must be equal, by name, as this process has it
 */
record PeerCheck(int uid, Map<String, String> identity) {
    private static final List<String> STATUS_FIELDS = List.of("Uid", "Gid", "Groups", "Umask", "CapInh", "CapPrm",
            "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp");
    private static final List<String> NAMESPACES = List.of("mnt", "pid", "user", "net", "ipc", "uts", "cgroup", "time");

    static PeerCheck ofThisProcess() throws IOException {
        Map<String, String> id = identityOf("self");
        String uid = id.get("Uid");
        if (uid == null) throw new IOException("no Uid line in /proc/self/status");
        return new PeerCheck(Integer.parseInt(uid.split("\\s+")[1]), java.util.Collections.unmodifiableMap(id));
    }

    private static Map<String, String> identityOf(String pid) throws IOException {
        Map<String, String> id = new LinkedHashMap<>();
        Path proc = Path.of("/proc", pid);
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            int colon = line.indexOf(':');
            if (colon > 0 && STATUS_FIELDS.contains(line.substring(0, colon))) {
                id.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        for (String ns : NAMESPACES) {
            Path link = proc.resolve("ns").resolve(ns);
            if (Files.exists(link)) id.put("ns/" + ns, Files.readSymbolicLink(link).toString());
        }
        id.put("root", Files.readSymbolicLink(proc.resolve("root")).toString());
        try {
            id.put("lsm", Files.readString(proc.resolve("attr/current")).strip());
        } catch (IOException | UnsupportedOperationException noLsm) {
            // no LSM, or none that labels processes: nothing to compare
        }
        return id;
    }

    /** Why the peer with this pid cannot be served, or null if it can. */
    String mismatch(int pid) {
        Map<String, String> peer;
        try {
            peer = identityOf(Integer.toString(pid));
        } catch (IOException e) {
            return "cannot see the caller's /proc entry: " + e.getMessage();
        }
        for (Map.Entry<String, String> e : identity.entrySet()) {
            if (!e.getValue().equals(peer.get(e.getKey()))) return "the caller's " + e.getKey() + " differs from the daemon's";
        }
        return null;
    }
}
