package burk.front;

import burk.image.ImageConfig;
import burk.image.ImageException;
import burk.image.ImageStore;
import burk.image.Snapshots;
import burk.image.StoredImage;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Tty;
import burk.linux.Syscalls;
import burk.runtime.ContainerInfo;
import burk.runtime.ContainerRuntime;
import burk.runtime.ContainerStatus;
import burk.runtime.CreateRequest;
import burk.runtime.ExecRequest;
import burk.runtime.RuntimeError;
import burk.spec.ConsoleSize;
import burk.spec.Json;
import burk.spec.ProcessSpec;
import burk.spec.User;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * burk's daemonless front: containers made from images ({@code burk run IMAGE}) and run by burk's
 * own runtime, as {@code podman run} does it: no daemon; a detached container gets a small
 * monitor process of its own (burk itself) that waits for it, records its exit status and removes
 * it when asked to ({@code --rm}).
 *
 * <p>Each container's rootfs is an overlay of the image's shared layers, mounted here in the host's
 * mount namespace before the runtime creates the container, and unmounted when the container is
 * removed.
 */
public final class Front {
    /** Where images come from when they are not in the store (the registry client), or null. */
    @FunctionalInterface
    public interface ImageSource {
        StoredImage pull(String ref) throws ImageException;
    }

    private final ImageStore images;
    private final ContainerRuntime rt;
    private final ImageSource source;
    private final ContainerDirs dirs;
    private final boolean allowOverlay;

    public Front(ImageStore images, ContainerRuntime rt, ImageSource source) {
        this(images, rt, source, !"false".equals(System.getProperty("burk.overlay")));
    }

    /** @param allowOverlay false forces the copying fallback for every rootfs */
    public Front(ImageStore images, ContainerRuntime rt, ImageSource source, boolean allowOverlay) {
        this.images = images;
        this.rt = rt;
        this.source = source;
        this.dirs = new ContainerDirs(images.root());
        this.allowOverlay = allowOverlay;
    }

    public ContainerRuntime runtime() {
        return rt;
    }

    // ---- run

    /** The image in the store, pulled first when absent and a source is set. */
    public StoredImage image(String ref) throws FrontException {
        try {
            StoredImage img = images.find(ref);
            if (img != null) return img;
            if (source == null) throw new FrontException("image not known: " + ref);
            return source.pull(ref);
        } catch (ImageException e) {
            throw new FrontException(e.getMessage(), e);
        }
    }

