package burk.runtime.helper;

import burk.linux.Errno;
import burk.runtime.plan.HookOutcome;
import burk.runtime.plan.Plan;
import burk.runtime.plan.PlanStep;
import burk.runtime.plan.Step;

/**
 * A plan step that failed inside the helper, turned into the message a person reads:
 * the step's own words and the kernel's reason, e.g.
 * {@code mount proc on /proc: operation not permitted}.
 */
public final class StepFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final int step;
    private final int errno;

    public StepFailure(Plan plan, int step, int errno) {
        this(plan, step, errno, 0);
    }

    /** A failure whose message's {@code value} field carries more (a RUN_HOOK's wait status or timeout). */
    public StepFailure(Plan plan, int step, int errno, long value) {
        super(render(plan, step, errno, value));
        this.step = step;
        this.errno = errno;
    }

    public int step() { return step; }

    public int errno() { return errno; }

    static String render(Plan plan, int index, int errno, long value) {
        if (index == -1) return "the native helper refused the plan: " + Errno.text(errno);
        PlanStep ps = plan.step(index);
        if (ps == null) return "native helper step " + index + ": " + Errno.text(errno);
        if (ps.step() instanceof Step.RunHook) return ps.step().action() + ": " + HookOutcome.describe(errno, value);
        if (ps.step() instanceof Step.FindExec fe) {
            if (errno == Errno.ENOENT) {
                return fe.program().contains("/")
                        ? "exec: \"" + fe.program() + "\": stat " + fe.program() + ": no such file or directory"
                        : "exec: \"" + fe.program() + "\": executable file not found in $PATH";
            }
            return "exec: \"" + fe.program() + "\": " + Errno.text(errno);
        }
        if (ps.step() instanceof Step.Mount m && (ps.flags() & PlanStep.NOFOLLOW) != 0 && errno == Errno.ELOOP) {
            // runc's words for the same refusal (CVE-2019-16884, CVE-2019-19921)
            return ps.step().action() + ": " + m.target() + " is a symlink: "
                    + (m.fstype() == null ? "refusing to mount through it" : m.fstype() + " must be mounted on an ordinary directory");
        }
        if (ps.step() instanceof Step.SetattrTree t && t.idmaps() && errno == Errno.EINVAL) {
            // mount_setattr(2): the filesystem (or one under a ridmap tree) has no idmap support
            return ps.step().action() + ": invalid argument (the filesystem of " + t.source()
                    + (t.recursive() ? " or of a mount under it" : "") + " does not support id-mapped mounts)";
        }
        if (ps.step() instanceof Step.SetattrTree t && t.idmaps() && errno == Errno.EPERM) {
            return ps.step().action() + ": operation not permitted (id-mapped mounts need root in the user namespace"
                    + " that owns the filesystem of " + t.source() + ")";
        }
        if (ps.step() instanceof Step.WriteProc && errno == Errno.EXDEV) {
            return ps.step().action() + ": not a file of the proc filesystem (" + ((Step.WriteProc) ps.step()).procDir()
                    + " is not procfs, or something is mounted over the path): refusing to write elsewhere";
        }
        if (ps.step() instanceof Step.Chdir c && errno == Errno.ELOOP) {
            return ps.step().action() + ": too many levels of symbolic links, or a /proc magic link on the way"
                    + " (the working directory must be reached inside the container's root)";
        }
        if (ps.step() instanceof Step.SetMempolicy && errno == Errno.EINVAL) {
            return "linux.memoryPolicy: " + ps.step().action() + ": " + Errno.text(errno) + " (no node of the list has"
                    + " memory and is in the container's cpuset.mems, or this kernel does not take the mode or a flag"
                    + " with it)";
        }
        if (ps.step() instanceof Step.SetMempolicy && errno == Errno.ENOSYS) {
            return "linux.memoryPolicy: " + ps.step().action() + ": " + Errno.text(errno)
                    + " (the kernel was built without NUMA support)";
        }
        return ps.step().action() + ": " + Errno.text(errno);
    }
}
