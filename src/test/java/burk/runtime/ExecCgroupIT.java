package burk.runtime;

import burk.cgroups.SubCgroup;
import burk.spec.ProcessSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exec --cgroup}: the exec'd process joins an existing sub-cgroup of the container's
 * cgroup, all hierarchies (plain path) or the controllers named; bad sub-cgroups are refused
 * before anything runs. This host's containers are under /burk/ID in every v1 hierarchy and the
 * hybrid unified one.
 */
class ExecCgroupIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static final String CAT = "cat /proc/self/cgroup";

    private static String exec(TestBundle b, SubCgroup sub) throws Exception {
        Path out = b.dir.resolve("exec.out");
        ProcessSpec p = ProcessSpec.of(List.of("/bin/sh", "-c", CAT), List.of("PATH=/bin"), "/");
        assertEquals(0, b.exec(ExecRequest.of(b.id, p).withCgroup(sub), out), Files.readString(out));
        return Files.readString(out);
    }

    /** The container's cgroup directory in every hierarchy (a co-mounted one once). */
    private static List<Path> containerDirs(TestBundle b) throws Exception {
        List<Path> out = new ArrayList<>();
        for (Path p : Leftovers.cgroupDirs(b.id)) {
            Path real = p.toRealPath();
            if (!out.contains(real)) out.add(real);
        }
        return out;
    }

    /** The path of the hierarchy whose controllers include {@code controller}, in /proc/PID/cgroup text. */
    private static String pathFor(String procCgroup, String controller) {
        for (String line : procCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) return f[2];
        }
        throw new AssertionError("no " + controller + " line in " + procCgroup);
    }

    private static TestBundle running() throws Exception {
        TestBundle b = TestBundle.make("/bin/sleep", "60");
        b.create();
        b.runtime.start(b.id);
        return b;
    }

    @Test
    void aPlainPathIsJoinedInEveryHierarchy() throws Exception {
        try (TestBundle b = running()) {
            for (Path d : containerDirs(b)) Files.createDirectories(d.resolve("sub"));
            String cg = exec(b, SubCgroup.parse(List.of("sub")));
            int lines = 0;
            for (String line : cg.split("\n")) {
                if (line.isEmpty()) continue;
                lines++;
                assertTrue(line.endsWith(":/burk/" + b.id + "/sub"), cg);
            }
            assertEquals(containerDirs(b).size(), lines, cg);
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void perControllerPathsMoveOnlyThoseHierarchies() throws Exception {
        try (TestBundle b = running()) {
            Path pids = Path.of("/sys/fs/cgroup/pids/burk", b.id);
            Path memory = Path.of("/sys/fs/cgroup/memory/burk", b.id);
            Files.createDirectories(pids.resolve("a/b"));
            Files.createDirectories(memory.resolve("m"));
            String cg = exec(b, SubCgroup.parse(List.of("pids:a/b", "memory:/m")));
            assertEquals("/burk/" + b.id + "/a/b", pathFor(cg, "pids"));
            assertEquals("/burk/" + b.id + "/m", pathFor(cg, "memory"));
            assertEquals("/burk/" + b.id, pathFor(cg, "freezer"));
            assertEquals("/burk/" + b.id, pathFor(cg, "devices"));
            // The init's own cgroup is untouched, and the container lists every process below it.
            ContainerInfo info = b.runtime.state(b.id);
            assertEquals("/burk/" + b.id, pathFor(Files.readString(Path.of("/proc/" + info.pid() + "/cgroup")), "pids"));
        }
    }

    @Test
    void aSubCgroupThatDoesNotExistIsRefusedBeforeAnythingRuns() throws Exception {
        try (TestBundle b = running()) {
            RuntimeError e = assertThrows(RuntimeError.class, () -> exec(b, SubCgroup.parse(List.of("pids:nope"))));
            assertEquals("--cgroup: sub-cgroup /sys/fs/cgroup/pids/burk/" + b.id + "/nope does not exist (exec joins an"
                    + " existing sub-cgroup of the container's cgroup; make it first)", e.getMessage());
            assertEquals(1, Files.readString(Path.of("/sys/fs/cgroup/pids/burk", b.id, "cgroup.procs")).lines().count(),
                    "only the init runs in the container");
        }
    }

    @Test
    void aPathOutOfTheContainersCgroupIsRefused() throws Exception {
        try (TestBundle b = running()) {
            RuntimeError e = assertThrows(RuntimeError.class, () -> exec(b, SubCgroup.parse(List.of("../other"))));
            assertTrue(e.getMessage().startsWith("--cgroup: bad sub cgroup path: ../other (it leads out of the"
                    + " container's cgroup /sys/fs/cgroup/"), e.getMessage());
        }
    }

    @Test
    void anUnknownControllerIsNamed() throws Exception {
        try (TestBundle b = running()) {
            RuntimeError e = assertThrows(RuntimeError.class, () -> exec(b, SubCgroup.parse(List.of("nosuch,pids:sub"))));
            assertTrue(e.getMessage().startsWith("--cgroup: unknown controller nosuch in --cgroup (the container's cgroup"
                    + " has: "), e.getMessage());
        }
    }
}