    /**
     * Makes a container from an image: its directory, rootfs and config.json. It is not started.
     * On failure nothing is left behind.
     */
    public FrontContainer create(RunOptions o) throws FrontException {
        StoredImage img = image(o.image());
        ImageConfig cfg;
        List<Path> layers;
        try {
            cfg = images.config(img);
            layers = images.layers(img);
        } catch (ImageException e) {
            throw new FrontException(e.getMessage(), e);
        }
        String id = newId();
        Path dir = dirs.dir(id);
        try (AutoCloseable names = dirs.lock("names")) {
            String name = o.name() != null ? o.name() : randomName();
            if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) throw new FrontException("invalid container name \"" + name + "\"");
            for (FrontContainer c : dirs.list()) {
                if (c.name().equals(name)) {
                    throw new FrontException("the container name \"" + name + "\" is already in use by " + c.shortId()
                            + ": remove that container or choose another name");
                }
            }
            Files.createDirectories(dir);
            String hostname = o.hostname() != null ? o.hostname() : id.substring(0, 12);
            List<String> args = SpecBuilder.args(cfg, o);
            FrontContainer c = new FrontContainer(id, name, o.image(), img.config().toString(), args, Instant.now().toString(),
                    o.detach(), o.remove(), null, null, cfg.stopSignal());
            dirs.write(c);
            Snapshots.Rootfs rootfs = Snapshots.prepare(dirs.snapshot(id), layers, allowOverlay);
            UserLookup.Resolved user = UserLookup.resolve(rootfs.path(), o.user() != null ? o.user() : cfg.user());
            Files.writeString(dir.resolve("hostname"), hostname + "\n");
            Files.writeString(dir.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t"
                    + hostname + "\n");
            Path hostResolv = Path.of("/etc/resolv.conf");
            Files.writeString(dir.resolve("resolv.conf"), o.network().equals("host") && Files.isReadable(hostResolv)
                    ? Files.readString(hostResolv) : "");
            List<AnonymousVolumes.Volume> volumes = AnonymousVolumes.create(cfg.volumes(), o.volumes(), rootfs.path(),
                    dir.resolve("volumes"));
            Path init = o.init() ? InitBinary.ensure(images.root()) : null;
            Map<String, Object> spec = SpecBuilder.build(cfg, o, rootfs.path(), dir, hostname, user,
                    o.tty() && !o.detach() ? terminalSize() : null, volumes, init);
            Files.createDirectories(dirs.bundle(id));
            Files.writeString(dirs.bundle(id).resolve("config.json"), Json.write(spec, "  "));
            return c;
        } catch (FrontException e) {
            cleanup(id);
            throw e;
        } catch (Exception e) {
            cleanup(id);
            throw new FrontException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * The size of the terminal this process runs in (stdin's, else stdout's), or null: with -t but
     * without -i stdin is not passed on, yet the container's terminal should still be as wide as
     * the one its output is shown in.
     */
    private static Tty.Size terminalSize() {
        for (int fd : new int[] {0, 1}) {
            try {
                if (Tty.isTerminal(fd)) {
                    Tty.Size s = Tty.size(fd);
                    if (s.rows() > 0 && s.cols() > 0) return s;
                }
            } catch (LinuxException e) {
                // not a terminal after all: try the next
            }
        }
        return null;
    }

    /**
     * {@code burk run} in the foreground: create, start, wait; returns the container's exit status
     * (128 + signal when killed). stdin is passed through with {@code -i}, else /dev/null.
     */
    public int run(RunOptions o) throws FrontException {
        if (o.detach()) throw new IllegalArgumentException("use runDetached for -d");
        FrontContainer c = create(o);
        try {
            int code;
            try (Fd devnull = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
                int[] stdio = {o.interactive() ? 0 : devnull.get(), 1, 2};
                // With -t the runtime holds the pty itself (raw mode, window size) when no console
                // socket is given: the foreground front needs nothing more.
                code = rt.run(CreateRequest.of(c.id(), dirs.bundle(c.id())).withStdio(stdio));
            }
            finish(c, code);
            return code;
        } catch (RuntimeError | IOException e) {
            finish(c, -1);
            throw new FrontException(e.getMessage(), e);
        }
    }

    private void finish(FrontContainer c, int code) {
        try {
            if (c.autoRemove()) {
                cleanup(c.id());
            } else if (Files.exists(dirs.dir(c.id()))) {
                if (code >= 0) dirs.write(c.exited(code, Instant.now().toString()));
            }
        } catch (FrontException e) {
            // the record could not be written (the container was removed meanwhile): nothing to keep
        }
    }

    /**
     * {@code burk run -d}: creates the container, then hands it to a monitor process (burk itself,
     * in its own session) that starts it with stdout and stderr going to the container's log,
     * waits for it and records its exit. Returns once the container runs.
     */
    public FrontContainer runDetached(RunOptions o, List<String> monitorCommand) throws FrontException {
        FrontContainer c = create(o.withDetach(true));
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.addAll(monitorCommand);
        cmd.add(c.id());
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectError(ProcessBuilder.Redirect.appendTo(dirs.log(c.id()).toFile()));
            Process p = pb.start();
            String line;
            try (InputStream in = p.getInputStream()) {
                line = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!line.equals("started")) {
                p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                String log = Files.exists(dirs.log(c.id())) ? Files.readString(dirs.log(c.id())).trim() : "";
                cleanup(c.id());
                throw new FrontException("the container did not start" + (log.isEmpty() ? "" : ": " + log));
            }
            return c;
        } catch (IOException e) {
            cleanup(c.id());
            throw new FrontException("start the monitor for " + c.shortId() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FrontException("interrupted", e);
        }
    }

    /**
     * The monitor of a detached container ({@code burk __monitor ID}): starts it with its output
     * in the log (with -t: the output of its terminal, whose master the monitor holds), prints "started" on stdout and closes stdout (the waiting {@code run -d} returns),
     * waits for it, and records its exit (or removes it, with --rm).
     */
    public int monitor(String id) throws FrontException {
        FrontContainer c = dirs.read(id);
        int code;
        try (Fd devnull = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0);
             Fd log = Syscalls.open(dirs.log(id).toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_APPEND, 0640)) {
            ContainerRuntime.becomeSubreaper();
            boolean terminal = ContainerRuntime.loadSpec(dirs.bundle(id)).process().terminal();
            CreateRequest req = CreateRequest.of(id, dirs.bundle(id)).withStdio(new int[] {devnull.get(), log.get(), log.get()});
            try (ConsoleLog console = terminal ? ConsoleLog.listen() : null) {
                ContainerInfo info = rt.create(terminal ? req.withConsoleSocket(console.socketPath()) : req);
                try {
                    if (console != null) console.attach(log.get());
                    rt.start(id);
                    System.out.println("started");
                    System.out.flush();
                    System.out.close();
                    code = Syscalls.waitPid(info.pid(), 0).shellStatus();
                    if (console != null) console.drain();
                } finally {
                    rt.delete(id, true);
                }
            }
        } catch (RuntimeError | IOException e) {
            throw new FrontException(e.getMessage(), e);
        }
        finish(c, code);
        return code;
    }

