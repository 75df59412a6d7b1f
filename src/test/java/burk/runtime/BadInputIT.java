package burk.runtime;

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
 * Bad input gets a clear error naming the field or path and the reason, and leaves nothing
 * behind: no state directory, cgroup, mount or process.
 */
class BadInputIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static String createFails(TestBundle b) throws Exception {
        RuntimeError e = assertThrows(RuntimeError.class, b::create);
        Leftovers.assertNone(b);
        assertEquals(List.of(), Leftovers.mountsUnder(TestBundle.rootfs()), "a mount under the rootfs is left on the host");
        assertEquals(List.of(), b.runtime.list(), "a container is still listed");
        return e.getMessage();
    }

    @Test
    void aMissingRootfs() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.config.put("root", new LinkedHashMap<>(Map.of("path", "no-such-rootfs")));
            assertEquals("root.path: rootfs (" + b.dir.resolve("no-such-rootfs")
                    + ") does not exist or is not a directory", createFails(b));
        }
    }

    @Test
    void aMissingConfigJson() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.create(b.request()));
            assertEquals("open " + b.dir.resolve("config.json") + ": no such file or directory", e.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void malformedJson() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.writeRaw("{\n  \"ociVersion\": \"1.2.0\",\n  \"process\": {\"args\": [\"sh\"] \n}");
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.create(b.request()));
            assertEquals(b.dir.resolve("config.json") + ": line 4, column 2: expected ',' or '}', found end of input",
                    e.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void anUnknownNamespaceType() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.addNamespace("foo", null);
            int index = b.list(b.linux(), "namespaces").size() - 1;
            assertEquals("linux.namespaces[" + index + "].type: unknown namespace \"foo\"", createFails(b));
        }
    }

    @Test
    void aRelativeMountDestination() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "tmp", "type", "tmpfs", "source", "tmpfs")));
            assertEquals("mounts[" + (mounts.size() - 1) + "].destination: \"tmp\" is not an absolute path",
                    createFails(b));
        }
    }

    @Test
    void aUidMappingWithoutAUserNamespace() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.linux().put("uidMappings", new ArrayList<Object>(List.of(
                    new LinkedHashMap<String, Object>(Map.of("containerID", 0L, "hostID", 1000L, "size", 1L)))));
            assertEquals("linux.uidMappings: set, but there is no user namespace in linux.namespaces", createFails(b));
        }
    }

    @Test
    void aBindMountWhoseSourceDoesNotExist() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data", "type", "bind",
                    "source", "/no/such/dir", "options", new ArrayList<Object>(List.of("bind")))));
            assertEquals("mounts[" + (mounts.size() - 1) + "].source: /no/such/dir does not exist", createFails(b));
        }
    }

    @Test
    void aFailingStepInsideTheHelperIsReportedWithItsReason() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            List<Object> mounts = b.list(b.config, "mounts");
            mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/x", "type", "nosuchfs", "source", "none")));
            assertEquals("mount nosuchfs on /x: no such device", createFails(b));
        }
    }

    @Test
    void aProgramThatIsNotInThePath() throws Exception {
        try (TestBundle b = TestBundle.make("no-such-program")) {
            assertEquals("exec: \"no-such-program\": executable file not found in $PATH", createFails(b));
        }
        try (TestBundle b = TestBundle.make("/bin/no-such-program")) {
            assertEquals("exec: \"/bin/no-such-program\": stat /bin/no-such-program: no such file or directory",
                    createFails(b));
        }
    }

    @Test
    void aCwdThatIsAFileCannotBeMade() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.process().put("cwd", "/etc/passwd/sub");
            assertEquals("mkdir -p /etc/passwd/sub: not a directory", createFails(b));
        }
    }

    @Test
    void anInvalidContainerId() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.write();
            RuntimeError e = assertThrows(RuntimeError.class,
                    () -> b.runtime.create(CreateRequest.of("../escape", b.dir)));
            assertEquals("invalid id format: ../escape", e.getMessage());
            assertFalse(Files.exists(b.stateRoot.resolve("../escape")));
        }
    }

    @Test
    void aMemoryLimitTooLowForTheInitIsNamed() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.resources("memory", Map.of("limit", 4096L, "swap", 4096L));
            assertEquals("the container init was killed by the OOM killer during create:"
                    + " linux.resources.memory.limit (4096) is too low", createFails(b));
        }
    }

    @Test
    void aValueTheKernelRefusesIsNamedWithItsFile() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.resources("cpu", Map.of("cpus", "99999"));
            String msg = createFails(b);
            assertTrue(msg.startsWith("cgroup: write \"99999\" to /sys/fs/cgroup/cpuset/burk/" + b.id + "/cpuset.cpus: "),
                    msg);
        }
    }

    @Test
    void intelRdtOnAHostWithoutResctrlIsRefusedWithTheReason() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/sys/fs/resctrl")), "needs a host without resctrl");
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.linux().put("intelRdt", new LinkedHashMap<>(Map.of("closID", "guaranteed")));
            String msg = createFails(b);
            assertTrue(msg.startsWith("linux.intelRdt: set, but Intel RDT is not enabled on this host: no resctrl filesystem"
                    + " (/sys/fs/resctrl does not exist: "), msg);
        }
    }
}
