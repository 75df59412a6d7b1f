package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {
    /** This machine's layout: v1 controllers, one per mount, plus a cgroup2 mount (hybrid). */
    static final String HYBRID_MOUNTINFO = """
            22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
            36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
            38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String HYBRID_CGROUP = """
            9:name=systemd:/
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/6a8c
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    /** A Debian 12 host: cgroup2 only. */
    static final String UNIFIED_MOUNTINFO = """
            25 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
            28 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;
    static final String UNIFIED_CGROUP = "0::/user.slice/user-1000.slice/session-3.scope\n";

    @Test
    void hybridHostUsesV1ForControllers() {
        CgroupLayout layout = CgroupLayout.parse(HYBRID_MOUNTINFO, HYBRID_CGROUP);
        assertEquals(CgroupLayout.Mode.HYBRID, layout.mode());
        assertEquals(CgroupVersion.V1, layout.version());
        assertEquals(Path.of("/sys/fs/cgroup/memory"), layout.v1Mounts().get("memory").mountPoint());
        assertEquals(Path.of("/sys/fs/cgroup/systemd"), layout.v1Mounts().get("name=systemd").mountPoint());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), layout.unifiedMount().orElseThrow().mountPoint());
        assertEquals("/process_api/6a8c", layout.ownCgroup("memory"));
        assertEquals("/", layout.ownCgroup("cpu"));
        assertEquals("/", layout.ownCgroup(""));
        assertEquals(Set.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"),
                layout.v1Mounts().keySet());
    }

    @Test
    void unifiedHostUsesV2() {
        CgroupLayout layout = CgroupLayout.parse(UNIFIED_MOUNTINFO, UNIFIED_CGROUP);
        assertEquals(CgroupLayout.Mode.UNIFIED, layout.mode());
        assertEquals(CgroupVersion.V2, layout.version());
        assertTrue(layout.v1Mounts().isEmpty());
        assertEquals("/user.slice/user-1000.slice/session-3.scope", layout.ownCgroup(""));
    }

    @Test
    void sharedV1MountServesBothControllers() {
        String mountinfo = """
                31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
                32 30 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid - cgroup cgroup rw,net_cls,net_prio
                33 30 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children
                """;
        CgroupLayout layout = CgroupLayout.parse(mountinfo, "");
        assertSame(layout.v1Mounts().get("cpu"), layout.v1Mounts().get("cpuacct"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), layout.v1Mounts().get("cpuacct").mountPoint());
        assertEquals(Set.of("cpuset"), layout.v1Mounts().get("cpuset").controllers(), "clone_children is an option, not a controller");
        assertEquals(CgroupLayout.Mode.LEGACY, layout.mode());
    }

    @Test
    void onlyANamedV1HierarchyIsNotAV1Host() {
        String mountinfo = UNIFIED_MOUNTINFO
                + "40 30 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
        assertEquals(CgroupVersion.V2, CgroupLayout.parse(mountinfo, "").version());
    }

    @Test
    void mountRootAndEscapedMountPointAreRead() {
        String mountinfo = "50 40 0:31 /docker/abc /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n";
        CgroupLayout.Mount mount = CgroupLayout.parse(mountinfo, "").v1Mounts().get("memory");
        assertEquals("/docker/abc", mount.root());
        assertEquals(Path.of("/sys/fs/cgroup/my mem"), mount.mountPoint());
    }

    @Test
    void noHierarchyIsAnError() {
        CgroupLayout layout = CgroupLayout.parse("25 1 254:1 / / rw - ext4 /dev/vda1 rw\n", "");
        CgroupException e = assertThrows(CgroupException.class, layout::mode);
        assertTrue(e.getMessage().contains("no cgroup hierarchy"), e.getMessage());
    }

    @Test
    void thisHostParses() {
        CgroupLayout layout = CgroupLayout.detect();
        assertFalse(layout.v1Mounts().isEmpty() && layout.unifiedMount().isEmpty());
    }
}
