package burk.daemon;

/** Runs one command line for a front: burk's command line plugs in here (burk.cli). */
@FunctionalInterface
public interface Handler {
    /**
     * Runs {@code inv} and says how it ended. A handler that cannot serve a command line returns
     * {@link Outcome#fallback} before doing anything: the front then runs a JVM of its own.
     */
    Outcome handle(Invocation inv);
}
