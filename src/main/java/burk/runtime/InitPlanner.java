package burk.runtime;

import burk.runtime.plan.MountFlags;
import burk.runtime.plan.Namespace;
import burk.runtime.plan.Plan;
import burk.runtime.plan.PlanStep;
import burk.runtime.plan.Step;
import burk.spec.LinuxDevice;
import burk.spec.LinuxNamespace;
import burk.spec.Mount;
import burk.spec.RuntimeSpec;
import burk.spec.TimeOffset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a validated config.json into the init plan the native helper executes: the seed's steps,
 * in the order the kernel needs them. Every decision about a container start is made here; the
 * helper only executes. Each step carries the reason burk takes it, which {@code --explain} prints.
 */
final class InitPlanner {
    // Helper fd slots (docs/plan-format.md): a small fixed layout keeps plans readable.
    static final int SLOT_STATE_DIR = 0, SLOT_LISTEN = 1, SLOT_ROOTFS = 2, SLOT_NS_BASE = 10,
            SLOT_CONSOLE = 20, SLOT_CONSOLE_DIR = 21, SLOT_PTY_MASTER = 22;
    /** The state directory's hooks.out, where in-container hooks write their output. */
    static final int SLOT_HOOK_OUT = 60;

    private static final int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_PATH = 0x200000;
    private static final int O_WRONLY = 1, O_CREAT = 0100, O_APPEND = 02000;
    private static final long DEFAULT_PROPAGATION = MountFlags.MS_SLAVE | MountFlags.MS_REC;

    /** A cgroup hierarchy to make visible inside the container at a {@code cgroup} mount. */
    record CgroupView(String name, String fsType, String fsOptions, Path hostDir) {}

    /** Everything besides config.json that the plan depends on. */
    record Inputs(RuntimeSpec spec, Path bundle, Path rootfs, Path stateDir, boolean noPivot,
                  List<CgroupView> cgroupViews, Path consoleSocket, boolean noNewKeyring) {}

    private final Inputs in;
    private final RuntimeSpec spec;
    private final Plan.Builder plan = new Plan.Builder();
    /** A new user namespace that does not own the network namespace: sysfs cannot be mounted. */
    private boolean sysfsNeedsBind;
    /** No mount namespace of the container's own: its mounts are made in the host's mount table. */
    private boolean hostMountNs;
    private final IdmappedMounts idmapped;

    private InitPlanner(Inputs in) {
        this.in = in;
        this.spec = in.spec();
        this.idmapped = IdmappedMounts.of(spec, in.bundle());
    }

    static Plan plan(Inputs in) {
        return new InitPlanner(in).build();
    }