    // ---- exec

    /**
     * {@code burk exec}: runs another process in a running container, in all its namespaces and
     * its cgroup, with the container's capabilities and seccomp filter (the runtime's exec). The
     * container's process is the base: its env (with -e on top), user (unless -u) and cwd (unless
     * -w). In the foreground it returns the process's status; with -d, 0 once it runs.
     */
    public int exec(ExecOptions o) throws FrontException {
        if (o.command().isEmpty()) throw new FrontException("exec: no command given");
        if (o.detach() && o.tty()) throw new FrontException("exec: -d with -t is not supported (nothing would hold the terminal)");
        FrontContainer c = lookup(o.container());
        if (runtimeStatus(c.id()) != ContainerStatus.RUNNING) {
            throw new FrontException("container " + c.name() + " is not running");
        }
        try {
            ProcessSpec base = rt.containerProcess(c.id());
            User user = base.user();
            if (o.user() != null) {
                UserLookup.Resolved r = UserLookup.resolve(Path.of(rt.state(c.id()).rootfs()), o.user());
                List<Long> gids = new ArrayList<>();
                for (int g : r.additionalGids()) gids.add((long) g);
                user = new User(r.uid(), r.gid(), base.user().umask(), gids, null);
            }
            Map<String, String> env = new LinkedHashMap<>();
            for (String kv : base.env()) SpecBuilder.put(env, kv);
            SpecBuilder.overlay(env, o.env());
            List<String> envList = new ArrayList<>();
            env.forEach((k, v) -> envList.add(k + "=" + v));
            String cwd = o.workdir() != null ? o.workdir() : base.cwd();
            if (!cwd.startsWith("/")) throw new FrontException("exec: the working directory '" + cwd + "' is not an absolute path");
            Tty.Size size = o.tty() ? terminalSize() : null;
            ProcessSpec p = new ProcessSpec(o.tty(), size == null ? null : new ConsoleSize(size.rows(), size.cols()), user,
                    o.command(), null, envList, cwd, base.capabilities(), base.rlimits(), base.noNewPrivileges(),
                    base.apparmorProfile(), base.oomScoreAdj(), base.selinuxLabel(), null, null, null);
            try (Fd devnull = Syscalls.open("/dev/null", Syscalls.O_RDWR, 0)) {
                int[] stdio = o.detach() ? new int[] {devnull.get(), devnull.get(), devnull.get()}
                        : new int[] {o.interactive() ? 0 : devnull.get(), 1, 2};
                return rt.exec(ExecRequest.of(c.id(), p).withStdio(stdio).withDetach(o.detach(), null));
            }
        } catch (RuntimeError | IOException e) {
            throw new FrontException(e.getMessage(), e);
        }
    }

    // ---- lookups and listings

