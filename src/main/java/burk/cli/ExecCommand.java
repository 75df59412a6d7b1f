package burk.cli;

import burk.cgroups.CgroupException;
import burk.cgroups.SubCgroup;
import burk.runtime.ContainerRuntime;
import burk.runtime.ExecRequest;
import burk.runtime.RuntimeError;
import burk.spec.Capabilities;
import burk.spec.JsonException;
import burk.spec.ProcessSpec;
import burk.spec.SpecCodec;
import burk.spec.SpecException;
import burk.spec.User;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code burk exec}: runc's flags. Without --process the container's own process is the base,
 * with the inline flags applied (args replaced, --env appended, --cap added), as runc does.
 */
final class ExecCommand {
    private ExecCommand() {}

    static final List<Flags.Def> FLAGS = List.of(
            Flags.Def.value("path to an AF_UNIX socket which will receive the pty master", "console-socket"),
            Flags.Def.value("path to an AF_UNIX socket which will receive the pidfd", "pidfd-socket"),
            Flags.Def.value("current working directory in the container", "cwd"),
            Flags.Def.value("set environment variables", "env", "e"),
            Flags.Def.bool("allocate a pseudo-TTY", "tty", "t"),
            Flags.Def.value("UID (format: <uid>[:<gid>])", "user", "u"),
            Flags.Def.value("additional gids", "additional-gids", "g"),
            Flags.Def.value("path to the process.json", "process", "p"),
            Flags.Def.bool("detach from the container's process", "detach", "d"),
            Flags.Def.value("specify the file to write the process id to", "pid-file"),
            Flags.Def.value("set the asm process label for the process commonly used with selinux", "process-label"),
            Flags.Def.value("set the apparmor profile for the process", "apparmor"),
            Flags.Def.bool("set the no new privileges value for the process", "no-new-privs"),
            Flags.Def.value("add a capability to the bounding set for the process", "cap", "c"),
            Flags.Def.value("pass N additional file descriptors to the container", "preserve-fds"),
            Flags.Def.value("run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.", "cgroup"),
            Flags.Def.bool("allow exec in a paused container", "ignore-paused"),
            Flags.Def.bool("show help", "help", "h"));

    /**
     * @param out  where --help goes
     * @param path resolves a path the caller gave against the caller's cwd (the daemon's is another)
     */
    static int run(ContainerRuntime rt, List<String> args, java.io.PrintStream out,
                   java.util.function.Function<String, Path> path) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("exec", out);
        List<String> pos = f.positional();
        if (pos.isEmpty()) throw new UsageError("\"exec\" requires a minimum of 1 argument");
        String id = pos.get(0);
        if (f.has("apparmor")) throw new RuntimeError("apparmor: AppArmor is not enabled on this system");
        if (f.has("process-label")) throw new RuntimeError("process-label: SELinux is not enabled on this system");
        if (f.has("pidfd-socket")) throw new RuntimeError("--pidfd-socket: not supported by this burk version");
        SubCgroup sub;
        try {
            sub = SubCgroup.parse(f.all("cgroup"));
        } catch (CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        ProcessSpec p;
        if (f.has("process")) {
            Path file = path.apply(f.value("process", ""));
            try {
                p = SpecCodec.parseProcess(Files.readString(file));
            } catch (IOException e) {
                throw new RuntimeError("read " + file + ": " + e.getMessage(), e);
            } catch (JsonException | SpecException e) {
                throw new RuntimeError(file + ": " + e.getMessage(), e);
            }
        } else {
            if (pos.size() < 2) throw new UsageError("exec: no command given (use --process or give the command after the id)");
            p = inline(rt, id, f, pos.subList(1, pos.size()));
        }
        int preserve = 0;
        if (f.has("preserve-fds")) {
            try {
                preserve = Integer.parseInt(f.value("preserve-fds", "0"));
            } catch (NumberFormatException e) {
                throw new UsageError("invalid value \"" + f.value("preserve-fds", "") + "\" for flag -preserve-fds");
            }
        }
        int[] stdio = new int[3 + preserve];
        for (int i = 0; i < stdio.length; i++) stdio[i] = i;
        ExecRequest req = new ExecRequest(id, p, f.bool("detach"),
                f.has("pid-file") ? path.apply(f.value("pid-file", "")).toAbsolutePath() : null,
                f.has("console-socket") ? path.apply(f.value("console-socket", "")).toAbsolutePath() : null,
                stdio, f.bool("ignore-paused"), sub);
        return rt.exec(req);
    }

    private static ProcessSpec inline(ContainerRuntime rt, String id, Flags f, List<String> argv)
            throws UsageError, RuntimeError {
        ProcessSpec base = rt.containerProcess(id);
        List<String> env = new ArrayList<>(base.env());
        env.addAll(f.all("env"));
        User user = base.user();
        if (f.has("user")) {
            String[] ug = f.value("user", "").split(":", 2);
            try {
                long uid = Long.parseLong(ug[0]);
                long gid = ug.length > 1 ? Long.parseLong(ug[1]) : user.gid();
                user = new User(uid, gid, user.umask(), user.additionalGids(), null);
            } catch (NumberFormatException e) {
                throw new UsageError("--user: expected <uid>[:<gid>] as numbers, got \"" + f.value("user", "") + "\"");
            }
        }
        if (f.has("additional-gids")) {
            List<Long> gids = new ArrayList<>();
            for (String g : f.all("additional-gids")) {
                try {
                    gids.add(Long.parseLong(g));
                } catch (NumberFormatException e) {
                    throw new UsageError("--additional-gids: not a number: \"" + g + "\"");
                }
            }
            user = new User(user.uid(), user.gid(), user.umask(), gids, null);
        }
        Capabilities caps = base.capabilities();
        if (f.has("cap")) {
            List<String> add = f.all("cap");
            caps = caps == null ? new Capabilities(add, add, List.of(), add, List.of())
                    : new Capabilities(concat(caps.bounding(), add), concat(caps.effective(), add), caps.inheritable(),
                    concat(caps.permitted(), add), caps.ambient());
        }
        return new ProcessSpec(f.bool("tty"), null, user, argv, null, env, f.value("cwd", base.cwd()), caps,
                base.rlimits(), f.bool("no-new-privs") || base.noNewPrivileges(), base.apparmorProfile(),
                base.oomScoreAdj(), base.selinuxLabel(), null, null, null);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        for (String x : b) if (!out.contains(x)) out.add(x);
        return out;
    }
}
