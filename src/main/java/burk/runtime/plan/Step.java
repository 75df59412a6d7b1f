package burk.runtime.plan;

import java.util.List;

/**
 * One step of an init plan, as docs/plan-format.md defines it. Each record knows its op number,
 * how to encode its payload, and how to say what it does in words ({@link #action()}), which is
 * both the {@code --explain} line and the prefix of the error if the step fails.
 */
public sealed interface Step {
    int op();

    void encode(PlanWriter w);

    /** What the step does, e.g. {@code mount proc on /proc}. */
    String action();

    /** The slot meaning "no slot": a plain path or AT_FDCWD. */
    int NO_SLOT = -1;

    record Open(int slot, int oflags, String path) implements Step {
        public int op() { return 1; }
        public void encode(PlanWriter w) { w.i32(slot).u32(oflags).str(path); }
        public String action() { return "open " + path; }
    }

    record OpenInRoot(int slot, int root, int oflags, String path) implements Step {
        public int op() { return 2; }
        public void encode(PlanWriter w) { w.i32(slot).i32(root).u32(oflags).str(path); }
        public String action() { return "open " + path + " inside the rootfs"; }
    }

    record SetNs(int slot, Namespace ns, String path) implements Step {
        public int op() { return 3; }
        public void encode(PlanWriter w) { w.i32(slot).u32(ns.cloneFlag()); }
        public String action() { return "join " + ns.specName() + " namespace " + path; }
    }

    record Unshare(long flags) implements Step {
        public int op() { return 4; }
        public void encode(PlanWriter w) { w.u32(flags); }
        public String action() { return "unshare " + Namespace.describeFlags(flags); }
    }

    record Clone(long flags) implements Step {
        public int op() { return 5; }
        public void encode(PlanWriter w) { w.u64(flags); }
        public String action() {
            return flags == 0 ? "fork the process" : "clone the container init into new " + Namespace.describeFlags(flags);
        }
    }

    record Sync(String waitingFor) implements Step {
        public int op() { return 6; }
        public void encode(PlanWriter w) {}
        public String action() { return "wait for the runtime to " + waitingFor; }
    }

    record WriteFile(int dir, String path, byte[] data) implements Step {
        public int op() { return 7; }
        public void encode(PlanWriter w) { w.i32(dir).str(path).bytes(data); }
        public String action() {
            return "write " + new String(data, java.nio.charset.StandardCharsets.UTF_8).strip() + " to " + path;
        }
    }

    /** {@code mk}: 0 nothing, 1 create the target directory, 2 create the target as a file. */
    record Mount(int root, int mk, long flags, String source, String target, String fstype, String data)
            implements Step {
        public static final int MK_NONE = 0, MK_DIR = 1, MK_FILE = 2;
        public int op() { return 8; }
        public void encode(PlanWriter w) {
            w.i32(root).u32(mk).u64(flags).str(source).str(target).str(fstype).str(data);
        }
        public String action() {
            if ((flags & MountFlags.MS_REMOUNT) != 0) {
                return "remount " + target + " " + MountFlags.describe(flags);
            }
            if ((flags & MountFlags.PROPAGATION) != 0 && (flags & MountFlags.MS_BIND) == 0 && fstype == null) {
                return "set propagation of " + target + " to " + MountFlags.describe(flags);
            }
            String what = (flags & MountFlags.MS_BIND) != 0
                    ? ((flags & MountFlags.MS_REC) != 0 ? "rbind " : "bind ") + source
                    : (fstype == null ? source : fstype);
            String opts = MountFlags.describe(flags & ~(MountFlags.MS_BIND | MountFlags.MS_REC));
            if (data != null && !data.isEmpty()) opts = opts.isEmpty() ? data : opts + "," + data;
            return "mount " + what + " on " + target + (opts.isEmpty() ? "" : " (" + opts + ")");
        }
    }

