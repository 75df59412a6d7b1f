package burk.cli;

/** A command line burk cannot make sense of; printed with the command's usage, exit status 1. */
final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message);
    }
}
