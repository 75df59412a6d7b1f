package burk.front;

/** "N minutes ago", as Docker prints ages. */
public final class FrontTime {
    private FrontTime() {}

    /** The age of an ISO-8601 instant in Docker's words; empty when unparseable. */
    public static String ago(String when) {
        return Front.ago(when);
    }
}
