package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exec --cgroup}: runc's grammar, and where each form leads (see SubCgroupKernelTest for the kernel). */
class SubCgroupTest {
    @TempDir
    Path tmp;

    // --- the grammar --------------------------------------------------------------------------

    @Test
    void onePlainPathIsForEveryHierarchy() {
        assertEquals(Map.of("", "sub/a"), SubCgroup.parse(List.of("sub/a")).paths());
        assertTrue(SubCgroup.parse(List.of()).isEmpty());
    }

    @Test
    void controllerListsNameTheirPaths() {
        SubCgroup s = SubCgroup.parse(List.of("cpu,cpuacct:c", "memory:m", "pids:"));
        assertEquals(Map.of("cpu", "c", "cpuacct", "c", "memory", "m", "pids", ""), s.paths());
    }

    @Test
    void malformedListsGetRuncsWords() {
        assertEquals("invalid --cgroup argument: sub (missing <controller>: prefix)",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("sub", "memory:m"))).getMessage());
        assertEquals("invalid --cgroup argument: cpu,:x (empty <controller> prefix)",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("cpu,:x"))).getMessage());
        assertEquals("invalid --cgroup argument: :x (empty <controller> prefix)",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of(":x"))).getMessage());
        assertEquals("invalid --cgroup argument(s): controller memory specified multiple times",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("memory:a", "cpu,memory:b"))).getMessage());
    }

    // --- where each form leads (plain directories stand in for a container's cgroup) --------

    private Map<String, Path> v1Dirs() throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        Path cpu = tmp.resolve("cpu,cpuacct/burk/c");
        dirs.put("cpu", cpu);
        dirs.put("cpuacct", cpu);
        dirs.put("memory", tmp.resolve("memory/burk/c"));
        dirs.put("pids", tmp.resolve("pids/burk/c"));
        for (Path p : dirs.values()) Files.createDirectories(p.resolve("sub/deeper"));
        return dirs;
    }

    @Test
    void aPlainPathLeadsBelowEachHierarchyOnce() throws IOException {
        Map<String, Path> dirs = v1Dirs();
        assertEquals(List.of(dirs.get("cpu").resolve("sub"), dirs.get("memory").resolve("sub"), dirs.get("pids").resolve("sub")),
                SubCgroup.parse(List.of("sub")).targets(dirs));
        // Go's path.Join: a leading slash is still below the container's cgroup, and . and .. are cleaned.
        assertEquals(dirs.get("pids").resolve("sub/deeper"),
                SubCgroup.parse(List.of("/sub/./x/../deeper")).targets(dirs).get(2));
        assertEquals(dirs.get("pids"), SubCgroup.parse(List.of("sub/..")).targets(dirs).get(2));
    }

    @Test
    void perControllerPathsLeaveTheOtherHierarchiesInTheContainersCgroup() throws IOException {
        Map<String, Path> dirs = v1Dirs();
        assertEquals(List.of(dirs.get("cpu"), dirs.get("memory"), dirs.get("pids").resolve("sub")),
                SubCgroup.parse(List.of("pids:sub")).targets(dirs));
        // cpu and cpuacct share a hierarchy: naming one moves the process there in it.
        assertEquals(List.of(dirs.get("cpu").resolve("sub"), dirs.get("memory"), dirs.get("pids")),
                SubCgroup.parse(List.of("cpuacct:sub")).targets(dirs));
        assertEquals(List.of(dirs.get("cpu").resolve("sub"), dirs.get("memory").resolve("sub/deeper"), dirs.get("pids")),
                SubCgroup.parse(List.of("cpu,cpuacct:sub", "memory:sub/deeper")).targets(dirs));
    }

    @Test
    void refusals() throws IOException {
        Map<String, Path> dirs = v1Dirs();
        assertEquals("--cgroup: bad sub cgroup path: ../other (it leads out of the container's cgroup "
                        + dirs.get("cpu") + ")",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("../other")).targets(dirs)).getMessage());
        assertEquals("--cgroup: bad sub cgroup path: sub/../../c2 (it leads out of the container's cgroup "
                        + dirs.get("pids") + ")",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("pids:sub/../../c2")).targets(dirs))
                        .getMessage());
        assertEquals("--cgroup: unknown controller rdma in --cgroup (the container's cgroup has: cpu, cpuacct, memory, pids)",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("rdma:sub")).targets(dirs)).getMessage());
        assertEquals("--cgroup: controllers cpu and cpuacct share one hierarchy (" + dirs.get("cpu")
                        + ") but are given different sub-cgroups",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("cpu:sub", "cpuacct:sub/deeper"))
                        .targets(dirs)).getMessage());
        assertEquals("--cgroup: sub-cgroup " + dirs.get("memory").resolve("nope") + " does not exist (exec joins an"
                        + " existing sub-cgroup of the container's cgroup; make it first)",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("memory:nope")).targets(dirs)).getMessage());
        Map<String, Path> v2 = Map.of("", dirs.get("pids"));
        assertEquals("--cgroup: unknown controller memory in --cgroup: cgroup v2 has one hierarchy, give the sub-cgroup"
                + " as a plain path",
                assertThrows(CgroupException.class, () -> SubCgroup.parse(List.of("memory:sub")).targets(v2)).getMessage());
        assertEquals(List.of(dirs.get("pids").resolve("sub")), SubCgroup.parse(List.of("sub")).targets(v2));
    }
}
