package burk.runtime;

import burk.linux.FileOps;
import burk.runtime.plan.MountFlags;
import burk.spec.ProcessSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A container without a mount namespace (runtime-spec: it inherits the runtime's): its rootfs is
 * set up in the host's mount namespace under one bind of the rootfs, which delete detaches with
 * everything under it. runc leaves all of those mounts behind; burk must leave nothing, must never
 * remove the user's own mount at the rootfs path, and must not change the host's "/".
 */
class NoMountNamespaceIT {
    private static final List<String> NS = List.of("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts");

    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    /** The default test config with no namespace at all, over a rootfs of the test's own. */
    @SuppressWarnings("unchecked")
    private static TestBundle withoutNamespaces(Path rootfs) throws Exception {
        TestBundle b = TestBundle.make();
        b.linux().put("namespaces", new ArrayList<>());
        // runc's rule, kept by burk's validator: masking needs a mount namespace of the container's own.
        b.linux().remove("maskedPaths");
        b.linux().remove("readonlyPaths");
        b.config.remove("hostname"); // a hostname needs a UTS namespace
        ((Map<String, Object>) b.config.get("root")).put("path", rootfs.toString());
        b.sh("true");
        return b;
    }

    private static void copyBusybox(Path to) throws Exception {
        Files.createDirectories(to);
        EscapeTools.Sh r = EscapeTools.sh("cp", "-a", TestBundle.rootfs() + "/.", to.toString());
        assertEquals(0, r.code(), r.out());
    }

    /** The host's "/" as mountinfo shows it: mount options and propagation fields. */
    private static String hostRoot() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals("/") && MountTable.ofThisProcess().topAt("/").id() == Integer.parseInt(f[0])) {
                return line.substring(line.indexOf(' ' + f[5] + ' ') + 1);
            }
        }
        throw new AssertionError("no / in mountinfo");
    }

    /**
     * Detaches whatever is still mounted under a test's directory, so that a failing test leaves
     * the host as it found it (and the bundle's removal never walks into a mount).
     */
    private record MountsUnder(Path dir) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            for (int i = 0; i < 100; i++) {
                List<String> left = Leftovers.mountsUnder(dir);
                if (left.isEmpty()) return;
                FileOps.umount2(MountTable.unescape(left.get(0).split(" ")[4]), FileOps.MNT_DETACH);
            }
        }
    }

    private static void waitFor(TestBundle b, String text) throws Exception {
        for (int i = 0; i < 500 && !b.output().contains(text); i++) Thread.sleep(10);
        assertTrue(b.output().contains(text), "waited for " + text + ", got: " + b.output());
    }

    private static String ns(String path) throws Exception {
        return Files.readSymbolicLink(Path.of(path)).toString();
    }

    @Test
    void aContainerWithoutNamespacesSharesTheHostsAndLeavesNoMountBehind() throws Exception {
        String root = hostRoot();
        try (TestBundle b = TestBundle.make(); MountsUnder cleanup = new MountsUnder(b.dir)) {
            Path rootfs = b.dir.resolve("rootfs");
            copyBusybox(rootfs);
            Files.writeString(rootfs.resolve("marker"), "the container's root\n");
            try (TestBundle c = withoutNamespaces(rootfs)) {
                StringBuilder script = new StringBuilder("cat /marker; ");
                for (String n : NS) script.append("readlink /proc/self/ns/").append(n).append("; ");
                script.append("test -r /proc/self/status && echo proc-works; ");
                script.append("touch /written 2>/dev/null && echo writable || echo readonly; ");
                script.append("test -c /dev/null && echo devnull; echo ready; sleep 60");
                c.sh(script.toString());
                ContainerInfo info = c.create();
                c.runtime.start(c.id);
                waitFor(c, "ready");
                List<String> out = c.output().lines().toList();
                assertEquals("the container's root", out.get(0), "/ is the rootfs: " + out);
                for (int i = 0; i < NS.size(); i++) {
                    assertEquals(ns("/proc/self/ns/" + NS.get(i)), out.get(1 + i), NS.get(i) + " is the host's");
                    assertEquals(ns("/proc/self/ns/" + NS.get(i)), ns("/proc/" + info.pid() + "/ns/" + NS.get(i)));
                }
                assertEquals(List.of("proc-works", "readonly", "devnull", "ready"), out.subList(1 + NS.size(), out.size()));
                assertEquals(rootfs.toString(), ns("/proc/" + info.pid() + "/root"), "chrooted into the rootfs");
                assertFalse(Files.exists(rootfs.resolve("written")), "root.readonly");

                List<String> mounts = EscapeTools.mountsAtOrUnder(rootfs);
                assertEquals(rootfs.toString(), mounts.get(0), "the rootfs bind: " + mounts);
                for (String m : List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys")) {
                    assertTrue(mounts.contains(rootfs + m), m + " is under the rootfs bind on the host: " + mounts);
                }
                assertEquals(root, hostRoot(), "the host's / is unchanged while the container runs");

                // exec has no mount namespace to join: it enters the init's root.
                Path execOut = c.dir.resolve("exec.out");
                ProcessSpec p = ProcessSpec.of(List.of("/bin/sh", "-c", "cat /marker; readlink /proc/self/ns/mnt"),
                        List.of("PATH=/bin"), "/");
                assertEquals(0, c.exec(ExecRequest.of(c.id, p), execOut));
                assertEquals(List.of("the container's root", ns("/proc/self/ns/mnt")),
                        Files.readAllLines(execOut));

                c.runtime.delete(c.id, true);
                assertEquals(List.of(), Leftovers.mountsUnder(b.dir), "no mount under the bundle after delete");
                Leftovers.assertNone(c);
                assertEquals(root, hostRoot(), "the host's / is unchanged after delete");
            }
        }
    }

    @Test
    void runRemovesTheMountsToo() throws Exception {
        try (TestBundle b = TestBundle.make(); MountsUnder cleanup = new MountsUnder(b.dir)) {
            Path rootfs = b.dir.resolve("rootfs");
            copyBusybox(rootfs);
            try (TestBundle c = withoutNamespaces(rootfs)) {
                c.sh("grep -c ' / ' /proc/self/mountinfo >/dev/null && exit 3");
                assertEquals(3, c.run().status(), c.output());
                assertEquals(List.of(), Leftovers.mountsUnder(b.dir));
                Leftovers.assertNone(c);
            }
        }
    }

    @Test
    void theUsersOwnMountAtTheRootfsPathStays() throws Exception {
        String root = hostRoot();
        try (TestBundle b = TestBundle.make(); MountsUnder cleanup = new MountsUnder(b.dir)) {
            Path rootfs = b.dir.resolve("rootfs");
            Files.createDirectories(rootfs);
            FileOps.mount("tmpfs", rootfs.toString(), "tmpfs", 0, "size=64m");
            // Shared, as an engine's overlay under a shared parent is: the container's mounts
            // must not become this mount's by propagation and stay behind after delete.
            FileOps.mount(null, rootfs.toString(), null, MountFlags.MS_SHARED, null);
            copyBusybox(rootfs);
            // A peer elsewhere, as the host's other mount namespaces or binds of a shared "/" are:
            // the bind of the rootfs propagates there, and its removal must too.
            Path peer = b.dir.resolve("peer");
            Files.createDirectories(peer);
            FileOps.mount(rootfs.toString(), peer.toString(), null, MountFlags.MS_BIND, null);
            List<String> before = Leftovers.mountsUnder(b.dir);
            assertEquals(2, before.size(), before.toString());
            try (TestBundle c = withoutNamespaces(rootfs)) {
                c.sh("echo ready; sleep 60");
                c.create();
                c.runtime.start(c.id);
                waitFor(c, "ready");
                List<String> running = EscapeTools.mountsAtOrUnder(rootfs);
                assertEquals(List.of(rootfs.toString(), rootfs.toString()), running.subList(0, 2),
                        "the container's bind is on top of the user's mount: " + running);
                String userId = MountTable.ofThisProcess().stackAt(rootfs.toString()).get(0).id() + "";
                List<String> onUsers = Leftovers.mountsUnder(b.dir).stream()
                        .filter(l -> l.split(" ")[1].equals(userId)).toList();
                assertEquals(1, onUsers.size(), "only the container's bind is on the user's mount (no copy of a"
                        + " container mount propagated to it): " + onUsers);
                assertEquals(List.of(), EscapeTools.mountsAtOrUnder(peer).stream().filter(m -> !m.equals(peer.toString()))
                        .toList(), "none of the container's mounts reached the peer");
                c.runtime.delete(c.id, true);
                assertEquals(before, Leftovers.mountsUnder(b.dir), "the user's mount is there, unchanged, and alone");
                Leftovers.assertNone(c);
            }
            FileOps.umount2(peer.toString(), 0);
            FileOps.umount2(rootfs.toString(), 0);
            assertEquals(List.of(), Leftovers.mountsUnder(b.dir));
        }
        assertEquals(root, hostRoot());
    }

    @Test
    void aBindOfASharedHostDirectoryDoesNotCarryTheContainersMountsBack() throws Exception {
        try (TestBundle b = TestBundle.make(); MountsUnder cleanup = new MountsUnder(b.dir)) {
            Path rootfs = b.dir.resolve("rootfs");
            copyBusybox(rootfs);
            Path shared = b.dir.resolve("shared");
            Files.createDirectories(shared);
            FileOps.mount("tmpfs", shared.toString(), "tmpfs", 0, "size=1m");
            FileOps.mount(null, shared.toString(), null, MountFlags.MS_SHARED, null);
            Files.createDirectories(shared.resolve("x"));
            try (TestBundle c = withoutNamespaces(rootfs)) {
                List<Object> mounts = c.list(c.config, "mounts");
                mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data", "type", "bind",
                        "source", shared.toString(), "options", new ArrayList<Object>(List.of("rbind")))));
                mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data/x", "type", "tmpfs",
                        "source", "tmpfs", "options", new ArrayList<Object>(List.of("size=1m")))));
                c.sh("grep -E ' /data(/x)? ' /proc/self/mountinfo | cut -d' ' -f5,7; echo ready; sleep 60");
                c.create();
                assertEquals(1, Leftovers.mountsUnder(shared).size(),
                        "the container's tmpfs on /data/x must not reach the bind's source: " + Leftovers.mountsUnder(shared));
                c.runtime.start(c.id);
                waitFor(c, "ready");
                List<String> l = c.output().lines().toList();
                assertTrue(l.get(0).matches(".*/data master:\\d+"), "a slave of the source's peer group: " + l);
                c.runtime.delete(c.id, true);
                assertEquals(1, Leftovers.mountsUnder(shared).size());
                assertEquals(List.of(shared.toString()), EscapeTools.mountsAtOrUnder(b.dir));
                Leftovers.assertNone(c);
            }
            FileOps.umount2(shared.toString(), 0);
            assertEquals(List.of(), Leftovers.mountsUnder(b.dir));
        }
    }

    @Test
    void aCreateThatFailsAfterTheRootfsBindLeavesNoMount() throws Exception {
        String root = hostRoot();
        try (TestBundle b = TestBundle.make(); MountsUnder cleanup = new MountsUnder(b.dir)) {
            Path rootfs = b.dir.resolve("rootfs");
            copyBusybox(rootfs);
            try (TestBundle c = withoutNamespaces(rootfs)) {
                c.args("/no/such/program");
                RuntimeError e = assertThrows(RuntimeError.class, c::create);
                assertTrue(e.getMessage().contains("/no/such/program"), e.getMessage());
                assertEquals(List.of(), Leftovers.mountsUnder(b.dir), "no mount left after a failed create");
                Leftovers.assertNone(c);
            }
            try (TestBundle c = withoutNamespaces(rootfs)) {
                c.sh("true");
                c.list(c.config, "mounts").add(new LinkedHashMap<String, Object>(Map.of("destination", "/bad",
                        "type", "nosuchfs", "source", "none")));
                RuntimeError e = assertThrows(RuntimeError.class, c::create);
                assertTrue(e.getMessage().contains("/bad"), e.getMessage());
                assertEquals(List.of(), Leftovers.mountsUnder(b.dir), "no mount left after a failed mount step");
                Leftovers.assertNone(c);
            }
        }
        assertEquals(root, hostRoot());
    }

    @Test
    void whatNeedsAMountNamespaceIsRefusedByFieldWithNothingLeft() throws Exception {
        try (TestBundle b = TestBundle.make(); MountsUnder cleanup = new MountsUnder(b.dir)) {
            Path rootfs = b.dir.resolve("rootfs");
            copyBusybox(rootfs);
            try (TestBundle c = withoutNamespaces(rootfs)) {
                c.linux().put("rootfsPropagation", "private");
                RuntimeError e = assertThrows(RuntimeError.class, c::create);
                assertTrue(e.getMessage().startsWith("linux.rootfsPropagation: set, but there is no mount namespace"),
                        e.getMessage());
                Leftovers.assertNone(c);
            }
            try (TestBundle c = withoutNamespaces(rootfs)) {
                Map<String, Object> m = new LinkedHashMap<>(Map.of("destination", "/data", "type", "bind",
                        "source", b.dir.toString(), "options", new ArrayList<Object>(List.of("bind", "idmap"))));
                Map<String, Object> map = new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 1000, "size", 1));
                m.put("uidMappings", new ArrayList<Object>(List.of(map)));
                m.put("gidMappings", new ArrayList<Object>(List.of(new LinkedHashMap<>(map))));
                c.list(c.config, "mounts").add(m);
                RuntimeError e = assertThrows(RuntimeError.class, c::create);
                assertTrue(e.getMessage().matches("mounts\\[\\d+]: an id-mapped mount needs a mount namespace.*"),
                        e.getMessage());
                Leftovers.assertNone(c);
            }
            try (TestBundle c = withoutNamespaces(rootfs)) {
                c.addNamespace("user", null);
                c.linux().put("uidMappings", new ArrayList<Object>(List.of(Map.of("containerID", 0, "hostID", 0, "size", 65536))));
                c.linux().put("gidMappings", new ArrayList<Object>(List.of(Map.of("containerID", 0, "hostID", 0, "size", 65536))));
                RuntimeError e = assertThrows(RuntimeError.class, c::create);
                assertTrue(e.getMessage().startsWith("linux.namespaces[0]: a user namespace needs a mount namespace"),
                        e.getMessage());
                Leftovers.assertNone(c);
            }
            try (TestBundle c = withoutNamespaces(Path.of("/"))) {
                RuntimeError e = assertThrows(RuntimeError.class, c::create);
                assertTrue(e.getMessage().startsWith("root.path: the host's / cannot be the rootfs"), e.getMessage());
                Leftovers.assertNone(c);
            }
            assertEquals(List.of(), Leftovers.mountsUnder(b.dir));
        }
    }
}
