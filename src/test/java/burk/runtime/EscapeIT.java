package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import burk.spec.DefaultSpec;
import burk.spec.ProcessSpec;
import burk.spec.SpecCodec;
import burk.spec.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every known runc container escape, attempted against burk for real: each test shapes a rootfs,
 * a volume or a racing process the way the published exploit did, runs a container, and asserts
 * that the attack failed safely: a clear error, or no effect on the host (its files, its binaries,
 * its mount table).
 */
class EscapeIT {
    private static final Path CORE_PATTERN = Path.of("/proc/sys/kernel/core_pattern");

    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static void useRootfs(TestBundle b, Path rootfs, boolean readonly) {
        b.config.put("root", new LinkedHashMap<String, Object>(Map.of("path", rootfs.toString(), "readonly", readonly)));
    }

    private static Map<String, Object> mount(String dest, String type, String source, String... options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", dest);
        m.put("type", type);
        m.put("source", source);
        m.put("options", new ArrayList<Object>(List.of(options)));
        return m;
    }

    private static void dropMounts(TestBundle b, String... destinations) {
        List<String> gone = List.of(destinations);
        b.list(b.config, "mounts").removeIf(m -> gone.contains(((Map<?, ?>) m).get("destination")));
    }

    private static int exec(TestBundle b, ProcessSpec p, Path out) throws Exception {
        return b.exec(ExecRequest.of(b.id, p), out);
    }

    // ---- CVE-2019-5736: overwrite the runtime through /proc/self/exe -------------------------

    /** A rootfs whose ELF interpreter is the attacker's probe, and /bin/evil = "#!/proc/self/exe". */
    private static Path exeAttackRootfs(Path dir) throws Exception {
        Path rootfs = EscapeTools.copyRootfs(dir.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("lib64"));
        Path interp = rootfs.resolve("lib64/ld-linux-x86-64.so.2");
        Files.copy(EscapeTools.exeProbe(), interp);
        Files.setPosixFilePermissions(interp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path evil = rootfs.resolve("bin/evil");
        Files.writeString(evil, "#!/proc/self/exe\n");
        Files.setPosixFilePermissions(evil, PosixFilePermissions.fromString("rwxr-xr-x"));
        return rootfs;
    }

    /** What the probe reports, checked: the code ran with the helper's image and could not write it. */
    private static void assertProbeFoundASealedCopy(String out) throws Exception {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int sp = line.indexOf(' ');
            seen.put(sp < 0 ? line : line.substring(0, sp), sp < 0 ? "" : line.substring(sp + 1));
        }
        assertTrue(seen.containsKey("done"), "the probe did not finish: " + out);
        // The attacker's code really ran inside the runtime's image...
        assertTrue(seen.get("exe").contains("memfd:burk-helper"), "/proc/self/exe was not the sealed copy: " + out);
        // ...which is not the binary on disk,
        long[] disk = EscapeTools.devIno(EscapeTools.helperOnDisk());
        assertNotEquals(disk[1] + "", seen.get("dev-ino").split(" ")[1], "the probe reached the on-disk helper: " + out);
        // could not be opened for writing while it ran (ETXTBSY),
        assertEquals("26", seen.get("open-wronly"), out);
        // and through the kept fd, once the image was gone, was neither written nor truncated (sealed: EPERM).
        assertNotEquals("0", seen.getOrDefault("later-write", "no write attempted"), out);
        assertNotEquals("0", seen.getOrDefault("later-truncate", "no truncate attempted"), out);
    }

    @Test
    void cve2019_5736_procSelfExeIsASealedMemfdCopyViaRun() throws Exception {
        Path helper = EscapeTools.helperOnDisk();
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        String helperBefore = EscapeTools.sha256(helper), javaBefore = EscapeTools.sha256(java);
        try (TestBundle b = TestBundle.make("/proc/self/exe")) {
            useRootfs(b, exeAttackRootfs(b.dir), true);
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertProbeFoundASealedCopy(r.output());
            Leftovers.assertNone(b);
        }
        assertEquals(helperBefore, EscapeTools.sha256(helper), "the helper on disk changed");
        assertEquals(javaBefore, EscapeTools.sha256(java), "the java binary changed");
    }

