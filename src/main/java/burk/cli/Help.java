package burk.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Usage texts, in runc's shape. */
final class Help {
    private Help() {}

    private static final Map<String, String[]> COMMANDS = new LinkedHashMap<>();
    static {
        COMMANDS.put("create", new String[] {"create a container",
                "burk create [command options] <container-id>",
                "--bundle/-b DIR, --pid-file FILE, --no-pivot, --no-new-keyring, --preserve-fds N, --explain"});
        COMMANDS.put("start", new String[] {"executes the user defined process in a created container",
                "burk start <container-id>", ""});
        COMMANDS.put("run", new String[] {"create and run a container",
                "burk run [command options] <container-id>",
                "--bundle/-b DIR, --detach/-d, --pid-file FILE, --keep, --no-subreaper, --no-pivot, --preserve-fds N, --explain"});
        COMMANDS.put("exec", new String[] {"execute new process inside the container",
                "burk exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>",
                "--process/-p FILE, --tty/-t, --console-socket S, --cwd DIR, --env/-e K=V, --user/-u UID[:GID],"
                        + " --additional-gids/-g GID, --cap/-c CAP, --no-new-privs, --detach/-d, --pid-file F,"
                        + " --preserve-fds N, --ignore-paused"});
        COMMANDS.put("state", new String[] {"output the state of a container", "burk state <container-id>", ""});
        COMMANDS.put("kill", new String[] {"kill sends the specified signal (default: SIGTERM) to the container's init process",
                "burk kill [command options] <container-id> [signal]", "--all/-a"});
        COMMANDS.put("delete", new String[] {"delete any resources held by the container often used with detached container",
                "burk delete [command options] <container-id>", "--force/-f"});
        COMMANDS.put("list", new String[] {"lists containers started by burk with the given root",
                "burk list [command options]", "--format/-f table|json, --quiet/-q"});
        COMMANDS.put("spec", new String[] {"create a new specification file",
                "burk spec [command options]", "--bundle/-b DIR, --rootless"});
        COMMANDS.put("demo", new String[] {"walk through the seed: chroot, /proc, namespaces, cgroups, with a real container",
                "burk demo [--rootfs DIR]", "--rootfs DIR (default: the busybox rootfs made by ./setup)"});
    }

    static void general(PrintStream out) {
        out.println("NAME:\n   burk - a Linux container runtime in Java (runc-compatible)\n");
        out.println("USAGE:\n   burk [global options] command [command options] [arguments...]\n");
        out.println("COMMANDS:");
        for (Map.Entry<String, String[]> e : COMMANDS.entrySet()) {
            out.printf("   %-8s %s%n", e.getKey(), e.getValue()[0]);
        }
        out.println("\nFRONT COMMANDS (images and containers from them, with Docker's flags):");
        out.println("   run [flags] IMAGE [CMD...], exec [-i] [-t] CONTAINER CMD..., ps [-a], images, pull, load, save,");
        out.println("   import, tag, rm, rmi, logs [-f], stop, inspect, login, logout   (burk run --help, burk exec --help)");
        out.println("\nGLOBAL OPTIONS:");
        out.println("   --root value        root directory for storage of container state (default: \"/run/burk\")");
        out.println("   --log value         set the log file to write runtime logs to");
        out.println("   --log-format value  set the log format ('text' (default), or 'json')");
        out.println("   --debug             enable debug logging");
        out.println("   --systemd-cgroup    use systemd's cgroup driver");
        out.println("   --version, -v       print the version");
        out.println("   --help, -h          show help");
    }

    static int command(String name, PrintStream out) {
        String[] h = COMMANDS.get(name);
        if (h == null) {
            general(out);
            return 0;
        }
        out.println("NAME:\n   burk " + name + " - " + h[0] + "\n");
        out.println("USAGE:\n   " + h[1]);
        if (!h[2].isEmpty()) out.println("\nOPTIONS:\n   " + h[2]);
        return 0;
    }
}
