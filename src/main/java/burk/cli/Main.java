package burk.cli;

import burk.cgroups.CgroupDriver;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import burk.daemon.Invocation;
import burk.daemon.Outcome;
import burk.runtime.ContainerInfo;
import burk.runtime.ContainerRuntime;
import burk.runtime.CreateRequest;
import burk.runtime.ProcessHost;
import burk.runtime.RuntimeError;
import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.RuntimeSpec;
import burk.spec.SpecCodec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * burk's command line: runc's commands, flags and output, over {@link ContainerRuntime}.
 * Kept free of heavy start-up work: an engine calls the runtime four or five times per container.
 */
public final class Main {
    static final String VERSION = "0.1.0";

    static final List<Flags.Def> GLOBAL = List.of(
            Flags.Def.value("root directory for storage of container state", "root"),
            Flags.Def.value("set the log file to write runtime logs to", "log"),
            Flags.Def.value("set the log format ('text' (default), or 'json')", "log-format"),
            Flags.Def.bool("enable debug logging", "debug"),
            Flags.Def.bool("use systemd's cgroup driver", "systemd-cgroup"),
            Flags.Def.value("ignored: rootless mode is detected from the user", "rootless"),
            Flags.Def.value("ignored (checkpointing is not supported)", "criu"),
            Flags.Def.bool("print the version", "version", "v"),
            Flags.Def.bool("show help", "help", "h"));

    private final PrintStream out;
    // The caller's stderr, working directory, environment and process: this JVM's own, or, in
    // burk's resident daemon, those of the native front the engine ran (burk.daemon).
    private final PrintStream err;
    private final Path cwd;
    private final Map<String, String> env;
    private final ProcessHost host;
    private ErrorLog log;

    // Package-private (not private) so that AotTraining can run commands in one JVM.
    Main(PrintStream out) {
        this(out, System.err, null, System.getenv(), ProcessHost.local());
    }

    private Main(PrintStream out, PrintStream err, Path cwd, Map<String, String> env, ProcessHost host) {
        this.out = out;
        this.err = err;
        this.cwd = cwd;
        this.env = env;
        this.host = host;
        this.log = new ErrorLog(null, false, false, err);
    }

    /** A path the caller gave: relative ones are relative to the caller's working directory. */
    private Path path(String p) {
        return cwd == null ? Path.of(p) : cwd.resolve(p);
    }

    public static void main(String[] args) {
        int code = new Main(System.out).run(Arrays.asList(args));
        System.out.flush();
        System.err.flush();
        // halt, not exit: since JDK 21 System.exit first asks System.Logger whether to log the
        // exit (RuntimeExit), which loads the logging framework and java.logging (~30 classes,
        // several ms) on every call. burk registers no shutdown hooks; its streams are flushed.
        Runtime.getRuntime().halt(code);
    }

    /**
     * Runs a command line for burk's resident daemon, on behalf of the front that sent it. The
     * commands an engine calls are served; anything else (demo, daemon, unknown words) falls back
     * to a JVM of the front's own, decided before anything is done.
     */
    static Outcome serveForFront(Invocation inv) {
        String cmd;
        Flags g;
        try {
            g = Flags.parse(inv.args(), GLOBAL);
            cmd = g.positional().isEmpty() ? "" : g.positional().get(0);
            if (g.bool("version")) cmd = "--version";
            if (cmd.equals("daemon") && !g.positional().equals(List.of("daemon", "status"))) cmd = "";
        } catch (UsageError e) {
            return Outcome.fallback("a usage error: burk's own JVM reports it");
        }
        if (!DAEMON_SERVES.contains(cmd)) return Outcome.fallback("not served by the daemon: '" + cmd + "'");
        // The systemd driver finds the bus through the environment of the process it runs in.
        if (!java.util.Objects.equals(inv.env().get("DBUS_SYSTEM_BUS_ADDRESS"), System.getenv("DBUS_SYSTEM_BUS_ADDRESS"))) {
            return Outcome.fallback("another DBUS_SYSTEM_BUS_ADDRESS than the daemon's");
        }
        String why = notServedBecause(inv, g, cmd);
        if (why != null) return Outcome.fallback(why);
        return Outcome.exit(new Main(inv.out(), inv.err(), inv.cwd(), inv.env(), inv.host()).run(inv.args()));
    }

