package burk.runtime.plan;

/**
 * A step in a plan, with the helper's per-step flags and the reason burk takes it, which
 * {@code --explain} prints next to the step.
 */
public record PlanStep(Step step, int flags, String why) {
    /** The step failing with ENOENT is skipped (a masked or read-only path that does not exist). */
    public static final int IGNORE_ENOENT = 0x1;
    /** MOUNT: the target's last component must not be a symlink; the step fails with ELOOP. */
    public static final int NOFOLLOW = 0x2;

    public PlanStep {
        if (step == null) throw new IllegalArgumentException("step");
    }
}
