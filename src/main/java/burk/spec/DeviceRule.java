package burk.spec;

/**
 * One entry of {@code linux.resources.devices} (the device cgroup allow list).
 *
 * @param allow  allow (true) or deny (false)
 * @param type   {@code a}, {@code c} or {@code b}; null means all ({@code a})
 * @param major  major number, or null for all
 * @param minor  minor number, or null for all
 * @param access a combination of {@code r}, {@code w}, {@code m}; or null
 */
public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
}
