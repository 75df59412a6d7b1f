package burk.runtime;

import burk.cgroups.CgroupDriver;
import burk.cgroups.CgroupException;
import burk.cgroups.CgroupLayout;
import burk.cgroups.CgroupManager;
import burk.cgroups.CgroupPaths;
import burk.cgroups.CgroupVersion;
import burk.cgroups.Cgroups;
import burk.cgroups.FreezerState;
import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.runtime.helper.HelperMessage;
import burk.runtime.helper.HelperSession;
import burk.runtime.helper.StepFailure;
import burk.runtime.plan.HookOutcome;
import burk.runtime.plan.Plan;
import burk.runtime.plan.Step;
import burk.spec.ContainerState;
import burk.spec.Hooks;
import burk.spec.IdMapping;
import burk.spec.JsonException;
import burk.spec.LinuxResources;
import burk.spec.NamespaceType;
import burk.spec.ProcessSpec;
import burk.spec.RuntimeSpec;
import burk.spec.SpecCodec;
import burk.spec.SpecException;
import burk.spec.SpecValidator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * burk's container lifecycle, as a library: create, start, state, kill, delete and run, with
 * runc's semantics. The CLI is a thin layer over this class; a JVM program can use it directly.
 *
 * <pre>{@code
 * ContainerRuntime rt = new ContainerRuntime(Path.of("/run/burk"));
 * int status = rt.run(CreateRequest.of("demo", Path.of("/path/to/bundle")));
 * }</pre>
 */
public final class ContainerRuntime {
    private final ContainerStore store;
    /**
     * Detached exec'd processes started by this object. When this JVM is a subreaper they become
     * its children, and a PID namespace's init cannot finish dying until they are reaped, so
     * {@link #killAndWait} reaps them while it waits.
     */
    private final java.util.Set<Integer> detachedChildren = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final CgroupDriver cgroupDriver;
    private final Consumer<String> warnings;
    private final ProcessHost host;

    /** A runtime keeping container state under {@code root}; warnings go to stderr. */
    public ContainerRuntime(Path root) {
        this(root, CgroupDriver.CGROUPFS, msg -> System.err.println("burk: warning: " + msg));
    }

    /** A runtime with the cgroupfs driver whose warnings (failed poststart/poststop hooks) go to {@code warnings}. */
    public ContainerRuntime(Path root, Consumer<String> warnings) {
        this(root, CgroupDriver.CGROUPFS, warnings);
    }

    /** A runtime whose new containers use {@code driver} (runc's --systemd-cgroup picks SYSTEMD). */
    public ContainerRuntime(Path root, CgroupDriver driver) {
        this(root, driver, msg -> System.err.println("burk: warning: " + msg));
    }

    /**
     * A runtime keeping container state under {@code root}; {@code warnings} receives what the
     * runtime-spec says to log and go on with (a failing poststart or poststop hook, an update
     * field that is ignored).
     */
    public ContainerRuntime(Path root, CgroupDriver driver, Consumer<String> warnings) {
        this(root, driver, warnings, ProcessHost.local());
    }

    /**
     * As {@link #ContainerRuntime(Path, CgroupDriver, Consumer)}, for containers that descend from
     * {@code host}: burk's resident daemon passes the native front an engine ran, so that the init
     * is the engine's descendant, not the daemon's.
     */
    public ContainerRuntime(Path root, CgroupDriver driver, Consumer<String> warnings, ProcessHost host) {
        this.store = new ContainerStore(root);
        this.cgroupDriver = driver;
        this.warnings = warnings;
        this.host = host;
    }

    /** /run/burk for root, $XDG_RUNTIME_DIR/burk otherwise (as runc picks its own root). */
    public static Path defaultRoot() {
        return defaultRoot(System.getenv("XDG_RUNTIME_DIR"));
    }

