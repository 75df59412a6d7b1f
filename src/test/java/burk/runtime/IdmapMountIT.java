package burk.runtime;

import burk.linux.FileOps;
import burk.runtime.plan.MountFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Id-mapped bind mounts (mounts[].uidMappings/gidMappings, "idmap", "ridmap") in real containers.
 * A mapping reads as linux.uidMappings does, and as runc and crun apply it: {@code containerID} is
 * the id on the source filesystem, {@code hostID} the id the mount shows for it. The test
 * directories are made in the temp directory when its filesystem takes idmapped mounts, else on a
 * tmpfs of the test's own.
 */
class IdmapMountIT {
    private static final long OVERFLOW = 65534;

    /** Filesystems known to take idmapped mounts on the kernels burk runs on (6.x). */
    private static final Set<String> IDMAP_FILESYSTEMS = Set.of("ext4", "xfs", "btrfs", "tmpfs");
    /** Where the test directories are made: the temp directory, or a tmpfs when its filesystem is not one of those. */
    private static Path base;
    private static boolean ownTmpfs;

    @BeforeAll
    static void setUp() throws Exception {
        ContainerRuntime.becomeSubreaper();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (IDMAP_FILESYSTEMS.contains(Files.getFileStore(tmp).type())) {
            base = tmp;
        } else {
            base = Files.createTempDirectory("burk-idmap-base-");
            FileOps.mount("tmpfs", base.toString(), "tmpfs", 0, "size=16m,mode=755");
            ownTmpfs = true;
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (ownTmpfs) {
            FileOps.umount2(base.toString(), 2 /* MNT_DETACH */);
            Files.deleteIfExists(base);
        }
    }

    private static Map<String, Object> map(long containerId, long hostId, long size) {
        return new LinkedHashMap<>(Map.of("containerID", containerId, "hostID", hostId, "size", size));
    }

    /** A bind mount of {@code source} on {@code dest}; with {@code idmap} (containerID, hostID, size) as uid and gid mapping. */
    private static Map<String, Object> bind(String dest, Path source, List<String> options, long... idmap) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", dest);
        m.put("type", "bind");
        m.put("source", source.toString());
        m.put("options", new ArrayList<Object>(options));
        if (idmap.length > 0) {
            m.put("uidMappings", new ArrayList<Object>(List.of(map(idmap[0], idmap[1], idmap[2]))));
            m.put("gidMappings", new ArrayList<Object>(List.of(map(idmap[0], idmap[1], idmap[2]))));
        }
        return m;
    }

    private static void userNamespace(TestBundle b) {
        b.addNamespace("user", null);
        b.linux().put("uidMappings", new ArrayList<Object>(List.of(map(0, 100000, 65536))));
        b.linux().put("gidMappings", new ArrayList<Object>(List.of(map(0, 100000, 65536))));
    }

    private static Path dir(String prefix, long owner) throws IOException {
        Path d = Files.createTempDirectory(base, prefix);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        chown(d, owner);
        return d;
    }

    private static Path file(Path dir, String name, long owner) throws IOException {
        Path f = Files.writeString(dir.resolve(name), name + "\n");
        chown(f, owner);
        return f;
    }