    /**
     * Why the daemon must not run this command line although it serves the command, or null.
     * A terminal burk relays itself uses the stdio of the process that runs the command. The
     * image form of run is the front's. (Host hooks are fine: their helper is the front's child,
     * so they run in the engine's process tree and cgroup.)
     */
    private static String notServedBecause(Invocation inv, Flags g, String cmd) {
        try {
            List<String> rest = g.positional();
            List<String> cmdArgs = rest.isEmpty() ? List.of() : rest.subList(1, rest.size());
            Path root = g.has("root") ? inv.cwd().resolve(g.value("root", ""))
                    : ContainerRuntime.defaultRoot(inv.env().get("XDG_RUNTIME_DIR"));
            switch (cmd) {
                case "create", "run" -> {
                    if (cmd.equals("run") && !RunForm.isRunc(cmdArgs)) return "the image form of run";
                    Flags f = Flags.parse(cmdArgs, cmd.equals("run") ? RUN : CREATE);
                    RuntimeSpec spec = ContainerRuntime.loadSpec(inv.cwd().resolve(f.value("bundle", ".")).toAbsolutePath().normalize());
                    if (cmd.equals("run") && spec.process() != null && spec.process().terminal()
                            && !f.has("console-socket") && !f.bool("detach")) {
                        return "a terminal burk relays through its own stdio";
                    }
                }
                case "exec" -> {
                    if (!ExecForm.isRunc(cmdArgs, root.toAbsolutePath(), FrontCommands::containersDir)) {
                        return "the front's form of exec";
                    }
                    // A foreground exec waits for its process and relays its signals: that
                    // belongs in the caller's process. Engines exec with --detach.
                    if (!Flags.parse(cmdArgs, ExecCommand.FLAGS).bool("detach")) return "exec in the foreground";
                }
                default -> { }
            }
            return null;
        } catch (UsageError | RuntimeError | RuntimeException e) {
            return null;   // the command itself reports what is wrong with it
        }
    }

    private static final java.util.Set<String> DAEMON_SERVES =
            java.util.Set.of("create", "start", "run", "exec", "state", "kill", "delete", "pause", "resume", "list",
                    "spec", "--version", "daemon");

    int run(List<String> args) {
        Flags g;
        try {
            g = Flags.parse(args, GLOBAL);
            log = new ErrorLog(g.has("log") ? path(g.value("log", "")) : null,
                    "json".equals(g.value("log-format", "text")), g.bool("debug"), err);
            String fmt = g.value("log-format", "text");
            if (!fmt.equals("text") && !fmt.equals("json")) throw new UsageError("invalid log-format: " + fmt);
        } catch (UsageError e) {
            err.println("burk: " + e.getMessage());
            return 1;
        }
        if (g.bool("version")) {
            printVersion();
            return 0;
        }
        List<String> rest = g.positional();
        if (rest.isEmpty() || g.bool("help")) {
            Help.general(out);
            return rest.isEmpty() && !g.bool("help") ? 1 : 0;
        }
        String cmd = rest.get(0);
        List<String> cmdArgs = rest.subList(1, rest.size());
        Path root = g.has("root") ? path(g.value("root", "")) : ContainerRuntime.defaultRoot(env.get("XDG_RUNTIME_DIR"));
        ContainerRuntime rt = new ContainerRuntime(root.toAbsolutePath(),
                g.bool("systemd-cgroup") ? CgroupDriver.SYSTEMD : CgroupDriver.CGROUPFS, log::warn, host);
        try {
            return switch (cmd) {
                case "create" -> create(rt, cmdArgs);
                case "start" -> start(rt, cmdArgs);
                case "run" -> RunForm.isRunc(cmdArgs) ? runCmd(rt, cmdArgs) : FrontCommands.dispatch(cmd, rt, cmdArgs, out);
                case "state" -> state(rt, cmdArgs);
                case "kill" -> kill(rt, cmdArgs);
                case "delete" -> delete(rt, cmdArgs);
                case "exec" -> ExecForm.isRunc(cmdArgs, rt.root(), FrontCommands::containersDir)
                        ? ExecCommand.run(rt, cmdArgs, out, this::path) : FrontCommands.dispatch(cmd, rt, cmdArgs, out);
                case "list" -> list(rt, cmdArgs);
                case "spec" -> spec(cmdArgs);
                case "pause" -> PauseCommand.pause(rt, cmdArgs, out);
                case "resume" -> PauseCommand.resume(rt, cmdArgs, out);
                // runc's `ps ID [ps options]` names a container; the front's `ps [-a]` does not.
                case "ps" -> PsCommand.namesContainer(cmdArgs) ? PsCommand.run(rt, cmdArgs, out)
                        : FrontCommands.dispatch(cmd, rt, cmdArgs, out);
                case "events" -> EventsCommand.run(rt, cmdArgs, out);
                case "update" -> UpdateCommand.run(rt, cmdArgs, out, log::warn);
                case "features" -> FeaturesCommand.run(cmdArgs, out);
                case "demo" -> SeedWalkthrough.run(rt, cmdArgs, out);
                case "pull", "images", "rm", "rmi", "logs", "stop", "inspect", "load", "save", "import", "tag", "login",
                     "logout", "__monitor" -> FrontCommands.dispatch(cmd, rt, cmdArgs, out);
                case "daemon" -> DaemonCommand.run(cmdArgs, out, err, host != ProcessHost.local());
                case "help" -> {
                    Help.general(out);
                    yield 0;
                }
                default -> throw new UsageError("No help topic for '" + cmd + "'");
            };
        } catch (UsageError e) {
            log.error(e.getMessage());
            Help.command(cmd, err);
            return 1;
        } catch (RuntimeError e) {
            log.error(e.getMessage());
            return 1;
        }
    }

