package burk.spec;

/**
 * {@code process.execCPUAffinity}: CPU lists such as {@code "0-3,7"}.
 *
 * @param initial   the JSON property {@code initial}: CPUs before joining the container's cgroup,
 *                  or null
 * @param finalCpus the JSON property {@code final} (a Java keyword): CPUs after joining it, or null
 */
public record ExecCpuAffinity(String initial, String finalCpus) {
}
