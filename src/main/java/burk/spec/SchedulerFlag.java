package burk.spec;

/** {@code process.scheduler.flags[]}: the sched_setattr(2) flags the runtime-spec lists. */
public enum SchedulerFlag {
    SCHED_FLAG_RESET_ON_FORK,
    SCHED_FLAG_RECLAIM,
    SCHED_FLAG_DL_OVERRUN,
    SCHED_FLAG_KEEP_POLICY,
    SCHED_FLAG_KEEP_PARAMS,
    SCHED_FLAG_UTIL_CLAMP_MIN,
    SCHED_FLAG_UTIL_CLAMP_MAX;

    /** The string the runtime-spec uses (the constant's name). */
    public String spec() {
        return name();
    }

    /** The flag for a runtime-spec string, or null if there is none. */
    public static SchedulerFlag fromSpec(String s) {
        return switch (s) {
            case "SCHED_FLAG_RESET_ON_FORK" -> SCHED_FLAG_RESET_ON_FORK;
            case "SCHED_FLAG_RECLAIM" -> SCHED_FLAG_RECLAIM;
            case "SCHED_FLAG_DL_OVERRUN" -> SCHED_FLAG_DL_OVERRUN;
            case "SCHED_FLAG_KEEP_POLICY" -> SCHED_FLAG_KEEP_POLICY;
            case "SCHED_FLAG_KEEP_PARAMS" -> SCHED_FLAG_KEEP_PARAMS;
            case "SCHED_FLAG_UTIL_CLAMP_MIN" -> SCHED_FLAG_UTIL_CLAMP_MIN;
            case "SCHED_FLAG_UTIL_CLAMP_MAX" -> SCHED_FLAG_UTIL_CLAMP_MAX;
            default -> null;
        };
    }
}