    /** {@link #defaultRoot()} for a caller whose XDG_RUNTIME_DIR is {@code xdg} (or null). */
    public static Path defaultRoot(String xdg) {
        if (!isRoot() && xdg != null && !xdg.isEmpty()) return Path.of(xdg, "burk");
        return Path.of("/run/burk");
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException ignored) {
            // fall through: assume not root
        }
        return false;
    }

    public Path root() { return store.root(); }

    /** Reads and validates a bundle's config.json: the spec burk would run. */
    public static RuntimeSpec loadSpec(Path bundle) throws RuntimeError {
        Path config = bundle.resolve("config.json");
        String json;
        try {
            json = Files.readString(config);
        } catch (NoSuchFileException e) {
            throw new RuntimeError("open " + config + ": no such file or directory");
        } catch (IOException e) {
            throw new RuntimeError("read " + config + ": " + e.getMessage(), e);
        }
        RuntimeSpec spec;
        try {
            spec = SpecCodec.parse(json, config.toString());
        } catch (JsonException | SpecException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        try {
            SpecValidator.validateForCreate(spec);
        } catch (SpecException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        try {
            InitPlanner.checkWithoutMountNamespace(spec);
        } catch (IllegalArgumentException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        checkSupported(spec);
        return spec;
    }

    /**
     * Fields burk cannot honour on this host are refused by name rather than ignored: a container
     * that asked for an LSM profile must not run without it.
     */
    private static void checkSupported(RuntimeSpec spec) throws RuntimeError {
        var p = spec.process();
        var l = spec.linuxOrEmpty();
        boolean apparmor = Files.exists(Path.of("/sys/kernel/security/apparmor"));
        boolean selinux = Files.exists(Path.of("/sys/fs/selinux/enforce"));
        if (p != null && p.apparmorProfile() != null && !p.apparmorProfile().isEmpty()) {
            throw new RuntimeError("process.apparmorProfile: " + (apparmor
                    ? "applying AppArmor profiles is not supported by this burk version"
                    : "AppArmor is not enabled on this host"));
        }
        if (p != null && p.selinuxLabel() != null && !p.selinuxLabel().isEmpty()) {
            throw new RuntimeError("process.selinuxLabel: " + (selinux
                    ? "SELinux labels are not supported by this burk version" : "SELinux is not enabled on this host"));
        }
        if (l.mountLabel() != null && !l.mountLabel().isEmpty()) {
            throw new RuntimeError("linux.mountLabel: " + (selinux
                    ? "SELinux labels are not supported by this burk version" : "SELinux is not enabled on this host"));
        }
        if (l.intelRdt() != null) throw new RuntimeError(IntelRdtSupport.refusal());
        if (!l.netDevices().isEmpty() && !isRoot()) {
            // Moving a host device needs CAP_NET_ADMIN in the host's network namespace (runc:
            // "network devices are not supported for rootless containers").
            throw new RuntimeError("linux.netDevices: moving host network devices needs root; not supported for"
                    + " rootless containers");
        }
        for (int i = 0; i < spec.mounts().size(); i++) {
            var m = spec.mounts().get(i);
            // MOUNT_ATTR_IDMAP needs privileges over the filesystem's user namespace (runc refuses too).
            if (IdmappedMounts.wanted(m, MountOptions.parse(m.options())) && !isRoot()) {
                throw new RuntimeError("mounts[" + i + "]: id-mapped mounts are not supported for rootless containers"
                        + " (the kernel idmaps a mount only for root in the filesystem's user namespace)");
            }
        }
    }

    /** The plan {@code create} would run for this request, without running it. */
    public Plan explain(CreateRequest req) throws RuntimeError {
        Path bundle = req.bundle().toAbsolutePath().normalize();
        RuntimeSpec spec = loadSpec(bundle);
        Path rootfs = rootfsOf(bundle, spec);
        if (inHostMountNamespace(spec)) {
            try {
                rootfs = rootfs.toRealPath(); // as create plans it: the path mountinfo shows
            } catch (IOException e) {
                throw new RuntimeError("root.path: " + e.getMessage(), e);
            }
        }
        CgroupLayout layout = CgroupLayout.detect();
        List<InitPlanner.CgroupView> views = new ArrayList<>();
        CgroupManager cg = Cgroups.open(layout, spec.linuxOrEmpty().cgroupsPath(), req.id(), this::killQuietly);
        for (Map.Entry<String, Path> e : cg.paths().entrySet()) {
            views.add(view(e.getKey(), e.getValue(), cg.version()));
        }
        try {
            return InitPlanner.plan(new InitPlanner.Inputs(spec, bundle, rootfs, store.dir(req.id()), req.noPivot(), views,
                    req.consoleSocket() == null ? Path.of("/dev/null/console") : req.consoleSocket(), req.noNewKeyring()));
        } catch (IllegalArgumentException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /** No mount namespace in linux.namespaces: the container's mounts go to the host's mount table. */
    static boolean inHostMountNamespace(RuntimeSpec spec) {
        return spec.linuxOrEmpty().namespace(NamespaceType.MOUNT) == null;
    }

    private static Path rootfsOf(Path bundle, RuntimeSpec spec) throws RuntimeError {
        Path rootfs = bundle.resolve(spec.root().path()).normalize();
        if (!Files.isDirectory(rootfs)) {
            throw new RuntimeError("root.path: rootfs (" + rootfs + ") does not exist or is not a directory");
        }
        if (inHostMountNamespace(spec)) {
            try {
                if (rootfs.toRealPath().getNameCount() == 0) {
                    // The rootfs bind would be stacked on the host's root, and its propagation is the host's.
                    throw new RuntimeError("root.path: the host's / cannot be the rootfs of a container without a mount"
                            + " namespace in linux.namespaces");
                }
            } catch (IOException e) {
                throw new RuntimeError("root.path: " + e.getMessage(), e);
            }
        }
        return rootfs;
    }

    /** Creates a container: its init waits for {@link #start} with everything but the exec done. */
    public ContainerInfo create(CreateRequest req) throws RuntimeError {
        ContainerStore.checkId(req.id());
        Path bundle = req.bundle().toAbsolutePath().normalize();
        RuntimeSpec spec = loadSpec(bundle);
        Path rootfs = rootfsOf(bundle, spec);
        checkTerminal(spec.process().terminal(), req.consoleSocket());
        Path dir;
        try {
            dir = store.create(req.id());
        } catch (IOException e) {
            throw new RuntimeError("cannot create the state directory under " + store.root() + ": " + e.getMessage(), e);
        }
        CgroupManager cg = null;
        int initPid = -1;
        NetDevices netDevices = new NetDevices();
        HostRootfsBind hostBind = null;
        try {
            LifecycleHooks.save(dir, LifecycleHooks.of(spec));
            if (inHostMountNamespace(spec)) {
                // Saved before the helper runs: whatever stops this create, delete can still find the bind.
                hostBind = HostRootfsBind.before(rootfs);
                hostBind.save(dir);
                rootfs = hostBind.rootfs();
            }
            cg = openCgroup(spec, req.id());
            List<InitPlanner.CgroupView> views = new ArrayList<>();
            if (cg != null) {
                for (Map.Entry<String, Path> e : cg.paths().entrySet()) views.add(view(e.getKey(), e.getValue(), cg.version()));
            }
            Plan plan;
            try {
                plan = InitPlanner.plan(new InitPlanner.Inputs(spec, bundle, rootfs, dir, req.noPivot(), views,
                        req.consoleSocket(), req.noNewKeyring()));
            } catch (IllegalArgumentException e) {
                throw new RuntimeError(e.getMessage(), e);
            }
            if (req.explain() != null) req.explain().print(plan.explain());
            writeSteps(dir, plan);
            // exec, hooks and delete read the container's config from here, not from a bundle that may change.
            Files.writeString(dir.resolve(ContainerStore.CONFIG), SpecCodec.toJson(spec, false));
            initPid = launch(plan, req, spec, cg, netDevices, bundle, dir);
            if (hostBind != null) {
                hostBind = hostBind.withMade();
                hostBind.save(dir);
            }
            ProcStat ps = ProcStat.read(initPid);
            if (ps == null) throw new RuntimeError("the container init (pid " + initPid + ") exited during create");
            CgroupPaths saved = cg == null ? null : ownDirs(cg.savedPaths());
            Map<String, String> paths = new LinkedHashMap<>();
            List<String> owned = new ArrayList<>();
            if (saved != null) {
                for (Map.Entry<String, Path> e : saved.dirs().entrySet()) paths.put(e.getKey(), e.getValue().toString());
                for (Path p : saved.created()) owned.add(p.toString());
            }
            ContainerRecord rec = new ContainerRecord(req.id(), initPid, ps.startTime(), bundle.toString(),
                    rootfs.toString(), Instant.now().toString(), spec.ociVersion(), spec.annotations(),
                    saved == null ? null : saved.version().name(), paths, owned, saved == null ? null : saved.systemdUnit());
            store.write(req.id(), rec);
            if (req.pidFile() != null) {
                Path pf = req.pidFile().toAbsolutePath();
                ContainerStore.writeAtomically(pf, Integer.toString(initPid));
            }
            return info(rec);
        } catch (RuntimeError | RuntimeException | IOException e) {
            if (initPid > 0) killAndWait(initPid);
            // The devices go back while the namespace is still held: with the init gone the
            // kernel would otherwise destroy virtual devices and return physical ones renamed.
            List<String> stuck = netDevices.rollback();
            if (cg != null) {
                try {
                    Cgroups.reopen(CgroupLayout.detect(), ownDirs(cg.savedPaths()), this::killQuietly).destroy();
                } catch (RuntimeException ignored) {
                    // the original error matters more; destroy already retried
                }
            }
            String notDetached = "";
            if (hostBind != null) {
                try {
                    hostBind.detach(); // the processes are gone: the init above, the rest with the cgroup
                } catch (IOException de) {
                    notDetached = "; the container's mounts at " + hostBind.rootfs() + " are left: " + de.getMessage();
                }
            }
            try {
                store.remove(req.id());
            } catch (IOException ignored) {
                // best effort: the original error is what the caller needs
            }
            if (e instanceof LifecycleHooks.HookError) {
                // runtime.md: a failed create hook stops the container and the lifecycle goes on
                // with its destruction, then the poststop hooks.
                LifecycleHooks.runOnHostWarning("poststop", LifecycleHooks.of(spec).poststop(),
                        LifecycleHooks.state(spec.ociVersion(), req.id(), ContainerState.STOPPED, 0, bundle.toString(),
                                spec.annotations()), warnings, host);
            }
            String notBack = (stuck.isEmpty() ? "" : "; linux.netDevices not moved back to the host: "
                    + String.join("; ", stuck)) + notDetached;
            if (e instanceof RuntimeError re && notBack.isEmpty()) throw re;
            if (e instanceof CgroupException ce) throw new RuntimeError(ce.getMessage() + notBack, ce);
            throw new RuntimeError((e.getMessage() == null ? e.toString() : e.getMessage()) + notBack, e);
        } finally {
            netDevices.close();
        }
    }

    /**
     * The container's cgroup, made and limited. Without privileges it exists only where a cgroup
     * tree is delegated to the user: elsewhere the container runs in the caller's cgroup (null
     * here), unless config.json asks for limits, which then cannot be honoured.
     */
    private CgroupManager openCgroup(RuntimeSpec spec, String id) throws RuntimeError {
        CgroupManager cg = Cgroups.open(CgroupLayout.detect(), spec.linuxOrEmpty().cgroupsPath(), id, this::killQuietly,
                cgroupDriver);
        boolean root = isRoot();
        try {
            cg.create();
            var resources = ResourceMapper.map(spec);
            cg.apply(root ? resources : Rootless.withoutDevices(resources));
            return cg;
        } catch (CgroupException e) {
            try {
                cg.destroy();
            } catch (RuntimeException ignored) {
                // only what this call made is removed; the refusal is the news
            }
            if (root || !Rootless.isPermissionProblem(e)) throw e;
            if (Rootless.hasLimits(spec)) {
                throw new RuntimeError("rootless: linux.resources cannot be applied: " + e.getMessage()
                        + " (the cgroup tree is not delegated to this user; delegate one, or remove the limits)", e);
            }
            return null;
        }
    }

    /**
     * Puts the init in its cgroup. Without privileges the kernel may still refuse where the
     * delegation is partial (cgroup v2 lets a user move a process only inside a subtree it owns,
     * from the common ancestor down); with no limits asked that is no reason to fail.
     */
    private static void joinCgroup(CgroupManager cg, RuntimeSpec spec, int pid) throws RuntimeError {
        try {
            cg.addProcess(pid);
        } catch (CgroupException e) {
            if (isRoot() || !Rootless.isPermissionProblem(e)) throw e;
            if (Rootless.hasLimits(spec)) {
                throw new RuntimeError("rootless: cannot put the container in its cgroup, so linux.resources would not"
                        + " hold: " + e.getMessage(), e);
            }
        }
    }

    static void checkTerminal(boolean terminal, Path consoleSocket) throws RuntimeError {
        if (terminal && consoleSocket == null) {
            throw new RuntimeError("cannot allocate tty if burk will detach without setting console socket");
        }
        if (!terminal && consoleSocket != null) {
            throw new RuntimeError("cannot use console socket if burk will not detach or allocate tty");
        }
    }

    /**
     * The created cgroup directories that are the container's own. A parent made on the way
     * (/docker, /burk) is shared with every later container under it: removing it with this one
     * would fail while they run (so delete would fail) or take their cgroups along. runc never
     * removes it either.
     */
    private static CgroupPaths ownDirs(CgroupPaths saved) {
        List<Path> own = new ArrayList<>();
        for (Path p : saved.created()) {
            if (saved.dirs().values().stream().anyMatch(p::startsWith)) own.add(p);
        }
        return new CgroupPaths(saved.version(), saved.dirs(), own, saved.systemdUnit());
    }

    private static boolean isHookSync(Plan plan, HelperMessage m) {
        return plan.step(m.step()) != null && plan.step(m.step()).step() instanceof Step.HookSync;
    }

    private static InitPlanner.CgroupView view(String controller, Path dir, CgroupVersion v) {
        boolean v2 = v == CgroupVersion.V2 || "unified".equals(controller) || "".equals(controller);
        String name = controller.isEmpty() ? "unified" : controller.startsWith("name=") ? controller.substring(5) : controller;
        return new InitPlanner.CgroupView(name, v2 ? "cgroup2" : "cgroup", controller, dir);
    }

    private static void writeSteps(Path dir, Plan plan) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var s : plan.steps()) sb.append(s.step().action().replace('\n', ' ')).append('\n');
        Files.writeString(dir.resolve(ContainerStore.STEPS), sb);
    }

    /** Runs the helper until the init waits at the start barrier; returns the init's pid. */
    private int launch(Plan plan, CreateRequest req, RuntimeSpec spec, CgroupManager cg, NetDevices netDevices,
                       Path bundle, Path dir) throws RuntimeError, IOException {
        int initPid = -1;
        try (HelperSession s = host.spawnHelper(plan, req.stdio())) {
            while (true) {
                HelperMessage m = s.next();
                if (m == null) {
                    if (initPid > 0 && cg != null && cg.oomKillCount() > 0) {
                        var mem = spec.linuxOrEmpty().resources() == null ? null : spec.linuxOrEmpty().resources().memory();
                        throw new RuntimeError("the container init was killed by the OOM killer during create"
                                + (mem != null && mem.limit() != null
                                ? ": linux.resources.memory.limit (" + mem.limit() + ") is too low" : ""));
                    }
                    throw new RuntimeError("the container init exited before it was ready"
                            + (initPid > 0 ? " (pid " + initPid + ")" : ""));
                }
                switch (m.kind()) {
                    case PID -> initPid = (int) m.value();
                    case SYNC -> {
                        if (initPid <= 0) throw new RuntimeError("the native helper asked to sync before it cloned");
                        if (isHookSync(plan, m)) {
                            byte[] state = LifecycleHooks.state(spec.ociVersion(), req.id(), ContainerState.CREATING,
                                    initPid, bundle.toString(), spec.annotations());
                            LifecycleHooks.runOnHost("prestart", LifecycleHooks.of(spec).prestart(), state, host);
                            LifecycleHooks.runOnHost("createRuntime", LifecycleHooks.of(spec).createRuntime(), state, host);
                        } else {
                            Rootless.writeIdMaps(spec, initPid);
                            if (cg != null) joinCgroup(cg, spec, initPid);
                            // After the cgroup, as runc does; the init has its network namespace
                            // (made by the clone or joined before it) and waits.
                            netDevices.moveInto(spec.linuxOrEmpty().netDevices(), initPid);
                        }
                        s.proceed();
                    }
                    case DATA -> s.sendData(LifecycleHooks.state(spec.ociVersion(), req.id(),
                            m.value() == LifecycleHooks.BUF_CREATED ? ContainerState.CREATED : ContainerState.CREATING,
                            initPid, bundle.toString(), spec.annotations()));
                    case FD -> {
                        if (initPid <= 0) throw new RuntimeError("the native helper sent an fd before it cloned");
                        sendToAgent(s, SeccompAgent.of(spec, bundle), initPid, new ContainerState(spec.ociVersion(),
                                req.id(), ContainerState.CREATING, initPid, bundle.toString(), spec.annotations()));
                    }
                    case READY -> {
                        return initPid;
                    }
                    case ERROR -> {
                        StepFailure f = s.failure(m);
                        if (plan.step(m.step()) != null && plan.step(m.step()).step() instanceof Step.RunHook) {
                            throw new LifecycleHooks.HookError(
                                    LifecycleHooks.withOutput(f.getMessage(), dir.resolve(LifecycleHooks.OUTPUT)), f);
                        }
                        throw new RuntimeError(f.getMessage(), f);
                    }
                    default -> throw new RuntimeError("the native helper sent an unknown message " + m);
                }
            }
        } catch (RuntimeError | IOException e) {
            if (initPid > 0) killAndWait(initPid);
            throw e;
        }
    }

    /**
     * An FD message: the seccomp notify fd of the process {@code pid}, which goes to the agent at
     * linux.seccomp.listenerPath before the helper may go on. burk's copy is closed either way.
     */
    private static void sendToAgent(HelperSession s, SeccompAgent agent, int pid, ContainerState state)
            throws RuntimeError, IOException {
        try (Fd fd = s.takeFd()) {
            if (agent == null) throw new RuntimeError("the native helper sent an fd, but no seccomp agent waits for one");
            agent.send(fd, pid, state);
        }
        s.proceed();
    }

    /** The container's config as it was created (saved in its state directory). */
    RuntimeSpec savedSpec(ContainerRecord rec) throws RuntimeError {
        Path saved = store.dir(rec.id()).resolve(ContainerStore.CONFIG);
        try {
            return SpecCodec.parse(Files.readString(saved), saved.toString());
        } catch (IOException | JsonException | SpecException e) {
            throw new RuntimeError("read the container's saved config " + saved + ": " + e.getMessage(), e);
        }
    }

    /** The process of the container's config, the base that `exec` without --process starts from. */
    public ProcessSpec containerProcess(String id) throws RuntimeError {
        try {
            return savedSpec(store.read(id)).process();
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /**
     * Runs another process in a running (or created) container: in all its namespaces and its
     * cgroup, with the process's own user, capabilities, no_new_privs and the container's seccomp
     * filter. In the foreground it returns the process's status; detached it returns 0 once the
     * process runs.
     */
    public int exec(ExecRequest req) throws RuntimeError {
        ContainerRecord rec;
        try {
            rec = store.read(req.id());
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        ContainerStatus st = status(rec);
        if (st == ContainerStatus.STOPPED) throw new RuntimeError("cannot exec in a stopped container");
        if (st == ContainerStatus.PAUSED && !req.ignorePaused()) {
            throw new RuntimeError("cannot exec in a paused container (use --ignore-paused to override)");
        }
        RuntimeSpec spec = savedSpec(rec);
        try {
            SpecValidator.validateProcess(req.process());
        } catch (SpecException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        boolean terminal = req.process().terminal();
        if (terminal && req.consoleSocket() == null && req.detach()) {
            throw new RuntimeError("cannot allocate tty if burk will detach without setting console socket");
        }
        if (!terminal && req.consoleSocket() != null) {
            throw new RuntimeError("cannot use console socket if burk will not detach or allocate tty");
        }
        CgroupManager cg = reopenCgroup(rec);
        if (!req.cgroup().isEmpty()) {
            if (cg == null) throw new RuntimeError("--cgroup: the container has no cgroup of its own to have sub-cgroups");
            try {
                req.cgroup().targets(cg.paths()); // refused before anything starts
            } catch (CgroupException e) {
                throw new RuntimeError(e.getMessage(), e);
            }
        }
        if (!req.detach()) becomeSubreaper();
        if (terminal && req.consoleSocket() == null) {
            try (TerminalProxy proxy = TerminalProxy.listen(req.stdio())) {
                int pid = launchExec(req.withConsoleSocket(proxy.socketPath()), rec, spec, cg);
                proxy.attach();
                int status = waitExec(pid);
                proxy.drain();
                return status;
            } catch (IOException e) {
                throw new RuntimeError("terminal: " + e.getMessage(), e);
            }
        }
        int pid = launchExec(req, rec, spec, cg);
        if (req.detach()) {
            detachedChildren.add(pid);
            return 0;
        }
        return waitExec(pid);
    }

    private int waitExec(int pid) throws RuntimeError {
        try (SignalForwarder fwd = SignalForwarder.install(pid)) {
            return Syscalls.waitPid(pid, 0).shellStatus();
        } catch (LinuxException e) {
            throw new RuntimeError("wait for the exec'd process " + pid + ": " + e.getMessage(), e);
        }
    }

    private int launchExec(ExecRequest req, ContainerRecord rec, RuntimeSpec spec, CgroupManager cg) throws RuntimeError {
        Plan plan;
        try {
            plan = ExecPlanner.plan(spec, rec.pid(), req.process(), req.consoleSocket());
        } catch (IllegalArgumentException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        int pid = -1;
        // Through the host: under the daemon the helper is the front's child, so a detached
        // process ends up with the engine's subreaper (its shim), as with a JVM of its own.
        try (HelperSession s = host.spawnHelper(plan, req.stdio())) {
            while (true) {
                HelperMessage m = s.next();
                if (m == null) break; // the socket is close-on-exec: EOF after PID means execve succeeded
                switch (m.kind()) {
                    case PID -> pid = (int) m.value();
                    case SYNC -> {
                        if (cg != null) cg.addProcess(pid, req.cgroup());
                        s.proceed();
                    }
                    case FD -> {
                        if (pid <= 0) throw new RuntimeError("the native helper sent an fd before it forked");
                        // runc's state for an exec'd process: the container's, with its init's pid.
                        sendToAgent(s, SeccompAgent.of(spec, Path.of(rec.bundle())), pid, new ContainerState(
                                rec.ociVersion(), rec.id(), status(rec).specName(), rec.pid(), rec.bundle(), rec.annotations()));
                    }
                    case ERROR -> {
                        StepFailure f = s.failure(m);
                        throw new RuntimeError(f.getMessage(), f);
                    }
                    default -> throw new RuntimeError("the native helper sent an unexpected message " + m);
                }
            }
            if (pid <= 0) throw new RuntimeError("the native helper exited before it started the process");
            if (req.pidFile() != null) ContainerStore.writeAtomically(req.pidFile().toAbsolutePath(), Integer.toString(pid));
            return pid;
        } catch (IOException | CgroupException e) {
            if (pid > 0) killAndWait(pid);
            throw new RuntimeError(e.getMessage(), e);
        } catch (RuntimeError e) {
            if (pid > 0) killAndWait(pid);
            throw e;
        }
    }

    /** Runs the created container's process. */
    public void start(String id) throws RuntimeError {
        ContainerStore.checkId(id);
        try (FileLock lock = lockExisting(id)) {
            ContainerRecord rec = store.read(id);
            ContainerStatus st = status(rec);
            switch (st) {
                case STOPPED -> throw new RuntimeError("cannot start a container that has stopped");
                case RUNNING -> throw new RuntimeError("cannot start an already running container");
                case PAUSED -> throw new RuntimeError("cannot start a container in the paused state");
                default -> { }
            }
            int[] failure = StartBarrier.release(store.dir(id));
            if (failure != null) {
                throw new RuntimeError(renderStoredStep(id, failure[0], failure[1], failure[2]));
            }
            LifecycleHooks.runOnHostWarning("poststart", LifecycleHooks.load(store.dir(id)).poststart(),
                    LifecycleHooks.state(rec.ociVersion(), id, ContainerState.RUNNING, rec.pid(), rec.bundle(),
                            rec.annotations()), warnings, host);
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    private String renderStoredStep(String id, int step, int errno, int value) {
        // Only a RUN_HOOK step reports a value; it names the hook's exit status or timeout.
        String reason = value != 0 ? HookOutcome.describe(errno, value) : Errno.text(errno);
        try {
            List<String> steps = Files.readAllLines(store.dir(id).resolve(ContainerStore.STEPS), StandardCharsets.UTF_8);
            if (step >= 0 && step < steps.size()) {
                String msg = steps.get(step) + ": " + reason;
                return steps.get(step).matches("startContainer hook #\\d+ .*")
                        ? LifecycleHooks.withOutput(msg, store.dir(id).resolve(LifecycleHooks.OUTPUT)) : msg;
            }
        } catch (IOException ignored) {
            // fall through to the bare form
        }
        return "container init step " + step + ": " + reason;
    }

    private FileLock lockExisting(String id) throws RuntimeError, IOException {
        if (!store.exists(id)) throw new RuntimeError("container does not exist");
        try {
            return store.lock(id);
        } catch (NoSuchFileException e) {
            throw new RuntimeError("container does not exist");
        }
    }

    /** The container's state as the runtime-spec (plus runc) defines it. */
    public ContainerInfo state(String id) throws RuntimeError {
        try {
            return info(store.read(id));
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /** Every container under this root; broken state directories are skipped. */
    public List<ContainerInfo> list() throws RuntimeError {
        List<ContainerInfo> out = new ArrayList<>();
        try {
            for (String id : store.ids()) {
                try {
                    out.add(info(store.read(id)));
                } catch (RuntimeError | RuntimeException ignored) {
                    // a half-made or foreign directory: runc's list skips those too
                }
            }
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
        return out;
    }

    private ContainerInfo info(ContainerRecord r) {
        ContainerStatus st = status(r);
        return new ContainerInfo(r.ociVersion(), r.id(), st, st == ContainerStatus.STOPPED ? 0 : r.pid(), r.bundle(),
                r.rootfs(), r.created(), ownerOf(store.dir(r.id())), r.annotations());
    }

    private static String ownerOf(Path dir) {
        try {
            Object uid = Files.getAttribute(dir, "unix:uid");
            return uid.equals(0) ? "root" : String.valueOf(uid);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private ContainerStatus status(ContainerRecord r) {
        if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) return ContainerStatus.STOPPED;
        // The freezer first: runc lets a created container be paused, and reports it as paused.
        if (frozen(reopenCgroup(r))) return ContainerStatus.PAUSED;
        if (StartBarrier.waiting(store.dir(r.id()))) return ContainerStatus.CREATED;
        return ContainerStatus.RUNNING;
    }

    private static boolean frozen(CgroupManager cg) {
        try {
            return cg != null && cg.state() == FreezerState.FROZEN;
        } catch (CgroupException e) {
            return false; // no freezer (a v1 host without the controller): never paused
        }
    }

    private CgroupManager reopenCgroup(ContainerRecord r) {
        if (r.cgroupDriver() == null || r.cgroupPaths().isEmpty()) return null;
        Map<String, Path> dirs = new LinkedHashMap<>();
        r.cgroupPaths().forEach((k, v) -> dirs.put(k, Path.of(v)));
        List<Path> owned = new ArrayList<>();
        for (String s : r.ownedCgroupPaths()) owned.add(Path.of(s));
        return Cgroups.reopen(CgroupLayout.detect(),
                new CgroupPaths(CgroupVersion.valueOf(r.cgroupDriver()), dirs, owned, r.systemdUnit()), this::killQuietly);
    }

    /**
     * Sends {@code signal} to the container's init, or with {@code all} to every process in its
     * cgroup. On a paused container a signal stays pending until the thaw, so, as runc does, SIGKILL
     * thaws it (the container stops), and {@code all} freezes the cgroup while it signals (no fork
     * escapes the loop) and thaws it afterwards, whatever the signal.
     */
    public void kill(String id, int signal, boolean all) throws RuntimeError {
        try (FileLock lock = lockExisting(id)) {
            ContainerRecord rec = store.read(id);
            ContainerStatus st = status(rec);
            // runc: `kill --all` of a stopped container still signals whatever is left in its
            // cgroup, and succeeds when nothing is (containerd's shim calls it after the init's
            // exit when the PID namespace is shared, as in a Kubernetes pod).
            if (st == ContainerStatus.STOPPED && !all) throw new RuntimeError("container not running");
            CgroupManager cg = reopenCgroup(rec);
            if (all) {
                if (cg != null) signalAll(cg, signal);
                return;
            }
            ProcessSignals.send(rec.pid(), signal);
            if (st == ContainerStatus.PAUSED && signal == SIGKILL && cg != null) cg.thaw();
        } catch (CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ESRCH) throw new RuntimeError("container not running", e);
            throw new RuntimeError(e.getMessage(), e);
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    private static final int SIGKILL = 9;

    private static void signalAll(CgroupManager cg, int signal) throws LinuxException {
        try {
            cg.freeze();
        } catch (CgroupException e) {
            // runc goes on without the freeze too: a forking task may then escape this round
        }
        try {
            for (long pid : cg.pids()) {
                try {
                    Syscalls.kill((int) pid, signal);
                } catch (LinuxException e) {
                    if (e.errno() != Errno.ESRCH) throw e;
                }
            }
        } finally {
            cg.thaw();
        }
    }

    /**
     * Freezes every process of the container through the cgroup freezer (runc pause). A created
     * container can be paused too; {@link #state} then reports it paused.
     */
    public void pause(String id) throws RuntimeError {
        try (FileLock lock = lockExisting(id)) {
            ContainerRecord rec = store.read(id);
            ContainerStatus st = status(rec);
            if (st != ContainerStatus.RUNNING && st != ContainerStatus.CREATED) {
                throw new RuntimeError("container not running");
            }
            requireCgroup(rec, "pause").freeze();
        } catch (IOException | CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /** Thaws a paused container (runc resume). */
    public void resume(String id) throws RuntimeError {
        try (FileLock lock = lockExisting(id)) {
            ContainerRecord rec = store.read(id);
            if (status(rec) != ContainerStatus.PAUSED) throw new RuntimeError("container not paused");
            requireCgroup(rec, "resume").thaw();
        } catch (IOException | CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    private CgroupManager requireCgroup(ContainerRecord rec, String what) throws RuntimeError {
        CgroupManager cg = reopenCgroup(rec);
        if (cg == null) throw new RuntimeError("cannot " + what + " container " + rec.id() + ": it has no cgroup");
        return cg;
    }

    /**
     * Changes the cgroup limits of a created, running or paused container (runc update), with
     * runc's reading of {@code resources}: see {@link ResourceUpdates}.
     */
    public void update(String id, LinuxResources resources) throws RuntimeError {
        try (FileLock lock = lockExisting(id)) {
            ContainerRecord rec = store.read(id);
            if (status(rec) == ContainerStatus.STOPPED) throw new RuntimeError("container not running");
            requireCgroup(rec, "update").update(ResourceUpdates.toCgroup(resources, warnings));
        } catch (IOException | CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /**
     * The host pids of every process in the container's cgroup, sorted (runc ps --format json).
     * Empty for a stopped container whose cgroup is gone.
     */
    public List<Long> processes(String id) throws RuntimeError {
        try {
            ContainerRecord rec = store.read(id);
            CgroupManager cg = reopenCgroup(rec);
            if (cg == null || (status(rec) == ContainerStatus.STOPPED && !cg.exists())) return List.of();
            return cg.pids();
        } catch (IOException | CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /**
     * A handle on a running (or created, or paused) container's cgroup for {@code events}: usage
     * counters, the OOM kill count, and whether the container still runs.
     */
    public ContainerMonitor monitor(String id) throws RuntimeError {
        try {
            ContainerRecord rec = store.read(id);
            if (status(rec) == ContainerStatus.STOPPED) {
                throw new RuntimeError("container with id " + id + " is not running");
            }
            CgroupManager cg = requireCgroup(rec, "monitor");
            return new ContainerMonitor(id, cg, () -> ProcStat.isAlive(rec.pid(), rec.pidStartTime()));
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /**
     * Removes a container: its processes (when forced, or when it never started), its cgroup and
     * its state directory. With {@code force}, a container that does not exist is not an error.
     */
    public void delete(String id, boolean force) throws RuntimeError {
        ContainerStore.checkId(id);
        if (!store.exists(id)) {
            if (force) return;
            throw new RuntimeError("container does not exist");
        }
        try (FileLock lock = store.lock(id)) {
            ContainerRecord rec;
            try {
                rec = store.read(id);
            } catch (RuntimeError | JsonException e) {
                // A state directory without state.json is a create that died half-way: runc removes it.
                // An empty or torn one (state.json is not fsynced) is what a crash left: likewise.
                // Its init cannot be found to wait for; a lazy detach leaves a live one its view.
                detachHostBind(id);
                store.remove(id);
                return;
            }
            ContainerStatus st = status(rec);
            if ((st == ContainerStatus.RUNNING || st == ContainerStatus.PAUSED) && !force) {
                throw new RuntimeError("cannot delete container " + id + " that is not stopped: " + st.specName());
            }
            CgroupManager cg = reopenCgroup(rec);
            if (st == ContainerStatus.PAUSED && cg != null) cg.thaw();
            if (st != ContainerStatus.STOPPED) killAndWait(rec.pid());
            if (cg != null) cg.destroy();
            detachHostBind(id); // after every process of the container is gone
            var poststop = LifecycleHooks.load(store.dir(id)).poststop();
            store.remove(id);
            LifecycleHooks.runOnHostWarning("poststop", poststop, LifecycleHooks.state(rec.ociVersion(), id,
                    ContainerState.STOPPED, 0, rec.bundle(), rec.annotations()), warnings, host);
        } catch (NoSuchFileException e) {
            if (!force) throw new RuntimeError("container does not exist");
        } catch (IOException | CgroupException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /**
     * Detaches the mounts a container without a mount namespace of its own left in the host's mount
     * table (none for a container with one). A failure keeps the state directory, so delete can be
     * retried.
     */
    private void detachHostBind(String id) throws RuntimeError {
        try {
            HostRootfsBind bind = HostRootfsBind.load(store.dir(id));
            if (bind != null) bind.detach();
        } catch (IOException | JsonException e) {
            throw new RuntimeError("detach the container's mounts: " + e.getMessage(), e);
        }
    }

    /**
     * create + start in the foreground: waits for the container's process and returns its status
     * as a shell reports it (the exit code, or 128 + the signal that killed it), then deletes the
     * container. Signals this JVM receives (TERM, INT, HUP, ...) are forwarded to the container.
     */
    public int run(CreateRequest req) throws RuntimeError {
        return run(req, false);
    }

    /** As {@link #run(CreateRequest)}; with {@code keep} the stopped container is not deleted (runc's --keep). */
    public int run(CreateRequest req, boolean keep) throws RuntimeError {
        boolean terminal = req.consoleSocket() == null
                && loadSpec(req.bundle().toAbsolutePath().normalize()).process().terminal();
        if (terminal && host != ProcessHost.local()) {
            // The proxy below relays this JVM's own stdio; burk's daemon sends such runs back to
            // a JVM of the caller's own before they start (the command line decides that).
            throw new RuntimeError("a run with a terminal and no console socket needs burk's own process");
        }
        host.becomeSubreaper();
        if (!terminal) {
            ContainerInfo info = create(req);
            try {
                return startAndWait(info);
            } finally {
                if (!keep) delete(req.id(), true);
            }
        }
        // process.terminal without a console socket: burk itself holds the master and proxies it
        // to its own stdio, in raw mode, as `runc run` does for a person at a terminal.
        try (TerminalProxy proxy = TerminalProxy.listen(req.stdio())) {
            ContainerInfo info = create(req.withConsoleSocket(proxy.socketPath()));
            try {
                proxy.attach();
                int status = startAndWait(info);
                proxy.drain();
                return status;
            } finally {
                if (!keep) delete(req.id(), true);
            }
        } catch (IOException e) {
            throw new RuntimeError("terminal: " + e.getMessage(), e);
        }
    }

    /**
     * Makes this JVM a child subreaper. The init is cloned by the helper, which then exits: a
     * subreaper inherits the init and can wait for it, as a shell waits for its child. Call it
     * before {@link #create} when the caller will {@link #startAndWait}.
     */
    public static void becomeSubreaper() throws RuntimeError {
        ProcessHost.local().becomeSubreaper();
    }

    /**
     * Starts a created container and waits for its process, forwarding signals meanwhile; returns
     * the exit code, or 128 + the signal that killed it. The container is not deleted.
     */
    public int startAndWait(ContainerInfo created) throws RuntimeError {
        return host.startAndWait(created.pid(), () -> start(created.id()));
    }

    /** create + start, returning once the process runs (runc run --detach). */
    public ContainerInfo runDetached(CreateRequest req) throws RuntimeError {
        create(req);
        try {
            start(req.id());
        } catch (RuntimeError e) {
            delete(req.id(), true);
            throw e;
        }
        return state(req.id());
    }

    private void killQuietly(long pid) {
        try {
            ProcessSignals.send((int) pid, ProcessSignals.SIGKILL);
        } catch (LinuxException ignored) {
            // already gone
        }
    }

    private void reapDetachedChildren() {
        for (Integer child : detachedChildren) {
            try {
                if (Syscalls.waitPid(child, Syscalls.WNOHANG) != null) detachedChildren.remove(child);
            } catch (LinuxException e) {
                detachedChildren.remove(child); // not (or no longer) our child
            }
        }
    }

    /** SIGKILL and wait until the process is gone (reaping it if it is this JVM's child). */
    private void killAndWait(int pid) {
        ProcStat before = ProcStat.read(pid);
        if (before == null) return;
        killQuietly(pid);
        for (int i = 0; i < 500; i++) {
            try {
                if (Syscalls.waitPid(pid, Syscalls.WNOHANG) != null) return;
            } catch (LinuxException e) {
                // ECHILD: not our child; its own parent reaps it
            }
            reapDetachedChildren();
            ProcStat now = ProcStat.read(pid);
            if (now == null || now.startTime() != before.startTime()) return;
            if (now.state() == 'Z') {
                // A zombie that is this JVM's child must be reaped here: left unreaped inside a PID
                // namespace it keeps that namespace's init from ever finishing its exit.
                try {
                    Syscalls.waitPid(pid, Syscalls.WNOHANG);
                } catch (LinuxException e) {
                    // not our child: its parent reaps it
                }
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
