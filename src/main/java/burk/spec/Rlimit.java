package burk.spec;

/**
 * One entry of {@code process.rlimits}.
 *
 * @param type an {@code RLIMIT_*} name, e.g. {@code RLIMIT_NOFILE}
 * @param hard the hard limit, uint64 held bit for bit ({@code -1L} is RLIM_INFINITY)
 * @param soft the soft limit, uint64 held bit for bit
 */
public record Rlimit(String type, long hard, long soft) {
}