    private static void chown(Path p, long id) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) id);
        Files.setAttribute(p, "unix:gid", (int) id);
    }

    private static long owner(Path p) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid");
        int gid = (Integer) Files.getAttribute(p, "unix:gid");
        assertEquals(uid, gid, p + ": uid and gid are mapped alike here");
        return uid;
    }

    private static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String createFails(TestBundle b) throws Exception {
        RuntimeError e = assertThrows(RuntimeError.class, b::create);
        Leftovers.assertNone(b);
        assertEquals(List.of(), Leftovers.mountsUnder(TestBundle.rootfs()), "a mount under the rootfs is left on the host");
        assertEquals(List.of(), b.runtime.list(), "a container is still listed");
        return e.getMessage();
    }

    @Test
    void aMountMappingShowsTheSourcesIdsAsMappedAndMapsNewFilesBack() throws Exception {
        // /data: on-disk 1000 is shown as 0, so the container's root owns the host user's files
        Path mine = dir("burk-idmap-a-", 1000);
        file(mine, "mine", 1000);
        file(mine, "roots", 0);
        // /data2: on-disk 0 is shown as 1000 (the mapping as runc's tests write it)
        Path other = dir("burk-idmap-b-", 0);
        file(other, "mine", 1000);
        file(other, "roots", 0);
        try (TestBundle b = TestBundle.make()) {
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(bind("/data", mine, List.of("bind"), 1000, 0, 1));
            mounts.add(bind("/data2", other, List.of("bind", "idmap"), 0, 1000, 1));
            // a single file, over one the image has
            mounts.add(bind("/etc/hostname", mine.resolve("mine"), List.of("bind", "ro"), 1000, 0, 1));
            b.sh("stat -c '%n %u %g' /data /data/mine /data/roots /data2 /data2/mine /data2/roots;"
                    + " touch /data/new && stat -c '%n %u %g' /data/new;"
                    + " touch /data2/new 2>&1; grep -E ' /data2? ' /proc/self/mountinfo | cut -d' ' -f5,6;"
                    + " stat -c '%n %u %g' /etc/hostname; cat /etc/hostname; echo x >> /etc/hostname || echo read-only");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> l = r.output().lines().toList();
            assertEquals("/data 0 0", l.get(0), r.output());
            assertEquals("/data/mine 0 0", l.get(1));
            assertEquals("/data/roots " + OVERFLOW + " " + OVERFLOW, l.get(2), "on-disk 0 is outside the mapping");
            assertEquals("/data2 1000 1000", l.get(3));
            assertEquals("/data2/mine " + OVERFLOW + " " + OVERFLOW, l.get(4));
            assertEquals("/data2/roots 1000 1000", l.get(5));
            assertEquals("/data/new 0 0", l.get(6));
            assertTrue(l.get(7).contains("Value too large"),
                    "root (uid 0) has no on-disk id through /data2's mapping, so it cannot create files: " + r.output());
            assertTrue(l.get(8).matches("/data rw,.*idmapped.*"), r.output());
            assertTrue(l.get(9).matches("/data2 rw,.*idmapped.*"), r.output());
            assertEquals("/etc/hostname 0 0", l.get(10));
            assertEquals("mine", l.get(11));
            assertEquals("read-only", l.getLast(), "the mount's own flags hold on the attached clone: " + r.output());
            assertEquals(1000, owner(mine.resolve("new")), "a file the container's root made belongs to 1000 on the host");
            assertTrue(!Files.exists(other.resolve("new")));
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        } finally {
            removeTree(mine);
            removeTree(other);
        }
    }

    @Test
    void idmapWithoutMappingsTakesTheContainersUserNamespace() throws Exception {
        Path shared = dir("burk-idmap-userns-", 0);
        file(shared, "u1000", 1000);
        try (TestBundle b = TestBundle.make()) {
            userNamespace(b);
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(bind("/data", shared, List.of("bind", "idmap")));
            mounts.add(bind("/data2", shared, List.of("bind")));
            b.sh("cat /proc/self/uid_map; stat -c '%n %u %g' /data /data/u1000 /data2/u1000;"
                    + " touch /data/new && stat -c '%n %u %g' /data/new");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> l = r.output().lines().map(s -> s.trim().replaceAll("\\s+", " ")).toList();
            assertEquals("0 100000 65536", l.get(0));
            assertEquals("/data 0 0", l.get(1), "the host's ids are the container's own through the idmapped mount");
            assertEquals("/data/u1000 1000 1000", l.get(2));
            assertEquals("/data2/u1000 " + OVERFLOW + " " + OVERFLOW, l.get(3), "a plain bind shows host ids unmapped");
            assertEquals("/data/new 0 0", l.get(4));
            assertEquals(0, owner(shared.resolve("new")), "the container's root writes as host root through the mapping");
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        } finally {
            removeTree(shared);
        }
    }

    @Test
    void idmapInAJoinedUserNamespaceTakesThatNamespacesMapping() throws Exception {
        Path shared = dir("burk-idmap-joined-", 0);
        file(shared, "u1000", 1000);
        try (TestBundle a = TestBundle.make("/bin/sleep", "30"); TestBundle b = TestBundle.make()) {
            userNamespace(a);
            ContainerInfo first = a.create();
            b.addNamespace("user", "/proc/" + first.pid() + "/ns/user");
            // Only mounts a process that is not (yet) root of the joined namespace can make: burk enters it
            // with the caller's ids, unmapped there, so devpts and mknod would fail for reasons of their own.
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.removeIf(m -> !"/proc".equals(((Map<?, ?>) m).get("destination")));
            mounts.add(bind("/dev", Path.of("/dev"), List.of("rbind")));
            mounts.add(bind("/data", shared, List.of("bind", "idmap")));
            b.linux().remove("maskedPaths");
            b.linux().remove("readonlyPaths");
            b.sh("cat /proc/self/uid_map; stat -c '%n %u %g' /data /data/u1000");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> l = r.output().lines().map(s -> s.trim().replaceAll("\\s+", " ")).toList();
            assertEquals(List.of("0 100000 65536", "/data 0 0", "/data/u1000 1000 1000"), l);
            a.runtime.delete(a.id, true);
        } finally {
            removeTree(shared);
        }
    }

    @Test
    void ridmapReachesANestedMountAndIdmapStopsAtTheTop() throws Exception {
        Path shared = dir("burk-idmap-nested-", 0);
        Path sub = shared.resolve("sub");
        Files.createDirectories(sub);
        file(shared, "top", 0);
        FileOps.mount("tmpfs", sub.toString(), "tmpfs", 0, "size=1m,mode=755");
        try (TestBundle b = TestBundle.make()) {
            file(sub, "inner", 0);
            userNamespace(b);
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(bind("/data", shared, List.of("rbind", "ridmap")));
            mounts.add(bind("/data2", shared, List.of("rbind", "idmap")));
            b.sh("stat -c '%n %u %g' /data/top /data/sub/inner /data2/top /data2/sub/inner;"
                    + " grep -E ' /data2?/sub ' /proc/self/mountinfo | cut -d' ' -f5,6");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            List<String> l = r.output().lines().toList();
            assertEquals("/data/top 0 0", l.get(0), r.output());
            assertEquals("/data/sub/inner 0 0", l.get(1), "ridmap: the tmpfs under the bind is idmapped too");
            assertEquals("/data2/top 0 0", l.get(2));
            assertEquals("/data2/sub/inner " + OVERFLOW + " " + OVERFLOW, l.get(3), "idmap: the top mount only");
            assertTrue(l.get(4).matches("/data/sub rw,.*idmapped.*"), r.output());
            assertTrue(l.get(5).startsWith("/data2/sub ") && !l.get(5).contains("idmapped"), r.output());
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        } finally {
            FileOps.umount2(sub.toString(), 2 /* MNT_DETACH */);
            removeTree(shared);
        }
    }

    @Test
    void theCloneOfASharedHostMountPassesNoContainerMountToTheHost() throws Exception {
        Path shared = Files.createTempDirectory(base, "burk-idmap-shared-");
        FileOps.mount("tmpfs", shared.toString(), "tmpfs", 0, "size=1m,mode=755");
        try (TestBundle b = TestBundle.make()) {
            FileOps.mount(null, shared.toString(), null, MountFlags.MS_SHARED, null);
            Files.createDirectories(shared.resolve("x"));
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(bind("/data", shared, List.of("bind"), 0, 1000, 65536));
            // mounted by the init in the container's mount namespace, on the idmapped mount
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data/x", "type", "tmpfs",
                    "source", "tmpfs", "options", new ArrayList<Object>(List.of("size=1m")))));
            b.sh("grep -E ' /data(/x)? ' /proc/self/mountinfo | cut -d' ' -f5,7");
            ContainerInfo c = b.create();
            assertEquals(1, Leftovers.mountsUnder(shared).size(),
                    "the container's tmpfs on /data/x must not reach the host: " + Leftovers.mountsUnder(shared));
            assertEquals(0, b.runtime.startAndWait(c), b.output());
            List<String> l = b.output().lines().toList();
            assertTrue(l.get(0).matches("/data master:\\d+"), "a slave of the host's peer group, as with rslave: " + l);
            assertTrue(l.get(1).startsWith("/data/x "), l.toString());
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        } finally {
            FileOps.umount2(shared.toString(), 2 /* MNT_DETACH */);
            removeTree(shared);
        }
    }

    @Test
    void aMappingOnAMountThatIsNotABindMountIsRefused() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            List<Object> mounts = b.list(b.config, "mounts");
            Map<String, Object> tmpfs = new LinkedHashMap<>(Map.of("destination", "/data", "type", "tmpfs",
                    "source", "tmpfs", "options", new ArrayList<Object>(List.of("size=1m"))));
            tmpfs.put("uidMappings", new ArrayList<Object>(List.of(map(0, 1000, 1))));
            tmpfs.put("gidMappings", new ArrayList<Object>(List.of(map(0, 1000, 1))));
            mounts.add(tmpfs);
            assertEquals("mounts[" + (mounts.size() - 1) + "]: uidMappings and gidMappings (an id-mapped mount) need a"
                    + " bind mount, but type \"tmpfs\" without \"bind\" or \"rbind\" in options is not one", createFails(b));
        }
    }

    @Test
    void aFilesystemWithoutIdmapSupportIsNamedWithTheMount() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(bind("/data", Path.of("/proc/sys"), List.of("bind"), 0, 1000, 1));
            String i = "mounts[" + (mounts.size() - 1) + "]";
            assertEquals(i + ": id-map the clone of /proc/sys, propagation slave: invalid argument"
                    + " (the filesystem of /proc/sys does not support id-mapped mounts)", createFails(b));
        }
    }

    @Test
    void idmapWithoutMappingsOrAUserNamespaceIsRefused() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            Path src = b.dir;
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(bind("/data", src, List.of("rbind", "ridmap")));
            assertEquals("mounts[" + (mounts.size() - 1) + "].options: \"ridmap\" needs uidMappings and gidMappings on the"
                    + " mount, or a user namespace in linux.namespaces", createFails(b));
        }
    }

    @Test
    void aMappingTheKernelRefusesIsNamedWithTheMount() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            List<Object> mounts = b.list(b.config, "mounts");
            Map<String, Object> m = bind("/data", b.dir, List.of("bind"), 0, 1000, 10);
            // two ranges of container ids that overlap: uid_map refuses them
            m.put("uidMappings", new ArrayList<Object>(List.of(map(0, 1000, 10), map(5, 2000, 10))));
            mounts.add(m);
            assertEquals("mounts[" + (mounts.size() - 1) + "]: make a user namespace with uid map \"0 1000 10, 5 2000 10\""
                    + " and gid map \"0 1000 10\": invalid argument", createFails(b));
        }
    }
}