    record MkNod(int root, int mode, long dev, int uid, int gid, String path) implements Step {
        public int op() { return 9; }
        public void encode(PlanWriter w) { w.i32(root).u32(mode).u64(dev).u32(uid).u32(gid).str(path); }
        public String action() {
            char t = (mode & 0170000) == 0020000 ? 'c' : (mode & 0170000) == 0060000 ? 'b' : 'p';
            return "mknod " + path + " " + t + " " + major(dev) + ":" + minor(dev);
        }
        public static long makedev(long major, long minor) {
            return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                    | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        }
        static long major(long dev) { return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL); }
        static long minor(long dev) { return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL); }
    }

    record Symlink(int root, String target, String linkPath) implements Step {
        public int op() { return 10; }
        public void encode(PlanWriter w) { w.i32(root).str(target).str(linkPath); }
        public String action() { return "symlink " + linkPath + " -> " + target; }
    }

    record PivotRoot(int root, String rootPath) implements Step {
        public int op() { return 11; }
        public void encode(PlanWriter w) { w.i32(root); }
        public String action() { return "pivot_root into " + rootPath; }
    }

    /**
     * {@code moveToRoot}: the rootfs is moved onto "/" before the chroot (--no-pivot in the
     * container's own mount namespace); without it a plain chroot (the host's mount namespace,
     * whose "/" must never be covered).
     */
    record Chroot(int root, String rootPath, boolean moveToRoot) implements Step {
        public int op() { return 12; }
        public void encode(PlanWriter w) { w.i32(root).u32(moveToRoot ? 1 : 0); }
        public String action() {
            return (moveToRoot ? "move the rootfs to / and chroot into " : "chroot into ") + rootPath;
        }
    }

    record Mask(int root, String path, String devNull) implements Step {
        public int op() { return 13; }
        public void encode(PlanWriter w) { w.i32(root).str(path).str(devNull); }
        public String action() { return "mask " + path; }
    }

    record SetHostname(String name) implements Step {
        public int op() { return 14; }
        public void encode(PlanWriter w) { w.str(name); }
        public String action() { return "sethostname " + name; }
    }

    record SetDomainname(String name) implements Step {
        public int op() { return 15; }
        public void encode(PlanWriter w) { w.str(name); }
        public String action() { return "setdomainname " + name; }
    }

    record SetRlimit(int resource, String name, long soft, long hard) implements Step {
        public int op() { return 16; }
        public void encode(PlanWriter w) { w.u32(resource).u64(soft).u64(hard); }
        public String action() {
            return "setrlimit " + name + " soft=" + Long.toUnsignedString(soft) + " hard=" + Long.toUnsignedString(hard);
        }
    }

    record SetGroups(List<Integer> gids) implements Step {
        public int op() { return 17; }
        public void encode(PlanWriter w) {
            w.u32(gids.size());
            for (int g : gids) w.u32(g & 0xffffffffL);
        }
        public String action() { return "setgroups " + gids; }
    }

    record SetResGid(int gid) implements Step {
        public int op() { return 18; }
        public void encode(PlanWriter w) { w.u32(gid & 0xffffffffL); }
        public String action() { return "setresgid " + Integer.toUnsignedString(gid); }
    }

    record SetResUid(int uid) implements Step {
        public int op() { return 19; }
        public void encode(PlanWriter w) { w.u32(uid & 0xffffffffL); }
        public String action() { return "setresuid " + Integer.toUnsignedString(uid); }
    }

    record CapBounding(long keep, int lastCap) implements Step {
        public int op() { return 20; }
        public void encode(PlanWriter w) { w.u64(keep).u32(lastCap); }
        public String action() { return "limit the capability bounding set to " + Capabilities.names(keep); }
    }

    record CapSet(long effective, long permitted, long inheritable) implements Step {
        public int op() { return 21; }
        public void encode(PlanWriter w) { w.u64(effective).u64(permitted).u64(inheritable); }
        public String action() {
            return "capset effective=" + Capabilities.names(effective) + " permitted=" + Capabilities.names(permitted)
                    + " inheritable=" + Capabilities.names(inheritable);
        }
    }

    record CapAmbient(long raise, int lastCap) implements Step {
        public int op() { return 22; }
        public void encode(PlanWriter w) { w.u64(raise).u32(lastCap); }
        public String action() { return "set ambient capabilities " + Capabilities.names(raise); }
    }

    record Prctl(int option, long arg2, String name) implements Step {
        public static final int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8,
                PR_SET_NO_NEW_PRIVS = 38;
        public int op() { return 23; }
        public void encode(PlanWriter w) { w.u32(option).u64(arg2); }
        public String action() { return "prctl " + name; }
    }

    /**
     * seccomp(2) with {@code flags}; with {@code SECCOMP_FILTER_FLAG_NEW_LISTENER} the helper puts
     * the notify fd in slot {@link #LISTENER_SLOT}.
     */
    record Seccomp(int flags, byte[] filter) implements Step {
        /** The slot of a NEW_LISTENER filter's notify fd (the helper's last). */
        public static final int LISTENER_SLOT = 63;
        public int op() { return 24; }
        public void encode(PlanWriter w) { w.u32(flags).bytes(filter); }
        public String action() { return "install the seccomp filter (" + filter.length / 8 + " BPF instructions)"; }
    }

    record Umask(int mask) implements Step {
        public int op() { return 25; }
        public void encode(PlanWriter w) { w.u32(mask); }
        public String action() { return "umask " + String.format("%04o", mask); }
    }

    record Chdir(String path) implements Step {
        public int op() { return 26; }
        public void encode(PlanWriter w) { w.str(path); }
        public String action() { return "chdir to cwd " + path; }
    }

    record Listen(int slot, int dir, String name, String dirPath) implements Step {
        public int op() { return 27; }
        public void encode(PlanWriter w) { w.i32(slot).i32(dir).str(name); }
        public String action() { return "listen on " + dirPath + "/" + name; }
    }

    record WaitStart(int slot) implements Step {
        public int op() { return 28; }
        public void encode(PlanWriter w) { w.i32(slot); }
        public String action() { return "wait for burk start"; }
    }

    record FindExec(String program, List<String> candidates) implements Step {
        public int op() { return 29; }
        public void encode(PlanWriter w) { w.strv(candidates); }
        public String action() { return "exec: \"" + program + "\""; }
    }

    record Exec(List<String> argv, List<String> env) implements Step {
        public int op() { return 30; }
        public void encode(PlanWriter w) { w.strv(argv).strv(env); }
        public String action() { return "exec " + String.join(" ", argv); }
    }

    record SetSid() implements Step {
        public int op() { return 31; }
        public void encode(PlanWriter w) {}
        public String action() { return "setsid"; }
    }

    record Personality(int persona) implements Step {
        public int op() { return 32; }
        public void encode(PlanWriter w) { w.u32(persona); }
        public String action() { return "personality 0x" + Integer.toHexString(persona); }
    }

    record SendFd(int socketSlot, int fdSlot, String payload) implements Step {
        public int op() { return 33; }
        public void encode(PlanWriter w) { w.i32(socketSlot).i32(fdSlot).str(payload); }
        public String action() { return "send the terminal master to the console socket"; }
    }

    record OpenPty(int masterSlot, int root) implements Step {
        public int op() { return 34; }
        public void encode(PlanWriter w) { w.i32(masterSlot).i32(root); }
        public String action() { return "open a terminal in the container's /dev/pts"; }
    }

    record Close(int slot) implements Step {
        public int op() { return 35; }
        public void encode(PlanWriter w) { w.i32(slot); }
        public String action() { return "close slot " + slot; }
    }

    record Connect(int slot, int dir, String name) implements Step {
        public int op() { return 36; }
        public void encode(PlanWriter w) { w.i32(slot).i32(dir).str(name); }
        public String action() { return "connect to " + name; }
    }

    record SetWinsize(int slot, int rows, int cols) implements Step {
        public int op() { return 40; }
        public void encode(PlanWriter w) { w.i32(slot).u32(rows).u32(cols); }
        public String action() { return "set the terminal size to " + rows + "x" + cols; }
    }

    record SchedSetattr(byte[] attr, String policy) implements Step {
        public int op() { return 41; }
        public void encode(PlanWriter w) { w.bytes(attr); }
        public String action() { return "sched_setattr " + policy; }
    }

    record IoprioSet(int ioClass, int level, String name) implements Step {
        public int op() { return 42; }
        public void encode(PlanWriter w) { w.u32(ioClass).u32(level); }
        public String action() { return "ioprio_set " + name + " " + level; }
    }

    record SetAffinity(byte[] mask, String cpus) implements Step {
        public int op() { return 43; }
        public void encode(PlanWriter w) { w.bytes(mask); }
        public String action() { return "sched_setaffinity to CPUs " + cpus; }
    }

    /** mount_setattr(2): {@code recursive} applies to the whole tree under target. */
    record MountSetattr(int root, boolean recursive, long attrSet, long attrClr, long propagation, String target,
                        String options) implements Step {
        public static final long MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4,
                MOUNT_ATTR_NOEXEC = 0x8;
        public int op() { return 44; }
        public void encode(PlanWriter w) {
            w.i32(root).u32(recursive ? 1 : 0).u64(attrSet).u64(attrClr).u64(propagation).str(target);
        }
        public String action() { return "mount_setattr " + options + " on " + target; }
    }

    record JoinKeyring(String name) implements Step {
        public int op() { return 45; }
        public void encode(PlanWriter w) { w.str(name); }
        public String action() { return "join a new session keyring " + name; }
    }

    /**
     * Sync before pivot_root for the prestart and createRuntime hooks, which burk runs in the
     * runtime's namespaces while the init waits here (op 6, as {@link Sync}).
     */
    record HookSync() implements Step {
        public int op() { return 6; }
        public void encode(PlanWriter w) {}
        public String action() { return "wait for the runtime to run the prestart and createRuntime hooks"; }
    }

    /** Receive a document from the runtime into data buffer {@code buf} (at most {@code max} bytes). */
    record RecvData(int buf, int max, String what) implements Step {
        public int op() { return 48; }
        public void encode(PlanWriter w) { w.u32(buf).u32(max); }
        public String action() { return "receive " + what + " from the runtime"; }
    }

    /**
     * Run one hook: {@code path} with {@code argv} and exactly {@code env}, data buffer {@code buf}
     * on stdin, stdout and stderr into slot {@code outSlot} (or the helper's own when -1), killed
     * after {@code timeoutMs} (0: no timeout).
     *
     * @param kind  the hook list in config.json, e.g. {@code createContainer}
     * @param index the hook's index in that list
     */
    record RunHook(String kind, int index, String path, List<String> argv, List<String> env, int timeoutMs, int buf,
                   int outSlot) implements Step {
        public int op() { return 49; }
        public void encode(PlanWriter w) { w.str(path).strv(argv).strv(env).u32(timeoutMs).u32(buf).i32(outSlot); }
        public String action() { return kind + " hook #" + index + " (" + path + ")"; }
    }

    /**
     * A write that must reach a file of the proc filesystem mounted at {@code procDir} and nothing
     * else: {@code path} is relative to that procfs root and may cross no mount, no magic link.
     */
    record WriteProc(String procDir, String path, byte[] data) implements Step {
        public int op() { return 46; }
        public void encode(PlanWriter w) { w.str(procDir).str(path).bytes(data); }
        public String action() {
            return "write " + new String(data, java.nio.charset.StandardCharsets.UTF_8).strip() + " to "
                    + procDir + "/" + path;
        }
    }

    record Mkdirs(int root, String path, String why) implements Step {
        public int op() { return 47; }
        public void encode(PlanWriter w) { w.i32(root).str(path); }
        public String action() { return "mkdir -p " + path; }
    }

    /**
     * set_mempolicy(2): {@code mode} is the MPOL_* mode or'ed with its MPOL_F_* flags,
     * {@code nodemask} whole 64-bit words of node bits (empty: no nodes).
     *
     * @param policy the policy as config.json spells it, for the messages
     */
    record SetMempolicy(int mode, byte[] nodemask, String policy) implements Step {
        public int op() { return 55; }
        public void encode(PlanWriter w) { w.u32(mode).bytes(nodemask); }
        public String action() { return "set_mempolicy " + policy; }
    }

    /**
     * Hand {@code slot}'s fd to the runtime over the sync socket (an {@code FD} message), close it,
     * and wait until the runtime says go on: the seccomp notify fd, which the runtime sends on to
     * the agent at linux.seccomp.listenerPath.
     */
    record SendFdSync(int slot, String what) implements Step {
        public int op() { return 60; }
        public void encode(PlanWriter w) { w.i32(slot); }
        public String action() { return "hand " + what + " to the runtime"; }
    }

    // --- detached mount trees: id-mapped bind mounts (native/mounttree.c) ---------------------------

    /**
     * A user namespace whose maps are {@code uidMap} and {@code gidMap} (uid_map lines), into
     * {@code slot}: the mapping an id-mapped mount applies. {@code purpose} names the mounts it is for.
     */
    record UserNs(int slot, String uidMap, String gidMap, String purpose) implements Step {
        public int op() { return 50; }
        public void encode(PlanWriter w) { w.i32(slot).str(uidMap).str(gidMap); }
        public String action() {
            return purpose + ": make a user namespace with uid map " + oneLine(uidMap) + " and gid map " + oneLine(gidMap);
        }
    }

    /** open_tree(OPEN_TREE_CLONE): a detached copy of the mount (or, recursive, the mount tree) at {@code path}. */
    record OpenTree(int slot, boolean recursive, String path, String purpose) implements Step {
        public static final int OPEN_TREE_CLONE = 1, AT_RECURSIVE = 0x8000;
        public int op() { return 51; }
        public void encode(PlanWriter w) { w.i32(slot).u32(OPEN_TREE_CLONE | (recursive ? AT_RECURSIVE : 0)).str(path); }
        public String action() { return purpose + ": clone the mount" + (recursive ? " tree" : "") + " at " + path; }
    }

    /**
     * mount_setattr(2) on the detached tree in {@code slot}; {@code usernsSlot} (or -1) carries the
     * mapping when {@code attrSet} has {@link #MOUNT_ATTR_IDMAP}.
     *
     * @param source the tree's source path, for messages
     */
    record SetattrTree(int slot, boolean recursive, long attrSet, long attrClr, long propagation, int usernsSlot,
                       String source, String purpose) implements Step {
        public static final long MOUNT_ATTR_IDMAP = 0x100000;
        public int op() { return 52; }
        public void encode(PlanWriter w) {
            w.i32(slot).u32(recursive ? 1 : 0).u64(attrSet).u64(attrClr).u64(propagation).i32(usernsSlot);
        }
        public boolean idmaps() { return (attrSet & MOUNT_ATTR_IDMAP) != 0; }
        public String action() {
            String what = idmaps() ? "id-map " + (recursive ? "every mount of " : "") + "the clone of " + source
                    : "mount_setattr on the clone of " + source;
            String prop = propagation == 0 ? "" : (idmaps() ? ", " : " ") + "propagation "
                    + MountFlags.describe(propagation | (recursive ? MountFlags.MS_REC : 0));
            return purpose + ": " + what + prop;
        }
    }

    /** move_mount(2) of the detached tree in {@code fromSlot} onto {@code target}, resolved in root as MOUNT does. */
    record MoveMount(int fromSlot, int root, int mk, String source, String target, String purpose) implements Step {
        public int op() { return 53; }
        public void encode(PlanWriter w) { w.i32(fromSlot).i32(root).u32(mk).str(target); }
        public String action() { return purpose + ": attach the id-mapped " + source + " on " + target; }
    }

    private static String oneLine(String map) {
        return "\"" + map.strip().replace("\n", ", ") + "\"";
    }
}
