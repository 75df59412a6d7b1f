package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupsPathTest {
    @Test
    void absolutePathIsRelativeToTheMountPoint() {
        assertEquals("/a/b", Cgroups.resolve("/a/b", "id", "/own/cg", "/"));
        assertEquals("/a/b", Cgroups.resolve("/a/b", "id", "/own/cg", "/docker/x"));
    }

    @Test
    void relativePathIsBelowTheCallersCgroup() {
        assertEquals("/own/cg/c1", Cgroups.resolve("c1", "id", "/own/cg", "/"));
        // Mounted from inside (a container without cgroupns): our cgroup as seen below the mount point.
        assertEquals("/inner/c1", Cgroups.resolve("c1", "id", "/docker/x/inner", "/docker/x"));
    }

    @Test
    void emptyOrNullPathIsTheDefault() {
        assertEquals("/burk/abc", Cgroups.resolve(null, "abc", "/own", "/"));
        assertEquals("/burk/abc", Cgroups.resolve("", "abc", "/own", "/"));
    }

    @Test
    void dotDotCannotClimbAboveTheRoot() {
        assertEquals("/x", Cgroups.resolve("/../../x", "id", "/", "/"));
        assertEquals("/own/x", Cgroups.resolve("a/../x", "id", "/own", "/"));
        assertEquals("/x", Cgroups.resolve("../../../x", "id", "/own", "/"));
        assertEquals("/a/b", Cgroups.normalize("//a/./b/"));
    }

    @Test
    void theRootItselfIsRefused() {
        assertThrows(CgroupException.class, () -> Cgroups.resolve("/", "id", "/", "/"));
        assertThrows(CgroupException.class, () -> Cgroups.resolve("/a/..", "id", "/", "/"));
        assertThrows(CgroupException.class, () -> Cgroups.resolve("..", "id", "/own", "/"));
    }

    @Test
    void defaultNeedsAUsableId() {
        assertThrows(CgroupException.class, () -> Cgroups.resolve(null, "a/b", "/", "/"));
        assertThrows(CgroupException.class, () -> Cgroups.resolve(null, "..", "/", "/"));
        assertThrows(CgroupException.class, () -> Cgroups.resolve("", null, "/", "/"));
    }

    @Test
    void v1RelativePathsFollowEachControllersOwnCgroup() {
        CgroupLayout layout = CgroupLayout.parse(CgroupLayoutTest.HYBRID_MOUNTINFO, CgroupLayoutTest.HYBRID_CGROUP);
        CgroupV1 v1 = (CgroupV1) Cgroups.open(layout, "box/c1", "c1", Killer.PROCESS_HANDLE);
        assertEquals(Path.of("/sys/fs/cgroup/memory/process_api/6a8c/box/c1"), v1.path("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu/box/c1"), v1.path("cpu"));
        assertEquals(Path.of("/sys/fs/cgroup/systemd/box/c1"), v1.path("name=systemd"));
        assertEquals(Path.of("/sys/fs/cgroup/unified/box/c1"), v1.paths().get(""), "a hybrid host joins the unified hierarchy too");
        assertTrue(v1.createdPaths().isEmpty(), "open creates nothing");
    }

    @Test
    void hybridReopenChecksTheUnifiedDirectoryToo() {
        CgroupLayout hybrid = CgroupLayout.parse(CgroupLayoutTest.HYBRID_MOUNTINFO, CgroupLayoutTest.HYBRID_CGROUP);
        CgroupManager opened = Cgroups.open(hybrid, "/burk/c1", "c1", Killer.PROCESS_HANDLE);
        CgroupPaths saved = new CgroupPaths(CgroupVersion.V1, opened.paths(),
                List.of(Path.of("/sys/fs/cgroup/unified/burk"), Path.of("/sys/fs/cgroup/memory/burk/c1")));
        assertEquals(saved, Cgroups.reopen(hybrid, saved, Killer.PROCESS_HANDLE).savedPaths());
        CgroupException e = assertThrows(CgroupException.class, () -> Cgroups.reopen(hybrid, new CgroupPaths(CgroupVersion.V1,
                Map.of("", Path.of("/sys/fs/cgroup/memory/x")), List.of()), Killer.PROCESS_HANDLE));
        assertTrue(e.getMessage().contains("not in a mounted unified hierarchy"), e.getMessage());
    }

    @Test
    void v2DefaultPath() {
        CgroupLayout layout = CgroupLayout.parse(CgroupLayoutTest.UNIFIED_MOUNTINFO, CgroupLayoutTest.UNIFIED_CGROUP);
        CgroupV2 v2 = (CgroupV2) Cgroups.open(layout, null, "c1", Killer.PROCESS_HANDLE);
        assertEquals(Path.of("/sys/fs/cgroup/burk/c1"), v2.path());
        assertEquals(Map.of("", Path.of("/sys/fs/cgroup/burk/c1")), v2.paths());
    }

    @Test
    void reopenAcceptsWhatOpenSaved() {
        CgroupLayout layout = CgroupLayout.parse(CgroupLayoutTest.UNIFIED_MOUNTINFO, CgroupLayoutTest.UNIFIED_CGROUP);
        CgroupPaths saved = new CgroupPaths(CgroupVersion.V2, Map.of("", Path.of("/sys/fs/cgroup/burk/c1")),
                List.of(Path.of("/sys/fs/cgroup/burk"), Path.of("/sys/fs/cgroup/burk/c1")));
        CgroupManager m = Cgroups.reopen(layout, saved, Killer.PROCESS_HANDLE);
        assertEquals(saved, m.savedPaths());
    }

    @Test
    void reopenRefusesPathsOutsideTheHierarchy() {
        CgroupLayout layout = CgroupLayout.parse(CgroupLayoutTest.UNIFIED_MOUNTINFO, CgroupLayoutTest.UNIFIED_CGROUP);
        assertThrows(CgroupException.class, () -> Cgroups.reopen(layout, new CgroupPaths(CgroupVersion.V2,
                Map.of("", Path.of("/etc")), List.of()), Killer.PROCESS_HANDLE));
        assertThrows(CgroupException.class, () -> Cgroups.reopen(layout, new CgroupPaths(CgroupVersion.V2,
                Map.of("", Path.of("/sys/fs/cgroup/burk/../../x")), List.of()), Killer.PROCESS_HANDLE));
        // A created path that is not an ancestor of the cgroup, or is the hierarchy root itself.
        assertThrows(CgroupException.class, () -> Cgroups.reopen(layout, new CgroupPaths(CgroupVersion.V2,
                Map.of("", Path.of("/sys/fs/cgroup/burk/c1")), List.of(Path.of("/sys/fs/cgroup/other"))), Killer.PROCESS_HANDLE));
        assertThrows(CgroupException.class, () -> Cgroups.reopen(layout, new CgroupPaths(CgroupVersion.V2,
                Map.of("", Path.of("/sys/fs/cgroup/burk/c1")), List.of(Path.of("/sys/fs/cgroup"))), Killer.PROCESS_HANDLE));
        CgroupLayout hybrid = CgroupLayout.parse(CgroupLayoutTest.HYBRID_MOUNTINFO, CgroupLayoutTest.HYBRID_CGROUP);
        assertThrows(CgroupException.class, () -> Cgroups.reopen(hybrid, new CgroupPaths(CgroupVersion.V1,
                Map.of("memory", Path.of("/sys/fs/cgroup/cpu/x")), List.of()), Killer.PROCESS_HANDLE));
    }
}
