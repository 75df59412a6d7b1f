package burk.daemon;

/**
 * How a command ended for the front: an exit code, or "run it yourself" (the front then execs the
 * per-call JVM, so this is only allowed before the command did anything).
 */
public record Outcome(int exitCode, String fallbackReason) {
    public static Outcome exit(int code) { return new Outcome(code, null); }

    public static Outcome fallback(String reason) { return new Outcome(-1, reason); }

    public boolean isFallback() { return fallbackReason != null; }
}
