package burk.runtime;

/**
 * A container operation that cannot be done, with the message a person (or an engine that shows
 * it to a person) reads. Messages match runc's where callers are known to match on them
 * ("container does not exist", "container with id exists: ID").
 */
public class RuntimeError extends Exception {
    private static final long serialVersionUID = 1L;

    public RuntimeError(String message) {
        super(message);
    }

    public RuntimeError(String message, Throwable cause) {
        super(message, cause);
    }
}
