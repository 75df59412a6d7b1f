package burk.spec;

/**
 * One entry of {@code linux.devices}: a device node the container must have.
 *
 * @param type     {@code c}, {@code b}, {@code u} or {@code p}
 * @param path     absolute path inside the container
 * @param major    major number (int64), or null (allowed only for {@code p})
 * @param minor    minor number (int64), or null (allowed only for {@code p})
 * @param fileMode permission bits (uint32, written in decimal in JSON), or null
 * @param uid      owner in the container (uint32), or null
 * @param gid      group in the container (uint32), or null
 */
public record LinuxDevice(String type, String path, Long major, Long minor, Long fileMode, Long uid, Long gid) {
}