    /** A container by full id, unique id prefix or name. */
    public FrontContainer lookup(String ref) throws FrontException {
        List<FrontContainer> all = dirs.list();
        for (FrontContainer c : all) if (c.name().equals(ref) || c.id().equals(ref)) return c;
        List<FrontContainer> hits = new ArrayList<>();
        if (ref.matches("[a-f0-9]{3,64}")) for (FrontContainer c : all) if (c.id().startsWith(ref)) hits.add(c);
        if (hits.size() == 1) return hits.get(0);
        if (hits.size() > 1) throw new FrontException("ambiguous container id " + ref);
        throw new FrontException("no such container: " + ref);
    }

    /** One line of {@code burk ps}. */
    public record Row(FrontContainer container, String status, boolean running) {}

    public List<Row> ps(boolean all) throws FrontException {
        List<Row> out = new ArrayList<>();
        for (FrontContainer c : dirs.list()) {
            Row r = row(c);
            if (all || r.running()) out.add(r);
        }
        return out;
    }

    private Row row(FrontContainer c) {
        ContainerStatus st = runtimeStatus(c.id());
        if (st == ContainerStatus.RUNNING) return new Row(c, "Up", true);
        if (st == ContainerStatus.PAUSED) return new Row(c, "Up (Paused)", true);
        if (st == ContainerStatus.CREATED) return new Row(c, "Created", true);
        if (c.exitCode() != null) return new Row(c, "Exited (" + c.exitCode() + ") " + ago(c.finished()), false);
        return new Row(c, st == ContainerStatus.STOPPED ? "Exited" : "Created", false);
    }

    private ContainerStatus runtimeStatus(String id) {
        try {
            return rt.state(id).status();
        } catch (RuntimeError e) {
            return null;
        }
    }

    static String ago(String when) {
        if (when == null) return "";
        try {
            Duration d = Duration.between(Instant.parse(when), Instant.now());
            long s = d.toSeconds();
            if (s < 60) return s + " seconds ago";
            if (s < 3600) return s / 60 + " minutes ago";
            if (s < 86400) return s / 3600 + " hours ago";
            return s / 86400 + " days ago";
        } catch (RuntimeException e) {
            return "";
        }
    }

    // ---- stop, rm, logs, inspect

