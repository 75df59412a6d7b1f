package burk.spec;

/**
 * Malformed JSON text, or a value the JSON writer cannot represent.
 *
 * <p>For syntax errors the message names the position, e.g.
 * {@code config.json: line 3, column 7: expected ',' or '}', found '"'}; {@link #line()} and
 * {@link #column()} give it as numbers (1-based), or 0 when the error has no position.
 */
public final class JsonException extends RuntimeException {
    private final int line;
    private final int column;

    /** An error without a position (e.g. an unwritable value). */
    public JsonException(String message) {
        super(message);
        this.line = 0;
        this.column = 0;
    }

    /** A syntax error at a position; {@code message} already contains the position. */
    JsonException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** Line of the error, 1-based; 0 if the error has no position. */
    public int line() {
        return line;
    }

    /** Column of the error (in UTF-16 characters), 1-based; 0 if the error has no position. */
    public int column() {
        return column;
    }
}
