package burk.front;

import burk.image.ImageImporter;
import burk.image.ImageReference;
import burk.image.ImageStore;
import burk.runtime.ContainerRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** burk run IMAGE end to end: an image imported from the busybox rootfs, run by burk's runtime. */
class FrontIT {
    private static final Path ROOTFS = Path.of(System.getProperty("burk.home", "."), "build", "rootfs");
    private Path work, out, runRoot;
    private ImageStore store;
    private Front front;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(ROOTFS.resolve("bin/busybox")), "no busybox rootfs at " + ROOTFS + " (scripts/make-rootfs)");
        work = Files.createTempDirectory("burk-front-");
        out = Files.createDirectory(work.resolve("out"));
        Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        store = new ImageStore(work.resolve("store"));
        new ImageImporter(store).importDirectory(ROOTFS, ImageReference.parse("localhost/busybox:latest"),
                List.of("/bin/sh", "-c", "echo default > /out/default"), List.of("PATH=/bin:/usr/bin", "FROM_IMAGE=yes"));
        // short: the runtime's start socket lives at ROOT/ID/exec.sock, and unix socket paths stop at 108 bytes
        runRoot = Files.createDirectories(Path.of("/run/burk-front-it-" + ProcessHandle.current().pid()));
        front = new Front(store, new ContainerRuntime(runRoot), null);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (work == null) return;
        for (Front.Row r : front.ps(true)) front.remove(r.container().id(), true);
        boolean mounted = Files.readString(Path.of("/proc/self/mountinfo")).contains(work.toString());
        for (Path dir : List.of(work, runRoot)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        assertFalse(mounted, "a mount under the test's directory was left behind");
    }

    private RunOptions opts(String... cmd) {
        return RunOptions.of("busybox", List.of(cmd));
    }

    private RunOptions withVolume(RunOptions o) {
        List<String> v = new ArrayList<>(o.volumes());
        v.add(out + ":/out");
        return o.withVolumes(v);
    }

    @Test
    void imageCommandRunsAndTheExitStatusIsReturned() throws Exception {
        assertEquals(0, front.run(withVolume(RunOptions.of("busybox", List.of())).withRemove(true)));
        assertEquals("default\n", Files.readString(out.resolve("default")));
        assertEquals(7, front.run(opts("sh", "-c", "exit 7").withName("seven")));
        Front.Row row = front.ps(true).get(0);
        assertEquals("seven", row.container().name());
        assertTrue(row.status().startsWith("Exited (7)"), row.status());
        assertThrows(FrontException.class, () -> front.run(opts("true").withName("seven")), "names are unique");
        front.remove("seven", false);
        assertTrue(front.ps(true).isEmpty());
    }

    @Test
    void configFromImageAndFlags() throws Exception {
        RunOptions o = new RunOptions("busybox", List.of("sh", "-c",
                "id -u > /out/uid; id -g > /out/gid; pwd > /out/pwd; echo $FROM_IMAGE $MINE > /out/env; hostname > /out/host;"
                        + " awk '$2==\"/\" {print $4}' /proc/mounts > /out/ro; cat /proc/self/status | grep ^CapEff > /out/caps"),
                null, false, false, true, false, List.of("MINE=flag"), List.of(out + ":/out"), "/tmp", "nobody", "box1",
                64L << 20, 0.5, 50, true, "none", null, false, false, List.of());
        assertEquals(0, front.run(o));
        assertEquals("65534", Files.readString(out.resolve("uid")).trim(), "user name looked up in the image's /etc/passwd");
        assertEquals("65534", Files.readString(out.resolve("gid")).trim());
        assertEquals("/tmp", Files.readString(out.resolve("pwd")).trim());
        assertEquals("yes flag", Files.readString(out.resolve("env")).trim());
        assertEquals("box1", Files.readString(out.resolve("host")).trim());
        assertTrue(Files.readString(out.resolve("ro")).startsWith("ro"), "--read-only rootfs: " + Files.readString(out.resolve("ro")));
        assertTrue(front.ps(true).isEmpty(), "--rm removed the container");
    }

    @Test
    void entrypointOverride() throws Exception {
        RunOptions o = new RunOptions("busybox", List.of("-c", "echo via-entrypoint > /out/ep"), null, false, false, true, false,
                List.of(), List.of(out + ":/out"), null, null, null, 0, 0, 0, false, "none", "/bin/sh", false, false, List.of());
        assertEquals(0, front.run(o));
        assertEquals("via-entrypoint", Files.readString(out.resolve("ep")).trim());
    }

    @Test
    void detachedLogsStopAndRemove() throws Exception {
        List<String> monitor = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dburk.home=" + System.getProperty("burk.home", "."),
                "-Dburk.storage=" + store.root(), "-cp", System.getProperty("java.class.path"), "burk.cli.Main",
                "--root", runRoot.toString(), "__monitor");
        FrontContainer c = front.runDetached(opts("sh", "-c", "echo started-up; trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done")
                .withName("bg"), monitor);
        assertTrue(front.ps(false).stream().anyMatch(r -> r.container().id().equals(c.id())), "running");
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 100 && !buf.toString().contains("started-up"); i++) {
            buf.reset();
            front.logs("bg", false, new java.io.PrintStream(buf));
            Thread.sleep(50);
        }
        assertTrue(buf.toString().contains("started-up"), buf.toString());
        front.stop("bg", 10);
        Front.Row row = null;
        for (int i = 0; i < 100; i++) {
            row = front.ps(true).get(0);
            if (row.container().exitCode() != null || front.lookup("bg").exitCode() != null) break;
            Thread.sleep(50);
        }
        assertEquals(Integer.valueOf(0), front.lookup("bg").exitCode(), "the monitor recorded the exit status");
        buf.reset();
        front.logs("bg", false, new java.io.PrintStream(buf));
        assertTrue(buf.toString().contains("bye"), buf.toString());
        front.remove("bg", false);
        assertTrue(front.ps(true).isEmpty());
    }

    @Test
    void badNamesAndMissingCommandsAreClearErrorsThatLeaveNothing() throws Exception {
        FrontException e = assertThrows(FrontException.class, () -> front.run(opts("true").withName("bad name!")));
        assertTrue(e.getMessage().contains("invalid container name"), e.getMessage());
        RunOptions none = new RunOptions("busybox", List.of(), null, false, false, false, false, List.of(), List.of(), null,
                null, null, 0, 0, 0, false, "none", "", false, false, List.of());
        e = assertThrows(FrontException.class, () -> front.run(none));
        assertTrue(e.getMessage().contains("no command specified"), e.getMessage());
        assertTrue(front.ps(true).isEmpty(), "nothing left after a failed create");
    }

    private String status(String field) throws Exception {
        for (String line : Files.readAllLines(out.resolve("status"))) if (line.startsWith(field + ":")) return line.substring(field.length() + 1).trim();
        return null;
    }

    private static final String PROBE = "grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status > /out/status;"
            + " unshare -U true 2>/dev/null; echo $? > /out/unshare; mkdir /tmp/d 2>/dev/null; echo $? > /out/mkdir;"
            + " mount -t tmpfs t /mnt 2>/dev/null; echo $? > /out/mount; awk '$2==\"/sys\" {print $4}' /proc/mounts > /out/sys";

    @Test
    @SuppressWarnings("unchecked")
    void dockersDefaultSeccompProfileIsInTheConfigAndApplied() throws Exception {
        assertEquals(0, front.run(withVolume(opts("sh", "-c", PROBE)).withName("sc")));
        assertEquals("2", status("Seccomp"), "a seccomp filter is installed");
        assertEquals("0", status("NoNewPrivs"), "Docker leaves no_new_privs off: an image's setuid programs work");
        assertEquals("1", Files.readString(out.resolve("unshare")).trim(), "Docker's profile denies unshare without CAP_SYS_ADMIN");
        assertEquals("0", Files.readString(out.resolve("mkdir")).trim());
        Map<String, Object> inspect = (Map<String, Object>) burk.spec.Json.parse(front.inspect("sc"), "inspect");
        Map<String, Object> config = (Map<String, Object>) burk.spec.Json.parse(
                Files.readString(Path.of((String) inspect.get("Bundle"), "config.json")), "config.json");
        Map<String, Object> linux = (Map<String, Object>) config.get("linux");
        Map<String, Object> expected = burk.seccomp.DefaultProfiles.docker(burk.seccomp.Arch.host(),
                burk.seccomp.DefaultProfiles.DOCKER_DEFAULT_CAPABILITIES).toJson();
        assertEquals(burk.spec.Json.write(expected), burk.spec.Json.write(linux.get("seccomp")),
                "config.json holds Docker's default profile for Docker's default capabilities");
        assertEquals(Boolean.FALSE, ((Map<String, Object>) config.get("process")).get("noNewPrivileges"));
    }

    @Test
    void securityOptsUnconfinedProfileFileAndNoNewPrivileges() throws Exception {
        assertEquals(0, front.run(withVolume(opts("sh", "-c", PROBE)).withRemove(true)
                .withSecurity(false, List.of("seccomp=unconfined"))));
        assertEquals("0", status("Seccomp"));
        assertEquals("0", Files.readString(out.resolve("unshare")).trim(), "no filter: a user namespace may be made");

        Path profile = Files.writeString(work.resolve("profile.json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                + "[{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
        assertEquals(0, front.run(withVolume(opts("sh", "-c", PROBE)).withRemove(true)
                .withSecurity(false, List.of("seccomp=" + profile, "no-new-privileges"))));
        assertEquals("2", status("Seccomp"));
        assertEquals("1", status("NoNewPrivs"));
        assertEquals("1", Files.readString(out.resolve("mkdir")).trim(), "the profile file's rule denies mkdir");
        assertEquals("0", Files.readString(out.resolve("unshare")).trim(), "and nothing else");

        Path conditional = Files.writeString(work.resolve("docker-form.json"), "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
                + "[{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}");
        FrontException e = assertThrows(FrontException.class, () -> front.run(opts("true")
                .withSecurity(false, List.of("seccomp=" + conditional))));
        assertTrue(e.getMessage().contains("includes"), e.getMessage());
        e = assertThrows(FrontException.class, () -> front.run(opts("true").withSecurity(false, List.of("apparmor=docker-default"))));
        assertTrue(e.getMessage().contains("AppArmor"), e.getMessage());
        assertTrue(front.ps(true).isEmpty(), "refused options leave nothing behind");
    }

    @Test
    void privilegedHasEveryCapabilityNoFilterTheHostsDevicesAndWritableSys() throws Exception {
        String hostBounding = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) if (line.startsWith("CapBnd:")) hostBounding = line.substring(7).trim();
        Path probe = Path.of("/dev/loop-control");
        assertEquals(0, front.run(withVolume(opts("sh", "-c", PROBE + "; ls -l /dev > /out/dev")).withRemove(true)
                .withSecurity(true, List.of())));
        assertEquals(hostBounding, status("CapEff"), "every capability burk holds");
        assertEquals("0", status("Seccomp"));
        assertEquals("0", Files.readString(out.resolve("mount")).trim(), "CAP_SYS_ADMIN and no filter: mount works");
        assertTrue(Files.readString(out.resolve("sys")).startsWith("rw"), "/sys is writable");
        if (Files.exists(probe)) assertTrue(Files.readString(out.resolve("dev")).contains("loop-control"), "host devices are there");
        assertTrue(Files.readString(out.resolve("dev")).contains("ptmx -> pts/ptmx"), "ptmx stays the container's own");
    }

    /**
     * localhost/vol:1: the busybox layer plus a layer with /srv/seed.txt (uid 1000, mode 0640),
     * and an image config declaring /srv and /cache as volumes.
     */
    @SuppressWarnings("unchecked")
    private void storeImageWithVolumes() throws Exception {
        burk.image.StoredImage base = store.find("localhost/busybox:latest");
        burk.image.Manifest m = burk.image.Manifest.parse(store.blobs().read(base.manifest()), burk.image.MediaTypes.OCI_MANIFEST);
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        burk.image.TarWriter w = new burk.image.TarWriter(tar);
        w.add(burk.image.TarEntry.directory("srv/", 0755, 1_000_000_000_000_000_000L));
        byte[] seed = "seeded by the image\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        burk.image.TarEntry f = burk.image.TarEntry.file("srv/seed.txt", 0640, seed.length, 1_000_000_000_000_000_000L);
        w.add(new burk.image.TarEntry(f.name(), f.type(), f.mode(), 1000, 1000, f.size(), f.mtimeNanos(), f.linkName(),
                f.devMajor(), f.devMinor(), f.xattrs()), new java.io.ByteArrayInputStream(seed));
        w.finish();
        byte[] layer = tar.toByteArray();
        burk.image.Digest layerDigest = store.blobs().write(layer);
        Map<String, Object> cfg = (Map<String, Object>) burk.spec.Json.parse(new String(store.blobs().read(base.config()),
                java.nio.charset.StandardCharsets.UTF_8), "config");
        ((Map<String, Object>) cfg.get("config")).put("Volumes", new java.util.LinkedHashMap<>(Map.of("/srv", Map.of(), "/cache", Map.of())));
        Map<String, Object> rootfs = (Map<String, Object>) cfg.get("rootfs");
        List<Object> diffs = new ArrayList<>((List<Object>) rootfs.get("diff_ids"));
        diffs.add(layerDigest.toString());
        rootfs.put("diff_ids", diffs);
        byte[] cfgBytes = burk.spec.Json.write(cfg).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        burk.image.Digest cfgDigest = store.blobs().write(cfgBytes);
        List<burk.image.Descriptor> layers = new ArrayList<>(m.layers());
        layers.add(new burk.image.Descriptor(burk.image.MediaTypes.OCI_LAYER, layerDigest, layer.length));
        burk.image.Manifest withVolumes = new burk.image.Manifest(m.mediaType(),
                new burk.image.Descriptor(m.config().mediaType(), cfgDigest, cfgBytes.length), layers);
        store.add(store.blobs().write(withVolumes.toBytes()), List.of(ImageReference.parse("localhost/vol:1")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void imageVolumesAreAnonymousVolumesFilledFromTheImageAndRemovedWithTheContainer() throws Exception {
        storeImageWithVolumes();
        RunOptions o = RunOptions.of("localhost/vol:1", List.of("sh", "-c", "cat /srv/seed.txt > /out/seed;"
                + " stat -c '%u %a' /srv/seed.txt > /out/owner; echo written > /srv/new; touch /cache/c;"
                + " awk '$2==\"/srv\" || $2==\"/cache\" {print $2}' /proc/mounts > /out/mounts")).withName("vol");
        assertEquals(0, front.run(withVolume(o)));
        assertEquals("seeded by the image\n", Files.readString(out.resolve("seed")), "the volume was filled from the image");
        assertEquals("1000 640", Files.readString(out.resolve("owner")).trim(), "with the image's owner and mode");
        assertEquals(List.of("/cache", "/srv"), Files.readAllLines(out.resolve("mounts")).stream().sorted().toList(),
                "both are mounts of their own");
        Map<String, Object> inspect = (Map<String, Object>) burk.spec.Json.parse(front.inspect("vol"), "inspect");
        Path dir = Path.of((String) inspect.get("Bundle")).getParent();
        Path written = null;
        try (Stream<Path> s = Files.walk(dir.resolve("volumes"))) {
            for (Path p : s.toList()) if (p.getFileName().toString().equals("new")) written = p;
        }
        assertTrue(written != null && Files.readString(written).equals("written\n"), "the data is in the volume on the host, not in the rootfs");
        front.remove("vol", false);
        assertFalse(Files.exists(dir), "the volume went with the container");

        RunOptions bound = RunOptions.of("localhost/vol:1", List.of("sh", "-c", "ls /srv > /out/ls")).withRemove(true);
        assertEquals(0, front.run(withVolume(bound.withVolumes(List.of(work + ":/srv")))));
        assertTrue(Files.readString(out.resolve("ls")).contains("out"), "-v on a volume's path replaces the anonymous volume");
    }

    @Test
    void initIsPid1ForwardsSignalsReapsOrphansAndPassesTheStatus() throws Exception {
        // PID 1 ends up as `sleep 2`, which reaps nothing: an orphan stays a zombie unless burk-init is PID 1
        String probe = "ps -o pid,args > /out/ps; (sleep 0.1 &); (sleep 1; ps -o stat | grep -c '^Z' > /out/zombies) & exec sleep 2";
        assertEquals(0, front.run(withVolume(opts("sh", "-c", probe)).withRemove(true).withInit(true)));
        List<String> ps = Files.readAllLines(out.resolve("ps"));
        assertTrue(ps.get(1).trim().startsWith("1 ") && ps.get(1).contains("/dev/init -- sh -c"), "burk-init is PID 1: " + ps);
        assertEquals("0", Files.readString(out.resolve("zombies")).trim(), "the orphaned sleep was reaped");
        assertEquals(0, front.run(withVolume(opts("sh", "-c", probe)).withRemove(true)));
        assertEquals("1", Files.readString(out.resolve("zombies")).trim(), "without --init the orphan stays a zombie");

        assertEquals(7, front.run(opts("sh", "-c", "exit 7").withRemove(true).withInit(true)), "the command's status");
        // a shell as PID 1 ignores SIGTERM (no handler, PID 1): under burk-init it is an ordinary process
        assertEquals(143, front.run(opts("sh", "-c", "kill -TERM 1; sleep 5").withRemove(true).withInit(true)),
                "SIGTERM sent to PID 1 reached the command, which died of it");
        assertTrue(front.ps(true).isEmpty());
    }
}
