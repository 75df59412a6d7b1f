package burk.spec;

/** A value of {@code linux.resources.rdma}: {@code hcaHandles}, {@code hcaObjects} (uint32, null = unset). */
public record RdmaLimit(Long hcaHandles, Long hcaObjects) {
}
