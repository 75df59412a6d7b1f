package burk.seccomp;

/**
 * A seccomp profile that cannot be turned into a filter: a JSON value of the wrong type, an
 * unknown action, operator, architecture or flag, a combination the runtime-spec forbids, or a
 * program too large for the kernel.
 *
 * <p>The message starts with the JSON path of the offending field, e.g.
 * {@code linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"}; {@link #path()}
 * returns that path alone (empty when no single field is to blame).
 */
public final class SeccompException extends RuntimeException {
    private final String path;

    /** {@code path} is the JSON path of the field, or empty. */
    public SeccompException(String path, String problem) {
        super(path == null || path.isEmpty() ? problem : path + ": " + problem);
        this.path = path == null ? "" : path;
    }

    /** The JSON path of the offending field, e.g. {@code linux.seccomp.syscalls[0].args[1].op}. */
    public String path() {
        return path;
    }
}
