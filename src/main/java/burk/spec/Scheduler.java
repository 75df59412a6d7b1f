package burk.spec;

import java.util.List;

/**
 * {@code process.scheduler}: sched_setattr(2) parameters. The spec says an unset nice, priority,
 * runtime, deadline or period means 0, so those are primitives.
 *
 * @param policy   scheduling policy (required)
 * @param nice     nice value (int32)
 * @param priority static priority for SCHED_FIFO / SCHED_RR (int32)
 * @param flags    sched flags
 * @param runtime  SCHED_DEADLINE runtime in ns (uint64 bit for bit)
 * @param deadline SCHED_DEADLINE deadline in ns (uint64 bit for bit)
 * @param period   SCHED_DEADLINE period in ns (uint64 bit for bit)
 */
public record Scheduler(
        SchedulerPolicy policy,
        int nice,
        int priority,
        List<SchedulerFlag> flags,
        long runtime,
        long deadline,
        long period) {

    public Scheduler {
        flags = Copies.list(flags);
    }
}
