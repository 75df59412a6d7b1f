package burk.runtime;

import burk.spec.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rootless: a user without privileges runs containers through bin/burk, as root of a user
 * namespace that maps its own uid (or, through newuidmap/newgidmap, its /etc/subuid ranges), with
 * its state under $XDG_RUNTIME_DIR/burk and cgroups only where a tree is delegated to it. Each test
 * makes such a user (useradd) and removes it, with everything it owned, afterwards.
 */
class RootlessIT {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();
    private static final AtomicInteger SEQ = new AtomicInteger();

    record Result(int code, String out, String err) {}

    /** A throw-away unprivileged user with a work directory it owns: a bundle and $XDG_RUNTIME_DIR. */
    static final class User implements AutoCloseable {
        final String name;
        final int uid, gid;
        final Path work, run, bundle, home;
        private final List<Path> delegated = new ArrayList<>();

        User() throws Exception {
            name = "burkrl" + ProcessHandle.current().pid() % 100000 + "x" + SEQ.incrementAndGet();
            EscapeTools.Sh r = EscapeTools.sh("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", name);
            if (r.code() != 0) throw new IOException("useradd: " + r.out());
            uid = Integer.parseInt(EscapeTools.sh("id", "-u", name).out().trim());
            gid = Integer.parseInt(EscapeTools.sh("id", "-g", name).out().trim());
            work = Files.createTempDirectory("burk-rootless-");
            run = Files.createDirectories(work.resolve("run"));
            bundle = Files.createDirectories(work.resolve("bundle"));
            EscapeTools.copyRootfs(bundle.resolve("rootfs"));
            // burk itself, where any user can read it whatever the checkout's own permissions
            home = Files.createDirectories(work.resolve("home"));
            Files.createDirectories(home.resolve("target"));
            Files.createDirectories(home.resolve("build"));
            for (String p : List.of("bin", "scripts", "target/classes")) {
                EscapeTools.Sh cp = EscapeTools.sh("cp", "-a", HOME.resolve(p).toString(), home.resolve(p).toString());
                if (cp.code() != 0) throw new IOException("cp " + p + ": " + cp.out());
            }
            Files.createSymbolicLink(home.resolve("build/jdk"), Path.of(System.getProperty("java.home")));
            chown(work);
            Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(run, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Result probe = burk("--version");
            if (probe.code() != 0) {
                throw new IllegalStateException("bin/burk does not run as an unprivileged user (is the JDK at "
                        + System.getProperty("java.home") + " readable by others?): " + probe.err());
            }
        }

        void chown(Path p) throws Exception {
            EscapeTools.Sh r = EscapeTools.sh("chown", "-R", uid + ":" + gid, p.toString());
            if (r.code() != 0) throw new IOException("chown: " + r.out());
        }

        List<String> command(List<String> args) {
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups",
                    "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + work,
                    "XDG_RUNTIME_DIR=" + run, "BURK_CLASSPATH=" + home.resolve("target/classes"),
                    home.resolve("bin/burk").toString()));
            cmd.addAll(args);
            return cmd;
        }

        Result burk(String... args) throws Exception {
            return exec(command(List.of(args)));
        }

