package burk.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage texts in runc's shape (urfave/cli's): NAME, USAGE (with the arguments explained),
 * DESCRIPTION, OPTIONS. The options are printed from the very flag lists the commands parse, so
 * the help cannot list a flag a command does not take.
 */
final class Help {
    private Help() {}

    /**
     * One command's help.
     *
     * @param summary     the one line after the name (also listed by {@code burk --help})
     * @param usage       the usage line, after "burk "
     * @param arguments   what the arguments are, or ""
     * @param description what the command does, or ""
     * @param flags       the flags the command parses; those with an empty help text are hidden
     */
    record Topic(String summary, String usage, String arguments, String description, List<Flags.Def> flags) {}

    private static final String ID = "Where \"<container-id>\" is the name for the instance of the container";

    private static final Map<String, Topic> TOPICS = new LinkedHashMap<>();
    static {
        TOPICS.put("create", new Topic("create a container", "create [command options] <container-id>",
                ID + " that you\nare starting. The name you provide for the container instance must be unique on\nyour host.",
                "The create command creates an instance of a container for a bundle: everything of\n"
                        + "config.json is set up, and the container's process waits until \"burk start\" runs it.\n"
                        + "The bundle is a directory with a config.json and the root filesystem it names.",
                Main.CREATE));
        TOPICS.put("start", new Topic("executes the user defined process in a created container",
                "start <container-id>", ID + " that you\nare starting.",
                "The start command runs the user process of a created container.", List.of(Flags.HELP)));
        TOPICS.put("run", new Topic("create and run a container", "run [command options] <container-id>",
                ID + " that you\nare starting. The name you provide for the container instance must be unique on\nyour host.",
                "The run command creates an instance of a container for a bundle and starts it. In the\n"
                        + "foreground (the default) it waits for the process, passes signals on, returns its exit\n"
                        + "status and deletes the container.",
                Main.RUN));
        TOPICS.put("exec", new Topic("execute new process inside the container",
                "exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>",
                ID + " and\n\"<command>\" is the command to be executed in the container.",
                "The exec command runs a new process in every namespace and the cgroup of a running\n"
                        + "container, as its own user with its own capabilities.",
                ExecCommand.FLAGS));
        TOPICS.put("state", new Topic("output the state of a container", "state <container-id>", ID + ".",
                "The state command prints the state of a container as JSON.", Main.STATE));
        TOPICS.put("kill", new Topic("kill sends the specified signal (default: SIGTERM) to the container's init process",
                "kill [command options] <container-id> [signal]",
                ID + " and\n\"[signal]\" is the signal to be sent to the init process (a name, with or without\nSIG, or a number).",
                "", Main.KILL));
        TOPICS.put("delete", new Topic("delete any resources held by the container often used with detached container",
                "delete [command options] <container-id>", ID + ".",
                "The delete command removes a stopped container: its cgroup and its state.", Main.DELETE));
        TOPICS.put("list", new Topic("lists containers started by burk with the given root", "list [command options]",
                "Where the given root is specified via the global option \"--root\"\n(default: \"/run/burk\").",
                "", Main.LIST));
        TOPICS.put("ps", new Topic("ps displays the processes running inside a container",
                "ps [command options] <container-id> [ps options]",
                ID + " and\n\"[ps options]\" are passed to the host's ps (default: -ef).",
                "The ps command runs the host's ps and prints its header and the lines of the processes\n"
                        + "in the container's cgroup. With --format json it prints their host pids as a JSON array.",
                PsCommand.FLAGS));
        TOPICS.put("pause", new Topic("pause suspends all processes inside the container", "pause <container-id>",
                ID + " to be\npaused.",
                "The pause command freezes all processes in the instance of the container (cgroup freezer).\n\n"
                        + "Use burk list to identify instances of containers and their current status.",
                PauseCommand.FLAGS));
        TOPICS.put("resume", new Topic("resumes all processes that have been previously paused", "resume <container-id>",
                ID + " to be\nresumed.",
                "The resume command thaws all processes in the instance of the container.\n\n"
                        + "Use burk list to identify instances of containers and their current status.",
                PauseCommand.FLAGS));
        TOPICS.put("events", new Topic(
                "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
                "events [command options] <container-id>", ID + ".",
                "The events command prints one JSON line per event: the container's statistics once every\n"
                        + "interval (5 seconds by default), and an \"oom\" event when the OOM killer kills a process\n"
                        + "of the container, until the container stops.",
                EventsCommand.FLAGS));
        TOPICS.put("update", new Topic("update container resource constraints", "update [command options] <container-id>",
                ID + ".",
                "The update command changes the cgroup limits of a running container, from a\n"
                        + "linux.resources JSON document (--resources FILE, or - for the standard input, in which\n"
                        + "case every other option is ignored) or from the options below. Unchanged values can be\n"
                        + "omitted; a 0 leaves a value as it is. Sizes take a unit: 64m, 1g, 512k.",
                UpdateCommand.FLAGS));
        TOPICS.put("spec", new Topic("create a new specification file", "spec [command options]", "",
                "The spec command writes a config.json for a bundle, as runc writes it: its process is sh,\n"
                        + "its rootfs the bundle's rootfs directory.",
                Main.SPEC));
        TOPICS.put("features", new Topic("show the enabled features", "features", "",
                "The features command prints the runtime-spec features document (features.md) of this\n"
                        + "build of burk as JSON: the hooks, mount options, namespaces, capabilities, cgroup\n"
                        + "versions and seccomp actions, operators and architectures it implements.",
                FeaturesCommand.FLAGS));
        TOPICS.put("demo", new Topic("walk through the seed: chroot, /proc, namespaces, cgroups, with a real container",
                "demo [command options]", "",
                "The demo runs real containers and checks from the host what each step of the seed does.",
                SeedWalkthrough.FLAGS));
        TOPICS.put("daemon", new Topic("serve the native front from a resident JVM, or say whether one serves",
                "daemon [status]", "",
                "The daemon command keeps a JVM running that decides for the native front (target/burk-front),\n"
                        + "which bin/burk runs in place of a JVM per call (docs/performance.md). It serves in the\n"
                        + "foreground until SIGTERM or SIGINT. \"burk daemon status\" says whether one serves this burk.",
                DaemonCommand.FLAGS));
    }

