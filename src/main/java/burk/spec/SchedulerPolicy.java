package burk.spec;

/** {@code process.scheduler.policy}: the sched_setattr(2) policies the runtime-spec lists. */
public enum SchedulerPolicy {
    SCHED_OTHER,
    SCHED_FIFO,
    SCHED_RR,
    SCHED_BATCH,
    SCHED_ISO,
    SCHED_IDLE,
    SCHED_DEADLINE;

    /** The string the runtime-spec uses (the constant's name). */
    public String spec() {
        return name();
    }

    /** The policy for a runtime-spec string, or null if there is none. */
    public static SchedulerPolicy fromSpec(String s) {
        return switch (s) {
            case "SCHED_OTHER" -> SCHED_OTHER;
            case "SCHED_FIFO" -> SCHED_FIFO;
            case "SCHED_RR" -> SCHED_RR;
            case "SCHED_BATCH" -> SCHED_BATCH;
            case "SCHED_ISO" -> SCHED_ISO;
            case "SCHED_IDLE" -> SCHED_IDLE;
            case "SCHED_DEADLINE" -> SCHED_DEADLINE;
            default -> null;
        };
    }
}
