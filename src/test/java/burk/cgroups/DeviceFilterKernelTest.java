package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.CgroupResources.DeviceRule;
import burk.cgroups.TestHost.Workload;
import burk.linux.Bpf;
import burk.linux.Fd;
import burk.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device program in the real kernel: loaded through the verifier, attached to a cgroup of
 * the unified hierarchy, and obeyed by a shell in that cgroup. The kernel runs cgroup-device
 * programs for the task's cgroup in the unified hierarchy whatever the host's mode, so this runs
 * on hybrid hosts (in /sys/fs/cgroup/unified) as well as on v2-only ones (the qemu lane).
 */
class DeviceFilterKernelTest {
    private Path parent;
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        CgroupLayout.Mount unified = TestHost.layout().unifiedMount().orElse(null);
        Assumptions.assumeTrue(unified != null, "no cgroup2 hierarchy is mounted");
        parent = unified.mountPoint().resolve("burk-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        dir = parent.resolve("c");
        Files.createDirectories(dir);
    }

    @AfterEach
    void tearDown() {
        if (parent != null) {
            CgroupFs.removeTree(parent, CgroupFs.Deadline.in(Duration.ofSeconds(10)));
        }
    }

    /** Runs {@code script} in the test cgroup; returns its exit status and output. */
    private String runInCgroup(String script) {
        try (Workload w = Workload.start(script)) {
            CgroupFs.write(dir.resolve("cgroup.procs"), Long.toString(w.pid()));
            w.go();
            int status = w.waitFor(Duration.ofSeconds(60));
            return status + ": " + w.output().trim();
        }
    }

    @Test
    void writesToDevNullAreRefusedUntilTheRulesAllowThem() {
        DeviceFilter.attach(dir, DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "r"))));
        List<Integer> first = DeviceFilter.attached(dir);
        assertEquals(1, first.size(), first.toString());

        String refused = runInCgroup("cat /dev/null && echo read-ok; echo x > /dev/null && echo written");
        assertTrue(refused.contains("read-ok"), refused);
        assertTrue(refused.contains("Operation not permitted"), refused);
        assertTrue(!refused.contains("written"), refused);

        DeviceFilter.attach(dir, DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rw"))));
        List<Integer> second = DeviceFilter.attached(dir);
        assertEquals(1, second.size(), "the old program was detached: " + second);
        assertNotEquals(first, second);
        assertEquals("0: written", runInCgroup("echo x > /dev/null && echo written"));
    }

    @Test
    void aProcessAlreadyInTheCgroupSeesTheUpdate() {
        DeviceFilter.attach(dir, DeviceRules.of(List.of(DeviceRule.denyAll())));
        try (Workload w = Workload.start("echo x > /dev/null && echo written")) {
            CgroupFs.write(dir.resolve("cgroup.procs"), Long.toString(w.pid()));
            DeviceFilter.attach(dir, DeviceRules.of(List.of(new DeviceRule(true, "a", null, null, "rwm"))));
            w.go();
            assertEquals(0, w.waitFor(Duration.ofSeconds(60)), w.output());
            assertEquals("written", w.output().trim());
        }
    }

    @Test
    void aDeviceProgramBurkDidNotAttachStaysAttached() throws Exception {
        // A program that allows everything (r0 = 1; exit), loaded under another name.
        byte[] allowAll = DeviceProgram.encode(List.of(DeviceProgram.Insn.mov64(DeviceProgram.R0, 1), DeviceProgram.Insn.exit()));
        try (Fd cgroup = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | 0200000, 0);
             Fd other = Bpf.progLoad(Bpf.PROG_TYPE_CGROUP_DEVICE, allowAll, "GPL", "not_burk")) {
            Bpf.progAttach(cgroup, other, Bpf.ATTACH_CGROUP_DEVICE, Bpf.F_ALLOW_MULTI);
            DeviceFilter.attach(dir, DeviceRules.of(List.of(DeviceRule.denyAll())));
            DeviceFilter.attach(dir, DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rw"))));
            int[] ids = Bpf.progQuery(cgroup, Bpf.ATTACH_CGROUP_DEVICE);
            assertEquals(2, ids.length, "not_burk and one burk_devices");
            assertEquals(1, DeviceFilter.attached(dir).size());
        }
        assertEquals("0: written", runInCgroup("echo x > /dev/null && echo written"));
    }
}
