package burk.spec;

/**
 * {@code root}: the container's root filesystem.
 *
 * @param path     absolute, or relative to the bundle directory (conventionally {@code rootfs})
 * @param readonly whether the root filesystem is made read-only (absent means false)
 */
public record Root(String path, boolean readonly) {
}
