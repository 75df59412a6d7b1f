package burk.spec;

/**
 * A runtime-spec document that is well-formed JSON but not a valid configuration: a value of the
 * wrong type, an unknown enumeration value, or a broken semantic rule of the spec.
 *
 * <p>The message starts with the JSON path of the offending field, e.g.
 * {@code linux.namespaces[2].type: unknown namespace "foo"} or
 * {@code mounts[3].destination: "tmp" is not an absolute path}; {@link #path()} returns that path
 * alone.
 */
public final class SpecException extends RuntimeException {
    private final String path;

    /** {@code path} is the JSON path of the field (may be empty for the whole document). */
    public SpecException(String path, String problem) {
        super(path == null || path.isEmpty() ? problem : path + ": " + problem);
        this.path = path == null ? "" : path;
    }

    /** The JSON path of the offending field, e.g. {@code process.user.uid}; empty for the root. */
    public String path() {
        return path;
    }
}
