package burk.spec;

/** {@code process.ioPriority.class}: the ioprio_set(2) classes the runtime-spec lists. */
public enum IoPriorityClass {
    IOPRIO_CLASS_RT,
    IOPRIO_CLASS_BE,
    IOPRIO_CLASS_IDLE;

    /** The string the runtime-spec uses (the constant's name). */
    public String spec() {
        return name();
    }

    /** The class for a runtime-spec string, or null if there is none. */
    public static IoPriorityClass fromSpec(String s) {
        return switch (s) {
            case "IOPRIO_CLASS_RT" -> IOPRIO_CLASS_RT;
            case "IOPRIO_CLASS_BE" -> IOPRIO_CLASS_BE;
            case "IOPRIO_CLASS_IDLE" -> IOPRIO_CLASS_IDLE;
            default -> null;
        };
    }
}