    /** Sends the stop signal (the image's, or SIGTERM), then SIGKILL after {@code timeoutSeconds}. */
    public void stop(String ref, int timeoutSeconds) throws FrontException {
        FrontContainer c = lookup(ref);
        ContainerStatus st = runtimeStatus(c.id());
        if (st == null || st == ContainerStatus.STOPPED) return;
        try {
            rt.kill(c.id(), signal(c.stopSignal()), false);
        } catch (RuntimeError e) {
            // it exited meanwhile
        }
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            st = runtimeStatus(c.id());
            if (st == null || st == ContainerStatus.STOPPED) return;
            sleep(50);
        }
        try {
            rt.kill(c.id(), 9, true);
        } catch (RuntimeError e) {
            // gone meanwhile
        }
        for (int i = 0; i < 100; i++) {
            st = runtimeStatus(c.id());
            if (st == null || st == ContainerStatus.STOPPED) return;
            sleep(50);
        }
        throw new FrontException("container " + c.name() + " did not stop after SIGKILL");
    }

    private static int signal(String s) {
        if (s == null || s.isEmpty()) return 15;
        String t = s.toUpperCase(java.util.Locale.ROOT).replaceFirst("^SIG", "");
        List<String> names = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
                "USR2", "PIPE", "ALRM", "TERM");
        int i = names.indexOf(t);
        if (i > 0) return i;
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            return 15;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes a container (its runtime state, rootfs mount, files); a running one only with {@code force}. */
    public void remove(String ref, boolean force) throws FrontException {
        FrontContainer c = lookup(ref);
        ContainerStatus st = runtimeStatus(c.id());
        if (st != null && st != ContainerStatus.STOPPED && !force) {
            throw new FrontException("cannot remove container " + c.name() + ": container is running: stop the container"
                    + " before removing or force remove");
        }
        try {
            if (st != null) rt.delete(c.id(), true);
        } catch (RuntimeError e) {
            throw new FrontException(e.getMessage(), e);
        }
        cleanup(c.id());
    }

    private void cleanup(String id) {
        try {
            Snapshots.remove(dirs.snapshot(id));
        } catch (ImageException e) {
            System.err.println("burk: " + e.getMessage());
            return;
        }
        try {
            Path dir = dirs.dir(id);
            if (Files.exists(dir)) {
                try (var s = Files.walk(dir)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dirs.lockFile(id));
        } catch (IOException e) {
            System.err.println("burk: remove " + dirs.dir(id) + ": " + e.getMessage());
        }
    }

    /** Copies the container's log to {@code out}; with {@code follow}, keeps copying until it stops. */
    public void logs(String ref, boolean follow, PrintStream out) throws FrontException {
        FrontContainer c = lookup(ref);
        Path log = dirs.log(c.id());
        if (!c.detached() && !Files.exists(log)) {
            throw new FrontException("container " + c.name() + " ran in the foreground: its output went to the terminal, not to a log");
        }
        long pos = 0;
        byte[] buf = new byte[1 << 16];
        try {
            while (true) {
                boolean running = row(c).running();
                if (Files.exists(log)) {
                    try (var ch = java.nio.channels.FileChannel.open(log)) {
                        ch.position(pos);
                        var bb = java.nio.ByteBuffer.wrap(buf);
                        for (int n; (n = ch.read(bb)) > 0; bb.clear()) {
                            out.write(buf, 0, n);
                            pos += n;
                        }
                    }
                }
                out.flush();
                if (!follow || !running) return;
                sleep(200);
            }
        } catch (IOException e) {
            throw new FrontException("read " + log + ": " + e.getMessage(), e);
        }
    }

    /** A JSON document about a container (or, failing that, an image). */
    public String inspect(String ref) throws FrontException {
        FrontContainer c;
        try {
            c = lookup(ref);
        } catch (FrontException notAContainer) {
            try {
                StoredImage img = images.find(ref);
                if (img == null) throw new FrontException("no such object: " + ref);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Id", img.config().toString());
                m.put("Digest", img.manifest().toString());
                m.put("RepoTags", new ArrayList<Object>(img.names()));
                m.put("Size", img.size());
                m.put("Added", img.added());
                m.put("Config", Json.parse(new String(images.blobs().read(img.config()), StandardCharsets.UTF_8)));
                m.put("Manifest", Json.parse(new String(images.blobs().read(img.manifest()), StandardCharsets.UTF_8)));
                return Json.write(m, "  ");
            } catch (ImageException e) {
                throw new FrontException(e.getMessage(), e);
            }
        }
        Row r = row(c);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Name", c.name());
        m.put("Image", c.image());
        m.put("ImageId", c.imageId());
        m.put("Created", c.created());
        m.put("Args", new ArrayList<Object>(c.command()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", r.status());
        state.put("Running", r.running());
        try {
            ContainerInfo info = rt.state(c.id());
            state.put("Pid", (long) info.pid());
        } catch (RuntimeError e) {
            state.put("Pid", 0L);
        }
        if (c.exitCode() != null) state.put("ExitCode", (long) c.exitCode());
        if (c.finished() != null) state.put("FinishedAt", c.finished());
        m.put("State", state);
        m.put("Bundle", dirs.bundle(c.id()).toString());
        m.put("Rootfs", dirs.snapshot(c.id()).resolve("merged").toString());
        m.put("LogPath", dirs.log(c.id()).toString());
        m.put("AutoRemove", c.autoRemove());
        return Json.write(m, "  ");
    }

    /** True when some container (of any state) was made from this image id. */
    public boolean imageInUse(StoredImage img) throws FrontException {
        for (FrontContainer c : dirs.list()) if (img.config().toString().equals(c.imageId())) return true;
        return false;
    }

    private static String newId() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static final String[] LEFT = {"brave", "calm", "eager", "fond", "gentle", "happy", "keen", "lucid", "merry",
            "nimble", "proud", "quiet", "sharp", "swift", "tender", "witty"};
    private static final String[] RIGHT = {"lovelace", "turing", "hopper", "ritchie", "thompson", "torvalds", "knuth",
            "dijkstra", "liskov", "hamilton", "babbage", "noether", "curie", "shannon", "backus", "wirth"};

    private static String randomName() {
        SecureRandom r = new SecureRandom();
        return LEFT[r.nextInt(LEFT.length)] + "_" + RIGHT[r.nextInt(RIGHT.length)] + "_" + (100 + r.nextInt(900));
    }
}
