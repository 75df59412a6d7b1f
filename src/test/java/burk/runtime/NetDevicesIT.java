package burk.runtime;

import burk.spec.ProcessSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * linux.netDevices (runtime-spec 1.3) with virtual devices made on the host by iproute2 for each
 * test and deleted after it, whatever happened. This kernel has no dummy driver, so each device is
 * one end of a veth pair whose peer stays on the host (a veth end is destroyed with its namespace,
 * as a dummy device would be).
 */
class NetDevicesIT {
    private static final AtomicInteger SEQ = new AtomicInteger();
    /** Permanent and of global scope: it must travel with the device. */
    private static final String GLOBAL = "169.254.77.1/32";
    /** Of link scope: it must not. */
    private static final String LINK_SCOPE = "10.77.0.1/24";

    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "needs iproute2's ip on the host");
    }

    /** A virtual device on the host, up, with a global and a link-scope address; deleted on close. */
    private static final class Dummy implements AutoCloseable {
        final String name = "bkt" + ProcessHandle.current().pid() % 100000 + "x" + SEQ.incrementAndGet();

        Dummy() throws Exception {
            ip("link", "add", name, "type", "veth", "peer", "name", name + "p");
            try {
                ip("address", "add", GLOBAL, "dev", name);
                ip("address", "add", LINK_SCOPE, "scope", "link", "dev", name);
                ip("link", "set", name, "up");
            } catch (Exception | AssertionError e) {
                close();
                throw e;
            }
        }

        boolean onHost() {
            return Files.exists(Path.of("/sys/class/net", name));
        }

        @Override
        public void close() {
            if (onHost()) {
                try {
                    ip("link", "del", name);
                } catch (Exception ignored) {
                    // gone meanwhile
                }
            }
        }
    }

    private static String ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }

    private static TestBundle withDevices(Map<String, Object> devices) throws IOException {
        TestBundle b = TestBundle.make("/bin/true");
        b.linux().put("netDevices", devices);
        return b;
    }

    private static Map<String, Object> device(String host, String name) {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> v = new LinkedHashMap<>();
        if (name != null) v.put("name", name);
        d.put(host, v);
        return d;
    }

    private static String exec(TestBundle b, String script) throws Exception {
        Path out = b.dir.resolve("exec.out");
        ProcessSpec p = ProcessSpec.of(List.of("/bin/sh", "-c", script), List.of("PATH=/bin:/sbin:/usr/bin"), "/");
        assertEquals(0, b.exec(ExecRequest.of(b.id, p), out), Files.exists(out) ? Files.readString(out) : "");
        return Files.readString(out);
    }

    /** The netns of a dead container is freed by a kernel worker, shortly after. */
    private static boolean goneWithin(Dummy d, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (d.onHost()) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void aDeviceMovesInRenamedUpWithItsGlobalAddressOnly() throws Exception {
        try (Dummy d = new Dummy(); TestBundle b = withDevices(device(d.name, "eth5"))) {
            b.args("/bin/sleep", "60");
            b.create();
            assertFalse(d.onHost(), "the device left the host when the container was created");
            b.runtime.start(b.id);
            String inside = exec(b, "ip -o link show eth5; ip -o addr show dev eth5; ls /sys/class/net");
            assertTrue(inside.contains(": eth5") && inside.contains(",UP"), inside);
            assertTrue(inside.contains("inet " + GLOBAL), inside);
            assertFalse(inside.contains("10.77.0.1"), "a link-scope address stays behind: " + inside);
            assertTrue(inside.contains("eth5"), inside);
            assertFalse(inside.contains(d.name), inside);
            b.runtime.delete(b.id, true);
            // As runc: delete does not move it back; the namespace goes and the kernel destroys
            // a virtual device with it (a physical one would return to the host).
            assertTrue(goneWithin(d, 10_000), "the virtual device is destroyed with the container's namespace");
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aNameTemplateIsFilledInByTheKernel() throws Exception {
        try (Dummy d = new Dummy(); TestBundle b = withDevices(device(d.name, "ctr%d"))) {
            b.args("/bin/sh", "-c", "ls /sys/class/net");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertTrue(List.of(r.output().split("\\s+")).contains("ctr0"), r.output());
        }
    }

    @Test
    void withoutANameTheDeviceKeepsItsHostName() throws Exception {
        try (Dummy d = new Dummy(); TestBundle b = withDevices(device(d.name, null))) {
            b.args("/bin/sh", "-c", "cat /sys/class/net/" + d.name + "/flags");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertEquals(1, Integer.decode(r.output().trim()) & 1, "up: " + r.output());
        }
    }

    @Test
    void intoTheNetworkNamespaceOfAUserNamespace() throws Exception {
        try (Dummy d = new Dummy(); TestBundle b = withDevices(device(d.name, "eth9"))) {
            b.addNamespace("user", null);
            Map<String, Object> map = new LinkedHashMap<>(Map.of("containerID", 0L, "hostID", 100000L, "size", 65536L));
            b.linux().put("uidMappings", new ArrayList<Object>(List.of(map)));
            b.linux().put("gidMappings", new ArrayList<Object>(List.of(new LinkedHashMap<>(map))));
            b.args("/bin/sh", "-c", "ip -o addr show dev eth9; cat /sys/class/net/eth9/flags");
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().contains("inet " + GLOBAL), r.output());
            assertTrue(goneWithin(d, 10_000), "destroyed with the namespace");
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aDeviceTheHostDoesNotHaveIsNamed() throws Exception {
        try (TestBundle b = withDevices(device("bktnosuch0", "eth5"))) {
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("linux.netDevices[\"bktnosuch0\"]: the host has no network device \"bktnosuch0\"", e.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void withoutItsOwnNetworkNamespaceNothingMoves() throws Exception {
        try (Dummy d = new Dummy(); TestBundle b = withDevices(device(d.name, "eth5"))) {
            b.removeNamespace("network");
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("linux.netDevices: set, but there is no network namespace in linux.namespaces", e.getMessage());
            assertTrue(d.onHost());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aNameTheContainerAlreadyHasIsRefusedBeforeAnythingMoves() throws Exception {
        try (Dummy d = new Dummy(); TestBundle b = withDevices(device(d.name, "lo"))) {
            RuntimeError e = assertThrows(RuntimeError.class, b::create);
            assertEquals("linux.netDevices[\"" + d.name + "\"].name: the container's network namespace already has a"
                    + " device \"lo\"", e.getMessage());
            assertTrue(d.onHost());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void twoDevicesCannotTakeOneName() throws Exception {
        try (Dummy d1 = new Dummy(); Dummy d2 = new Dummy()) {
            Map<String, Object> devs = device(d1.name, "eth7");
            devs.putAll(device(d2.name, "eth7"));
            try (TestBundle b = withDevices(devs)) {
                RuntimeError e = assertThrows(RuntimeError.class, b::create);
                assertEquals("linux.netDevices[\"" + d2.name + "\"]: another entry also names its device \"eth7\" in the"
                        + " container", e.getMessage());
                assertTrue(d1.onHost() && d2.onHost());
                Leftovers.assertNone(b);
            }
        }
    }

    @Test
    void aCreateThatFailsLaterPutsTheDevicesBackAsTheyWere() throws Exception {
        try (Dummy d1 = new Dummy(); Dummy d2 = new Dummy()) {
            Map<String, Object> devs = device(d1.name, "eth5");
            devs.putAll(device(d2.name, null));
            try (TestBundle b = withDevices(devs)) {
                b.args("/no/such/program");
                RuntimeError e = assertThrows(RuntimeError.class, b::create);
                assertTrue(e.getMessage().startsWith("exec: \"/no/such/program\""), e.getMessage());
                for (Dummy d : List.of(d1, d2)) {
                    assertTrue(d.onHost(), d.name + " is back on the host under its own name");
                    String link = ip("-o", "link", "show", d.name);
                    assertTrue(link.contains(",UP"), link);
                    String addrs = ip("-o", "addr", "show", "dev", d.name);
                    assertTrue(addrs.contains("inet " + GLOBAL), addrs);
                    assertTrue(addrs.contains("inet " + LINK_SCOPE), addrs);
                }
                Leftovers.assertNone(b);
            }
        }
    }
}
