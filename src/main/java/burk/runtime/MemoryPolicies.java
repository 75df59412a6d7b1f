package burk.runtime;

import burk.runtime.plan.Step;
import burk.spec.MemoryPolicy;

import java.util.BitSet;
import java.util.List;

/** linux.memoryPolicy in the kernel's numbers (include/uapi/linux/mempolicy.h). */
final class MemoryPolicies {
    private MemoryPolicies() {}

    /** enum mempolicy's values, by config-linux.md's names. */
    private static final List<String> MODE_NUMBERS = List.of("MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND",
            "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE");

    static final int MPOL_F_NUMA_BALANCING = 1 << 13, MPOL_F_RELATIVE_NODES = 1 << 14, MPOL_F_STATIC_NODES = 1 << 15;

    /** The mode argument of set_mempolicy(2): the mode or'ed with its flags. */
    static int modeArgument(MemoryPolicy p) {
        int mode = MODE_NUMBERS.indexOf(p.mode());
        if (mode < 0) throw new IllegalArgumentException("linux.memoryPolicy.mode: unknown mode \"" + p.mode() + "\"");
        for (String f : p.flags()) {
            mode |= switch (f) {
                case "MPOL_F_NUMA_BALANCING" -> MPOL_F_NUMA_BALANCING;
                case "MPOL_F_RELATIVE_NODES" -> MPOL_F_RELATIVE_NODES;
                case "MPOL_F_STATIC_NODES" -> MPOL_F_STATIC_NODES;
                default -> throw new IllegalArgumentException("linux.memoryPolicy.flags: unknown flag \"" + f + "\"");
            };
        }
        return mode;
    }

    /** The node mask as whole 64-bit little-endian words, just long enough for the highest node. */
    static byte[] nodeMask(BitSet nodes) {
        long[] words = nodes.toLongArray();
        byte[] out = new byte[words.length * 8];
        for (int i = 0; i < words.length; i++) {
            for (int b = 0; b < 8; b++) out[i * 8 + b] = (byte) (words[i] >>> (8 * b));
        }
        return out;
    }

    /** The plan step for {@code p}, or null when config.json sets no policy. */
    static Step.SetMempolicy step(MemoryPolicy p) {
        if (p == null) return null;
        String nodes = p.nodes() == null || p.nodes().isEmpty() ? "" : " nodes " + p.nodes();
        String flags = p.flags().isEmpty() ? "" : " " + String.join("|", p.flags());
        return new Step.SetMempolicy(modeArgument(p), nodeMask(p.nodeSet()), p.mode() + flags + nodes);
    }
}
