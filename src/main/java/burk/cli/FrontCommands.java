package burk.cli;

import burk.front.ExecOptions;
import burk.front.Front;
import burk.front.FrontContainer;
import burk.front.FrontException;
import burk.front.RunOptions;
import burk.image.ArchiveLoader;
import burk.image.ArchiveWriter;
import burk.image.ImageException;
import burk.image.ImageImporter;
import burk.image.ImageReference;
import burk.image.ImageStore;
import burk.image.Platform;
import burk.image.StoredImage;
import burk.runtime.ContainerRuntime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The daemonless front's commands ({@code burk run IMAGE}, ps, images, pull, load, save, ...),
 * with Docker's flags. These classes load only when such a command runs: the runtime's commands
 * (create, start, state, kill, delete) never touch the image code.
 */
final class FrontCommands {
    private FrontCommands() {}

    static int dispatch(String cmd, ContainerRuntime rt, List<String> args, PrintStream out) throws UsageError {
        ImageStore store = new ImageStore(ImageStore.defaultRoot());
        Front front = new Front(store, rt, ref -> Pulls.pull(store, ref, null, System.err));
        try {
            return switch (cmd) {
                case "run" -> run(front, rt, args, out);
                case "exec" -> exec(front, args, out);
                case "ps" -> ps(front, args, out);
                case "images" -> images(store, args, out);
                case "rm" -> rm(front, args, out);
                case "rmi" -> rmi(store, front, args, out);
                case "logs" -> logs(front, args, out);
                case "stop" -> stop(front, args, out);
                case "inspect" -> inspect(front, args, out);
                case "load" -> load(store, args, out);
                case "save" -> save(store, args, out);
                case "import" -> importImage(store, args, out);
                case "tag" -> tag(store, args);
                case "pull" -> pull(store, args, out);
                case "login", "logout" -> Pulls.login(cmd, args, out);
                case "__monitor" -> front.monitor(one(args, cmd));
                default -> throw new UsageError("unknown command " + cmd);
            };
        } catch (FrontException | ImageException e) {
            System.err.println("burk: " + e.getMessage());
            return status(cmd, e);
        }
    }

    /** The front's containers directory (whether a name is the front's, for exec's two forms). */
    static Path containersDir() {
        return ImageStore.defaultRoot().resolve("containers");
    }

