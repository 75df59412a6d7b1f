package burk.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The systemd driver: systemd creates the container's cgroup as a transient scope unit, asked
 * over D-Bus, and the cgroupfs driver underneath ({@link #cgroupfs()}) does everything else in
 * that cgroup (limits, freezer, stats, kill) as runc's systemd driver does.
 *
 * <p>The order of calls follows what a scope needs. systemd refuses a scope without a process, so
 * {@link #create()} only checks that systemd is there (the clear "systemd is not running" error
 * comes from it); limits given to {@link #apply} before the first process are kept. The first
 * {@link #addProcess} calls {@code StartTransientUnit(unit, "replace", properties, [])} with the
 * scope properties ({@link SystemdProperties}: Slice, Delegate, PIDs=[pid], accounting, and the
 * limits known so far), waits for the job's {@code JobRemoved} signal with result "done", then
 * writes the limits to cgroupfs. Later updates also go to systemd ({@code SetUnitProperties}) so
 * that systemd does not put old values back. {@link #destroy()} kills and removes through
 * cgroupfs, then {@code StopUnit} (a unit systemd already dropped is fine) and
 * {@code ResetFailedUnit}.
 *
 * <p>A unit that already exists is not taken over: a failed leftover is reset and the start tried
 * once more, anything else is an error, so burk never destroys a scope it did not start.
 */
public final class SystemdCgroup implements CgroupManager {
    static final String SYSTEMD = "org.freedesktop.systemd1";
    static final String SYSTEMD_PATH = "/org/freedesktop/systemd1";
    static final String MANAGER = "org.freedesktop.systemd1.Manager";
    static final String JOB_REMOVED_RULE = "type='signal',sender='" + SYSTEMD + "',path='" + SYSTEMD_PATH
            + "',interface='" + MANAGER + "',member='JobRemoved'";
    private static final String UNIT_EXISTS = "org.freedesktop.systemd1.UnitExists";
    private static final String NO_SUCH_UNIT = "org.freedesktop.systemd1.NoSuchUnit";
    private static final String NAME_HAS_NO_OWNER = "org.freedesktop.DBus.Error.NameHasNoOwner";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(25);
    /** runc waits as long for a unit's start or stop job. */
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(30);

    private final CgroupManager fs;
    private final String unit;
    private final String slice;
    private final String description;
    private final SystemdBus bus;
    private final List<CgroupResources> pending = new ArrayList<>();
    private boolean started;

    SystemdCgroup(CgroupManager fs, String unit, String slice, String description, SystemdBus bus, boolean started) {
        this.fs = fs;
        this.unit = unit;
        this.slice = slice;
        this.description = description;
        this.bus = bus;
        this.started = started;
    }

    /** The scope unit, e.g. {@code burk-c1.scope}. */
    public String unit() {
        return unit;
    }

    /** The driver working in the scope's cgroup: a {@link CgroupV1} or {@link CgroupV2}. */
    public CgroupManager cgroupfs() {
        return fs;
    }

    @Override
    public CgroupVersion version() {
        return fs.version();
    }

    /** Checks that systemd answers on the bus; the scope itself needs a process, see {@link #addProcess}. */
    @Override
    public void create() {
        try (DBusConnection c = connect()) {
            // Connected and systemd owns its name: nothing more to do before there is a process.
        } catch (IOException e) {
            throw new CgroupException("cgroup: systemd: close the bus connection: " + CgroupException.reasonOf(e));
        }
    }

    @Override
    public void apply(CgroupResources resources) {
        Checks.checkResources(resources);
        if (!started) {
            pending.add(resources);
            return;
        }
        List<List<Object>> props = SystemdProperties.resources(version(), resources);
        if (!props.isEmpty()) {
            talk("set properties of " + unit, c -> c.call(SYSTEMD, SYSTEMD_PATH, MANAGER, "SetUnitProperties", "sba(sv)",
                    List.of(unit, true, props), CALL_TIMEOUT));
        }
        fs.apply(resources);
    }

    @Override
    public void update(CgroupResources resources) {
        apply(resources);
    }

    @Override
    public void addProcess(long pid) {
        if (started) {
            fs.addProcess(pid);
            return;
        }
        List<List<Object>> props = SystemdProperties.scope(description, slice, pid, version());
        for (CgroupResources r : pending) {
            props.addAll(SystemdProperties.resources(version(), r));
        }
        talk("start " + unit, c -> {
            c.addMatch(JOB_REMOVED_RULE, CALL_TIMEOUT);
            String job;
            try {
                job = startTransientUnit(c, props);
            } catch (DBusError e) {
                if (!UNIT_EXISTS.equals(e.name())) {
                    throw e;
                }
                // A scope that failed earlier stays loaded until reset; a live one is not ours.
                resetFailed(c);
                try {
                    job = startTransientUnit(c, props);
                } catch (DBusError again) {
                    if (UNIT_EXISTS.equals(again.name())) {
                        throw new CgroupException("cgroup: systemd unit " + unit + " already exists and is not burk's to use");
                    }
                    throw again;
                }
            }
            waitForJob(c, job, "start");
            return null;
        });
        started = true;
        // systemd made the scope's directories for burk: they go when the container goes.
        for (Path dir : fs.paths().values()) {
            if (Files.isDirectory(dir)) {
                adopt(dir);
            }
        }
        if (fs.version() == CgroupVersion.V1) {
            // systemd makes the scope only in the v1 hierarchies it manages (not cpuset, net_cls...).
            fs.create();
        }
        fs.addProcess(pid);
        for (CgroupResources r : pending) {
            fs.apply(r);
        }
        pending.clear();
    }

    private void adopt(Path dir) {
        switch (fs) {
            case CgroupV1 v1 -> v1.adopt(dir);
            case CgroupV2 v2 -> v2.adopt(dir);
            case SystemdCgroup s -> throw new IllegalStateException("nested systemd driver");
        }
    }

    private String startTransientUnit(DBusConnection c, List<List<Object>> props) throws IOException {
        return (String) c.call(SYSTEMD, SYSTEMD_PATH, MANAGER, "StartTransientUnit", "ssa(sv)a(sa(sv))",
                List.of(unit, "replace", props, List.of()), CALL_TIMEOUT).get(0);
    }

    private void resetFailed(DBusConnection c) throws IOException {
        try {
            c.call(SYSTEMD, SYSTEMD_PATH, MANAGER, "ResetFailedUnit", "s", List.of(unit), CALL_TIMEOUT);
        } catch (DBusError notFailed) {
            // Not loaded, or not failed: nothing to reset.
        }
    }

    /** Waits for the JobRemoved signal of {@code job}; its result must be "done". */
    private void waitForJob(DBusConnection c, String job, String what) throws IOException {
        DBusMessage removed = c.next(m -> m.type() == DBusMessage.SIGNAL && MANAGER.equals(m.iface())
                && "JobRemoved".equals(m.member()) && m.body().size() == 4 && job.equals(m.body().get(1)), JOB_TIMEOUT);
        if (removed == null) {
            throw new CgroupException("cgroup: systemd did not finish the " + what + " job of " + unit + " within "
                    + JOB_TIMEOUT.toSeconds() + " s");
        }
        String result = (String) removed.body().get(3);
        if (!result.equals("done")) {
            throw new CgroupException("cgroup: systemd could not " + what + " " + unit + ": job result "
                    + CgroupException.quote(result) + " (see journalctl -u " + unit + ")");
        }
    }

    /** A sub-cgroup is no unit of systemd's: the process is written into cgroupfs, as runc does. */
    @Override
    public void addProcess(long pid, SubCgroup sub) {
        if (sub.isEmpty()) {
            addProcess(pid);
            return;
        }
        fs.addProcess(pid, sub);
    }

    @Override
    public List<Long> pids() {
        return fs.pids();
    }

    @Override
    public void freeze() {
        fs.freeze();
    }

    @Override
    public void thaw() {
        fs.thaw();
    }

    @Override
    public FreezerState state() {
        return fs.state();
    }

    @Override
    public CgroupStats stats() {
        return fs.stats();
    }

    @Override
    public long oomKillCount() {
        return fs.oomKillCount();
    }

    @Override
    public void destroy() {
        fs.destroy();
        if (!started) {
            return;
        }
        talk("stop " + unit, c -> {
            c.addMatch(JOB_REMOVED_RULE, CALL_TIMEOUT);
            try {
                String job = (String) c.call(SYSTEMD, SYSTEMD_PATH, MANAGER, "StopUnit", "ss", List.of(unit, "replace"),
                        CALL_TIMEOUT).get(0);
                waitForJob(c, job, "stop");
            } catch (DBusError e) {
                // An empty scope stops by itself and systemd may have dropped it already.
                if (!NO_SUCH_UNIT.equals(e.name())) {
                    throw e;
                }
            }
            resetFailed(c);
            return null;
        });
        started = false;
    }

    @Override
    public boolean exists() {
        return fs.exists();
    }

    @Override
    public Map<String, Path> paths() {
        return fs.paths();
    }

    @Override
    public List<Path> createdPaths() {
        return fs.createdPaths();
    }

    @Override
    public CgroupPaths savedPaths() {
        return new CgroupPaths(version(), paths(), createdPaths(), unit);
    }

    /** One exchange with systemd on a connection of its own. */
    @FunctionalInterface
    private interface Exchange {
        Object run(DBusConnection c) throws IOException;
    }

    private void talk(String what, Exchange exchange) {
        try (DBusConnection c = connect()) {
            exchange.run(c);
        } catch (IOException e) {
            throw new CgroupException("cgroup: systemd: " + what + ": " + CgroupException.reasonOf(e));
        } catch (DBusError e) {
            throw new CgroupException("cgroup: systemd: " + what + ": " + e.getMessage());
        }
    }

    /**
     * Connects to the bus and checks that systemd is on it; every way of finding it missing ends
     * in "systemd is not running: why".
     */
    private DBusConnection connect() {
        bus.checkBooted();
        DBusConnection c;
        try {
            c = DBusConnection.open(bus.socket(), CALL_TIMEOUT);
        } catch (IOException e) {
            throw new CgroupException("cgroup: systemd is not running: cannot connect to the system bus at " + bus.socket()
                    + ": " + CgroupException.reasonOf(e));
        }
        try {
            c.call(DBusConnection.BUS_NAME, DBusConnection.BUS_PATH, DBusConnection.BUS_NAME, "GetNameOwner", "s",
                    List.of(SYSTEMD), CALL_TIMEOUT);
            return c;
        } catch (IOException | DBusError e) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the error below is the one that matters
            }
            if (e instanceof DBusError d && NAME_HAS_NO_OWNER.equals(d.name())) {
                throw new CgroupException("cgroup: systemd is not running: nothing owns " + SYSTEMD + " on the bus at " + bus.socket());
            }
            throw new CgroupException("cgroup: systemd: ask the bus at " + bus.socket() + " for " + SYSTEMD + ": "
                    + (e instanceof IOException io ? CgroupException.reasonOf(io) : e.getMessage()));
        }
    }
}
