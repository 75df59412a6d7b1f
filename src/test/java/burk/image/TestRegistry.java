package burk.image;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 at a free port, its
 * storage in a temp dir; stopped by its pid. Tests skip when the binary is absent.
 */
final class TestRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    final Path dir;
    final int port;
    private final Process process;

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** @param authYaml the config's auth: section (indented two spaces under "auth:"), or null */
    TestRegistry(Path dir, String authYaml) throws Exception {
        this.dir = Files.createDirectories(dir);
        this.port = freePort();
        String cfg = "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: "
                + dir.resolve("data") + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" + port + "\n"
                + (authYaml == null ? "" : "auth:\n" + authYaml);
        Files.writeString(dir.resolve("config.yml"), cfg);
        process = new ProcessBuilder(BINARY.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient c = HttpClient.newHttpClient();
        for (int i = 0; i < 200; i++) {
            try {
                HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) return;
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive()) throw new IllegalStateException("registry died: " + Files.readString(dir.resolve("registry.log")));
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("registry did not start: " + Files.readString(dir.resolve("registry.log")));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    /** The registry's own file holding a blob. */
    Path blobData(Digest d) {
        return dir.resolve("data/docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex() + "/data");
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM to our child, by pid
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
