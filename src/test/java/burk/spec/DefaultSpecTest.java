package burk.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultSpecTest {

    @Test
    void writesTheConfigRuncSpecWritesByteForByte() throws IOException {
        // runc spec's output on a cgroup v2 host (MarshalIndent with a tab), with burk's version and hostname.
        String expected = SpecCodecTest.resource("runc-spec-cgroup2.json");
        assertEquals(expected, SpecCodec.toJson(DefaultSpec.create(true), true));
    }

    @Test
    void cgroupNamespaceOnlyWhenAsked() {
        Linux withCgroupNs = DefaultSpec.create(true).linux();
        Linux without = DefaultSpec.create(false).linux();
        assertEquals(List.of(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC, NamespaceType.UTS,
                NamespaceType.MOUNT, NamespaceType.CGROUP), types(withCgroupNs));
        assertEquals(List.of(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC, NamespaceType.UTS,
                NamespaceType.MOUNT), types(without));
    }

    @Test
    void hostDetectionFollowsTheCgroupHierarchyOfThisMachine() {
        boolean unified = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        assertEquals(unified, DefaultSpec.create().linux().hasNamespace(NamespaceType.CGROUP));
    }

    @Test
    void defaultContentMatchesRunc() {
        RuntimeSpec s = DefaultSpec.create(false);
        assertEquals(RuntimeSpec.OCI_VERSION, s.ociVersion());
        assertEquals("burk", s.hostname());
        assertEquals(new Root("rootfs", true), s.root());
        ProcessSpec p = s.process();
        assertTrue(p.terminal());
        assertEquals(List.of("sh"), p.args());
        assertEquals("/", p.cwd());
        assertTrue(p.noNewPrivileges());
        List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        assertEquals(new Capabilities(caps, caps, List.of(), caps, List.of()), p.capabilities());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), p.rlimits());
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"),
                s.mounts().stream().map(Mount::destination).toList());
        assertEquals(List.of(new DeviceRule(false, null, null, null, "rwm")), s.linux().resources().devices());
    }

    @Test
    void rootlessMapsTheUserAndDropsWhatNeedsPrivileges() {
        RuntimeSpec s = DefaultSpec.rootless(1000, 1001);
        Linux l = s.linux();
        assertEquals(List.of(NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT,
                NamespaceType.USER), types(l));
        assertEquals(List.of(new IdMapping(0, 1000, 1)), l.uidMappings());
        assertEquals(List.of(new IdMapping(0, 1001, 1)), l.gidMappings());
        assertNull(l.resources());
        assertEquals(new Mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")),
                s.mounts().get(5));
        assertEquals(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"), s.mounts().get(2).options());
        // runc has kept the cgroup mount in rootless specs since 1.0 (it shows the container's cgroup with a cgroupns).
        assertEquals("/sys/fs/cgroup", s.mounts().get(6).destination());
        assertEquals(7, s.mounts().size());
        assertEquals(DefaultSpec.create().process(), s.process());
    }

    @Test
    void rootlessWritesWhatRuncSpecRootlessWrites() {
        String json = SpecCodec.toJson(DefaultSpec.toRootless(DefaultSpec.create(true), 1000, 1000), true);
        assertTrue(json.contains("\t\"linux\": {\n\t\t\"uidMappings\": [\n\t\t\t{\n\t\t\t\t\"containerID\": 0,\n"
                + "\t\t\t\t\"hostID\": 1000,\n\t\t\t\t\"size\": 1\n\t\t\t}\n\t\t],\n\t\t\"gidMappings\": ["), json);
        assertTrue(json.contains("{\n\t\t\t\"destination\": \"/sys\",\n\t\t\t\"type\": \"none\",\n"
                + "\t\t\t\"source\": \"/sys\",\n\t\t\t\"options\": [\n\t\t\t\t\"rbind\","), json);
        assertFalse(json.contains("\"resources\""), json);
        assertFalse(json.contains("\"network\""), json);
        assertFalse(json.contains("gid=5"), json);
    }

    @Test
    void toRootlessReplacesExistingUserAndNetworkNamespacesAndAnySysSpelling() {
        RuntimeSpec s = SpecValidatorTest.spec("linux.namespaces[5]", "{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}",
                "mounts[5].destination", "\"/sys/\"", "mounts[0].options", "[\"uid=3\",\"nosuid\",\"gid=4\"]");
        RuntimeSpec r = DefaultSpec.toRootless(s, 5, 6);
        assertEquals(List.of(NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT,
                NamespaceType.USER), types(r.linux()));
        assertNull(r.linux().namespace(NamespaceType.USER).path());
        assertEquals("none", r.mounts().get(5).type());
        assertEquals(List.of("nosuid"), r.mounts().get(0).options());
    }

    @Test
    void rootlessReadsTheEffectiveIdsOfThisProcess() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        long euid = DefaultSpec.secondField(status, "Uid:");
        long egid = DefaultSpec.secondField(status, "Gid:");
        RuntimeSpec s = DefaultSpec.rootless();
        assertEquals(euid, s.linux().uidMappings().get(0).hostID());
        assertEquals(egid, s.linux().gidMappings().get(0).hostID());
    }

    @Test
    void parsesTheSecondFieldOfAStatusLine() {
        String status = "Name:\tjava\nUmask:\t0022\nUid:\t1000\t1001\t1002\t1003\nGid:\t50\t51\t52\t53\nGroups:\t\n";
        assertEquals(1001, DefaultSpec.secondField(status, "Uid:"));
        assertEquals(51, DefaultSpec.secondField(status, "Gid:"));
        assertThrows(IllegalStateException.class, () -> DefaultSpec.secondField("Name:\tx\n", "Uid:"));
    }

    private static List<NamespaceType> types(Linux linux) {
        return linux.namespaces().stream().map(LinuxNamespace::type).toList();
    }
}
