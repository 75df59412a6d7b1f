package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.TestHost.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The systemd driver over a real D-Bus daemon ({@link TestBus}) with {@link FakeSystemd} on it:
 * the calls, their arguments as libdbus's dbus-monitor decodes them, their order, and the
 * cgroup that results on this host. The slice is a fresh {@code burktest<random>.slice}, removed
 * in every hierarchy afterwards.
 */
class SystemdCgroupTest {
    private static final long MB = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private TestBus bus;
    private FakeSystemd systemd;
    private String slice;
    private SystemdBus endpoint;

    @BeforeEach
    void setUp() throws IOException {
        bus = TestBus.start();
        systemd = FakeSystemd.start(bus.socket);
        slice = "burktest" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".slice";
        endpoint = new SystemdBus(bus.socket, false);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (systemd != null) systemd.close();
        } finally {
            if (bus != null) bus.close();
            removeSlice();
        }
    }

    private void removeSlice() {
        CgroupLayout layout = TestHost.layout();
        Set<Path> mounts = new LinkedHashSet<>();
        layout.v1Mounts().values().forEach(m -> mounts.add(m.mountPoint()));
        layout.unifiedMount().ifPresent(m -> mounts.add(m.mountPoint()));
        for (Path mount : mounts) {
            CgroupFs.removeTree(mount.resolve(slice), CgroupFs.Deadline.in(Duration.ofSeconds(10)));
        }
    }

    private SystemdCgroup open(String name) {
        return Cgroups.openSystemd(TestHost.layout(), slice + ":burk:" + name, name, Killer.PROCESS_HANDLE, endpoint);
    }

    @Test
    void aScopeIsStartedWithTheFirstProcessAndStoppedAtDestroy() throws IOException {
        SystemdCgroup cg = open("c1");
        assertEquals("burk-c1.scope", cg.unit());
        CgroupVersion v = cg.version();
        try (TestBus.Monitor monitor = bus.monitor("type='method_call',interface='" + SystemdCgroup.MANAGER + "'");
             Workload w = Workload.start("exec sleep 600")) {
            cg.create();
            assertEquals(List.of(), systemd.members(), "create only checks that systemd is there");
            cg.apply(CgroupResources.none().withPids(CgroupResources.Pids.of(50))
                    .withMemory(CgroupResources.Memory.ofLimit(64 * MB)));
            assertEquals(List.of(), systemd.members(), "limits wait for the scope");
            cg.addProcess(w.pid());

            FakeSystemd.Call start = systemd.call("StartTransientUnit");
            assertEquals("burk-c1.scope", start.args().get(0));
            assertEquals("replace", start.args().get(1));
            assertEquals(List.of(), start.args().get(3));
            Map<String, Object> props = FakeSystemd.properties(start.args().get(2));
            assertEquals("burk container c1", props.get("Description"));
            assertEquals(slice, props.get("Slice"));
            assertEquals(true, props.get("Delegate"));
            assertEquals(List.of(w.pid()), props.get("PIDs"));
            assertEquals(false, props.get("DefaultDependencies"));
            assertEquals(50L, props.get("TasksMax"));
            assertEquals(64 * MB, props.get(v == CgroupVersion.V2 ? "MemoryMax" : "MemoryLimit"));

            // The same call as libdbus reads it off the bus.
            String seen = monitor.flattened();
            assertTrue(seen.contains("member=StartTransientUnit string \"burk-c1.scope\" string \"replace\" array ["), seen);
            assertTrue(seen.contains("struct { string \"Delegate\" variant boolean true }"), seen);
            assertTrue(seen.contains("struct { string \"PIDs\" variant array [ uint32 " + w.pid() + " ] }"), seen);
            assertTrue(seen.contains("struct { string \"TasksMax\" variant uint64 50 }"), seen);

            // The scope's cgroup holds the process and the limits burk wrote itself.
            String procCgroup = Files.readString(Path.of("/proc/" + w.pid() + "/cgroup"));
            assertTrue(procCgroup.contains("/" + slice + "/burk-c1.scope\n"), procCgroup);
            assertEquals(List.of(w.pid()), cg.pids());
            assertEquals("50", TestHost.read(TestHost.file(cg, "pids", "pids.max")));

            cg.update(CgroupResources.none().withPids(CgroupResources.Pids.of(40)));
            FakeSystemd.Call set = systemd.call("SetUnitProperties");
            assertEquals(List.of("burk-c1.scope", true), set.args().subList(0, 2));
            assertEquals(Map.of("TasksMax", 40L), FakeSystemd.properties(set.args().get(2)));
            assertEquals("40", TestHost.read(TestHost.file(cg, "pids", "pids.max")));

            // Another burk process finds it again from the saved paths and removes it.
            CgroupPaths saved = cg.savedPaths();
            assertEquals("burk-c1.scope", saved.systemdUnit());
            CgroupManager again = Cgroups.reopen(TestHost.layout(), saved, Killer.PROCESS_HANDLE, endpoint);
            again.destroy();
            assertEquals(137, w.waitFor(WAIT), "destroy kills what runs in the scope");
            for (Path dir : saved.dirs().values()) {
                assertFalse(Files.exists(dir), dir + " still exists");
            }
            assertEquals(List.of("StartTransientUnit", "SetUnitProperties", "StopUnit", "ResetFailedUnit"), systemd.members());
            assertEquals(List.of("burk-c1.scope", "replace"), systemd.call("StopUnit").args());
        }
    }

    @Test
    void aFailedLeftoverScopeIsResetAndALiveOneIsRefused() {
        systemd.units.put("burk-c2.scope", "failed");
        try (Workload w = Workload.start("exec sleep 600")) {
            SystemdCgroup cg = open("c2");
            cg.create();
            cg.addProcess(w.pid());
            assertEquals(List.of("StartTransientUnit", "ResetFailedUnit", "StartTransientUnit"), systemd.members());
            cg.destroy();
        }
        systemd.units.put("burk-c3.scope", "active");
        try (Workload w = Workload.start("exec sleep 600")) {
            SystemdCgroup cg = open("c3");
            CgroupException e = assertThrows(CgroupException.class, () -> cg.addProcess(w.pid()));
            assertEquals("cgroup: systemd unit burk-c3.scope already exists and is not burk's to use",
                    e.getMessage());
            cg.destroy();
            assertTrue(systemd.units.containsKey("burk-c3.scope"), "a unit burk did not start is never stopped");
        }
    }

    @Test
    void aJobThatFailsIsAnError() {
        systemd.jobResult = "failed";
        try (Workload w = Workload.start("exec sleep 600")) {
            SystemdCgroup cg = open("c4");
            CgroupException e = assertThrows(CgroupException.class, () -> cg.addProcess(w.pid()));
            assertTrue(e.getMessage().contains("could not start burk-c4.scope: job result \"failed\""), e.getMessage());
        }
    }

    @Test
    void withoutSystemdOnTheBusTheErrorSaysSo() throws IOException {
        systemd.close();
        systemd = null;
        CgroupException e = assertThrows(CgroupException.class, () -> open("c5").create());
        assertEquals("cgroup: systemd is not running: nothing owns org.freedesktop.systemd1 on the bus at " + bus.socket,
                e.getMessage());
    }

    @Test
    void withoutABusTheErrorSaysSo() {
        Path missing = bus.dir.resolve("no-such-socket");
        CgroupException e = assertThrows(CgroupException.class, () -> Cgroups.openSystemd(TestHost.layout(),
                slice + ":burk:c6", "c6", Killer.PROCESS_HANDLE, new SystemdBus(missing, false)).create());
        assertTrue(e.getMessage().startsWith("cgroup: systemd is not running: cannot connect to the system bus at " + missing + ": "),
                e.getMessage());
    }

    /** This machine has no systemd: the public entry point must say so plainly. */
    @Test
    void onAHostNotBootedWithSystemdTheErrorSaysSo() {
        Assumptions.assumeFalse(Files.isDirectory(SystemdBus.BOOTED_MARKER), "this host runs systemd");
        CgroupManager cg = Cgroups.open(slice + ":burk:c7", "c7", CgroupDriver.SYSTEMD);
        CgroupException e = assertThrows(CgroupException.class, cg::create);
        assertEquals("cgroup: systemd is not running: /run/systemd/system does not exist, so this host was not booted with systemd"
                + " (use the cgroupfs driver: no --systemd-cgroup)", e.getMessage());
    }
}