    /** The topic of a command, or null. */
    static Topic topic(String command) {
        return TOPICS.get(command);
    }

    static void general(PrintStream out) {
        out.println("NAME:\n   burk - a Linux container runtime in Java (runc-compatible)\n");
        out.println("USAGE:\n   burk [global options] command [command options] [arguments...]\n");
        out.println("COMMANDS:");
        int w = 0;
        for (String name : TOPICS.keySet()) w = Math.max(w, name.length());
        for (Map.Entry<String, Topic> e : TOPICS.entrySet()) {
            out.println("   " + pad(e.getKey(), w) + "  " + e.getValue().summary());
        }
        out.println("\nFRONT COMMANDS (images and containers from them, with Docker's flags):");
        out.println("   run [flags] IMAGE [CMD...], exec [-i] [-t] CONTAINER CMD..., ps [-a], images, pull, load, save,");
        out.println("   import, tag, rm, rmi, logs [-f], stop, inspect, login, logout   (burk run --help, burk exec --help)");
        out.println("\nGLOBAL OPTIONS:");
        out.print(options(Main.GLOBAL, true));
    }

    /** Prints the help of {@code name} (the general help for an unknown name); returns 0. */
    static int command(String name, PrintStream out) {
        Topic t = TOPICS.get(name);
        if (t == null) {
            general(out);
            return 0;
        }
        out.print(render(name, t));
        return 0;
    }

    static String render(String name, Topic t) {
        StringBuilder sb = new StringBuilder();
        sb.append("NAME:\n   burk ").append(name).append(" - ").append(t.summary()).append("\n\n");
        sb.append("USAGE:\n   burk ").append(t.usage()).append('\n');
        if (!t.arguments().isEmpty()) sb.append('\n').append(t.arguments()).append('\n');
        if (!t.description().isEmpty()) {
            sb.append("\nDESCRIPTION:\n   ").append(t.description().replace("\n", "\n   ")).append('\n');
        }
        String opts = options(t.flags(), false);
        if (!opts.isEmpty()) sb.append("\nOPTIONS:\n").append(opts);
        return sb.toString();
    }

    /**
     * One line per visible flag: {@code --name value, -n value  help}, help texts aligned. A
     * command's own --help is not listed (runc lists it only among the global options).
     */
    static String options(List<Flags.Def> defs, boolean withHelp) {
        List<String[]> rows = new ArrayList<>();
        for (Flags.Def d : defs) {
            if (d.help().isEmpty() || (!withHelp && d.equals(Flags.HELP))) continue;
            List<String> forms = new ArrayList<>();
            for (String n : d.names()) forms.add((n.length() == 1 ? "-" : "--") + n + (d.takesValue() ? " value" : ""));
            rows.add(new String[] {String.join(", ", forms), d.help()});
        }
        int w = 0;
        for (String[] r : rows) w = Math.max(w, r[0].length());
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) sb.append("   ").append(pad(r[0], w)).append("  ").append(r[1]).append('\n');
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }
}
