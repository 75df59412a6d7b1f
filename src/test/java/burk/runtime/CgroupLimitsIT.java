package burk.runtime;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.resources on this host's cgroup v1 controllers, seen from the host's cgroup files and in action. */
class CgroupLimitsIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static String read(String controller, String id, String file) throws Exception {
        return Files.readString(Path.of("/sys/fs/cgroup", controller, "burk", id, file)).trim();
    }

    @Test
    void limitsAreWrittenBeforeTheProcessRunsAndTheCgroupGoesWithTheContainer() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.resources("memory", Map.of("limit", 64L << 20));
            b.resources("pids", Map.of("limit", 42L));
            b.resources("cpu", Map.of("shares", 512L, "quota", 20000L, "period", 100000L, "cpus", "0", "mems", "0"));
            ContainerInfo c = b.create();
            assertEquals(Long.toString(64L << 20), read("memory", b.id, "memory.limit_in_bytes"));
            assertEquals("42", read("pids", b.id, "pids.max"));
            assertEquals("512", read("cpu", b.id, "cpu.shares"));
            assertEquals("20000", read("cpu", b.id, "cpu.cfs_quota_us"));
            assertEquals("100000", read("cpu", b.id, "cpu.cfs_period_us"));
            assertEquals("0", read("cpuset", b.id, "cpuset.cpus"));
            assertTrue(read("pids", b.id, "cgroup.procs").lines().anyMatch(l -> l.equals(Integer.toString(c.pid()))),
                    "the waiting init is already in the cgroup");
            assertEquals(0, b.runtime.startAndWait(c));
            b.runtime.delete(b.id, false);
            assertFalse(Files.exists(Path.of("/sys/fs/cgroup/memory/burk", b.id)));
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aProcessAllocatingPastTheMemoryLimitIsOomKilled() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.resources("memory", Map.of("limit", 16L << 20, "swap", 16L << 20));
            b.sh("dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo \"dd status $?\"");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals("dd status 137\n", r.output(), "the allocating process was killed with SIGKILL");
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aForkLoopStopsAtThePidsLimit() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.resources("pids", Map.of("limit", 10L));
            b.sh("i=0; while [ $i -lt 40 ]; do (sleep 5 &) 2>/dev/null || break; i=$((i+1)); done; echo started $i");
            TestBundle.Ran r = b.run();
            String started = r.output().trim();
            assertTrue(started.startsWith("started "), r.output());
            int n = Integer.parseInt(started.substring(8));
            assertTrue(n > 0 && n < 10, "forks that succeeded: " + n);
            Leftovers.assertNone(b);
        }
    }
}