    private void printVersion() {
        out.println("burk version " + VERSION);
        out.println("commit: " + BuildInfo.commit());
        out.println("spec: " + RuntimeSpec.OCI_VERSION);
        out.println("java: " + System.getProperty("java.version"));
    }

    static final List<Flags.Def> CREATE = List.of(
            Flags.Def.value("path to the root of the bundle directory, defaults to the current directory", "bundle", "b"),
            Flags.Def.value("path to an AF_UNIX socket which will receive the pty master", "console-socket"),
            Flags.Def.value("path to an AF_UNIX socket which will receive the pidfd", "pidfd-socket"),
            Flags.Def.value("specify the file to write the process id to", "pid-file"),
            Flags.Def.bool("do not use pivot root to jail the process inside rootfs", "no-pivot"),
            Flags.Def.bool("do not create a new session keyring for the container", "no-new-keyring"),
            Flags.Def.value("pass N additional file descriptors to the container", "preserve-fds"),
            Flags.Def.bool("print every step of the container's init plan, with its reason", "explain"),
            Flags.Def.bool("show help", "help", "h"));

    static final List<Flags.Def> RUN;
    static {
        List<Flags.Def> r = new ArrayList<>(CREATE);
        r.add(Flags.Def.bool("detach from the container's process", "detach", "d"));
        r.add(Flags.Def.bool("do not delete the container after it exits", "keep"));
        r.add(Flags.Def.bool("do not make burk a child subreaper", "no-subreaper"));
        RUN = List.copyOf(r);
    }

    static final List<Flags.Def> START = List.of(Flags.HELP);
    static final List<Flags.Def> STATE = List.of(Flags.HELP);
    static final List<Flags.Def> KILL = List.of(
            Flags.Def.bool("send the specified signal to all processes inside the container", "all", "a"), Flags.HELP);
    static final List<Flags.Def> DELETE = List.of(
            Flags.Def.bool("forcibly delete the container if it is still running (uses SIGKILL)", "force", "f"),
            Flags.HELP);
    static final List<Flags.Def> LIST = List.of(
            Flags.Def.value("select one of: table or json (default: \"table\")", "format", "f"),
            Flags.Def.bool("display only container IDs", "quiet", "q"), Flags.HELP);
    static final List<Flags.Def> SPEC = List.of(
            Flags.Def.value("path to the root of the bundle directory", "bundle", "b"),
            Flags.Def.bool("generate a configuration for a rootless container", "rootless"), Flags.HELP);

    private CreateRequest request(Flags f, String cmd) throws UsageError {
        String id = oneId(f, cmd);
        int preserve = 0;
        if (f.has("preserve-fds")) {
            try {
                preserve = Integer.parseInt(f.value("preserve-fds", "0"));
            } catch (NumberFormatException e) {
                throw new UsageError("invalid value \"" + f.value("preserve-fds", "") + "\" for flag -preserve-fds");
            }
            if (preserve < 0 || preserve > 1000) throw new UsageError("--preserve-fds: out of range: " + preserve);
        }
        int[] stdio = new int[3 + preserve];
        for (int i = 0; i < stdio.length; i++) stdio[i] = i;
        Path bundle = path(f.value("bundle", "."));
        CreateRequest req = new CreateRequest(id, bundle, f.has("pid-file") ? path(f.value("pid-file", "")) : null,
                f.bool("no-pivot"), stdio, f.bool("explain") ? err : null,
                f.has("console-socket") ? path(f.value("console-socket", "")).toAbsolutePath() : null,
                f.bool("no-new-keyring"));
        return req;
    }