    @Test
    void cve2019_5736_viaExecOfAShebangToProcSelfExe() throws Exception {
        Path helper = EscapeTools.helperOnDisk();
        String helperBefore = EscapeTools.sha256(helper);
        try (TestBundle b = TestBundle.make("/bin/sleep", "30")) {
            useRootfs(b, exeAttackRootfs(b.dir), true);
            b.create();
            b.runtime.start(b.id);
            for (String program : List.of("/bin/evil", "/proc/self/exe")) {
                Path out = b.dir.resolve("exec.out");
                int status = exec(b, ProcessSpec.of(List.of(program), List.of("PATH=/bin"), "/"), out);
                String o = Files.readString(out);
                assertEquals(0, status, program + ": " + o);
                assertProbeFoundASealedCopy(o);
            }
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
        assertEquals(helperBefore, EscapeTools.sha256(helper), "the helper on disk changed");
    }

    // ---- CVE-2016-9962: the runtime's process inside the container is not dumpable ----------

    @Test
    void cve2016_9962_theInitWaitingInTheContainerIsNotDumpable() throws Exception {
        for (boolean userNs : new boolean[] {false, true}) {
            try (TestBundle b = TestBundle.make("/bin/true")) {
                if (userNs) {
                    b.addNamespace("user", null);
                    Map<String, Object> map = new LinkedHashMap<>(Map.of("containerID", 0L, "hostID", 100000L, "size", 65536L));
                    b.linux().put("uidMappings", new ArrayList<Object>(List.of(map)));
                    b.linux().put("gidMappings", new ArrayList<Object>(List.of(new LinkedHashMap<>(map))));
                }
                b.create(); // the init is the helper's image now, in every namespace of the container
                Path out = b.dir.resolve("exec.out");
                // (listing /proc/1/fd is allowed to a process of the same uid; following an entry is not)
                String script = "for f in /proc/1/fd/*; do readlink $f && echo FD-OPEN; done; readlink /proc/1/exe && echo EXE-OPEN;"
                        + " cat /proc/1/environ >/dev/null 2>&1 && echo ENVIRON-OPEN; head -c1 /proc/1/mem >/dev/null 2>&1"
                        + " && echo MEM-OPEN; ls /proc/self/fd >/dev/null && readlink /proc/self/exe; echo end";
                // with the container's own capabilities (CAP_SYS_PTRACE would rightly override dumpability)
                var caps = b.runtime.containerProcess(b.id).capabilities();
                ProcessSpec p = new ProcessSpec(false, null, User.ROOT, List.of("/bin/sh", "-c", script), null,
                        List.of("PATH=/bin"), "/", caps, List.of(), false, null, null, null, null, null, null);
                assertEquals(0, exec(b, p, out));
                String o = Files.readString(out);
                // The control: the exec'd process reads its own /proc entries.
                assertEquals("/bin/busybox\nend\n", o, "userNs=" + userNs + ": the waiting init was reachable: " + o);
                b.runtime.delete(b.id, true);
                Leftovers.assertNone(b);
            }
        }
    }

    // ---- CVE-2019-16884, CVE-2019-19921: a mount over /proc, /proc or /sys as a symlink ------

    @Test
    void cve2019_16884_procOrSysAsASymlinkIsRefusedAndNothingIsMountedOnTheHost() throws Exception {
        Path host = Files.createTempDirectory("burk-escape-host-");
        try {
            for (String[] attack : new String[][] {{"proc", host.toString()}, {"proc", "../../../../../../../.." + host},
                    {"sys", host.toString()}, {"proc", "/tmp"}}) {
                List<String> before = EscapeTools.hostMountPoints();
                try (TestBundle b = TestBundle.make("/bin/true")) {
                    Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
                    Files.delete(rootfs.resolve(attack[0]));
                    Files.createSymbolicLink(rootfs.resolve(attack[0]), Path.of(attack[1]));
                    useRootfs(b, rootfs, true);
                    RuntimeError e = assertThrows(RuntimeError.class, b::run);
                    String type = attack[0].equals("proc") ? "proc" : "sysfs";
                    assertTrue(e.getMessage().contains("/" + attack[0] + " is a symlink: " + type
                            + " must be mounted on an ordinary directory"), e.getMessage());
                    assertTrue(Files.isSymbolicLink(rootfs.resolve(attack[0])));
                    Leftovers.assertNone(b);
                }
                assertEquals(List.of(), EscapeTools.mountsAtOrUnder(host), "mounted on the host: " + List.of(attack));
                assertEquals(List.of(), EscapeTools.mountsAtOrUnder(Path.of("/tmp")).stream()
                        .filter(m -> !before.contains(m)).filter(m -> !m.contains("/burk-")).toList(), List.of(attack).toString());
                assertEquals(List.of(), EscapeTools.entries(host));
            }
        } finally {
            Files.deleteIfExists(host);
        }
    }

    // ---- CVE-2021-30465: symlink-exchange race on a mount target in a shared volume ----------

    @Test
    void cve2021_30465_aRacingSymlinkExchangeNeverMovesAMountOutOfTheRootfs() throws Exception {
        Path host = Files.createTempDirectory("burk-escape-host-");
        try (TestBundle b = TestBundle.make()) {
            Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
            useRootfs(b, rootfs, false);
            Path vol = Files.createDirectories(b.dir.resolve("vol"));
            Files.createDirectories(vol.resolve("dir"));
            // the other container's trick: a symlink to a host path, exchanged with the directory
            Files.createSymbolicLink(vol.resolve("link"), host);
            try (EscapeTools.Racer racer = EscapeTools.race(vol.resolve("dir"), vol.resolve("link"))) {
                int ran = 0, refused = 0;
                for (int i = 0; i < 60; i++) {
                    String target = "/vol/dir/mnt" + i;
                    List<Object> mounts = b.list(b.config, "mounts");
                    mounts.removeIf(m -> ((Map<?, ?>) m).get("destination").toString().startsWith("/vol"));
                    mounts.add(mount("/vol", "bind", vol.toString(), "rbind"));
                    mounts.add(mount(target, "tmpfs", "race-" + i, "size=64k"));
                    b.sh("grep ' race-" + i + " ' /proc/self/mountinfo | cut -d' ' -f5");
                    try {
                        TestBundle.Ran r = b.run();
                        assertEquals(0, r.status(), r.output());
                        // The tmpfs is inside the container's root: where the directory was, or where the
                        // symlink points when resolved inside the rootfs. Had it landed outside the rootfs,
                        // pivot_root would have detached it and the container would not see it.
                        List<String> at = r.output().lines().toList();
                        assertEquals(1, at.size(), "iteration " + i + ": " + r.output());
                        // (the volume's directory may be seen under its other name, swapped since)
                        assertTrue(at.get(0).matches("/vol/(dir|link)/mnt" + i) || at.get(0).equals(host + "/mnt" + i),
                                "iteration " + i + ": the tmpfs landed at " + at.get(0));
                        ran++;
                    } catch (RuntimeError e) {
                        // A lookup that met the name mid-swap may fail; it must say what failed.
                        assertTrue(e.getMessage().startsWith("mount "), e.getMessage());
                        refused++;
                    }
                    assertEquals(List.of(), EscapeTools.mountsAtOrUnder(host), "a mount reached the host path");
                    assertEquals(List.of(), EscapeTools.entries(host), "something was created in the host path");
                    Leftovers.assertNone(b);
                }
                assertTrue(ran > 0, "no iteration ran (" + refused + " refused)");
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                assertFalse(line.contains(" race-"), "a raced tmpfs is in the host's mount table: " + line);
            }
        } finally {
            Files.deleteIfExists(host);
        }
    }

    // ---- CVE-2023-25809: a writable /sys/fs/cgroup in a rootless-style container -------------

    @Test
    void cve2023_25809_everyMountUnderARecursiveReadOnlySysIsReadOnly() throws Exception {
        for (boolean withCgroupMount : new boolean[] {true, false}) {
            try (TestBundle b = TestBundle.make()) {
                // `burk spec --rootless` for an unprivileged host id: /sys is an rbind of the host's, read-only
                Map<String, Object> rootless = SpecCodec.toTree(DefaultSpec.rootless(100000, 100000));
                b.config.put("mounts", rootless.get("mounts"));
                b.config.put("linux", rootless.get("linux"));
                b.linux().put("maskedPaths", new ArrayList<Object>());
                if (!withCgroupMount) dropMounts(b, "/sys/fs/cgroup"); // a host cgroup namespace, as in the advisory
                b.sh("awk '$5 ~ \"^/sys\" { print $5, $6 }' /proc/self/mountinfo; echo end");
                TestBundle.Ran r = b.run();
                assertEquals(0, r.status(), r.output());
                List<String> sys = r.output().lines().filter(l -> l.startsWith("/sys")).toList();
                assertTrue(sys.size() > 2, "the host's /sys submounts should be visible: " + r.output());
                for (String l : sys) {
                    assertTrue(l.split(" ")[1].matches("ro(,.*)?"), "writable under /sys: " + l);
                }
                Leftovers.assertNone(b);
            }
        }
    }

    // ---- CVE-2024-21626: a leaked fd, process.cwd = /proc/self/fd/N, exec --cwd via a symlink -

    @Test
    void cve2024_21626_noRuntimeFdReachesTheContainerAndACwdThroughProcSelfFdFails() throws Throwable {
        Path host = Files.createTempDirectory("burk-escape-host-");
        List<Integer> leaked = new ArrayList<>();
        try (Fd dir = Syscalls.open(host.toString(), Syscalls.O_RDONLY | 0x10000, 0);
             TestBundle b = TestBundle.make()) {
            // fds without close-on-exec, as an engine or a library may leave them in the runtime
            for (int i = 0; i < 6; i++) leaked.add(EscapeTools.leakingDup(dir.get()));
            b.sh("for f in /proc/self/fd/*; do echo \"$f -> $(readlink $f)\"; done");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertFalse(r.output().contains(host.toString()), "a host directory fd leaked in: " + r.output());
            for (String l : r.output().lines().toList()) {
                int n = Integer.parseInt(l.substring("/proc/self/fd/".length(), l.indexOf(' ')));
                assertTrue(n <= 3, "an fd beyond stdio and the shell's own: " + r.output());
            }
            int max = leaked.stream().mapToInt(Integer::intValue).max().orElseThrow();
            for (int n = 3; n <= max + 2; n++) {
                b.process().put("cwd", "/proc/self/fd/" + n);
                b.sh("touch escaped-" + n);
                RuntimeError e = assertThrows(RuntimeError.class, b::run, "cwd /proc/self/fd/" + n + " was accepted");
                // refused either where the missing cwd would be made or where it is entered
                assertTrue(e.getMessage().startsWith("chdir to cwd /proc/self/fd/" + n + ": ")
                        || e.getMessage().startsWith("mkdir -p /proc/self/fd/" + n + ": "), e.getMessage());
                Leftovers.assertNone(b);
            }
            assertEquals(List.of(), EscapeTools.entries(host), "a container wrote in the host directory");
        } finally {
            for (int fd : leaked) EscapeTools.close(fd);
            Files.deleteIfExists(host);
        }
    }

    @Test
    void cve2024_21626_execCwdThroughASymlinkStaysInTheContainer() throws Throwable {
        Path host = Files.createTempDirectory("burk-escape-host-");
        List<Integer> leaked = new ArrayList<>();
        try (Fd dir = Syscalls.open(host.toString(), Syscalls.O_RDONLY | 0x10000, 0);
             TestBundle b = TestBundle.make("/bin/sleep", "30")) {
            Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
            Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../../../../../../../.." + host));
            Files.createSymbolicLink(rootfs.resolve("abs"), host);
            Files.createDirectories(rootfs.resolve(host.toString().substring(1)));
            useRootfs(b, rootfs, false);
            b.create();
            b.runtime.start(b.id);
            for (String cwd : List.of("/up", "/abs")) {
                Path out = b.dir.resolve("exec.out");
                assertEquals(0, exec(b, ProcessSpec.of(List.of("/bin/sh", "-c", "touch marker && pwd -P"),
                        List.of("PATH=/bin"), cwd), out), Files.readString(out));
                assertEquals(host + "\n", Files.readString(out));
            }
            assertEquals(List.of(), EscapeTools.entries(host), "exec --cwd wrote in the host directory");
            assertTrue(Files.exists(rootfs.resolve(host.toString().substring(1)).resolve("marker")));
            for (int i = 0; i < 4; i++) leaked.add(EscapeTools.leakingDup(dir.get()));
            for (int n : leaked) {
                RuntimeError e = assertThrows(RuntimeError.class, () -> exec(b,
                        ProcessSpec.of(List.of("/bin/touch", "escaped"), List.of("PATH=/bin"), "/proc/self/fd/" + n),
                        b.dir.resolve("exec.out")));
                // refused either where the missing cwd would be made or where it is entered
                assertTrue(e.getMessage().startsWith("chdir to cwd /proc/self/fd/" + n + ": ")
                        || e.getMessage().startsWith("mkdir -p /proc/self/fd/" + n + ": "), e.getMessage());
            }
            assertEquals(List.of(), EscapeTools.entries(host), "exec wrote in the host directory");
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        } finally {
            for (int fd : leaked) EscapeTools.close(fd);
            Files.deleteIfExists(host);
        }
    }

    // ---- CVE-2024-45310: mkdir through a racing symlink creates files on the host ----------

    @Test
    void cve2024_45310_creatingMountTargetsThroughARacingSymlinkCreatesNothingOnTheHost() throws Exception {
        Path host = Files.createTempDirectory("burk-escape-host-");
        Path hostFile = Files.writeString(Files.createTempFile("burk-escape-src-", ""), "bound\n");
        try (TestBundle b = TestBundle.make()) {
            Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
            useRootfs(b, rootfs, false);
            Path vol = Files.createDirectories(b.dir.resolve("vol"));
            Files.createDirectories(vol.resolve("a"));
            Files.createSymbolicLink(vol.resolve("evil"), host);
            try (EscapeTools.Racer racer = EscapeTools.race(vol.resolve("a"), vol.resolve("evil"))) {
                int ran = 0;
                for (int i = 0; i < 60; i++) {
                    List<Object> mounts = b.list(b.config, "mounts");
                    mounts.removeIf(m -> ((Map<?, ?>) m).get("destination").toString().startsWith("/vol"));
                    mounts.add(mount("/vol", "bind", vol.toString(), "rbind"));
                    mounts.add(mount("/vol/a/d" + i + "/sub", "tmpfs", "tmpfs", "size=64k"));
                    mounts.add(mount("/vol/a/f" + i, "bind", hostFile.toString(), "bind", "ro"));
                    b.args("/bin/true");
                    try {
                        assertEquals(0, b.run().status());
                        ran++;
                    } catch (RuntimeError e) {
                        // the remount finds the name swapped away: refused, nothing followed
                        assertTrue(e.getMessage().matches("(re)?mount .*"), e.getMessage());
                    }
                    assertEquals(List.of(), EscapeTools.entries(host), "iteration " + i + ": created on the host");
                    assertEquals(List.of(), EscapeTools.mountsAtOrUnder(host));
                    Leftovers.assertNone(b);
                }
                assertTrue(ran > 0, "no iteration ran");
            }
        } finally {
            Files.deleteIfExists(hostFile);
            Files.deleteIfExists(host);
        }
    }

    // ---- CVE-2025-31133: /dev/null replaced by a symlink before masked paths are applied -----

    @Test
    void cve2025_31133_aDevNullSymlinkInTheImageIsRefused() throws Exception {
        String corePattern = Files.readString(CORE_PATTERN);
        Object mode = Files.getAttribute(CORE_PATTERN, "unix:mode");
        try (TestBundle b = TestBundle.make("/bin/true")) {
            Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
            Files.createSymbolicLink(rootfs.resolve("dev/null"), CORE_PATTERN);
            useRootfs(b, rootfs, false);
            dropMounts(b, "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue"); // the image's own /dev is used
            RuntimeError e = assertThrows(RuntimeError.class, b::run);
            assertEquals("mknod /dev/null c 1:3: file exists", e.getMessage());
            assertTrue(Files.isSymbolicLink(rootfs.resolve("dev/null")));
            Leftovers.assertNone(b);
        }
        assertEquals(corePattern, Files.readString(CORE_PATTERN));
        assertEquals(mode, Files.getAttribute(CORE_PATTERN, "unix:mode"), "the host's core_pattern was chmod'ed");
    }

    @Test
    void cve2025_31133_aRacingDevNullInASharedDevNeverMasksWithSomethingElse() throws Exception {
        String corePattern = Files.readString(CORE_PATTERN);
        try (TestBundle b = TestBundle.make()) {
            Path dev = Files.createDirectories(b.dir.resolve("dev"));
            assertEquals(0, EscapeTools.sh("mknod", dev.resolve("null").toString(), "c", "1", "3").code());
            Files.createSymbolicLink(dev.resolve("evil"), CORE_PATTERN);
            try (EscapeTools.Racer racer = EscapeTools.race(dev.resolve("null"), dev.resolve("evil"))) {
                dropMounts(b, "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue");
                b.list(b.config, "mounts").add(mount("/dev", "bind", dev.toString(), "rbind"));
                b.sh("stat -c '%F %t:%T' /proc/keys /proc/timer_list; echo hacked > /proc/timer_list");
                for (int i = 0; i < 30; i++) {
                    TestBundle.Ran r = b.run();
                    assertEquals(0, r.status(), r.output());
                    assertEquals("character special file 1:3\ncharacter special file 1:3\n", r.output());
                    Leftovers.assertNone(b);
                }
            }
        }
        assertEquals(corePattern, Files.readString(CORE_PATTERN));
    }

    // ---- CVE-2025-52565: /dev/console and /dev/pts swapped for symlinks, with a terminal -----

    @Test
    void cve2025_52565_ptyEntriesAsSymlinksNeverOpenOrMountAnotherFile() throws Exception {
        String corePattern = Files.readString(CORE_PATTERN);
        Object mode = Files.getAttribute(CORE_PATTERN, "unix:mode");
        List<String> outcomes = new ArrayList<>();
        // /dev is a volume another container fills (a bind mount), so the image's entries are used
        for (String[] attack : new String[][] {{"ptmx", CORE_PATTERN.toString()}, {"ptmx", "fifo"},
                {"console", CORE_PATTERN.toString()}, {"pts", "/proc/sys/kernel"}}) {
            try (TestBundle b = TestBundle.make("/bin/sh", "-c", "stat -L -c '%F %t' /dev/console; echo end")) {
                Path dev = Files.createDirectories(b.dir.resolve("dev"));
                assertEquals(0, EscapeTools.sh("mknod", dev.resolve("null").toString(), "c", "1", "3").code());
                assertEquals(0, EscapeTools.sh("mkfifo", dev.resolve("fifo").toString()).code());
                Files.createDirectories(dev.resolve("pts"));
                if (!attack[0].equals("ptmx")) Files.createSymbolicLink(dev.resolve("ptmx"), Path.of("pts/ptmx"));
                if (attack[0].equals("pts")) Files.delete(dev.resolve("pts"));
                Files.createSymbolicLink(dev.resolve(attack[0]), Path.of(attack[1]));
                dropMounts(b, "/dev", "/dev/shm", "/dev/mqueue");
                b.list(b.config, "mounts").add(0, mount("/dev", "bind", dev.toString(), "rbind"));
                b.process().put("terminal", true);
                try {
                    // burk proxies the terminal itself: the pty is made inside the container
                    String out = b.run().output().replace("\r", "");
                    // /dev/console is the pty (major 0x88 = 136), never the file a symlink named
                    assertEquals("character special file 88\nend\n", out, List.of(attack).toString());
                    outcomes.add(attack[0] + ": ran");
                } catch (RuntimeError e) {
                    outcomes.add(attack[0] + ": " + e.getMessage());
                }
                assertTrue(Files.isSymbolicLink(dev.resolve(attack[0])));
                Leftovers.assertNone(b);
            }
        }
        assertEquals(List.of("ptmx: open a terminal in the container's /dev/pts: inappropriate ioctl for device",
                "ptmx: open a terminal in the container's /dev/pts: inappropriate ioctl for device",
                "console: mount bind /proc/self/fd/0 on /dev/console: /dev/console is a symlink: refusing to mount through it",
                "pts: ran"), outcomes);
        assertEquals(corePattern, Files.readString(CORE_PATTERN));
        assertEquals(mode, Files.getAttribute(CORE_PATTERN, "unix:mode"));
    }

    // ---- CVE-2025-52881: procfs writes redirected to another procfs file ---------------------

    @Test
    void cve2025_52881_sysctlAndOomScoreWritesReachOnlyRealProcfsFiles() throws Exception {
        String corePattern = Files.readString(CORE_PATTERN);
        // The honest case first: the values really are written.
        try (TestBundle b = TestBundle.make()) {
            b.linux().put("sysctl", new LinkedHashMap<String, Object>(Map.of("net.ipv4.ip_forward", "1",
                    "kernel.domainname", "burk-sysctl")));
            b.process().put("oomScoreAdj", 123L);
            b.sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname /proc/self/oom_score_adj");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals("1\nburk-sysctl\n123\n", r.output());
        }
        // A bind mount over the sysctl file (from a volume the attacker fills): refused, not redirected.
        Path fake = Files.createTempFile("burk-escape-fake-sysctl-", "");
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.list(b.config, "mounts").add(mount("/proc/sys/kernel/domainname", "bind", fake.toString(), "bind"));
            b.linux().put("sysctl", new LinkedHashMap<String, Object>(Map.of("kernel.domainname", "redirected")));
            RuntimeError e = assertThrows(RuntimeError.class, b::run);
            assertTrue(e.getMessage().startsWith("write redirected to /proc/sys/kernel/domainname: "), e.getMessage());
            assertEquals("", Files.readString(fake), "the sysctl write went to the bind-mounted file");
            Leftovers.assertNone(b);
        } finally {
            Files.deleteIfExists(fake);
        }
        // A /proc that is a symlink to another procfs directory: refused before anything is written.
        try (TestBundle b = TestBundle.make("/bin/true")) {
            Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
            Files.delete(rootfs.resolve("proc"));
            Files.createSymbolicLink(rootfs.resolve("proc"), Path.of("/proc/sys/kernel"));
            useRootfs(b, rootfs, true);
            b.linux().put("sysctl", new LinkedHashMap<String, Object>(Map.of("kernel.domainname", "evil")));
            RuntimeError e = assertThrows(RuntimeError.class, b::run);
            assertTrue(e.getMessage().contains("is a symlink"), e.getMessage());
            Leftovers.assertNone(b);
        }
        // A container that mounted a fake /proc before an exec with process.oomScoreAdj: refused.
        try (TestBundle b = TestBundle.make("/bin/sh", "-c",
                "mount -t tmpfs fake /proc && mkdir /proc/self && echo 0 > /proc/self/oom_score_adj && touch /tmp/ready;"
                        + " sleep 30")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> caps = (Map<String, Object>) b.process().get("capabilities");
            for (String set : List.of("bounding", "effective", "permitted")) b.list(caps, set).add("CAP_SYS_ADMIN");
            b.config.put("root", new LinkedHashMap<String, Object>(Map.of("path", TestBundle.rootfs().toString(), "readonly", true)));
            b.list(b.config, "mounts").add(mount("/tmp", "tmpfs", "tmpfs", "size=64k"));
            b.linux().put("readonlyPaths", new ArrayList<Object>());
            b.linux().put("maskedPaths", new ArrayList<Object>());
            b.create();
            b.runtime.start(b.id);
            Path out = b.dir.resolve("exec.out");
            ProcessSpec wait = ProcessSpec.of(List.of("/bin/sh", "-c", "while [ ! -e /tmp/ready ]; do sleep 0.05; done"),
                    List.of("PATH=/bin"), "/");
            assertEquals(0, exec(b, wait, out), Files.readString(out));
            ProcessSpec p = new ProcessSpec(false, null, User.ROOT, List.of("/bin/true"), null, List.of("PATH=/bin"), "/",
                    null, List.of(), false, null, 500, null, null, null, null);
            RuntimeError e = assertThrows(RuntimeError.class, () -> exec(b, p, out));
            assertEquals("write 500 to /proc/self/oom_score_adj: not a file of the proc filesystem (/proc is not procfs,"
                    + " or something is mounted over the path): refusing to write elsewhere", e.getMessage());
            assertEquals(0, exec(b, ProcessSpec.of(List.of("/bin/cat", "/proc/self/oom_score_adj"), List.of("PATH=/bin"), "/"),
                    out));
            assertEquals("0\n", Files.readString(out), "the write went into the fake /proc");
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
        assertEquals(corePattern, Files.readString(CORE_PATTERN));
    }

    // ---- a rootfs whose /dev is a symlink to a host path -------------------------------------

    @Test
    void aDevSymlinkToAHostPathCreatesNothingOnTheHost() throws Exception {
        Path host = Files.createTempDirectory("burk-escape-host-");
        try {
            for (boolean devMount : new boolean[] {true, false}) {
                for (String link : List.of(host.toString(), "../../../../../../../.." + host)) {
                    try (TestBundle b = TestBundle.make("/bin/sh", "-c", "ls /dev >/dev/null; echo ok")) {
                        Path rootfs = EscapeTools.copyRootfs(b.dir.resolve("rootfs"));
                        try (var s = Files.list(rootfs.resolve("dev"))) {
                            for (Path p : s.toList()) Files.delete(p);
                        }
                        Files.delete(rootfs.resolve("dev"));
                        Files.createSymbolicLink(rootfs.resolve("dev"), Path.of(link));
                        useRootfs(b, rootfs, false);
                        if (!devMount) dropMounts(b, "/dev");
                        try {
                            TestBundle.Ran r = b.run();
                            assertEquals("ok\n", r.output());
                        } catch (RuntimeError e) {
                            assertFalse(e.getMessage().isEmpty());
                        }
                        Leftovers.assertNone(b);
                    }
                    assertEquals(List.of(), EscapeTools.entries(host), "created on the host via /dev -> " + link);
                    assertEquals(List.of(), EscapeTools.mountsAtOrUnder(host));
                }
            }
        } finally {
            Files.deleteIfExists(host);
        }
    }
}
