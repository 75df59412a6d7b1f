package burk.runtime;

import burk.linux.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static burk.runtime.LifecycleIT.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Docker's configs and layout need, found by running Docker 20.10 against burk: a zero blkio
 * weight, sysctls under a read-only /proc/sys, a state directory path near sun_path's limit, and
 * many containers under one cgroup parent.
 */
class EngineCompatIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    @Test
    void aZeroBlkioWeightMeansUnsetAsDockerSendsIt() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.resources("blockIO", Map.of("weight", 0L));
            b.write();
            assertNull(ResourceMapper.map(ContainerRuntime.loadSpec(b.dir)).blockIo().weight());
            assertEquals(0, b.run().status(), "the kernel refuses a weight of 0; burk must not write it");
        }
    }

    @Test
    void sysctlsAreWrittenBeforeProcSysBecomesReadOnly() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("sysctl", new LinkedHashMap<>(Map.of("net.ipv4.ip_unprivileged_port_start", "0")));
            b.sh("cat /proc/sys/net/ipv4/ip_unprivileged_port_start; echo x 2>/dev/null > /proc/sys/net/ipv4/ip_unprivileged_port_start "
                    + "&& echo writable || echo read-only");
            // The default config lists /proc/sys among readonlyPaths, as Docker's does.
            assertTrue(b.list(b.linux(), "readonlyPaths").contains("/proc/sys"));
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals("0\nread-only\n", r.output());
        }
    }

    @Test
    void startReachesTheInitWhenTheStateDirectoryPathIsTooLongForSunPath() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            // Like Docker's --root /var/run/docker/runtime-runc/moby with a 64-character id: > 107 bytes.
            Path root = b.dir.resolve("r".repeat(60));
            String id = "c".repeat(64);
            ContainerRuntime rt = new ContainerRuntime(root);
            assertTrue(rt.root().resolve(id).resolve("exec.sock").toString().length() > 107);
            b.sh("echo started");
            b.write();
            Path out = b.dir.resolve("output");
            ContainerInfo c;
            try (var fd = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT, 0644)) {
                c = rt.create(CreateRequest.of(id, b.dir).withStdio(new int[] {fd.get(), fd.get(), fd.get()}));
            }
            try {
                rt.start(id);
                assertEquals(0, Syscalls.waitPid(c.pid(), 0).shellStatus());
                assertEquals("started\n", Files.readString(out));
            } finally {
                rt.delete(id, true);
            }
        }
    }

    @Test
    void deletingOneContainerLeavesTheParentCgroupItMadeToTheOthers() throws Exception {
        String parent = "burk-ops-parent-" + ProcessHandle.current().pid();
        try (TestBundle first = TestBundle.make("/bin/sleep", "1000");
             TestBundle second = TestBundle.make("/bin/sleep", "1000")) {
            try {
                first.linux().put("cgroupsPath", "/" + parent + "/" + first.id);
                second.linux().put("cgroupsPath", "/" + parent + "/" + second.id);
                first.create();
                first.runtime.start(first.id);
                ContainerInfo c2 = second.create();
                second.runtime.start(second.id);
                first.runtime.delete(first.id, true);
                assertTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/pids", parent, second.id)));
                assertEquals(ContainerStatus.RUNNING, second.runtime.state(second.id).status());
                assertTrue(!Files.exists(Path.of("/sys/fs/cgroup/pids", parent, first.id)));
                second.runtime.delete(second.id, true);
                waitFor(() -> ProcStat.read(c2.pid()) == null);
                assertTrue(!Files.exists(Path.of("/sys/fs/cgroup/pids", parent, second.id)));
            } finally {
                first.runtime.delete(first.id, true);
                second.runtime.delete(second.id, true);
                // The parent stays, as runc leaves /docker: this test removes its own.
                List<Path> parents = new ArrayList<>();
                try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
                    for (Path h : s.toList()) if (Files.isDirectory(h.resolve(parent))) parents.add(h.resolve(parent));
                }
                for (Path p : parents) Files.delete(p);
            }
        }
    }
}
