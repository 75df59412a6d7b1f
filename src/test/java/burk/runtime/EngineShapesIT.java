package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configurations and layouts the way containerd, Podman and Docker produce them (each case
 * was a failure seen through a real engine in scripts/engine-suite).
 */
class EngineShapesIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    /** Docker sets this sysctl for every container and lists /proc/sys in readonlyPaths. */
    @Test
    void sysctlsAreWrittenBeforeReadonlyPathsAreMadeReadOnly() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            assertTrue(b.list(b.linux(), "readonlyPaths").contains("/proc/sys"));
            b.linux().put("sysctl", new LinkedHashMap<>(Map.of("net.ipv4.ip_unprivileged_port_start", "0")));
            b.sh("cat /proc/sys/net/ipv4/ip_unprivileged_port_start;"
                    + " echo 5 2>/dev/null > /proc/sys/net/ipv4/ip_unprivileged_port_start || echo read-only");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals("0\nread-only\n", r.output());
            Leftovers.assertNone(b);
        }
    }

    /** containerd's shim sends {@code kill --all ID 9} after the init's exit when the PID namespace is shared. */
    @Test
    void killAllOfAStoppedContainerKillsWhatIsLeftInItsCgroup() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.removeNamespace("pid").sh("sleep 100 & echo $!; exit 0");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            assertEquals(0, Syscalls.waitPid(c.pid(), 0).shellStatus());
            assertEquals(ContainerStatus.STOPPED, b.runtime.state(b.id).status());
            int orphan = Integer.parseInt(b.output().trim());
            b.runtime.kill(b.id, 9, true);
            assertEquals(137, Syscalls.waitPid(orphan, 0).shellStatus());
            b.runtime.delete(b.id, false);
        }
    }

    /**
     * Docker's state directory is {@code EXEC_ROOT/runtime-NAME/moby/<64 hex>}: with a temp
     * exec-root its start socket's path is longer than a sockaddr_un holds.
     */
    @Test
    void startReachesAnInitWhoseStatePathIsLongerThanASocketAddress() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("echo started");
            b.write();
            Path root = b.dir.resolve("exec-root-of-a-daemon/runtime-burk/moby");
            ContainerRuntime rt = new ContainerRuntime(root);
            String id = "0123456789abcdef".repeat(4);
            assertTrue(root.resolve(id).resolve(StartBarrier.SOCKET).toString().length() > 107);
            Path out = b.dir.resolve("output");
            try {
                ContainerInfo c;
                try (Fd fd = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC, 0644);
                     Fd nul = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
                    c = rt.create(CreateRequest.of(id, b.dir).withStdio(new int[] {nul.get(), fd.get(), fd.get()}));
                }
                rt.start(id);
                assertEquals(0, Syscalls.waitPid(c.pid(), 0).shellStatus());
                assertEquals("started\n", Files.readString(out));
            } finally {
                rt.delete(id, true);
            }
            assertFalse(Files.exists(root.resolve(id)));
        }
    }
}