    private Plan build() {
        checkWithoutMountNamespace(spec);
        List<LinuxNamespace> nss = spec.linuxOrEmpty().namespaces();
        long cloneFlags = 0;
        boolean newUser = false, newCgroup = false, newTime = false, hasMountNs = false;
        for (LinuxNamespace ns : nss) {
            Namespace n = Namespace.bySpecName(ns.type().spec());
            if (n == Namespace.MOUNT) hasMountNs = true;
            if (ns.path() != null && !ns.path().isEmpty()) continue;
            switch (n) {
                case USER -> newUser = true;
                case CGROUP -> newCgroup = true;
                case TIME -> newTime = true;
                default -> cloneFlags |= n.cloneFlag();
            }
        }
        if (newUser) cloneFlags |= Namespace.USER.cloneFlag();
        hostMountNs = !hasMountNs;
        // The kernel lets only the owner of the network namespace mount sysfs (runc and crun bind /sys then).
        sysfsNeedsBind = newUser && (cloneFlags & Namespace.NETWORK.cloneFlag()) == 0;

        // --- In the caller's context, before the clone ------------------------------------
        plan.add(new Step.Open(SLOT_STATE_DIR, O_PATH | O_DIRECTORY, in.stateDir().toString()),
                "the state directory holds the socket on which the created container waits for `start`");
        plan.add(new Step.Listen(SLOT_LISTEN, SLOT_STATE_DIR, StartBarrier.SOCKET, in.stateDir().toString()),
                "create→start barrier: the init blocks on this socket until `burk start` connects");
        plan.add(new Step.Close(SLOT_STATE_DIR), "no host directory stays open in the container");
        if (spec.process().terminal()) {
            Path sock = in.consoleSocket().toAbsolutePath();
            plan.add(new Step.Open(SLOT_CONSOLE_DIR, O_PATH | O_DIRECTORY, sock.getParent().toString()),
                    "the console socket's directory, so a long path still fits a socket address");
            plan.add(new Step.Connect(SLOT_CONSOLE, SLOT_CONSOLE_DIR, sock.getFileName().toString()),
                    "--console-socket: connected from the host, before the container's namespaces hide it");
            plan.add(new Step.Close(SLOT_CONSOLE_DIR), "no host directory stays open in the container");
        }
        planHookOutput();
        if (hasMountNs && !idmapped.isEmpty()) {
            // With the caller's privileges: before a joined user namespace or the clone takes them.
            idmapped.planPreparation(plan, IdmappedMounts.treePropagation(rootfsPropagationFlags()));
        }
        joinNamespacesByPath(nss);
        if (newTime) {
            plan.add(new Step.Unshare(Namespace.TIME.cloneFlag()),
                    "time namespace: the container gets its own CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets");
            for (Map.Entry<String, TimeOffset> e : spec.linuxOrEmpty().timeOffsets().entrySet()) {
                String line = e.getKey() + " " + e.getValue().secs() + " " + e.getValue().nanosecs() + "\n";
                plan.add(new Step.WriteFile(Step.NO_SLOT, "/proc/self/timens_offsets",
                        line.getBytes(StandardCharsets.UTF_8)),
                        "offsets must be set before the first process enters the new time namespace");
            }
        }
        plan.add(new Step.Clone(cloneFlags),
                "CLONE_NEW* flags give the init its own view: PID 1 of a new PID namespace, a private mount table, "
                        + "its own hostname (the seed's clone() call)");

        // --- In the container init ---------------------------------------------------------
        if (newUser) {
            plan.add(new Step.Prctl(Step.Prctl.PR_SET_DUMPABLE, 1, "PR_SET_DUMPABLE 1"),
                    "a non-dumpable process's /proc/<pid>/uid_map belongs to root: an unprivileged runtime could not"
                            + " write it; nothing else runs in the new namespaces yet");
        }
        plan.add(new Step.Sync(newUser ? "write uid/gid maps and place the init in its cgroup"
                        : "place the init in its cgroup"),
                "resource limits must hold before the container runs anything" + (newUser
                        ? "; id maps must exist before the init acts as root in its user namespace" : ""));
        planHookStates();
        if (newUser) {
            plan.add(new Step.Prctl(Step.Prctl.PR_SET_DUMPABLE, 0, "PR_SET_DUMPABLE 0"),
                    "non-dumpable again before the container's files are touched: nothing in the container may open"
                            + " /proc/<init>/exe, fd or mem (runc CVE-2016-9962)");
        }
        if (newUser) {
            plan.add(new Step.SetResGid(0), "become root of the new user namespace (mapped by the runtime)");
            plan.add(new Step.SetResUid(0), "become root of the new user namespace (mapped by the runtime)");
        }
        if (newCgroup) {
            plan.add(new Step.Unshare(Namespace.CGROUP.cloneFlag()),
                    "cgroup namespace, made after joining the cgroup so the container sees its own cgroup as /");
        }
        if (hasMountNs) {
            planRootfs(newUser);
        } else {
            planRootfsInHostNamespace();
        }
        if (spec.hostname() != null) {
            plan.add(new Step.SetHostname(spec.hostname()), "UTS namespace: the container's own hostname");
        }
        if (spec.domainname() != null) {
            plan.add(new Step.SetDomainname(spec.domainname()), "UTS namespace: the container's own domain name");
        }
        if (!in.noNewKeyring()) {
            plan.add(new Step.JoinKeyring("_ses." + in.stateDir().getFileName()),
                    "a session keyring of the container's own: keys of the caller are not shared");
        }
        var persona = spec.linuxOrEmpty().personality();
        if (persona != null && persona.domain() != null) {
            plan.add(new Step.Personality(persona.domain() == burk.spec.PersonalityDomain.LINUX32 ? 0x0008 : 0),
                    "linux.personality: " + persona.domain().spec());
        }
        // After the sysctls, as runc does: engines list /proc/sys in readonlyPaths and still set
        // sysctls (Docker: net.ipv4.ip_unprivileged_port_start for every container).
        planReadonlyPaths();
        if (hasMountNs) planFinalRootPropagation();
        ProcessPlanner.addMemoryPolicy(plan, spec);
        ProcessPlanner.addProcessSteps(plan, spec.process(), ProcessPlanner.compileSeccomp(spec), newUser, SLOT_LISTEN,
                this::planStartHooks);
        return plan.build();
    }