    /**
     * Docker's exit statuses for a failure of run and exec: 127 when the command was not found,
     * 126 when it could not be executed, else 125 (run) or 1. The runtime's exec failure reads
     * {@code exec: "CMD": ...} (StepFailure's wording).
     */
    private static int status(String cmd, Exception e) {
        if (!cmd.equals("run") && !cmd.equals("exec")) return 1;
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.startsWith("exec: \"")) {
            return m.endsWith("executable file not found in $PATH") || m.endsWith("no such file or directory") ? 127 : 126;
        }
        return cmd.equals("run") ? 125 : 1;
    }

    private static String one(List<String> args, String cmd) throws UsageError {
        if (args.size() != 1) throw new UsageError("\"" + cmd + "\" requires exactly 1 argument");
        return args.get(0);
    }

    private static final Set<String> RUN_BOOLS = Set.of("interactive", "tty", "rm", "detach", "read-only", "init", "privileged",
            "help");
    private static final Set<String> RUN_VALUED = Set.of("name", "env", "env-file", "volume", "workdir", "user",
            "hostname", "memory", "cpus", "pids-limit", "network", "entrypoint", "platform", "pull", "security-opt");
    private static final Map<String, String> RUN_ALIASES = Map.of("i", "interactive", "t", "tty", "d", "detach",
            "e", "env", "v", "volume", "w", "workdir", "u", "user", "h", "hostname", "m", "memory", "net", "network");

    private static int run(Front front, ContainerRuntime rt, List<String> args, PrintStream out)
            throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, RUN_BOOLS, RUN_VALUED, RUN_ALIASES, true);
        if (f.bool("help") || f.positional().isEmpty()) {
            out.println("Usage: burk run [-i] [-t] [--rm] [-d] [--name N] [-e K=V] [--env-file F] [-v host:ctr[:ro]] [-w DIR]");
            out.println("                [-u USER[:GROUP]] [--hostname H] [--memory 512m] [--cpus 1.5] [--pids-limit N]");
            out.println("                [--read-only] [--network none|host] [--entrypoint CMD] [--init] [--privileged]");
            out.println("                [--security-opt seccomp=unconfined|PROFILE.json] [--security-opt no-new-privileges]");
            out.println("                [--pull missing|always|never] [--platform OS/ARCH[/VARIANT]]");
            out.println("                IMAGE [COMMAND [ARG...]]");
            out.println("  (runc's form, burk run [--bundle DIR] ID, is used with --bundle/-b, or with a single");
            out.println("   argument when ./config.json exists)");
            return f.bool("help") ? 0 : 125;
        }
        List<String> env = envFlags(f);
        List<String> pos = f.positional();
        RunOptions o = new RunOptions(pos.get(0), pos.subList(1, pos.size()), f.value("name", null), f.bool("interactive"),
                f.bool("tty"), f.bool("rm"), f.bool("detach"), env, f.all("volume"), f.value("workdir", null),
                f.value("user", null), f.value("hostname", null), bytes(f.value("memory", "0")),
                number(f.value("cpus", "0"), "--cpus"), (long) number(f.value("pids-limit", "0"), "--pids-limit"),
                f.bool("read-only"), f.value("network", "none"), f.value("entrypoint", null), f.bool("init"), f.bool("privileged"),
                f.all("security-opt"));
        // --pull missing (Docker's default) pulls only what the store lacks; always pulls first; never never does
        String policy = f.value("pull", "missing");
        if (!Set.of("missing", "always", "never").contains(policy)) throw new UsageError("--pull: missing, always or never, not " + policy);
        if (f.has("platform") || !policy.equals("missing")) {
            ImageStore store = new ImageStore(ImageStore.defaultRoot());
            Platform platform = f.has("platform") ? Platform.parse(f.value("platform", "")) : null;
            try {
                if (policy.equals("always")) Pulls.pull(store, o.image(), platform, System.err);
            } catch (ImageException e) {
                throw new FrontException(e.getMessage(), e);
            }
            front = new Front(store, rt, policy.equals("never") ? null : ref -> Pulls.pull(store, ref, platform, System.err));
        }
        if (o.detach()) {
            FrontContainer c = front.runDetached(o, monitorCommand(rt));
            out.println(c.id());
            return 0;
        }
        return front.run(o);
    }

    private static final Set<String> EXEC_BOOLS = Set.of("interactive", "tty", "detach", "help");
    private static final Set<String> EXEC_VALUED = Set.of("env", "env-file", "user", "workdir");
    private static final Map<String, String> EXEC_ALIASES = Map.of("i", "interactive", "t", "tty", "d", "detach", "e", "env",
            "u", "user", "w", "workdir");

    private static int exec(Front front, List<String> args, PrintStream out) throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, EXEC_BOOLS, EXEC_VALUED, EXEC_ALIASES, true);
        if (f.bool("help") || f.positional().size() < 2) {
            out.println("Usage: burk exec [-i] [-t] [-d] [-e K=V] [--env-file F] [-u USER[:GROUP]] [-w DIR] CONTAINER COMMAND [ARG...]");
            out.println("  (runc's form, burk exec [--process F] [--console-socket S] ... ID, is used with runc's flags,");
            out.println("   or when ID is a runtime container the front did not make)");
            return f.bool("help") ? 0 : 1;
        }
        List<String> pos = f.positional();
        ExecOptions o = new ExecOptions(pos.get(0), pos.subList(1, pos.size()), f.bool("interactive"), f.bool("tty"),
                f.bool("detach"), envFlags(f), f.value("user", null), f.value("workdir", null));
        return front.exec(o);
    }

    /** --env-file's lines, then -e's, in that order (later wins). */
    private static List<String> envFlags(FrontArgs f) throws FrontException {
        List<String> env = new ArrayList<>();
        for (String file : f.all("env-file")) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) env.add(l);
                }
            } catch (IOException e) {
                throw new FrontException("--env-file " + file + ": " + e.getMessage(), e);
            }
        }
        env.addAll(f.all("env"));
        return env;
    }

    /** This JVM's java, class path and settings, to start {@code burk __monitor ID} with. */
    private static List<String> monitorCommand(ContainerRuntime rt) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx64m", "--enable-native-access=ALL-UNNAMED"));
        cmd.add("-Dburk.home=" + System.getProperty("burk.home", "."));
        cmd.add("-Dburk.storage=" + ImageStore.defaultRoot().toAbsolutePath());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "burk.cli.Main", "--root", rt.root().toString(), "__monitor"));
        return cmd;
    }

    static long bytes(String s) throws UsageError {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("k")) mult = 1L << 10;
        else if (t.endsWith("m")) mult = 1L << 20;
        else if (t.endsWith("g")) mult = 1L << 30;
        if (mult != 1) t = t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(t);
            if (v < 0) throw new NumberFormatException();
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new UsageError("invalid size: '" + s + "'");
        }
    }

    private static double number(String s, String flag) throws UsageError {
        try {
            double v = Double.parseDouble(s);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new UsageError(flag + ": invalid value '" + s + "'");
        }
    }

    private static int ps(Front front, List<String> args, PrintStream out) throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, Set.of("all", "quiet", "no-trunc"), Set.of(), Map.of("a", "all", "q", "quiet"), false);
        List<Front.Row> rows = front.ps(f.bool("all"));
        if (f.bool("quiet")) {
            for (Front.Row r : rows) out.println(f.bool("no-trunc") ? r.container().id() : r.container().shortId());
            return 0;
        }
        List<String[]> t = new ArrayList<>();
        t.add(new String[] {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"});
        for (Front.Row r : rows) {
            FrontContainer c = r.container();
            String cmd = String.join(" ", c.command());
            if (!f.bool("no-trunc") && cmd.length() > 22) cmd = cmd.substring(0, 19) + "...";
            t.add(new String[] {f.bool("no-trunc") ? c.id() : c.shortId(), c.image(), "\"" + cmd + "\"",
                    burk.front.FrontTime.ago(c.created()), r.status(), c.name()});
        }
        columns(t, out);
        return 0;
    }

    /** Columns separated by three spaces, as docker ps prints them. */
    static void columns(List<String[]> rows, PrintStream out) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(r[i]);
                if (i < r.length - 1) sb.append(" ".repeat(w[i] - r[i].length() + 3));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static int images(ImageStore store, List<String> args, PrintStream out) throws UsageError, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of("quiet", "digests", "no-trunc"), Set.of(), Map.of("q", "quiet"), false);
        List<String[]> t = new ArrayList<>();
        t.add(new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
        for (StoredImage i : store.list()) {
            if (f.bool("quiet")) {
                out.println(i.id());
                continue;
            }
            List<String> names = i.names().isEmpty() ? List.of("<none>:<none>") : i.names();
            for (String n : names) {
                int c = n.lastIndexOf(':');
                t.add(new String[] {n.substring(0, c), n.substring(c + 1), f.bool("no-trunc") ? i.config().toString() : i.id(),
                        burk.front.FrontTime.ago(i.added()), human(i.size())});
            }
        }
        if (!f.bool("quiet")) columns(t, out);
        return 0;
    }

    static String human(long b) {
        if (b < 1000) return b + "B";
        if (b < 1000_000) return String.format(Locale.ROOT, "%.1fkB", b / 1000.0);
        if (b < 1000_000_000) return String.format(Locale.ROOT, "%.1fMB", b / 1e6);
        return String.format(Locale.ROOT, "%.2fGB", b / 1e9);
    }

    private static int rm(Front front, List<String> args, PrintStream out) throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, Set.of("force"), Set.of(), Map.of("f", "force"), false);
        if (f.positional().isEmpty()) throw new UsageError("\"rm\" requires at least 1 argument");
        int rc = 0;
        for (String ref : f.positional()) {
            try {
                front.remove(ref, f.bool("force"));
                out.println(ref);
            } catch (FrontException e) {
                System.err.println("burk: " + e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }

    private static int rmi(ImageStore store, Front front, List<String> args, PrintStream out)
            throws UsageError, FrontException, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of("force"), Set.of(), Map.of("f", "force"), false);
        if (f.positional().isEmpty()) throw new UsageError("\"rmi\" requires at least 1 argument");
        int rc = 0;
        for (String ref : f.positional()) {
            StoredImage img = store.find(ref);
            if (img == null) {
                System.err.println("burk: image not known: " + ref);
                rc = 1;
                continue;
            }
            if (!f.bool("force") && front.imageInUse(img) && img.names().size() <= 1) {
                System.err.println("burk: image " + ref + " is used by a container: remove the container first (or rmi -f)");
                rc = 1;
                continue;
            }
            for (String line : store.remove(ref)) out.println(line);
        }
        return rc;
    }

    private static int logs(Front front, List<String> args, PrintStream out) throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, Set.of("follow"), Set.of(), Map.of("f", "follow"), false);
        front.logs(one(f.positional(), "logs"), f.bool("follow"), out);
        return 0;
    }

    private static int stop(Front front, List<String> args, PrintStream out) throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, Set.of(), Set.of("time"), Map.of("t", "time"), false);
        if (f.positional().isEmpty()) throw new UsageError("\"stop\" requires at least 1 argument");
        int t = (int) number(f.value("time", "10"), "--time");
        for (String ref : f.positional()) {
            front.stop(ref, t);
            out.println(ref);
        }
        return 0;
    }

    private static int inspect(Front front, List<String> args, PrintStream out) throws UsageError, FrontException {
        FrontArgs f = FrontArgs.parse(args, Set.of(), Set.of(), Map.of(), false);
        if (f.positional().isEmpty()) throw new UsageError("\"inspect\" requires at least 1 argument");
        List<String> docs = new ArrayList<>();
        for (String ref : f.positional()) docs.add(front.inspect(ref));
        out.println("[" + String.join(",\n", docs) + "]");
        return 0;
    }

    private static int load(ImageStore store, List<String> args, PrintStream out) throws UsageError, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of("quiet"), Set.of("input", "platform"), Map.of("i", "input", "q", "quiet"), false);
        Platform p = f.has("platform") ? Platform.parse(f.value("platform", "")) : Platform.current();
        ArchiveLoader loader = new ArchiveLoader(store, p);
        List<StoredImage> loaded;
        String in = f.value("input", null);
        if (in != null && Files.isDirectory(Path.of(in))) {
            loaded = loader.loadLayout(Path.of(in));
        } else {
            try (InputStream s = in == null ? new BufferedInputStream(System.in, 1 << 16)
                    : new BufferedInputStream(Files.newInputStream(Path.of(in)), 1 << 16)) {
                loaded = loader.load(s);
            } catch (IOException e) {
                throw new ImageException("load: " + e.getMessage(), e);
            }
        }
        for (StoredImage i : loaded) {
            if (i.names().isEmpty()) out.println("Loaded image ID: " + i.config());
            for (String n : i.names()) out.println("Loaded image: " + n);
        }
        return 0;
    }

    private static int save(ImageStore store, List<String> args, PrintStream out) throws UsageError, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of(), Set.of("output", "format"), Map.of("o", "output"), false);
        if (f.positional().isEmpty()) throw new UsageError("\"save\" requires at least 1 argument");
        String format = f.value("format", "oci-archive");
        ArchiveWriter.Format fmt = switch (format) {
            case "oci-archive", "oci" -> ArchiveWriter.Format.OCI_ARCHIVE;
            case "docker-archive", "docker" -> ArchiveWriter.Format.DOCKER_ARCHIVE;
            default -> throw new UsageError("--format: oci-archive or docker-archive, not " + format);
        };
        List<ArchiveWriter.Item> items = new ArrayList<>();
        for (String ref : f.positional()) {
            StoredImage img = store.get(ref);
            ImageReference name = null;
            try {
                ImageReference r = ImageReference.parse(ref);
                for (String n : img.names()) if (n.equals(r.toString()) || n.endsWith("/" + r.repository().replaceFirst("^library/", "") + ":" + r.tag())) name = ImageReference.parse(n);
            } catch (IllegalArgumentException e) {
                // an id: saved without a name
            }
            if (name == null && !img.names().isEmpty() && !ref.matches("(sha256:)?[a-f0-9]{3,64}")) name = ImageReference.parse(img.names().get(0));
            items.add(new ArchiveWriter.Item(img, name));
        }
        String o = f.value("output", null);
        if (o == null && System.console() != null) throw new UsageError("refusing to write an archive to a terminal: use -o FILE");
        try (OutputStream s = o == null ? new BufferedOutputStream(System.out, 1 << 16)
                : new BufferedOutputStream(Files.newOutputStream(Path.of(o)), 1 << 16)) {
            new ArchiveWriter(store).write(items, fmt, s);
        } catch (IOException e) {
            throw new ImageException("save: " + e.getMessage(), e);
        }
        return 0;
    }

    private static int importImage(ImageStore store, List<String> args, PrintStream out) throws UsageError, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of(), Set.of("cmd", "env"), Map.of(), false);
        if (f.positional().size() != 2) throw new UsageError("usage: burk import DIR|TARBALL NAME [--cmd \"sh -c ...\"] [--env K=V]");
        Path src = Path.of(f.positional().get(0));
        ImageReference name;
        try {
            name = ImageReference.parse(f.positional().get(1));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        List<String> cmd = f.has("cmd") ? List.of(f.value("cmd", "").trim().split("\\s+")) : List.of("/bin/sh");
        List<String> env = new ArrayList<>(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        env.addAll(f.all("env"));
        ImageImporter imp = new ImageImporter(store);
        StoredImage i = Files.isDirectory(src) ? imp.importDirectory(src, name, cmd, env) : imp.importTarball(src, name, cmd, env);
        out.println(i.config());
        return 0;
    }

    private static int tag(ImageStore store, List<String> args) throws UsageError, ImageException {
        if (args.size() != 2) throw new UsageError("usage: burk tag SOURCE TARGET");
        StoredImage img = store.get(args.get(0));
        try {
            store.add(img.manifest(), List.of(ImageReference.parse(args.get(1))));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        return 0;
    }

    private static int pull(ImageStore store, List<String> args, PrintStream out) throws UsageError, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of("quiet"), Set.of("platform"), Map.of("q", "quiet"), false);
        String ref = one(f.positional(), "pull");
        StoredImage img = Pulls.pull(store, ref, f.has("platform") ? Platform.parse(f.value("platform", "")) : null,
                f.bool("quiet") ? null : out);
        out.println(img.manifest());
        return 0;
    }
}