    /** --pidfd-socket: one SCM_RIGHTS message with a pidfd of the container's init. */
    private void sendPidfd(ContainerRuntime rt, Flags f, ContainerInfo c) throws RuntimeError {
        if (!f.has("pidfd-socket")) return;
        String sock = path(f.value("pidfd-socket", "")).toString();
        try (Fd pidfd = Syscalls.pidfdOpen(c.pid()); Fd conn = UnixSocket.connect(sock)) {
            UnixSocket.sendFd(conn, pidfd.get(), "pidfd".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (LinuxException e) {
            rt.delete(c.id(), true);
            throw new RuntimeError("--pidfd-socket " + sock + ": " + e.getMessage(), e);
        }
    }

    private static String oneId(Flags f, String cmd) throws UsageError {
        if (f.positional().size() != 1) {
            throw new UsageError("\"" + cmd + "\" requires exactly 1 argument(s)");
        }
        return f.positional().get(0);
    }

    private int create(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, CREATE);
        if (f.bool("help")) return Help.command("create", out);
        ContainerInfo c = rt.create(request(f, "create"));
        sendPidfd(rt, f, c);
        return 0;
    }

    private int start(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, START);
        if (f.bool("help")) return Help.command("start", out);
        rt.start(oneId(f, "start"));
        return 0;
    }

    private int runCmd(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, RUN);
        if (f.bool("help")) return Help.command("run", out);
        CreateRequest req = request(f, "run");
        if (f.bool("no-subreaper")) {
            throw new UsageError("--no-subreaper: burk's container init is cloned by its helper, not by burk,"
                    + " so burk can only wait for it as a subreaper");
        }
        if (f.bool("detach")) {
            sendPidfd(rt, f, rt.runDetached(req));
            return 0;
        }
        if (f.has("pidfd-socket")) throw new UsageError("--pidfd-socket: only with create or run --detach");
        return rt.run(req, f.bool("keep"));
    }

    private int state(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, STATE);
        if (f.bool("help")) return Help.command("state", out);
        ContainerInfo c = rt.state(oneId(f, "state"));
        out.println(Json.write(stateJson(c), "  "));
        return 0;
    }

    static Map<String, Object> stateJson(ContainerInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", c.ociVersion());
        m.put("id", c.id());
        m.put("pid", (long) c.pid());
        m.put("status", c.status().specName());
        m.put("bundle", c.bundle());
        m.put("rootfs", c.rootfs());
        m.put("created", c.created());
        m.put("owner", c.owner());
        if (!c.annotations().isEmpty()) m.put("annotations", new LinkedHashMap<String, Object>(c.annotations()));
        return m;
    }

    private int kill(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, KILL);
        if (f.bool("help")) return Help.command("kill", out);
        List<String> p = f.positional();
        if (p.isEmpty() || p.size() > 2) throw new UsageError("\"kill\" requires a minimum of 1 and a maximum of 2 arguments");
        int sig = p.size() == 2 ? Signals.parse(p.get(1)) : 15;
        rt.kill(p.get(0), sig, f.bool("all"));
        return 0;
    }

    private int delete(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, DELETE);
        if (f.bool("help")) return Help.command("delete", out);
        rt.delete(oneId(f, "delete"), f.bool("force"));
        return 0;
    }

    private int list(ContainerRuntime rt, List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, LIST);
        if (f.bool("help")) return Help.command("list", out);
        List<ContainerInfo> all = rt.list();
        if (f.bool("quiet")) {
            for (ContainerInfo c : all) out.println(c.id());
            return 0;
        }
        String format = f.value("format", "table");
        if (format.equals("json")) {
            List<Object> arr = new ArrayList<>();
            for (ContainerInfo c : all) arr.add(stateJson(c));
            out.println(all.isEmpty() ? "null" : Json.write(arr));
            return 0;
        }
        if (!format.equals("table")) throw new UsageError("invalid format option");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (ContainerInfo c : all) {
            rows.add(new String[] {c.id(), Integer.toString(c.pid()), c.status().specName(), c.bundle(), c.created(), c.owner()});
        }
        Table.print(rows, out);
        return 0;
    }

    private int spec(List<String> args) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, SPEC);
        if (f.bool("help")) return Help.command("spec", out);
        if (!f.positional().isEmpty()) throw new UsageError("\"spec\" requires exactly 0 argument(s)");
        RuntimeSpec s = f.bool("rootless") ? DefaultSpec.rootless() : DefaultSpec.create();
        Path target = f.has("bundle") ? path(f.value("bundle", ".")).resolve("config.json") : path("config.json");
        try {
            Files.writeString(target, SpecCodec.toJson(s, true), java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new RuntimeError("File " + target + " exists. Remove it first");
        } catch (IOException e) {
            throw new RuntimeError("write " + target + ": " + e.getMessage(), e);
        }
        return 0;
    }
}
