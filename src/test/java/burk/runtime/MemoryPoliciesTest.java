package burk.runtime;

import burk.runtime.plan.Step;
import burk.spec.MemoryPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** linux.memoryPolicy in set_mempolicy(2)'s numbers (include/uapi/linux/mempolicy.h). */
class MemoryPoliciesTest {
    @Test
    void modesAndFlagsAreTheKernelsNumbers() {
        assertEquals(0, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_DEFAULT", null, List.of())));
        assertEquals(1, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_PREFERRED", null, List.of())));
        assertEquals(2, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_BIND", "0", List.of())));
        assertEquals(3, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_INTERLEAVE", "0", List.of())));
        assertEquals(4, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_LOCAL", null, List.of())));
        assertEquals(5, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_PREFERRED_MANY", "0", List.of())));
        assertEquals(6, MemoryPolicies.modeArgument(new MemoryPolicy("MPOL_WEIGHTED_INTERLEAVE", "0", List.of())));
        assertEquals(2 | 0x8000 | 0x2000, MemoryPolicies.modeArgument(
                new MemoryPolicy("MPOL_BIND", "0", List.of("MPOL_F_STATIC_NODES", "MPOL_F_NUMA_BALANCING"))));
        assertEquals(3 | 0x4000, MemoryPolicies.modeArgument(
                new MemoryPolicy("MPOL_INTERLEAVE", "0", List.of("MPOL_F_RELATIVE_NODES"))));
    }

    @Test
    void theNodeMaskIsWholeLittleEndianWords() {
        assertArrayEquals(new byte[0], MemoryPolicies.nodeMask(MemoryPolicy.parseNodes("")));
        assertArrayEquals(new byte[] {(byte) 0x8f, 0, 0, 0, 0, 0, 0, 0}, MemoryPolicies.nodeMask(MemoryPolicy.parseNodes("0-3,7")));
        byte[] high = MemoryPolicies.nodeMask(MemoryPolicy.parseNodes("65"));
        assertEquals(16, high.length);
        assertEquals(2, high[8]);
    }

    @Test
    void theStepSaysWhatItSets() {
        assertNull(MemoryPolicies.step(null));
        Step.SetMempolicy s = MemoryPolicies.step(new MemoryPolicy("MPOL_INTERLEAVE", "0-1", List.of("MPOL_F_STATIC_NODES")));
        assertEquals("set_mempolicy MPOL_INTERLEAVE MPOL_F_STATIC_NODES nodes 0-1", s.action());
        assertEquals(55, s.op());
    }
}
