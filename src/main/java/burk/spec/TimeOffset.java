package burk.spec;

/**
 * A value of {@code linux.timeOffsets}; an unset field means 0.
 *
 * @param secs     offset in seconds (int64)
 * @param nanosecs offset in nanoseconds (uint32)
 */
public record TimeOffset(long secs, long nanosecs) {
}
