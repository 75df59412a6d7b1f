package burk.front;

/** A front operation that cannot be done, with a message for a person. */
public class FrontException extends Exception {
    private static final long serialVersionUID = 1L;

    public FrontException(String message) {
        super(message);
    }

    public FrontException(String message, Throwable cause) {
        super(message, cause);
    }
}
