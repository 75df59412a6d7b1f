package burk.runtime;

import burk.spec.ProcessSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * linux.memoryPolicy (runtime-spec 1.3): set_mempolicy(2) as the container's process sees it in
 * /proc/self/numa_maps, which prints the task's policy for every mapping without one of its own.
 * This host has NUMA node 0 only; the tests that need it check /sys/devices/system/node first.
 */
class MemoryPolicyIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static void assumeNode0() {
        assumeTrue(Files.isDirectory(Path.of("/sys/devices/system/node/node0")), "needs NUMA node 0");
        assumeTrue(Files.exists(Path.of("/proc/self/numa_maps")), "needs a kernel with CONFIG_NUMA");
    }

    private static TestBundle withPolicy(String mode, String nodes, String... flags) throws Exception {
        TestBundle b = TestBundle.make("/bin/true");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("mode", mode);
        if (nodes != null) p.put("nodes", nodes);
        if (flags.length > 0) p.put("flags", new ArrayList<Object>(List.of(flags)));
        b.linux().put("memoryPolicy", p);
        return b;
    }

    /** The policy column of every mapping of the container's process. */
    private static List<String> policies(String numaMaps) {
        List<String> out = new ArrayList<>();
        for (String line : numaMaps.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 1) out.add(f[1]);
        }
        return out;
    }

    @Test
    void bindToNodeZeroIsTheProcesssPolicy() throws Exception {
        assumeNode0();
        try (TestBundle b = withPolicy("MPOL_BIND", "0")) {
            b.args("/bin/cat", "/proc/self/numa_maps");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> pol = policies(r.output());
            assertTrue(!pol.isEmpty() && pol.stream().allMatch("bind:0"::equals), r.output());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void interleaveWithAStaticNodeMask() throws Exception {
        assumeNode0();
        try (TestBundle b = withPolicy("MPOL_INTERLEAVE", "0", "MPOL_F_STATIC_NODES")) {
            b.args("/bin/cat", "/proc/self/numa_maps");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> pol = policies(r.output());
            assertTrue(!pol.isEmpty() && pol.stream().allMatch("interleave=static:0"::equals), r.output());
        }
    }

    @Test
    void preferredWithoutNodesIsLocalAllocation() throws Exception {
        assumeNode0();
        try (TestBundle b = withPolicy("MPOL_PREFERRED", null)) {
            b.args("/bin/cat", "/proc/self/numa_maps");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertTrue(policies(r.output()).stream().allMatch("local"::equals), r.output());
        }
    }

    @Test
    void anExecdProcessGetsTheContainersPolicyToo() throws Exception {
        assumeNode0();
        try (TestBundle b = withPolicy("MPOL_BIND", "0")) {
            b.args("/bin/sleep", "60");
            b.create();
            b.runtime.start(b.id);
            Path out = b.dir.resolve("exec.out");
            ProcessSpec p = ProcessSpec.of(List.of("/bin/cat", "/proc/self/numa_maps"), List.of("PATH=/bin"), "/");
            int status = b.exec(ExecRequest.of(b.id, p), out);
            String o = Files.readString(out);
            assertEquals(0, status, o);
            List<String> pol = policies(o);
            assertTrue(!pol.isEmpty() && pol.stream().allMatch("bind:0"::equals), o);
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aNodeWithoutMemoryIsRefusedByTheKernelAndNamed() throws Exception {
        assumeNode0();
        assumeTrue(!Files.exists(Path.of("/sys/devices/system/node/node1")), "needs a host without node 1");
        try (TestBundle b = withPolicy("MPOL_BIND", "1")) {
            b.args("/bin/true");
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertTrue(e.getMessage().startsWith("linux.memoryPolicy: set_mempolicy MPOL_BIND nodes 1: invalid argument"),
                    e.getMessage());
            Leftovers.assertNone(b);
            assertEquals(List.of(), b.runtime.list());
        }
    }

    @Test
    void badPoliciesAreRefusedByFieldBeforeAnythingRuns() throws Exception {
        String[][] cases = {
                {"MPOL_FAST", "0", null, "linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FAST\""},
                {"MPOL_BIND", null, null, "linux.memoryPolicy.nodes: required for MPOL_BIND"},
                {"MPOL_INTERLEAVE", " , ", null, "linux.memoryPolicy.nodes: no nodes in \" , \""},
                {"MPOL_LOCAL", "0", null, "linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL"},
                {"MPOL_DEFAULT", "0", null, "linux.memoryPolicy.nodes: must be empty for MPOL_DEFAULT"},
                {"MPOL_BIND", "0-x", null, "linux.memoryPolicy.nodes: \"0-x\" is not a node list (such as \"0-3,7\")"},
                {"MPOL_BIND", "3-1", null, "linux.memoryPolicy.nodes: range \"3-1\" ends before it starts"},
                {"MPOL_BIND", "1024", null,
                        "linux.memoryPolicy.nodes: node 1024 does not exist on any Linux kernel (at most 1024 nodes, 0-1023)"},
                {"MPOL_BIND", "0", "MPOL_F_FAST", "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_FAST\""},
        };
        for (String[] c : cases) {
            try (TestBundle b = c[2] == null ? withPolicy(c[0], c[1]) : withPolicy(c[0], c[1], c[2])) {
                b.args("/bin/true");
                RuntimeError e = assertThrows(RuntimeError.class, b::create, c[3]);
                assertEquals(c[3], e.getMessage());
                Leftovers.assertNone(b);
            }
        }
    }
}
