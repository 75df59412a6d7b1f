package burk.spec;

import java.util.BitSet;
import java.util.List;

/**
 * {@code linux.memoryPolicy} (1.3): set_mempolicy(2) input.
 *
 * @param mode  an {@code MPOL_*} mode, e.g. {@code MPOL_INTERLEAVE}
 * @param nodes a node list such as {@code "0-3,7"}, or null
 * @param flags {@code MPOL_F_*} flags
 */
public record MemoryPolicy(String mode, String nodes, List<String> flags) {
    /**
     * One past the highest NUMA node id any Linux kernel has: MAX_NUMNODES is 1 &lt;&lt; NODES_SHIFT,
     * and Kconfig bounds NODES_SHIFT at 10 on every architecture.
     */
    public static final int MAX_NODES = 1024;

    /** The modes of config-linux.md, in the spec's order. */
    public static final List<String> MODES = List.of("MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE",
            "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL");

    /** The flags of config-linux.md, in the spec's order. */
    public static final List<String> FLAGS = List.of("MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
            "MPOL_F_STATIC_NODES");

    public MemoryPolicy {
        flags = Copies.list(flags);
    }

    /** The node ids of {@link #nodes()} (empty when there are none). */
    public BitSet nodeSet() {
        return nodes == null ? new BitSet() : parseNodes(nodes);
    }

    /**
     * A node list as the kernel prints one (cpuset.mems, Mems_allowed_list): comma-separated ids
     * and {@code a-b} ranges; blanks around an element and empty elements are allowed, as runc
     * allows them. An empty string is the empty set.
     *
     * @throws IllegalArgumentException saying what is wrong, without the field's name
     */
    public static BitSet parseNodes(String list) {
        BitSet out = new BitSet();
        boolean blank = true;
        for (String part : list.split(",", -1)) {
            String t = part.strip();
            if (t.isEmpty()) continue;
            blank = false;
            int dash = t.indexOf('-');
            int from = nodeId(dash < 0 ? t : t.substring(0, dash), list);
            int to = dash < 0 ? from : nodeId(t.substring(dash + 1), list);
            if (to < from) {
                throw new IllegalArgumentException("range \"" + t + "\" ends before it starts");
            }
            out.set(from, to + 1);
        }
        if (blank && !list.isEmpty()) throw new IllegalArgumentException("no nodes in \"" + list + "\"");
        return out;
    }

    private static int nodeId(String s, String list) {
        String t = s.strip();
        if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + list + "\" is not a node list (such as \"0-3,7\")");
        }
        if (t.length() > 9 || Integer.parseInt(t) >= MAX_NODES) {
            throw new IllegalArgumentException("node " + t + " does not exist on any Linux kernel (at most "
                    + MAX_NODES + " nodes, 0-" + (MAX_NODES - 1) + ")");
        }
        return Integer.parseInt(t);
    }
}
