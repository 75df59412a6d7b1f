package burk.cli;

import burk.daemon.Daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code burk daemon}: serves the native front in the foreground until SIGTERM or SIGINT
 * (docs/performance.md); {@code burk daemon status}: says whether a daemon serves this burk.
 */
final class DaemonCommand {
    static final List<Flags.Def> FLAGS = List.of(Flags.HELP);

    private DaemonCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err, boolean viaDaemon) throws UsageError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("daemon", out);
        List<String> p = f.positional();
        if (p.equals(List.of("status"))) {
            if (viaDaemon) {
                out.println("burk daemon: running (pid " + ProcessHandle.current().pid() + ")");
                return 0;
            }
            err.println("burk daemon: none serves this burk at " + socket()
                    + " (not running, or started from another build: see its output)");
            return 1;
        }
        if (!p.isEmpty()) throw new UsageError("\"daemon\" takes no argument but \"status\"");
        return serve(err);
    }

    private static Path socket() {
        boolean root;
        try {
            root = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException e) {
            root = false;
        }
        return Daemon.socketPath(System.getenv(), root);
    }

    private static int serve(PrintStream err) {
        Path socket = socket();
        if (socket == null) {
            err.println("burk daemon: XDG_RUNTIME_DIR is not set: nowhere to put the socket");
            return 1;
        }
        Path jar = null;
        for (String e : System.getProperty("java.class.path", "").split(":")) {
            if (e.endsWith(".jar")) {
                jar = Path.of(e).toAbsolutePath();
                break;
            }
        }
        if (jar == null) {
            err.println("burk daemon: must run from burk.jar (fronts check which jar the daemon runs)");
            return 1;
        }
        Daemon d;
        try {
            d = Daemon.start(socket, jar, Main::serveForFront, err);
        } catch (IOException e) {
            err.println("burk daemon: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(d::close, "burk-daemon-stop"));
        try {
            d.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
