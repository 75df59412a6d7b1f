package burk.cgroups;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private D-Bus daemon for one test (Debian's dbus-daemon), listening on a socket in a
 * temporary directory, with a policy that lets any local client own any name and monitor the
 * bus. Started and stopped by the test: killed by its own pid, its directory removed.
 */
final class TestBus implements AutoCloseable {
    private static final Path DAEMON = Path.of("/usr/bin/dbus-daemon");
    private static final Path MONITOR = Path.of("/usr/bin/dbus-monitor");

    final Path dir;
    final Path socket;
    private final Process daemon;

    private static boolean accepts(Path socket) {
        if (!Files.exists(socket)) return false;
        try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private TestBus(Path dir, Path socket, Process daemon) {
        this.dir = dir;
        this.socket = socket;
        this.daemon = daemon;
    }

    static TestBus start() {
        if (!Files.isExecutable(DAEMON) || !Files.isExecutable(MONITOR)) {
            fail("the systemd driver's tests need a real D-Bus daemon: apt-get install dbus-daemon dbus-bin");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("burk-test-dbus");
            Path socket = dir.resolve("bus");
            Path config = dir.resolve("bus.conf");
            Files.writeString(config, """
                    <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                     "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                    <busconfig>
                      <type>custom</type>
                      <listen>unix:path=%s</listen>
                      <auth>EXTERNAL</auth>
                      <policy context="default">
                        <allow user="*"/>
                        <allow own="*"/>
                        <allow send_type="method_call"/>
                        <allow send_destination="*" eavesdrop="true"/>
                        <allow eavesdrop="true"/>
                      </policy>
                    </busconfig>
                    """.formatted(socket));
            Process daemon = new ProcessBuilder(DAEMON.toString(), "--config-file=" + config, "--nofork", "--nopidfile")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
            TestBus bus = new TestBus(dir, socket, daemon);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // The socket file appears at bind(), before listen(): ready means a connect succeeds.
            while (!accepts(socket)) {
                if (!daemon.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(dir.resolve("daemon.log"));
                    bus.close();
                    fail("dbus-daemon did not start: " + log);
                }
                TestHost.sleep(10);
            }
            return bus;
        } catch (IOException e) {
            if (dir != null) deleteTree(dir);
            throw new AssertionError("start dbus-daemon", e);
        }
    }

    /** dbus-monitor on this bus for {@code rule}, ready when this returns. */
    Monitor monitor(String rule) {
        try {
            Path out = Files.createTempFile(dir, "monitor", ".log");
            Process p = new ProcessBuilder(MONITOR.toString(), "--address", "unix:path=" + socket, rule)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            Monitor m = new Monitor(p, out);
            // Becoming a monitor makes the daemon take away its unique name: then it is listening.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!m.output().contains("member=NameLost")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String text = m.output();
                    m.close();
                    fail("dbus-monitor did not start: " + text);
                }
                TestHost.sleep(10);
            }
            return m;
        } catch (IOException e) {
            throw new AssertionError("start dbus-monitor", e);
        }
    }

    /** A running dbus-monitor and the file it prints to. */
    record Monitor(Process process, Path out) implements AutoCloseable {
        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                return "";
            }
        }

        /** The output with every run of white space made one space, for matching across lines. */
        String flattened() {
            return output().replaceAll("\\s+", " ");
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        daemon.destroy();
        try {
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory; nothing more to do
        }
    }
}
