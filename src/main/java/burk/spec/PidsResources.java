package burk.spec;

/** {@code linux.resources.pids}: {@code limit} (int64, -1 = no limit; 0 is a real limit), or null. */
public record PidsResources(Long limit) {
}
