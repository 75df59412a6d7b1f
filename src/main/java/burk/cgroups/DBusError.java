package burk.cgroups;

/**
 * A D-Bus error: an error reply from the peer (its error name and message), or a message burk
 * could not read or send.
 */
final class DBusError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String name;

    DBusError(String name, String message) {
        super(name + ": " + message);
        this.name = name;
    }

    DBusError(String name, String message, Throwable cause) {
        super(name + ": " + message, cause);
        this.name = name;
    }

    /** The D-Bus error name, e.g. {@code org.freedesktop.systemd1.NoSuchUnit}. */
    String name() {
        return name;
    }
}
