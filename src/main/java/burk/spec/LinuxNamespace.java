package burk.spec;

/**
 * One entry of {@code linux.namespaces}.
 *
 * @param type the namespace type
 * @param path a namespace file to join (e.g. {@code /proc/1234/ns/net}), or null to create one
 *             (an empty string, which Go's encoder treats as absent, becomes null)
 */
public record LinuxNamespace(NamespaceType type, String path) {
    public LinuxNamespace {
        if (path != null && path.isEmpty()) {
            path = null;
        }
    }

    /** A namespace to create. */
    public static LinuxNamespace create(NamespaceType type) {
        return new LinuxNamespace(type, null);
    }
}