    private void joinNamespacesByPath(List<LinuxNamespace> nss) {
        int slot = SLOT_NS_BASE;
        List<Step.SetNs> joins = new ArrayList<>();
        for (Namespace order : Namespace.values()) {
            for (LinuxNamespace ns : nss) {
                if (ns.path() == null || ns.path().isEmpty()) continue;
                Namespace n = Namespace.bySpecName(ns.type().spec());
                if (n != order) continue;
                plan.add(new Step.Open(slot, O_RDONLY, ns.path()), "the " + n.specName() + " namespace to join");
                joins.add(new Step.SetNs(slot, n, ns.path()));
                slot++;
            }
        }
        for (Step.SetNs j : joins) {
            plan.add(j, j.ns() == Namespace.USER ? "join the user namespace first: it grants the rights to join the others"
                    : j.ns() == Namespace.PID ? "joining a PID namespace takes effect for the child cloned next"
                    : "share this namespace with an existing one, as linux.namespaces says");
            plan.add(new Step.Close(j.slot()), "no namespace fd stays open in the container");
        }
    }

    private void planRootfs(boolean newUser) {
        String rootfs = in.rootfs().toString();
        long propFlags = rootfsPropagationFlags();
        // An unbindable / cannot be bound: the rootfs's rbind below would fail (EINVAL). So the
        // container's mounts start as slaves, and / becomes unbindable after the pivot.
        boolean unbindable = (propFlags & MountFlags.MS_UNBINDABLE) != 0;
        plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE,
                unbindable ? MountFlags.MS_SLAVE | MountFlags.MS_REC : propFlags, null, "/", null, null),
                "mount namespace: keep the container's mounts from propagating back to the host");
        plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_BIND | MountFlags.MS_REC,
                rootfs, rootfs, null, null), "pivot_root needs the new root to be a mount point");
        if ((propFlags & MountFlags.MS_SHARED) != 0) {
            // pivot_root refuses a new root whose parent mount is shared (pivot_root(2)).
            plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_PRIVATE, null,
                    mountPointOf(in.rootfs()), null, null),
                    "rootfsPropagation is shared, but pivot_root needs the rootfs's parent mount private");
            plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_PRIVATE, null, rootfs, null, null),
                    "pivot_root also refuses a shared new root; / is made shared again after the pivot");
        }
        openRootfs();
        planContainerMounts(newUser);
        if (in.noPivot()) {
            plan.add(new Step.Chroot(SLOT_ROOTFS, rootfs, true), "--no-pivot: move the rootfs to / and chroot into it");
        } else {
            plan.add(new Step.PivotRoot(SLOT_ROOTFS, rootfs),
                    "the seed's chroot, done properly: the old root is detached so nothing of the host stays reachable");
        }
        plan.add(new Step.Close(SLOT_ROOTFS), "no directory fd stays open while the container's paths are used");
        planInsideRootfs();
        planTerminalAndReadonlyRoot();
    }

    /**
     * No mount namespace in linux.namespaces: the runtime-spec says the container inherits the
     * runtime's, so its mounts are made in the host's mount table. They all go under one rbind of
     * the rootfs onto itself, made private so nothing propagates to (or from) the rest of the host,
     * and `delete` detaches that one mount with everything under it (runc leaves them all mounted).
     * The propagation of the host's "/" is never touched, and there is no pivot_root: a plain
     * chroot, as runc does.
     */
    private void planRootfsInHostNamespace() {
        String rootfs = in.rootfs().toString();
        plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_BIND | MountFlags.MS_REC,
                rootfs, rootfs, null, null), "no mount namespace: every mount of the container goes under this one "
                + "bind of the rootfs, which delete detaches with all of them");
        plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_PRIVATE | MountFlags.MS_REC, null,
                rootfs, null, null), "the container's mounts must not propagate to the host's other mounts; this "
                + "changes the new bind (and its copies) only, never the host's /");
        openRootfs();
        planContainerMounts(false);
        plan.add(new Step.Chroot(SLOT_ROOTFS, rootfs, false),
                "no mount namespace: a plain chroot; pivot_root or a move onto / would change the host's root");
        plan.add(new Step.Close(SLOT_ROOTFS), "no directory fd stays open while the container's paths are used");
        planInsideRootfs();
        planTerminalAndReadonlyRoot();
    }

    /**
     * What burk cannot do in the host's mount namespace, refused by field: a config without a mount
     * namespace that asks for one of these would otherwise change the host or fail half-way.
     */
    static void checkWithoutMountNamespace(RuntimeSpec spec) {
        var linux = spec.linuxOrEmpty();
        if (linux.namespace(burk.spec.NamespaceType.MOUNT) != null) return;
        String prop = linux.rootfsPropagation();
        if (prop != null && !prop.isEmpty()) {
            throw new IllegalArgumentException("linux.rootfsPropagation: set, but there is no mount namespace in"
                    + " linux.namespaces: the container's mounts would be made in the host's mount namespace, whose"
                    + " propagation burk does not change");
        }
        LinuxNamespace user = linux.namespace(burk.spec.NamespaceType.USER);
        if (user != null) {
            // The host's mount namespace belongs to the initial user namespace: the init could mount nothing.
            throw new IllegalArgumentException("linux.namespaces[" + linux.namespaces().indexOf(user) + "]: a user"
                    + " namespace needs a mount namespace in linux.namespaces too (the host's mount namespace"
                    + " belongs to the host's user namespace, where the container could not mount its rootfs)");
        }
        for (int i = 0; i < spec.mounts().size(); i++) {
            Mount m = spec.mounts().get(i);
            if (IdmappedMounts.wanted(m, MountOptions.parse(m.options()))) {
                throw new IllegalArgumentException("mounts[" + i + "]: an id-mapped mount needs a mount namespace in"
                        + " linux.namespaces");
            }
        }
    }

    private void openRootfs() {
        plan.add(new Step.Open(SLOT_ROOTFS, O_PATH | O_DIRECTORY, in.rootfs().toString()),
                "every later path is resolved inside this directory and cannot escape it through a symlink");
    }

    /** mounts, devices, maskedPaths and createContainer hooks: everything done before the root changes. */
    private void planContainerMounts(boolean newUser) {
        boolean devMounted = false, devBound = false;
        List<Mount> mounts = spec.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            if ("/dev".equals(clean(m.destination()))) {
                devMounted = true;
                MountOptions o = MountOptions.parse(m.options());
                devBound = o.bind() || "bind".equals(m.type());
            }
            planMount(m, i);
        }
        if (!devBound) planDevices(newUser, devMounted);
        for (String p : spec.linuxOrEmpty().maskedPaths()) {
            plan.addIgnoringMissing(new Step.Mask(SLOT_ROOTFS, p, "/dev/null"),
                    "linux.maskedPaths: hide this host kernel interface from the container");
        }
        planCreateHooks();
    }

    /** The steps right after the root changed: process.cwd and the sysctls. */
    private void planInsideRootfs() {
        plan.add(new Step.Mkdirs(Step.NO_SLOT, spec.process().cwd(), "cwd"),
                "process.cwd exists even when the image lacks it, as runc makes it (engines rely on it)");
        planSysctl();
    }

    private void planTerminalAndReadonlyRoot() {
        if (spec.process().terminal()) planTerminal();
        if (spec.root() != null && spec.root().readonly()) {
            plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE,
                    MountFlags.MS_BIND | MountFlags.MS_REMOUNT | MountFlags.MS_RDONLY, null, "/", null, null),
                    "root.readonly: the container cannot write to its root filesystem");
        }
    }

    /**
     * A shared or unbindable rootfsPropagation is given to / only now: pivot_root refuses a
     * shared new root, and nothing can be bound from an unbindable one (the rootfs's rbind, the
     * readonly paths' binds).
     */
    private void planFinalRootPropagation() {
        long propFlags = rootfsPropagationFlags();
        if ((propFlags & (MountFlags.MS_SHARED | MountFlags.MS_UNBINDABLE)) != 0) {
            plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, propFlags, null, "/", null, null),
                    "linux.rootfsPropagation: " + spec.linuxOrEmpty().rootfsPropagation());
        }
    }

    private long rootfsPropagationFlags() {
        String prop = spec.linuxOrEmpty().rootfsPropagation();
        return prop == null || prop.isEmpty() ? DEFAULT_PROPAGATION : propagationFlags(prop);
    }

    private void planReadonlyPaths() {
        for (String p : spec.linuxOrEmpty().readonlyPaths()) {
            plan.addIgnoringMissing(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE,
                    MountFlags.MS_BIND | MountFlags.MS_REC, p, p, null, null),
                    "linux.readonlyPaths: bind the path onto itself so it can be made read-only");
            plan.addIgnoringMissing(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE,
                    MountFlags.MS_BIND | MountFlags.MS_REMOUNT | MountFlags.MS_RDONLY | MountFlags.MS_NOSUID
                            | MountFlags.MS_NODEV | MountFlags.MS_NOEXEC, null, p, null, null),
                    "linux.readonlyPaths: the container can read but not write it");
        }
    }

    /** linux.sysctl, before readonlyPaths makes /proc/sys read-only (as runc orders it). */
    private void planSysctl() {
        for (Map.Entry<String, String> e : spec.linuxOrEmpty().sysctl().entrySet()) {
            plan.add(new Step.WriteProc("/proc", "sys/" + e.getKey().replace('.', '/'),
                    e.getValue().getBytes(StandardCharsets.UTF_8)),
                    "linux.sysctl, in the container's namespaces; only a real procfs file is written (runc CVE-2025-52881)");
        }
    }

    private void planTerminal() {
        plan.add(new Step.OpenPty(SLOT_PTY_MASTER, Step.NO_SLOT),
                "process.terminal: a pty from the container's own devpts becomes its controlling terminal and stdio");
        var size = spec.process().consoleSize();
        if (size != null) {
            plan.add(new Step.SetWinsize(SLOT_PTY_MASTER, (int) size.height(), (int) size.width()),
                    "process.consoleSize");
        }
        // runtime-spec: with a terminal, /dev/console is the pty. The source is the pty itself (fd 0
        // now), never a /dev/pts path, and /dev/console must not be a symlink (runc CVE-2025-52565).
        plan.add(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_FILE, MountFlags.MS_BIND, "/proc/self/fd/0", "/dev/console",
                null, null), PlanStep.NOFOLLOW, "runtime-spec: /dev/console is the container's terminal");
        plan.add(new Step.SendFd(SLOT_CONSOLE, SLOT_PTY_MASTER, "/dev/ptmx"),
                "the terminal's master goes to whoever manages it (the engine's console socket)");
        plan.add(new Step.Close(SLOT_PTY_MASTER), "the container keeps only its side of the terminal");
        plan.add(new Step.Close(SLOT_CONSOLE), "the console socket is not the container's");
    }

    private void planMount(Mount m, int i) {
        String field = "mounts[" + i + "]";
        String dest = clean(m.destination());
        MountOptions o = MountOptions.parse(m.options());
        boolean bind = o.bind() || "bind".equals(m.type()) || "rbind".equals(m.type());
        if ("cgroup".equals(m.type()) || "cgroup2".equals(m.type())) {
            planCgroupMount(dest, o);
            return;
        }
        if (!bind && "sysfs".equals(m.type()) && sysfsNeedsBind) {
            // The host's /sys, recursively, with the mount's own flags: what runc and crun do for a
            // user namespace without its own network namespace.
            m = new Mount(m.destination(), "bind", "/sys", withRbind(m.options()));
            o = MountOptions.parse(m.options());
            bind = true;
        }
        if (bind) {
            Path src = bindSource(m, in.bundle(), field);
            int mk = Files.isDirectory(src) ? Step.Mount.MK_DIR : Step.Mount.MK_FILE;
            long flags = MountFlags.MS_BIND | (o.recursiveBind() || "rbind".equals(m.type()) ? MountFlags.MS_REC : 0);
            IdmappedMounts.Idmapped idm = idmapped.at(i);
            if (idm != null) {
                IdmappedMounts.planAttach(plan, idm, SLOT_ROOTFS, mk, dest);
            } else {
                plan.add(new Step.Mount(SLOT_ROOTFS, mk, flags, src.toString(), dest, null, null),
                        "mounts[" + i + "]: share a host path with the container");
                keepFromHost(dest, flags & MountFlags.MS_REC);
            }
            long rest = o.flags() & ~MountFlags.MS_REMOUNT;
            if (rest != 0) {
                // A bind mount ignores per-mount flags on creation; they only take hold on a remount.
                plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_NONE,
                        MountFlags.MS_BIND | MountFlags.MS_REMOUNT | rest, null, dest, null, null),
                        "mounts[" + i + "]: apply " + MountFlags.describe(rest) + " to the bind mount");
                long attrs = mountAttrs(rest);
                if ((flags & MountFlags.MS_REC) != 0 && attrs != 0) {
                    plan.add(new Step.MountSetattr(SLOT_ROOTFS, true, attrs, 0, 0, dest, MountFlags.describe(rest)),
                            "mounts[" + i + "]: the mounts under a recursive bind get the same restrictions: a read-only"
                                    + " /sys must not keep a writable /sys/fs/cgroup under it (runc CVE-2023-25809)");
                }
            }
        } else {
            String type = m.type();
            if (type == null || type.isEmpty()) {
                throw new IllegalArgumentException(field + ".type: required for a mount that is not a bind mount");
            }
            String data = o.data().isEmpty() ? null : o.data();
            // proc and sysfs must not be mounted through a symlink the image placed (runc CVE-2019-16884, -19921)
            boolean kernelFs = "proc".equals(type) || "sysfs".equals(type);
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_DIR, o.flags(), m.source() == null ? type : m.source(),
                    dest, type, data), kernelFs ? PlanStep.NOFOLLOW : 0, why(type, i));
        }
        if (o.hasRecursiveAttrs()) {
            plan.add(new Step.MountSetattr(SLOT_ROOTFS, true, o.attrSet(), o.attrClr(), 0, dest, o.recursiveNames()),
                    "mounts[" + i + "]: recursive options apply to every mount under " + dest + " (mount_setattr)");
        }
        if (o.propagation() != 0) {
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_NONE, o.propagation(), null, dest, null, null),
                    "mounts[" + i + "]: propagation as the options say");
        }
    }

    /**
     * In the host's mount namespace only: a bind of a shared host mount is that mount's peer, and
     * what is mounted under it later (a mounts[] entry deeper down, a mask) would appear at its
     * source on the host. As a slave it still receives the host's mounts, the rslave a container
     * with a mount namespace gets by default, but sends nothing back.
     */
    private void keepFromHost(String dest, long rec) {
        if (!hostMountNs) return;
        plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_NONE, MountFlags.MS_SLAVE | rec, null, dest, null, null),
                "no mount namespace: mounts under " + dest + " must not propagate to its source on the host");
    }

    /** A bind mount's source: absolute, relative paths taken from the bundle, and existing. */
    static Path bindSource(Mount m, Path bundle, String field) {
        Path src = Path.of(m.source() == null ? "" : m.source());
        if (!src.isAbsolute()) src = bundle.resolve(src);
        if (!Files.exists(src)) {
            throw new IllegalArgumentException(field + ".source: " + src + " does not exist");
        }
        return src;
    }

    private static List<String> withRbind(List<String> options) {
        List<String> out = new ArrayList<>(options);
        out.removeIf(o -> o.equals("bind") || o.equals("rbind"));
        out.add("rbind");
        return out;
    }

    /** The mount_setattr(2) attributes of a bind remount's flags. */
    private static long mountAttrs(long flags) {
        long a = 0;
        if ((flags & MountFlags.MS_RDONLY) != 0) a |= Step.MountSetattr.MOUNT_ATTR_RDONLY;
        if ((flags & MountFlags.MS_NOSUID) != 0) a |= Step.MountSetattr.MOUNT_ATTR_NOSUID;
        if ((flags & MountFlags.MS_NODEV) != 0) a |= Step.MountSetattr.MOUNT_ATTR_NODEV;
        if ((flags & MountFlags.MS_NOEXEC) != 0) a |= Step.MountSetattr.MOUNT_ATTR_NOEXEC;
        return a;
    }

    private static String why(String type, int i) {
        return switch (type) {
            case "proc" -> "a private /proc: ps inside sees only the container's PID namespace (the seed's mount proc)";
            case "sysfs" -> "the kernel's /sys, as the container's network namespace shows it";
            case "devpts" -> "a private devpts instance: the container's terminals are its own";
            case "mqueue" -> "POSIX message queues of the container's IPC namespace";
            case "tmpfs" -> "an in-memory filesystem private to the container";
            default -> "mounts[" + i + "]";
        };
    }

    private void planCgroupMount(String dest, MountOptions o) {
        long ro = o.flags() & MountFlags.MS_RDONLY;
        long base = MountFlags.MS_NOSUID | MountFlags.MS_NODEV | MountFlags.MS_NOEXEC;
        List<CgroupView> views = in.cgroupViews();
        if (views.size() == 1 && "cgroup2".equals(views.get(0).fsType())) {
            CgroupView v = views.get(0);
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_DIR, MountFlags.MS_BIND | MountFlags.MS_REC,
                    v.hostDir().toString(), dest, null, null), "the container's own cgroup at " + dest);
            keepFromHost(dest, MountFlags.MS_REC);
            if (ro != 0) {
                plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_NONE,
                        MountFlags.MS_BIND | MountFlags.MS_REMOUNT | base | ro, null, dest, null, null),
                        "the cgroup mount is read-only: the container cannot change its own limits");
            }
            return;
        }
        plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_DIR, base, "tmpfs", dest, "tmpfs", "mode=755"),
                "cgroup v1: a tmpfs holds one directory per hierarchy");
        for (CgroupView v : views) {
            String target = dest + "/" + v.name();
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_DIR, MountFlags.MS_BIND | MountFlags.MS_REC,
                    v.hostDir().toString(), target, null, null),
                    "the container's own " + v.name() + " cgroup, not the host's hierarchy");
            keepFromHost(target, MountFlags.MS_REC);
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_NONE,
                    MountFlags.MS_BIND | MountFlags.MS_REMOUNT | base | ro, null, target, null, null),
                    ro != 0 ? "read-only: the container cannot change its own limits" : "nosuid,nodev,noexec");
        }
        if (ro != 0) {
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_NONE, MountFlags.MS_REMOUNT | base | ro,
                    "tmpfs", dest, "tmpfs", null), "the cgroup tmpfs is read-only too");
        }
    }

    private record DefaultDevice(String path, long major, long minor) {}

    private static final List<DefaultDevice> DEFAULT_DEVICES = List.of(
            new DefaultDevice("/dev/null", 1, 3), new DefaultDevice("/dev/zero", 1, 5),
            new DefaultDevice("/dev/full", 1, 7), new DefaultDevice("/dev/random", 1, 8),
            new DefaultDevice("/dev/urandom", 1, 9), new DefaultDevice("/dev/tty", 5, 0));

    private void planDevices(boolean newUser, boolean devMounted) {
        List<LinuxDevice> devices = spec.linuxOrEmpty().devices();
        List<String> given = new ArrayList<>();
        for (LinuxDevice d : devices) given.add(clean(d.path()));
        for (DefaultDevice d : DEFAULT_DEVICES) {
            if (given.contains(d.path())) continue;
            device(newUser, d.path(), 0020666, d.major(), d.minor(), 0, 0,
                    "runtime-spec default device " + d.path());
        }
        for (LinuxDevice d : devices) {
            int type = switch (d.type()) {
                case "b" -> 0060000;
                case "p" -> 0010000;
                default -> 0020000;
            };
            int perm = d.fileMode() == null ? 0666 : (int) (d.fileMode() & 07777);
            device(newUser, clean(d.path()), type | perm, d.major() == null ? 0 : d.major(),
                    d.minor() == null ? 0 : d.minor(), d.uid() == null ? 0 : d.uid().intValue(),
                    d.gid() == null ? 0 : d.gid().intValue(), "linux.devices: " + d.path());
        }
        if (!devMounted && devices.isEmpty()) return;
        String[][] links = {{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
                {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"}, {"pts/ptmx", "/dev/ptmx"}};
        for (String[] l : links) {
            plan.add(new Step.Symlink(SLOT_ROOTFS, l[0], l[1]), "runtime-spec: " + l[1] + " must exist");
        }
    }

    private void device(boolean newUser, String path, int mode, long major, long minor, int uid, int gid, String why) {
        if (newUser) {
            // mknod is refused in a user namespace; the host's node is bound instead, as runc does.
            plan.add(new Step.Mount(SLOT_ROOTFS, Step.Mount.MK_FILE, MountFlags.MS_BIND, path, path, null, null),
                    why + " (bound from the host: mknod is not allowed in a user namespace)");
        } else {
            plan.add(new Step.MkNod(SLOT_ROOTFS, mode, Step.MkNod.makedev(major, minor), uid, gid, path), why);
        }
    }

    // --- hooks (LifecycleHooks says which runs where) ------------------------------------------

    private burk.spec.Hooks hooks() {
        return LifecycleHooks.of(spec);
    }

    private void planHookOutput() {
        if (!LifecycleHooks.any(hooks().createContainer(), hooks().startContainer())) return;
        plan.add(new Step.Open(SLOT_HOOK_OUT, O_WRONLY | O_CREAT | O_APPEND,
                in.stateDir().resolve(LifecycleHooks.OUTPUT).toString()),
                "the container's hooks write their output here, for the error message if one fails");
    }

    private void planHookStates() {
        // The state carries the init's pid, known only now: the runtime sends it over the sync socket.
        int max = LifecycleHooks.maxStateSize(spec, in.stateDir().getFileName().toString(), in.bundle());
        if (!hooks().createContainer().isEmpty()) {
            plan.add(new Step.RecvData(LifecycleHooks.BUF_CREATING, max, "the container state (creating)"),
                    "the createContainer hooks read the container state on stdin");
        }
        if (!hooks().startContainer().isEmpty()) {
            plan.add(new Step.RecvData(LifecycleHooks.BUF_CREATED, max, "the container state (created)"),
                    "the startContainer hooks read the container state on stdin; `start` has no channel to send it");
        }
    }

    private void planCreateHooks() {
        if (LifecycleHooks.any(hooks().prestart(), hooks().createRuntime())) {
            plan.add(new Step.HookSync(), "hooks.prestart and hooks.createRuntime run in the runtime's namespaces "
                    + "after the mounts and before pivot_root");
        }
        if (hooks().createContainer().isEmpty()) return;
        plan.add(new Step.Chdir(in.rootfs().toString()), "the createContainer hooks start in the rootfs, as with runc");
        for (Step.RunHook h : LifecycleHooks.steps("createContainer", hooks().createContainer(),
                LifecycleHooks.BUF_CREATING, SLOT_HOOK_OUT)) {
            plan.add(h, "hooks.createContainer: in the container's namespaces, before pivot_root (the path is the host's)");
        }
    }

    private void planStartHooks(Plan.Builder unused) {
        for (Step.RunHook h : LifecycleHooks.steps("startContainer", hooks().startContainer(),
                LifecycleHooks.BUF_CREATED, SLOT_HOOK_OUT)) {
            plan.add(h, "hooks.startContainer: in the container, after `start`, just before the process runs");
        }
        if (LifecycleHooks.any(hooks().createContainer(), hooks().startContainer())) {
            plan.add(new Step.Close(SLOT_HOOK_OUT), "the hook output file is the runtime's, not the container's");
        }
    }

    static long propagationFlags(String p) {
        return switch (p) {
            case "private" -> MountFlags.MS_PRIVATE;
            case "rprivate" -> MountFlags.MS_PRIVATE | MountFlags.MS_REC;
            case "shared" -> MountFlags.MS_SHARED;
            case "rshared" -> MountFlags.MS_SHARED | MountFlags.MS_REC;
            case "slave" -> MountFlags.MS_SLAVE;
            case "rslave" -> MountFlags.MS_SLAVE | MountFlags.MS_REC;
            case "unbindable" -> MountFlags.MS_UNBINDABLE;
            case "runbindable" -> MountFlags.MS_UNBINDABLE | MountFlags.MS_REC;
            default -> throw new IllegalArgumentException("linux.rootfsPropagation: unknown propagation \"" + p + "\"");
        };
    }

    /** The mount point (in this process's mount table) of the mount that holds {@code dir}. */
    static String mountPointOf(Path dir) {
        String best = "/";
        String d = dir.toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mp = line.split(" ")[4];
                boolean under = d.equals(mp) || d.startsWith(mp.endsWith("/") ? mp : mp + "/");
                if (under && mp.length() > best.length()) best = mp;
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("read /proc/self/mountinfo: " + e.getMessage(), e);
        }
        return best;
    }

    /** A container path without trailing or doubled slashes; validation made sure it is absolute. */
    static String clean(String p) {
        return Path.of(p).normalize().toString();
    }

}
