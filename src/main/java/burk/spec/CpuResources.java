package burk.spec;

/**
 * {@code linux.resources.cpu}; null = unset. {@code shares}, {@code burst}, {@code period} and
 * {@code realtimePeriod} are uint64 held bit for bit; {@code quota}, {@code realtimeRuntime} and
 * {@code idle} are int64.
 */
public record CpuResources(
        Long shares,
        Long quota,
        Long burst,
        Long period,
        Long realtimeRuntime,
        Long realtimePeriod,
        String cpus,
        String mems,
        Long idle) {
}
