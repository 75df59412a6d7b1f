package burk.spec;

/**
 * {@code linux.resources.memory}; byte values are int64 with -1 meaning unlimited; null = unset.
 *
 * @param swappiness uint64 held bit for bit
 */
public record MemoryResources(
        Long limit,
        Long reservation,
        Long swap,
        Long kernel,
        Long kernelTCP,
        Long swappiness,
        Boolean disableOOMKiller,
        Boolean useHierarchy,
        Boolean checkBeforeUpdate) {
}
