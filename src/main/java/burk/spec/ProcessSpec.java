package burk.spec;

import java.util.List;

/**
 * The runtime-spec {@code process} object: the container's process, also the whole document of
 * {@code exec --process FILE}. (Named ProcessSpec so it never shadows {@link java.lang.Process}.)
 *
 * @param terminal        whether a pseudoterminal is attached (absent means false)
 * @param consoleSize     terminal size, or null; ignored unless {@code terminal}
 * @param user            the user the process runs as; a zero user (root) when absent
 * @param args            argv; the spec requires at least one entry
 * @param commandLine     Windows only, kept for round trips; or null
 * @param env             environment, {@code KEY=value} entries
 * @param cwd             working directory, absolute (required)
 * @param capabilities    capability sets, or null when absent (runc then leaves capabilities alone)
 * @param rlimits         resource limits
 * @param noNewPrivileges whether no_new_privs is set (absent means false)
 * @param apparmorProfile AppArmor profile name, or null
 * @param oomScoreAdj     oom_score_adj to set, or null to leave it unchanged
 * @param selinuxLabel    SELinux process label, or null
 * @param scheduler       sched_setattr(2) parameters, or null
 * @param ioPriority      I/O priority, or null
 * @param execCPUAffinity CPU affinity for exec'd processes, or null
 */
public record ProcessSpec(
        boolean terminal,
        ConsoleSize consoleSize,
        User user,
        List<String> args,
        String commandLine,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        String selinuxLabel,
        Scheduler scheduler,
        IoPriority ioPriority,
        ExecCpuAffinity execCPUAffinity) {

    public ProcessSpec {
        if (user == null) {
            user = User.ROOT;
        }
        args = Copies.list(args);
        env = Copies.list(env);
        rlimits = Copies.list(rlimits);
    }

    /** A process with just the fields every process needs; everything else absent. */
    public static ProcessSpec of(List<String> args, List<String> env, String cwd) {
        return new ProcessSpec(false, null, User.ROOT, args, null, env, cwd, null, List.of(), false,
                null, null, null, null, null, null);
    }
}
