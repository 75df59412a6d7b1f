package burk.spec;

/** {@code linux.personality.domain}: the personality(2) domains the runtime-spec supports. */
public enum PersonalityDomain {
    LINUX,
    LINUX32;

    /** The string the runtime-spec uses (the constant's name). */
    public String spec() {
        return name();
    }

    /** The domain for a runtime-spec string, or null if there is none. */
    public static PersonalityDomain fromSpec(String s) {
        return switch (s) {
            case "LINUX" -> LINUX;
            case "LINUX32" -> LINUX32;
            default -> null;
        };
    }
}
