package burk.front;

import java.util.List;

/**
 * What {@code burk run IMAGE} was asked for, as Docker's flags name it.
 *
 * @param entrypoint  null: the image's; empty string: none
 * @param command     the CMD given after the image, empty: the image's
 * @param env         K=V (or K, taken from this process's environment), after --env-file's lines
 * @param volumes     host:container[:ro]
 * @param memory      bytes, 0: no limit
 * @param cpus        CPUs (fractional), 0: no limit
 * @param pidsLimit   0: no limit
 * @param network     "none" or "host"
 * @param init        run the command under burk-init as PID 1 (--init)
 * @param privileged  all capabilities, no seccomp filter, every host device, /sys writable
 * @param securityOpts --security-opt values: seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false]
 */
public record RunOptions(String image, List<String> command, String name, boolean interactive, boolean tty,
                         boolean remove, boolean detach, List<String> env, List<String> volumes, String workdir,
                         String user, String hostname, long memory, double cpus, long pidsLimit, boolean readOnly,
                         String network, String entrypoint, boolean init, boolean privileged,
                         List<String> securityOpts) {
    public RunOptions {
        command = List.copyOf(command);
        env = List.copyOf(env);
        volumes = List.copyOf(volumes);
        securityOpts = securityOpts == null ? List.of() : List.copyOf(securityOpts);
        if (network == null || network.isEmpty()) network = "none";
    }

    /** Defaults: no flags, the image's command. */
    public static RunOptions of(String image, List<String> command) {
        return new RunOptions(image, command, null, false, false, false, false, List.of(), List.of(), null, null, null,
                0, 0, 0, false, "none", null, false, false, List.of());
    }

    public RunOptions withName(String n) {
        return new RunOptions(image, command, n, interactive, tty, remove, detach, env, volumes, workdir, user, hostname,
                memory, cpus, pidsLimit, readOnly, network, entrypoint, init, privileged, securityOpts);
    }

    public RunOptions withRemove(boolean r) {
        return new RunOptions(image, command, name, interactive, tty, r, detach, env, volumes, workdir, user, hostname,
                memory, cpus, pidsLimit, readOnly, network, entrypoint, init, privileged, securityOpts);
    }

    public RunOptions withDetach(boolean d) {
        return new RunOptions(image, command, name, interactive, tty, remove, d, env, volumes, workdir, user, hostname,
                memory, cpus, pidsLimit, readOnly, network, entrypoint, init, privileged, securityOpts);
    }

    public RunOptions withInit(boolean i) {
        return new RunOptions(image, command, name, interactive, tty, remove, detach, env, volumes, workdir, user, hostname,
                memory, cpus, pidsLimit, readOnly, network, entrypoint, i, privileged, securityOpts);
    }

    public RunOptions withSecurity(boolean priv, List<String> opts) {
        return new RunOptions(image, command, name, interactive, tty, remove, detach, env, volumes, workdir, user, hostname,
                memory, cpus, pidsLimit, readOnly, network, entrypoint, init, priv, opts);
    }

    public RunOptions withVolumes(List<String> v) {
        return new RunOptions(image, command, name, interactive, tty, remove, detach, env, v, workdir, user, hostname,
                memory, cpus, pidsLimit, readOnly, network, entrypoint, init, privileged, securityOpts);
    }
}
