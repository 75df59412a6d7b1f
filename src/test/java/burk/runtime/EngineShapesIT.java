package burk.runtime;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
