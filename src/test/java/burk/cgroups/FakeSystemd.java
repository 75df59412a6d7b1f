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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for systemd's manager object on a {@link TestBus}: it owns
 * org.freedesktop.systemd1, answers StartTransientUnit, StopUnit, ResetFailedUnit and
 * SetUnitProperties as systemd does (job object paths, JobRemoved signals, the UnitExists and
 * NoSuchUnit errors), and records every call. Like systemd, it makes a scope's cgroup directories
 * and puts the scope's PIDs in them: on a v1 host only in the hierarchies systemd manages, on a
 * v2 host with the controllers enabled in the slices above it.
 */
final class FakeSystemd implements AutoCloseable {
    /** One method call as the fake decoded it. */
    record Call(String member, String signature, List<Object> args) {}

    /** The v1 hierarchies systemd creates a scope in (not cpuset, freezer, net_cls...). */
    private static final Set<String> SYSTEMD_V1 = Set.of("name=systemd", "cpu", "cpuacct", "memory", "blkio", "devices", "pids");

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    /** Unit name to "active" or "failed". */
    final Map<String, String> units = new ConcurrentHashMap<>();
    /** The result the next jobs report in JobRemoved. */
    volatile String jobResult = "done";

    private final DBusConnection bus;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private long jobs;

    private FakeSystemd(DBusConnection bus) {
        this.bus = bus;
        this.thread = new Thread(this::serve, "fake-systemd");
        this.thread.setDaemon(true);
    }

    static FakeSystemd start(Path socket) throws IOException {
        DBusConnection bus = DBusConnection.open(socket, Duration.ofSeconds(10));
        // DBUS_NAME_FLAG_DO_NOT_QUEUE; 1 is DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER.
        List<Object> reply = bus.call(DBusConnection.BUS_NAME, DBusConnection.BUS_PATH, DBusConnection.BUS_NAME,
                "RequestName", "su", List.of(SystemdCgroup.SYSTEMD, 4L), Duration.ofSeconds(10));
        if (!reply.equals(List.of(1L))) {
            bus.close();
            throw new IOException("RequestName answered " + reply);
        }
        FakeSystemd fake = new FakeSystemd(bus);
        fake.thread.start();
        return fake;
    }

    /** The members of the manager calls so far, in order. */
    List<String> members() {
        synchronized (calls) {
            return calls.stream().map(Call::member).toList();
        }
    }

    Call call(String member) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.member().equals(member)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + member + " call in " + members()));
        }
    }

    /** a(sv) properties as a map of name to variant value. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> properties(Object array) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (Object p : (List<Object>) array) {
            List<Object> pair = (List<Object>) p;
            props.put((String) pair.get(0), ((DBusCodec.Variant) pair.get(1)).value());
        }
        return props;
    }

    private void serve() {
        try {
            while (!stopping) {
                DBusMessage m = bus.next(msg -> msg.type() == DBusMessage.METHOD_CALL, Duration.ofMillis(100));
                if (m != null) {
                    handle(m);
                }
            }
        } catch (Throwable t) {
            if (!stopping) {
                failure = t;
            }
        }
    }

    private void handle(DBusMessage m) throws IOException {
        if (!SystemdCgroup.MANAGER.equals(m.iface()) || !SystemdCgroup.SYSTEMD_PATH.equals(m.path())) {
            bus.send(m.error(0, "org.freedesktop.DBus.Error.UnknownObject", "no " + m.path() + " " + m.iface()));
            return;
        }
        calls.add(new Call(m.member(), m.signature(), m.body()));
        String unit = m.body().isEmpty() ? null : (String) m.body().get(0);
        switch (m.member() + " " + m.signature()) {
            case "StartTransientUnit ssa(sv)a(sa(sv))" -> {
                if (units.containsKey(unit)) {
                    bus.send(m.error(0, "org.freedesktop.systemd1.UnitExists", "Unit " + unit + " already exists."));
                    return;
                }
                Map<String, Object> props = properties(m.body().get(2));
                makeCgroups((String) props.get("Slice"), unit, (List<?>) props.get("PIDs"));
                String result = jobResult;
                units.put(unit, result.equals("done") ? "active" : "failed");
                job(m, unit, result);
            }
            case "StopUnit ss" -> {
                if (!units.containsKey(unit)) {
                    bus.send(m.error(0, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded."));
                    return;
                }
                units.remove(unit);
                job(m, unit, "done");
            }
            case "ResetFailedUnit s" -> {
                if (!units.containsKey(unit)) {
                    bus.send(m.error(0, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded."));
                    return;
                }
                units.remove(unit, "failed");
                bus.send(m.reply(0, "", List.of()));
            }
            case "SetUnitProperties sba(sv)" -> {
                if (!units.containsKey(unit)) {
                    bus.send(m.error(0, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded."));
                    return;
                }
                bus.send(m.reply(0, "", List.of()));
            }
            default -> bus.send(m.error(0, "org.freedesktop.DBus.Error.UnknownMethod",
                    "no " + m.member() + " with signature " + m.signature()));
        }
    }

    /** Replies with a new job's path, then announces its end as systemd does. */
    private void job(DBusMessage m, String unit, String result) throws IOException {
        long id = ++jobs;
        String path = SystemdCgroup.SYSTEMD_PATH + "/job/" + id;
        bus.send(m.reply(0, "o", List.of(path)));
        bus.send(DBusMessage.signal(0, SystemdCgroup.SYSTEMD_PATH, SystemdCgroup.MANAGER, "JobRemoved", "uoss",
                List.of(id, path, unit, result)));
    }

    private static void makeCgroups(String slice, String unit, List<?> pids) throws IOException {
        CgroupLayout layout = CgroupLayout.detect();
        String relative = (SystemdUnit.expandSlice(slice) + "/" + unit).substring(1);
        Set<Path> mounts = new LinkedHashSet<>();
        layout.v1Mounts().forEach((controller, mount) -> {
            if (SYSTEMD_V1.contains(controller)) {
                mounts.add(mount.mountPoint());
            }
        });
        layout.unifiedMount().ifPresent(mount -> mounts.add(mount.mountPoint()));
        for (Path mount : mounts) {
            Path dir = mount.resolve(relative);
            Files.createDirectories(dir);
            if (layout.mode() == CgroupLayout.Mode.UNIFIED) {
                CgroupFs.enableControllers(mount, dir);
            }
            for (Object pid : pids) {
                CgroupFs.write(dir.resolve("cgroup.procs"), pid.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bus.close();
        if (failure != null) {
            throw new AssertionError("the fake systemd failed", failure);
        }
    }
}
