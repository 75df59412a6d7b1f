package burk.runtime;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What config.json says is what the process sees: checked from inside the container
 * (/proc/self/status, mountinfo, id, hostname, ulimit) and from the host.
 */
class IsolationIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    @Test
    void theSeedsWalkthroughPid1PsHostnameAndAPrivateProc() throws Exception {
        String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        try (TestBundle b = TestBundle.make()) {
            b.config.put("hostname", "seed");
            b.sh("echo pid=$$; ps -o pid= | wc -l; hostname; grep -c '^proc /proc proc' /proc/mounts;"
                    + " cat /proc/1/cmdline | tr '\\0' ' '; echo");
            TestBundle.Ran r = b.run();
            List<String> lines = r.output().lines().toList();
            assertEquals("pid=1", lines.get(0), r.output());
            // ps sees the shell, ps itself and wc: nothing of the host.
            assertTrue(Integer.parseInt(lines.get(1).trim()) <= 3, r.output());
            assertEquals("seed", lines.get(2));
            assertEquals("1", lines.get(3).trim());
            assertTrue(lines.get(4).startsWith("/bin/sh -c echo pid=$$"), r.output());
            Leftovers.assertNone(b);
        }
        assertEquals(hostName, Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
        assertEquals(List.of(), Leftovers.mountsUnder(TestBundle.rootfs()), "the container's mounts reached the host");
    }

    @Test
    void processUserGroupsUmaskCwdAndEnv() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("uid", 1234L);
            user.put("gid", 2345L);
            user.put("umask", 077L);
            user.put("additionalGids", new ArrayList<Object>(List.of(11L, 12L)));
            b.process().put("user", user);
            b.process().put("cwd", "/tmp/made/by/burk"); // not in the image: made as runc makes it
            b.process().put("env", new ArrayList<Object>(List.of("PATH=/bin:/usr/bin", "GREETING=hej")));
            b.sh("id; umask; pwd; echo $GREETING; grep -E '^(Uid|Gid|Groups):' /proc/self/status");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().contains("uid=1234 gid=2345 groups=11,12"), r.output());
            assertTrue(r.output().contains("0077"), r.output());
            assertTrue(r.output().contains("/tmp/made/by/burk\nhej\n"), r.output());
            assertTrue(r.output().matches("(?s).*Uid:\\s+1234\\s+1234\\s+1234\\s+1234.*"), r.output());
        } finally {
            // the shared test rootfs keeps no trace of this test
            Path made = TestBundle.rootfs().resolve("tmp/made");
            for (String d : List.of("by/burk", "by", "")) Files.deleteIfExists(made.resolve(d));
        }
    }

    @Test
    void capabilitiesNoNewPrivsAndRlimitsAreAppliedExactly() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            Map<String, Object> caps = new LinkedHashMap<>();
            caps.put("bounding", new ArrayList<Object>(List.of("CAP_KILL", "CAP_CHOWN")));
            caps.put("effective", new ArrayList<Object>(List.of("CAP_KILL")));
            caps.put("permitted", new ArrayList<Object>(List.of("CAP_KILL")));
            b.process().put("capabilities", caps);
            b.process().put("noNewPrivileges", true);
            b.process().put("rlimits", new ArrayList<Object>(List.of(
                    new LinkedHashMap<String, Object>(Map.of("type", "RLIMIT_NOFILE", "soft", 123L, "hard", 456L)),
                    new LinkedHashMap<String, Object>(Map.of("type", "RLIMIT_CORE", "soft", 0L, "hard", 0L)))));
            b.sh("grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status; ulimit -n; ulimit -H -n");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            // CAP_CHOWN is bit 0, CAP_KILL bit 5.
            assertTrue(r.output().contains("CapPrm:\t0000000000000020"), r.output());
            assertTrue(r.output().contains("CapEff:\t0000000000000020"), r.output());
            assertTrue(r.output().contains("CapBnd:\t0000000000000021"), r.output());
            assertTrue(r.output().contains("CapInh:\t0000000000000000"), r.output());
            assertTrue(r.output().contains("NoNewPrivs:\t1"), r.output());
            assertTrue(r.output().contains("123\n456\n"), r.output());
        }
    }

    @Test
    void mountsMaskedAndReadonlyPathsAndTheDefaultDevices() throws Exception {
        Path shared = Files.createTempDirectory("burk-shared-");
        try (TestBundle b = TestBundle.make()) {
            Files.writeString(shared.resolve("host-file"), "from the host\n");
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/mnt/ro", "type", "bind",
                    "source", shared.toString(), "options", new ArrayList<Object>(List.of("rbind", "ro")))));
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/scratch", "type", "tmpfs",
                    "source", "tmpfs", "options", new ArrayList<Object>(List.of("nosuid", "nodev", "size=1m", "mode=755")))));
            b.sh("cat /mnt/ro/host-file; touch /mnt/ro/x 2>/dev/null && echo WROTE-RO; touch /scratch/y && echo tmpfs-ok;"
                    + " touch /rootfile 2>/dev/null && echo WROTE-ROOT;"
                    + " grep ' /scratch ' /proc/self/mountinfo; "
                    + " stat -c '%F %t:%T' /dev/null /dev/zero /dev/tty; for l in /dev/fd /dev/stdin /dev/ptmx; do readlink $l; done;"
                    + " cat /proc/timer_list | wc -c; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo WROTE-SYS; echo end");
            TestBundle.Ran r = b.run();
            String o = r.output();
            assertTrue(o.startsWith("from the host\n"), o);
            assertFalse(o.contains("WROTE-RO"), "a read-only bind mount was writable: " + o);
            assertFalse(o.contains("WROTE-ROOT"), "root.readonly was writable: " + o);
            assertFalse(o.contains("WROTE-SYS"), "readonlyPaths /proc/sys was writable: " + o);
            assertTrue(o.contains("tmpfs-ok"), o);
            assertTrue(o.matches("(?s).* /scratch rw,nosuid,nodev\\S* .*- tmpfs tmpfs rw,size=1024k,mode=755.*"), o);
            assertTrue(o.contains("character special file 1:3\ncharacter special file 1:5\ncharacter special file 5:0"), o);
            assertTrue(o.contains("/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n"), o);
            assertTrue(o.contains("\n0\n0\n"), "masked /proc/timer_list and /sys/firmware must be empty: " + o);
            assertTrue(o.endsWith("end\n"), o);
            assertEquals(List.of("host-file"), Files.list(shared).map(p -> p.getFileName().toString()).toList());
            Leftovers.assertNone(b);
        } finally {
            Files.deleteIfExists(shared.resolve("host-file"));
            Files.deleteIfExists(shared);
        }
    }

    @Test
    void aUserNamespaceMapsRootToAnUnprivilegedHostUid() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.addNamespace("user", null);
            Map<String, Object> map = new LinkedHashMap<>(Map.of("containerID", 0L, "hostID", 100000L, "size", 65536L));
            b.linux().put("uidMappings", new ArrayList<Object>(List.of(map)));
            b.linux().put("gidMappings", new ArrayList<Object>(List.of(new LinkedHashMap<>(map))));
            b.sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; sleep 0.3");
            ContainerInfo c = b.create();
            String hostUid = Files.readAllLines(Path.of("/proc/" + c.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
            assertTrue(hostUid.matches("Uid:\\s+100000\\s.*"), "on the host the init runs as uid 100000: " + hostUid);
            assertEquals(0, b.runtime.startAndWait(c));
            String o = String.join("\n", b.output().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList());
            assertEquals("0 100000 65536\n0 100000 65536\n0", o);
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aTimeNamespaceShiftsBoottime() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.addNamespace("time", null);
            Map<String, Object> off = new LinkedHashMap<>();
            off.put("boottime", new LinkedHashMap<String, Object>(Map.of("secs", 864000L, "nanosecs", 0L)));
            b.linux().put("timeOffsets", off);
            b.sh("cut -d' ' -f1 /proc/uptime");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            double inside = Double.parseDouble(r.output().trim());
            double host = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            assertTrue(inside - host > 863000 && inside - host < 865000, "uptime inside " + inside + ", host " + host);
        }
    }

    @Test
    void aNamespaceGivenByPathIsJoined() throws Exception {
        try (TestBundle a = TestBundle.make("/bin/sleep", "30"); TestBundle b = TestBundle.make()) {
            a.config.put("hostname", "first-container");
            ContainerInfo first = a.create();
            b.config.remove("hostname");
            b.removeNamespace("uts").addNamespace("uts", "/proc/" + first.pid() + "/ns/uts");
            b.removeNamespace("network").addNamespace("network", "/proc/" + first.pid() + "/ns/net");
            b.sh("hostname; readlink /proc/self/ns/uts");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            String expected = Files.readSymbolicLink(Path.of("/proc/" + first.pid() + "/ns/uts")).toString();
            assertEquals("first-container\n" + expected + "\n", r.output());
            a.runtime.delete(a.id, true);
        }
    }
}
