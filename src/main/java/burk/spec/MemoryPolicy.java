package burk.spec;

import java.util.List;

/**
 * {@code linux.memoryPolicy} (1.3): set_mempolicy(2) input.
 *
 * @param mode  an {@code MPOL_*} mode, e.g. {@code MPOL_INTERLEAVE}
 * @param nodes a node list such as {@code "0-3,7"}, or null
 * @param flags {@code MPOL_F_*} flags
 */
public record MemoryPolicy(String mode, String nodes, List<String> flags) {
    public MemoryPolicy {
        flags = Copies.list(flags);
    }
}
