package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The less common fields of config.json, each checked from inside the container. */
class SpecFieldsIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    @Test
    void sysctlDomainnameOomScoreSchedulerIoPriorityAffinityAndPersonality() throws Exception {
        String hostMsgmax = Files.readString(Path.of("/proc/sys/kernel/msgmax")).trim();
        try (TestBundle b = TestBundle.make()) {
            b.config.put("domainname", "example.test");
            b.linux().put("sysctl", new LinkedHashMap<String, Object>(Map.of("kernel.msgmax", "12345",
                    "net.ipv4.ip_forward", "1")));
            b.process().put("oomScoreAdj", 321L);
            b.process().put("scheduler", new LinkedHashMap<String, Object>(Map.of("policy", "SCHED_BATCH", "nice", 5L)));
            b.process().put("ioPriority", new LinkedHashMap<String, Object>(Map.of("class", "IOPRIO_CLASS_IDLE", "priority", 0L)));
            b.process().put("execCPUAffinity", new LinkedHashMap<String, Object>(Map.of("final", "0")));
            b.linux().put("personality", new LinkedHashMap<String, Object>(Map.of("domain", "LINUX32")));
            b.sh("cat /proc/sys/kernel/domainname /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_forward"
                    + " /proc/self/oom_score_adj; cut -d' ' -f41 /proc/self/stat;"
                    + " grep Cpus_allowed_list /proc/self/status; uname -m; cut -d' ' -f19 /proc/self/stat");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> l = r.output().lines().toList();
            assertEquals("example.test", l.get(0));
            assertEquals("12345", l.get(1));
            assertEquals("1", l.get(2));
            assertEquals("321", l.get(3));
            assertEquals("3", l.get(4), "SCHED_BATCH is policy 3");
            assertEquals("Cpus_allowed_list:\t0", l.get(5));
            assertTrue(l.get(6).matches("i[3-6]86"), "LINUX32 personality: " + l.get(6));
            assertEquals("5", l.get(7), "nice 5");
        }
        assertEquals(hostMsgmax, Files.readString(Path.of("/proc/sys/kernel/msgmax")).trim(),
                "kernel.msgmax belongs to the container's IPC namespace, not the host's");
    }

    @Test
    void recursiveReadOnlyReachesSubmountsOfABindMount() throws Exception {
        Path shared = Files.createTempDirectory("burk-rro-");
        Path sub = shared.resolve("sub");
        Files.createDirectories(sub);
        try (TestBundle b = TestBundle.make()) {
            // a submount under the shared directory, only in a private copy of the mount table
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data", "type", "bind",
                    "source", shared.toString(), "options", new ArrayList<Object>(List.of("rbind", "rro")))));
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data/sub", "type", "tmpfs",
                    "source", "tmpfs", "options", new ArrayList<Object>(List.of("size=1m")))));
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data2", "type", "bind",
                    "source", shared.toString(), "options", new ArrayList<Object>(List.of("rbind", "rro")))));
            b.sh("touch /data/x 2>/dev/null && echo WROTE; touch /data/sub/y && echo sub-rw;"
                    + " grep -E ' /data2? ' /proc/self/mountinfo | cut -d' ' -f6");
            TestBundle.Ran r = b.run();
            assertFalse(r.output().contains("WROTE"), r.output());
            assertTrue(r.output().contains("sub-rw"), "a tmpfs mounted after the rro bind is its own mount: " + r.output());
            assertTrue(r.output().contains("ro,"), r.output());
        } finally {
            Files.deleteIfExists(sub);
            Files.deleteIfExists(shared);
        }
    }

    @Test
    void preservedFdsReachTheContainerAndNothingElseDoes() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            Path extra = b.dir.resolve("extra");
            Files.writeString(extra, "preserved content\n");
            b.sh("cat <&3; ls /proc/self/fd | tr '\\n' ' '");
            b.write();
            Path out = b.dir.resolve("out");
            int status;
            try (Fd o = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT, 0644);
                 Fd e = Syscalls.open(extra.toString(), Syscalls.O_RDONLY, 0);
                 Fd nul = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
                status = b.runtime.run(b.request().withStdio(new int[] {nul.get(), o.get(), o.get(), e.get()}));
            }
            assertEquals(0, status);
            assertEquals("preserved content\n0 1 2 3 4 ", Files.readString(out));
        }
    }

    @Test
    void devicesGetTheirModeAndOwner() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("devices", new ArrayList<Object>(List.of(new LinkedHashMap<String, Object>(Map.of(
                    "path", "/dev/mynull", "type", "c", "major", 1L, "minor", 3L, "fileMode", 0620L, "uid", 7L, "gid", 8L)))));
            b.sh("stat -c '%a %u %g %t:%T' /dev/mynull");
            assertEquals("620 7 8 1:3\n", b.run().output());
        }
    }

    @Test
    void aFifoAmongTheDevicesIsMadeAndNeedsNoDeviceRule() throws Exception {
        // runtime-tools' linux_devices: a "p" device beside a deny-all device cgroup rule.
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("devices", new ArrayList<Object>(List.of(new LinkedHashMap<String, Object>(Map.of(
                    "path", "/dev/myfifo", "type", "p", "fileMode", 0600L)))));
            Map<String, Object> resources = new LinkedHashMap<>();
            resources.put("devices", new ArrayList<Object>(List.of(new LinkedHashMap<String, Object>(Map.of(
                    "allow", false, "access", "rwm")))));
            b.linux().put("resources", resources);
            b.sh("test -p /dev/myfifo && stat -c '%a' /dev/myfifo");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals("600\n", r.output());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void anLsmProfileOnAHostWithoutTheLsmIsRefusedByName() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/sys/kernel/security/apparmor")));
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.process().put("apparmorProfile", "docker-default");
            b.write();
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("process.apparmorProfile: AppArmor is not enabled on this host", e.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void unbindableRootfsPropagationIsTheContainersRootsAfterThePivot() throws Exception {
        // An unbindable / cannot be bound, so the rootfs's rbind comes first (runtime-tools'
        // linux_rootfs_propagation asks for it).
        for (String prop : List.of("unbindable", "runbindable")) {
            try (TestBundle b = TestBundle.make()) {
                b.linux().put("rootfsPropagation", prop);
                b.sh("awk '$5 == \"/\"' /proc/self/mountinfo");
                TestBundle.Ran r = b.run();
                assertEquals(0, r.status(), prop + ": " + r.output());
                assertTrue(r.output().contains("unbindable"), prop + ": " + r.output());
                Leftovers.assertNone(b);
            }
        }
    }

    @Test
    void sharedRootfsPropagationStillPivots() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("rootfsPropagation", "rshared");
            b.sh("awk '$5 == \"/\"' /proc/self/mountinfo");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().contains("shared:"), r.output());
            Leftovers.assertNone(b);
        }
    }
}