        /** bin/burk as this user, started from a shell (root) that first joins {@code cgroupProcs}. */
        Result burkIn(Path cgroupProcs, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo $$ > " + cgroupProcs + " && exec \"$@\"", "sh"));
            cmd.addAll(command(List.of(args)));
            return exec(cmd);
        }

        private Result exec(List<String> cmd) throws Exception {
            Path out = Files.createTempFile("burk-rl-out-", ""), err = Files.createTempFile("burk-rl-err-", "");
            try {
                Process p = new ProcessBuilder(cmd).directory(bundle.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", cmd) + " did not finish");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }

        /** `burk spec --rootless` as this user, then the changes a test wants, in config.json. */
        @SuppressWarnings("unchecked")
        Map<String, Object> spec(String... args) throws Exception {
            Result r = burk("spec", "--rootless");
            assertEquals(0, r.code(), r.err());
            Map<String, Object> c = (Map<String, Object>) Json.parse(Files.readString(bundle.resolve("config.json")));
            Map<String, Object> process = (Map<String, Object>) c.get("process");
            process.put("terminal", false);
            process.put("args", new ArrayList<Object>(List.of(args)));
            return c;
        }

        void write(Map<String, Object> config) throws IOException {
            Files.writeString(bundle.resolve("config.json"), Json.write(config, "  "));
        }

        /** A cgroup named {@code name} in every hierarchy of this host, owned by this user. */
        List<Path> delegate(String name) throws Exception {
            List<Path> dirs = new ArrayList<>();
            Path top = Path.of("/sys/fs/cgroup");
            List<Path> roots = new ArrayList<>();
            if (Files.exists(top.resolve("cgroup.procs"))) {
                roots.add(top);
            } else {
                try (Stream<Path> s = Files.list(top)) {
                    for (Path h : s.toList()) if (Files.exists(h.resolve("cgroup.procs"))) roots.add(h);
                }
            }
            for (Path h : roots) {
                Path d = Files.createDirectories(h.resolve(name));
                delegated.add(d);
                dirs.add(d);
                chown(d);
            }
            return dirs;
        }

        /** The delegated cgroup of the unified (v2) hierarchy, if the host has one. */
        Path unified(String name) {
            Path top = Path.of("/sys/fs/cgroup");
            if (Files.exists(top.resolve("cgroup.procs")) && Files.exists(top.resolve("cgroup.controllers"))) {
                return top.resolve(name);
            }
            Path u = top.resolve("unified").resolve(name);
            return Files.isDirectory(u) ? u : null;
        }

        @Override
        public void close() throws Exception {
            try {
                Path state = run.resolve("burk");
                if (Files.isDirectory(state)) {
                    try (Stream<Path> s = Files.list(state)) {
                        for (Path p : s.toList()) burk("delete", "--force", p.getFileName().toString());
                    }
                }
            } finally {
                for (Path d : delegated.reversed()) {
                    try (Stream<Path> s = Files.walk(d)) {
                        for (Path p : s.sorted(Comparator.reverseOrder()).filter(Files::isDirectory).toList()) {
                            Files.deleteIfExists(p); // rmdir of an empty cgroup
                        }
                    } catch (IOException ignored) {
                        // reported by the leftovers check of the test
                    }
                }
                try (Stream<Path> s = Files.walk(work)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
                EscapeTools.sh("userdel", name);
                EscapeTools.sh("groupdel", name);
            }
        }
    }

    private static List<String> lines(String s) {
        return s.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void anIdmappedMountIsRefusedByNameForAUserWithoutPrivileges() throws Exception {
        try (User u = new User()) {
            Map<String, Object> c = u.spec("/bin/true");
            List<Object> mounts = new ArrayList<>((List<Object>) c.get("mounts"));
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data", "type", "bind",
                    "source", u.bundle.toString(), "options", new ArrayList<Object>(List.of("bind", "idmap")))));
            c.put("mounts", mounts);
            u.write(c);
            Result r = u.burk("run", "c1");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("mounts[" + (mounts.size() - 1) + "]: id-mapped mounts are not supported for"
                    + " rootless containers"), r.err());
            assertFalse(Files.exists(u.run.resolve("burk/c1")), "no state is left");
        }
    }

    @Test
    void aUserRunsTheRootlessSpecAsRootOfItsOwnUserNamespace() throws Exception {
        try (User u = new User()) {
            Map<String, Object> c = u.spec("/bin/sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map; hostname;"
                    + " echo pid=$$; touch /sys/fs/cgroup/x 2>/dev/null && echo CGROUP-WRITABLE;"
                    + " awk '$5 ~ \"^/sys\" && $6 !~ \"^ro\" { print \"WRITABLE\", $5 }' /proc/self/mountinfo;"
                    + " grep -c . /proc/self/cgroup >/dev/null; echo end");
            u.write(c);
            Result r = u.burk("run", "c1");
            assertEquals(0, r.code(), r.out() + r.err());
            assertEquals(List.of("uid=0(root) gid=0(root) groups=0(root)", "0 " + u.uid + " 1", "0 " + u.gid + " 1",
                    "burk", "pid=1", "end"), lines(r.out()), r.err());
            assertTrue(Files.isDirectory(u.run.resolve("burk")), "state lives under $XDG_RUNTIME_DIR/burk");
            assertEquals(List.of(), EscapeTools.entries(u.run.resolve("burk")), "run left its state behind");
            assertEquals(List.of(), Leftovers.cgroupDirs("c1"));
        }
    }

    @Test
    void aSysfsMountWithoutItsOwnNetworkNamespaceIsBoundFromTheHostReadOnly() throws Exception {
        try (User u = new User()) {
            Map<String, Object> c = u.spec("/bin/sh", "-c", "cat /sys/kernel/ostype 2>/dev/null || ls /sys/kernel | head -1;"
                    + " awk '$5 == \"/sys\" { print $6 }' /proc/self/mountinfo");
            @SuppressWarnings("unchecked")
            List<Object> mounts = (List<Object>) c.get("mounts");
            for (Object o : mounts) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                if ("/sys".equals(m.get("destination"))) {
                    // what `burk spec` (not --rootless) says: the kernel refuses it to a user namespace
                    // that does not own the network namespace
                    m.put("type", "sysfs");
                    m.put("source", "sysfs");
                    m.put("options", new ArrayList<Object>(List.of("nosuid", "noexec", "nodev", "ro")));
                }
            }
            u.write(c);
            Result r = u.burk("run", "c1");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().lines().toList().getLast().startsWith("ro,"), r.out());
        }
    }

    @Test
    void createStartStateExecKillDeleteAsTheUser() throws Exception {
        try (User u = new User()) {
            u.write(u.spec("/bin/sleep", "60"));
            Result created = u.burk("create", "c1");
            assertEquals(0, created.code(), created.err());
            Result state = u.burk("state", "c1");
            assertTrue(state.out().contains("\"status\": \"created\""), state.out());
            int pid = Integer.parseInt(state.out().replaceAll("(?s).*\"pid\": (\\d+).*", "$1"));
            String hostUid = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
            assertTrue(hostUid.matches("Uid:\\s+" + u.uid + "\\s.*"), "on the host the init is the user: " + hostUid);
            assertEquals(0, u.burk("start", "c1").code());
            assertTrue(u.burk("state", "c1").out().contains("\"status\": \"running\""));
            Result exec = u.burk("exec", "c1", "/bin/sh", "-c", "id -u; readlink /proc/1/exe");
            assertEquals(0, exec.code(), exec.err());
            assertEquals("0\n/bin/busybox\n", exec.out());
            Result list = u.burk("list", "-q");
            assertEquals("c1\n", list.out());
            assertEquals(0, u.burk("kill", "c1", "KILL").code());
            LifecycleIT.waitFor(() -> ProcStat.read(pid) == null || ProcStat.read(pid).state() == 'Z');
            assertTrue(u.burk("state", "c1").out().contains("\"status\": \"stopped\""));
            assertEquals(0, u.burk("delete", "c1").code());
            assertFalse(Files.exists(u.run.resolve("burk/c1")));
            Result gone = u.burk("state", "c1");
            assertTrue(gone.code() != 0 && gone.err().contains("container does not exist"), gone.err());
        }
    }

    @Test
    void subordinateIdRangesAreMappedThroughNewuidmap() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")),
                "newuidmap is not installed (Debian package uidmap)");
        try (User u = new User()) {
            long sub = subordinateStart(Path.of("/etc/subuid"), u.name);
            long subg = subordinateStart(Path.of("/etc/subgid"), u.name);
            Map<String, Object> c = u.spec("/bin/sh", "-c",
                    "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; touch /tmp/owned; chown 1000:2000 /tmp/owned;"
                            + " stat -c '%u %g' /tmp/owned");
            @SuppressWarnings("unchecked")
            Map<String, Object> linux = (Map<String, Object>) c.get("linux");
            linux.put("uidMappings", List.of(map(0, u.uid, 1), map(1, sub, 65536)));
            linux.put("gidMappings", List.of(map(0, u.gid, 1), map(1, subg, 65536)));
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) c.get("root");
            root.put("readonly", false);
            @SuppressWarnings("unchecked")
            Map<String, Object> caps = (Map<String, Object>) ((Map<String, Object>) c.get("process")).get("capabilities");
            for (String set : List.of("bounding", "effective", "permitted")) {
                @SuppressWarnings("unchecked")
                List<Object> l = new ArrayList<>((List<Object>) caps.get(set));
                l.add("CAP_CHOWN");
                caps.put(set, l);
            }
            u.write(c);
            Result r = u.burk("run", "c1");
            assertEquals(0, r.code(), r.out() + r.err());
            assertEquals(List.of("0 " + u.uid + " 1", "1 " + sub + " 65536", "0 " + u.gid + " 1", "1 " + subg + " 65536",
                    "allow", "1000 2000"), lines(r.out()));
            Path owned = u.bundle.resolve("rootfs/tmp/owned");
            assertEquals(sub + 999, ((Number) Files.getAttribute(owned, "unix:uid")).longValue());
            assertEquals(subg + 1999, ((Number) Files.getAttribute(owned, "unix:gid")).longValue());
        }
    }

    private static Map<String, Object> map(long container, long host, long size) {
        return new LinkedHashMap<>(Map.of("containerID", container, "hostID", host, "size", size));
    }

    /** The user's range in /etc/subuid or /etc/subgid (useradd adds one when the file exists). */
    private static long subordinateStart(Path file, String name) throws IOException {
        for (String l : Files.readAllLines(file)) {
            String[] f = l.split(":");
            if (f.length == 3 && f[0].equals(name) && Long.parseLong(f[2]) >= 65536) return Long.parseLong(f[1]);
        }
        throw new IllegalStateException("useradd gave " + name + " no range in " + file);
    }

    @Test
    void cgroupsAreSkippedUnlessDelegatedAndUsedWhereTheyAre() throws Exception {
        try (User u = new User()) {
            // Nothing delegated: without limits the container runs in the caller's cgroup...
            Map<String, Object> c = u.spec("/bin/sh", "-c", "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null"
                    + " || cat /sys/fs/cgroup/pids.max 2>/dev/null || echo no-pids-file");
            @SuppressWarnings("unchecked")
            Map<String, Object> linux = (Map<String, Object>) c.get("linux");
            String group = "burk-rl-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
            linux.put("cgroupsPath", "/" + group + "/c1");
            u.write(c);
            Result r = u.burk("run", "c1");
            assertEquals(0, r.code(), r.err());
            // ...and with limits it is refused, by name.
            linux.put("resources", new LinkedHashMap<String, Object>(Map.of("pids",
                    new LinkedHashMap<String, Object>(Map.of("limit", 20L)))));
            u.write(c);
            r = u.burk("run", "c1");
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains("rootless: linux.resources cannot be applied"), r.err());
            assertTrue(r.err().contains("permission denied"), r.err());
            assertEquals(List.of(), EscapeTools.entries(u.run.resolve("burk")));

            // Delegated: the limit holds inside. cgroup v2 moves a process only within a subtree
            // its owner holds, so burk itself starts inside the delegated unified cgroup.
            List<Path> dirs = u.delegate(group);
            Path unified = u.unified(group);
            r = unified == null ? u.burk("run", "c1") : u.burkIn(unified.resolve("cgroup.procs"), "run", "c1");
            assertEquals(0, r.code(), r.err());
            assertEquals("20\n", r.out());
            for (Path d : dirs) assertFalse(Files.exists(d.resolve("c1")), "the container's cgroup was left: " + d);
        }
    }
}
