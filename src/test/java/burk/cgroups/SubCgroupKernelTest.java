package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.TestHost.ScratchParent;
import burk.cgroups.TestHost.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code exec --cgroup} against the real kernel, through whichever driver this host gets (v1
 * here, v2 in the qemu lane): a process that joins a sub-cgroup shows it in /proc/PID/cgroup.
 */
class SubCgroupKernelTest {
    private ScratchParent parent;
    private CgroupManager cg;

    @BeforeEach
    void setUp() {
        parent = new ScratchParent();
        cg = parent.open("c");
        cg.create();
    }

    @AfterEach
    void tearDown() {
        try {
            cg.destroy();
        } finally {
            parent.close();
        }
    }

    private List<Path> mkdirEverywhere(String sub) throws IOException {
        List<Path> made = new java.util.ArrayList<>();
        for (Path dir : new LinkedHashSet<>(cg.paths().values())) made.add(Files.createDirectories(dir.resolve(sub)));
        return made;
    }

    /** The lines of /proc/PID/cgroup: hierarchy id, controllers, path. */
    private static List<String> cgroupLines(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
    }

    @Test
    void aProcessJoinsTheSubCgroupInEveryHierarchy() throws IOException {
        mkdirEverywhere("sub/leaf");
        try (Workload w = Workload.start("exec sleep 60")) {
            cg.addProcess(w.pid(), SubCgroup.parse(List.of("sub/leaf")));
            int joined = 0;
            for (String line : cgroupLines(w.pid())) {
                if (line.endsWith(parent.child("c"))) throw new AssertionError("still in the container's cgroup: " + line);
                if (line.endsWith(parent.child("c") + "/sub/leaf")) joined++;
            }
            assertEquals(new LinkedHashSet<>(cg.paths().values()).size(), joined, cgroupLines(w.pid()).toString());
            assertEquals(List.of(w.pid()), cg.pids(), "the container's cgroup lists what runs below it");
        }
    }

    @Test
    void perControllerOnV1() throws IOException {
        TestHost.assumeV1();
        Path pids = ((CgroupV1) cg).path("pids");
        Files.createDirectories(pids.resolve("sub"));
        try (Workload w = Workload.start("exec sleep 60")) {
            cg.addProcess(w.pid(), SubCgroup.parse(List.of("pids:sub")));
            for (String line : cgroupLines(w.pid())) {
                String[] f = line.split(":", 3);
                if (List.of(f[1].split(",")).contains("pids")) {
                    assertEquals(parent.child("c") + "/sub", f[2], line);
                } else if (List.of(f[1].split(",")).contains("memory")) {
                    assertEquals(parent.child("c"), f[2], line);
                }
            }
        }
    }

    @Test
    void aMissingSubCgroupMovesNothing() throws IOException {
        try (Workload w = Workload.start("exec sleep 60")) {
            List<String> before = cgroupLines(w.pid());
            CgroupException e = assertThrows(CgroupException.class,
                    () -> cg.addProcess(w.pid(), SubCgroup.parse(List.of("nope"))));
            assertTrue(e.getMessage().startsWith("--cgroup: sub-cgroup "), e.getMessage());
            assertEquals(before, cgroupLines(w.pid()));
        }
    }
}
