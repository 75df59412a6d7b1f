package burk.runtime;

import burk.runtime.plan.Capabilities;
import burk.runtime.plan.Plan;
import burk.runtime.plan.Step;
import burk.seccomp.Arch;
import burk.seccomp.SeccompCompiler;
import burk.seccomp.SeccompException;
import burk.seccomp.SeccompProfile;
import burk.seccomp.SeccompProgram;
import burk.spec.ProcessSpec;
import burk.spec.Rlimit;
import burk.spec.RuntimeSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The plan steps shared by a container's init and by `exec`: everything process.* in config.json says. */
final class ProcessPlanner {
    private ProcessPlanner() {}

    /** linux.seccomp as a profile, validated, or null when there is none. */
    static SeccompProfile seccompProfile(RuntimeSpec spec) {
        var raw = spec.linuxOrEmpty().seccomp();
        if (raw == null) return null;
        try {
            return SeccompProfile.fromJson(raw.json());
        } catch (SeccompException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** linux.seccomp compiled for this kernel's architecture, or null when there is none. */
    static SeccompProgram compileSeccomp(RuntimeSpec spec) {
        SeccompProfile profile = seccompProfile(spec);
        if (profile == null) return null;
        checkNotifiable(profile);
        try {
            return SeccompCompiler.compile(profile, Arch.host());
        } catch (SeccompException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The one syscall the helper makes between installing a filter and the runtime holding its
     * notify fd is sendmsg (the FD message, docs/plan-format.md): a notification there would
     * wait for an agent that can only get the fd from that very call. runc refuses write(2) for
     * the same reason, which is its call there.
     */
    private static void checkNotifiable(SeccompProfile profile) {
        for (int i = 0; i < profile.syscalls().size(); i++) {
            var rule = profile.syscalls().get(i);
            if (rule.action() == SeccompProfile.Action.NOTIFY && rule.names().contains(HANDOFF_SYSCALL)) {
                throw new IllegalArgumentException(SeccompProfile.JSON_PATH + ".syscalls[" + i + "]: SCMP_ACT_NOTIFY"
                        + " cannot be used for " + HANDOFF_SYSCALL + ": burk's init hands the notify fd to the runtime"
                        + " with it, before any agent could answer");
            }
        }
    }

    /** The syscall that carries the notify fd from the helper to the runtime. */
    static final String HANDOFF_SYSCALL = "sendmsg";

    /**
     * linux.memoryPolicy, for the init and every exec'd process alike (runc sets it in both). It
     * comes after the init's own setup, so the mounts are not bound by it, and before seccomp:
     * the common default profiles allow set_mempolicy only with CAP_SYS_NICE, which the process
     * may lack. The kernel keeps the policy across execve.
     */
    static void addMemoryPolicy(Plan.Builder plan, RuntimeSpec spec) {
        Step.SetMempolicy step = MemoryPolicies.step(spec.linuxOrEmpty().memoryPolicy());
        if (step != null) {
            plan.add(step, "linux.memoryPolicy: the NUMA nodes the container's memory comes from");
        }
    }

    /**
     * The steps that turn the prepared init (or an exec'd process) into process.*: oom score,
     * rlimits, capabilities across the switch to process.user, umask, cwd, no_new_privs, seccomp
     * and execve. With {@code waitStartSlot >= 0} the process waits there for `start` first.
     */
    static void addProcessSteps(Plan.Builder plan, ProcessSpec p, SeccompProgram seccomp, boolean newUser,
                                int waitStartSlot) {
        addProcessSteps(plan, p, seccomp, newUser, waitStartSlot, b -> { });
    }

    /** As above; {@code afterStart} adds steps between `start` and the process (startContainer hooks). */
    static void addProcessSteps(Plan.Builder plan, ProcessSpec p, SeccompProgram seccomp, boolean newUser,
                                int waitStartSlot, java.util.function.Consumer<Plan.Builder> afterStart) {
        if (p.oomScoreAdj() != null) {
            plan.add(new Step.WriteProc("/proc", "self/oom_score_adj",
                    Integer.toString(p.oomScoreAdj()).getBytes(StandardCharsets.UTF_8)),
                    "process.oomScoreAdj, set while the init still has the capability to lower it; only the real"
                            + " procfs file is written (runc CVE-2025-52881)");
        }
        if (p.scheduler() != null) {
            plan.add(new Step.SchedSetattr(schedAttr(p.scheduler()), p.scheduler().policy().spec()),
                    "process.scheduler");
        }
        if (p.ioPriority() != null) {
            plan.add(new Step.IoprioSet(p.ioPriority().priorityClass().ordinal() + 1, p.ioPriority().priority(),
                    p.ioPriority().priorityClass().spec()), "process.ioPriority");
        }
        for (Rlimit r : p.rlimits()) {
            plan.add(new Step.SetRlimit(Rlimits.number(r.type()), r.type(), r.soft(), r.hard()),
                    "process.rlimits: " + r.type());
        }
        if (seccomp != null && !p.noNewPrivileges()) {
            // Without no_new_privs the kernel only accepts a filter from a process with
            // CAP_SYS_ADMIN, which the init still has here and may not have after the switch to
            // process.user; the profile must then allow the few calls the init makes after it
            // (runc's order too). The oom score, scheduler, io priority and rlimits come first: a
            // whitelist profile need not allow the calls (or the openat2) that set them.
            addSeccomp(plan, seccomp, "linux.seccomp, installed while the init still holds CAP_SYS_ADMIN (no noNewPrivileges)");
        }
        var caps = p.capabilities();
        if (caps != null) {
            plan.add(new Step.Prctl(Step.Prctl.PR_SET_KEEPCAPS, 1, "PR_SET_KEEPCAPS 1"),
                    "keep the permitted capabilities across the switch to process.user");
            plan.add(new Step.CapBounding(capMask(caps.bounding()), Capabilities.LAST_KNOWN),
                    "process.capabilities.bounding: capabilities the container can never regain");
        }
        List<Long> groups = p.user().additionalGids();
        List<Integer> gids = new ArrayList<>(groups.size());
        for (Long g : groups) gids.add(g.intValue());
        if (!gids.isEmpty() || !newUser) {
            plan.add(new Step.SetGroups(gids), "process.user.additionalGids (and no host supplementary groups)");
        }
        plan.add(new Step.SetResGid((int) p.user().gid()), "process.user.gid");
        plan.add(new Step.SetResUid((int) p.user().uid()), "process.user.uid");
        if (caps != null) {
            plan.add(new Step.Prctl(Step.Prctl.PR_SET_KEEPCAPS, 0, "PR_SET_KEEPCAPS 0"), "back to the default");
            plan.add(new Step.CapSet(capMask(caps.effective()), capMask(caps.permitted()), capMask(caps.inheritable())),
                    "process.capabilities: effective, permitted and inheritable sets");
            plan.add(new Step.CapAmbient(capMask(caps.ambient()), Capabilities.LAST_KNOWN),
                    "process.capabilities.ambient");
        }
        int umask = p.user().umask() == null ? 0022 : p.user().umask().intValue();
        plan.add(new Step.Umask(umask), "process.user.umask");
        plan.add(new Step.Chdir(p.cwd()), "process.cwd, as the container's user");
        String program = p.args().get(0);
        plan.add(new Step.FindExec(program, execCandidates(program, p.env())),
                "find the program now, so `create` reports a missing binary instead of `start`");
        if (p.noNewPrivileges()) {
            plan.add(new Step.Prctl(Step.Prctl.PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS 1"),
                    "process.noNewPrivileges: setuid binaries and file capabilities grant nothing");
        }
        // A notifying filter's fd must reach the agent during create (as runc does), so the
        // container never runs unsupervised and create reports an agent it cannot reach: the
        // filter then comes before the start barrier, and binds the startContainer hooks too.
        boolean beforeStart = seccomp != null && p.noNewPrivileges() && seccomp.needsNotifyListener()
                && waitStartSlot >= 0;
        if (beforeStart) {
            addSeccomp(plan, seccomp, "linux.seccomp with SCMP_ACT_NOTIFY: installed before the start barrier, so"
                    + " its notify fd reaches the seccomp agent during create");
        }
        if (waitStartSlot >= 0) {
            plan.add(new Step.WaitStart(waitStartSlot), "the container is created; it runs its process on `burk start`");
        }
        afterStart.accept(plan);
        if (seccomp != null && p.noNewPrivileges() && !beforeStart) {
            addSeccomp(plan, seccomp, "linux.seccomp: the last step before execve, so the filter binds only the"
                    + " container's process");
        }
        var affinity = p.execCPUAffinity();
        if (affinity != null) {
            String cpus = affinity.finalCpus() != null ? affinity.finalCpus() : affinity.initial();
            if (cpus != null) {
                plan.add(new Step.SetAffinity(cpuMask(cpus), cpus), "process.execCPUAffinity: the CPUs the process runs on");
            }
        }
        plan.add(new Step.Exec(p.args(), p.env()), "process.args, with process.env as the whole environment");
    }

    /**
     * The SECCOMP step, and for a notifying filter the hand-off of its notify fd right after it:
     * the helper makes no other call in between (see {@link #checkNotifiable}).
     */
    private static void addSeccomp(Plan.Builder plan, SeccompProgram seccomp, String why) {
        plan.add(new Step.Seccomp(seccomp.flags(), seccomp.filter()), why);
        if (seccomp.needsNotifyListener()) {
            plan.add(new Step.SendFdSync(Step.Seccomp.LISTENER_SLOT, "the seccomp notify fd"),
                    "linux.seccomp.listenerPath: the runtime sends it to the seccomp agent; the process keeps no copy");
        }
    }

    /** struct sched_attr (SCHED_ATTR_SIZE_VER0): the layout sched_setattr(2) reads. */
    static byte[] schedAttr(burk.spec.Scheduler s) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long flags = 0;
        for (var f : s.flags()) flags |= 1L << f.ordinal();
        b.putInt(48).putInt(s.policy().ordinal()).putLong(flags).putInt(s.nice()).putInt(s.priority())
                .putLong(s.runtime()).putLong(s.deadline()).putLong(s.period());
        return b.array();
    }

    /** A cpu list such as {@code 0-3,6} as a cpu_set_t bit mask. */
    static byte[] cpuMask(String cpus) {
        byte[] mask = new byte[128];
        for (String part : cpus.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            int dash = t.indexOf('-');
            int from, to;
            try {
                from = Integer.parseInt(dash < 0 ? t : t.substring(0, dash));
                to = dash < 0 ? from : Integer.parseInt(t.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("process.execCPUAffinity: not a cpu list: \"" + cpus + "\"");
            }
            if (from < 0 || to < from || to >= mask.length * 8) {
                throw new IllegalArgumentException("process.execCPUAffinity: cpu range out of bounds: \"" + t + "\"");
            }
            for (int c = from; c <= to; c++) mask[c / 8] |= (byte) (1 << (c % 8));
        }
        return mask;
    }

    /** The paths to try for argv[0]: itself if it has a slash, else each $PATH entry of the container's env. */
    static List<String> execCandidates(String program, List<String> env) {
        if (program.contains("/")) return List.of(program);
        String path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (String e : env) if (e.startsWith("PATH=")) path = e.substring(5);
        List<String> out = new ArrayList<>();
        for (String dir : path.split(":", -1)) {
            if (dir.isEmpty()) dir = ".";
            out.add(dir.endsWith("/") ? dir + program : dir + "/" + program);
        }
        return out;
    }

    private static long capMask(List<String> names) {
        long m = 0;
        for (String n : names) {
            int b = Capabilities.bit(n);
            if (b >= 0) m |= 1L << b;
        }
        return m;
    }

}
