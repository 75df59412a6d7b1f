package burk.runtime;

import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.RtNetlink;
import burk.linux.Syscalls;
import burk.spec.Json;
import burk.spec.NetDevice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * linux.netDevices (runtime-spec 1.3): host network devices moved into the container's network
 * namespace while its init waits at the first sync, as runc does it: each device keeps its
 * permanent addresses of global scope (the kernel drops addresses when a device changes
 * namespace, and the spec says to keep exactly those), gets the new name in the same request as
 * the move, and is brought up there.
 *
 * <p>Delete does nothing with them: the spec forbids moving a device out before the namespace
 * goes, and the kernel returns physical devices to the initial namespace and destroys virtual
 * ones when it does. A create that fails is different: nothing of it may stay, so
 * {@link #rollback()} moves every device back under its host name with its addresses and state.
 * The namespace stays alive for that through the fd held here, even when the init already died.
 */
final class NetDevices implements AutoCloseable {
    /** One device that left the host: enough to put it back as it was (its permanent addresses). */
    private record Moved(String hostName, RtNetlink.Link original, List<RtNetlink.Address> addresses, int containerIndex) {}

    private final List<Moved> moved = new ArrayList<>();
    private Fd containerNs;
    private Fd hostNs;
    private RtNetlink host;
    private RtNetlink container;

    /**
     * Moves each device of {@code devices} (host name to the container's name for it) into the
     * network namespace of process {@code initPid}. Everything is checked before the first device
     * moves: the host has each device, no two get the same name, and the container's namespace
     * has none of the names yet (the spec's MUST; a name with {@code %d} is a template the kernel
     * fills in, so it cannot clash).
     *
     * @throws RuntimeError naming the entry of linux.netDevices and the reason; the devices
     *         moved so far stay moved until {@link #rollback()}
     */
    void moveInto(Map<String, NetDevice> devices, int initPid) throws RuntimeError {
        if (devices.isEmpty()) return;
        try {
            containerNs = Syscalls.open("/proc/" + initPid + "/ns/net", Syscalls.O_RDONLY, 0);
            hostNs = Syscalls.open("/proc/thread-self/ns/net", Syscalls.O_RDONLY, 0);
            host = RtNetlink.open();
            container = RtNetlink.openIn(containerNs, "the container's network namespace");
        } catch (LinuxException e) {
            throw new RuntimeError("linux.netDevices: " + e.getMessage(), e);
        }
        Map<String, RtNetlink.Link> links = new HashMap<>();
        Map<String, String> targets = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, NetDevice> e : devices.entrySet()) {
            String field = field(e.getKey());
            RtNetlink.Link l = query(field, () -> host.link(e.getKey()));
            if (l == null) throw new RuntimeError(field + ": the host has no network device \"" + e.getKey() + "\"");
            links.put(e.getKey(), l);
            String target = targetName(e.getKey(), e.getValue());
            targets.put(e.getKey(), target);
            if (!target.contains("%d")) {
                if (!names.add(target)) {
                    throw new RuntimeError(field + ": another entry also names its device \"" + target + "\" in the container");
                }
                if (query(field, () -> container.link(target)) != null) {
                    throw new RuntimeError(field + (e.getValue().name() == null || e.getValue().name().isEmpty() ? "" : ".name")
                            + ": the container's network namespace already has a device \"" + target + "\"");
                }
            }
        }
        for (Map.Entry<String, NetDevice> e : devices.entrySet()) {
            move(field(e.getKey()), e.getKey(), links.get(e.getKey()),
                    targets.get(e.getKey()));
        }
    }

    /** The entry's path in config.json, e.g. {@code linux.netDevices["eth1"]}. */
    private static String field(String hostName) {
        return "linux.netDevices[" + Json.quote(hostName) + "]";
    }

    private static String targetName(String hostName, NetDevice d) {
        return d.name() == null || d.name().isEmpty() ? hostName : d.name();
    }

    private void move(String field, String hostName, RtNetlink.Link link, String target) throws RuntimeError {
        // The spec's rule for what moves in: permanent (configured, not learnt) and of global
        // scope. What a rollback puts back on the host: every permanent address.
        List<RtNetlink.Address> keep = new ArrayList<>(), permanent = new ArrayList<>();
        for (RtNetlink.Address a : query(field, () -> host.addresses(link.index()))) {
            if ((a.flags() & RtNetlink.IFA_F_PERMANENT) == 0) continue;
            permanent.add(a);
            if (a.scope() == RtNetlink.RT_SCOPE_UNIVERSE) keep.add(a);
        }
        Set<Integer> before = indexes(field);
        String what = "move " + hostName + " into the container's network namespace as " + target;
        LinuxException failed = null;
        try {
            host.moveTo(link.index(), target, containerNs, what);
        } catch (LinuxException e) {
            failed = e;
        }
        // The kernel moves first and renames after: a refused rename leaves the device moved.
        RtNetlink.Link arrived = null;
        for (RtNetlink.Link l : query(field, container::links)) {
            if (!before.contains(l.index())) arrived = l;
        }
        if (arrived != null) moved.add(new Moved(hostName, link, permanent, arrived.index()));
        if (failed != null) throw new RuntimeError(field + ": " + failed.getMessage(), failed);
        if (arrived == null) throw new RuntimeError(field + ": " + what + ": the device did not arrive there");
        int index = arrived.index();
        for (RtNetlink.Address a : keep) {
            query(field, () -> {
                container.addAddress(index, a);
                return null;
            });
        }
        query(field, () -> {
            container.setUp(index, true);
            return null;
        });
    }

    private Set<Integer> indexes(String field) throws RuntimeError {
        Set<Integer> out = new HashSet<>();
        for (RtNetlink.Link l : query(field, container::links)) out.add(l.index());
        return out;
    }

    private interface Call<T> {
        T run() throws LinuxException;
    }

    private static <T> T query(String field, Call<T> c) throws RuntimeError {
        try {
            return c.run();
        } catch (LinuxException e) {
            throw new RuntimeError(field + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts every moved device back on the host under its host name, with the addresses it had
     * and up if it was up, last moved first.
     *
     * @return what could not be undone, one line per device; empty when all went back
     */
    List<String> rollback() {
        List<String> problems = new ArrayList<>();
        for (int i = moved.size() - 1; i >= 0; i--) {
            Moved m = moved.get(i);
            try {
                container.moveTo(m.containerIndex(), m.hostName(), hostNs,
                        "move " + m.hostName() + " back to the host");
                RtNetlink.Link back = host.link(m.hostName());
                if (back == null) throw new LinuxException("find " + m.hostName() + " on the host", "", Errno.ENODEV);
                for (RtNetlink.Address a : m.addresses()) {
                    try {
                        host.addAddress(back.index(), a);
                    } catch (LinuxException e) {
                        if (e.errno() != Errno.EEXIST) throw e;
                    }
                }
                if (m.original().isUp()) host.setUp(back.index(), true);
            } catch (LinuxException e) {
                problems.add(m.hostName() + ": " + e.getMessage());
            }
        }
        moved.clear();
        return problems;
    }

    /** Releases the namespace and the sockets; devices stay where they are. */
    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {container, host, containerNs, hostNs}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception ignored) {
                // fds and sockets: closing cannot fail in a way that matters here
            }
        }
        container = null;
        host = null;
        containerNs = null;
        hostNs = null;
    }
}
