package burk.image;

import burk.spec.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Registry credentials in Docker's client file, {@code ~/.docker/config.json} ({@code auths}:
 * registry to base64 {@code user:password}), which {@code burk login} writes too, so docker,
 * podman and burk share one login. $DOCKER_CONFIG moves the directory, as for docker.
 */
public final class Credentials {
    /** A user name and password (or token) for one registry. */
    public record Login(String user, String password) {
        public String basicHeader() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Path file;

    public Credentials(Path file) {
        this.file = file;
    }

    public static Credentials fromEnvironment() {
        String dir = System.getenv("DOCKER_CONFIG");
        Path d = dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".docker");
        return new Credentials(d.resolve("config.json"));
    }

    public Path file() {
        return file;
    }

    /** The login for {@code registry} (docker.io also under Docker's historical key), or null. */
    public Login find(String registry) throws ImageException {
        Map<?, ?> auths = JsonTree.object(read(), "auths");
        for (String key : keys(registry)) {
            if (auths.get(key) instanceof Map<?, ?> a) {
                String auth = JsonTree.string(a, "auth");
                if (auth != null && !auth.isEmpty()) {
                    String dec = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                    int c = dec.indexOf(':');
                    if (c > 0) return new Login(dec.substring(0, c), dec.substring(c + 1));
                }
                String u = JsonTree.string(a, "username"), p = JsonTree.string(a, "password");
                if (u != null && p != null) return new Login(u, p);
            }
        }
        return null;
    }

    private static String[] keys(String registry) {
        if (registry.equals(ImageReference.DOCKER_HUB)) {
            return new String[] {"https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"};
        }
        return new String[] {registry, "https://" + registry, "http://" + registry};
    }

    private Map<?, ?> read() throws ImageException {
        if (!Files.exists(file)) return Map.of();
        try {
            return JsonTree.parseObject(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ImageException("read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Stores (or with a null login removes) the login for {@code registry}, keeping the file's other content. */
    @SuppressWarnings("unchecked")
    public void store(String registry, Login login) throws ImageException {
        Map<String, Object> doc = new LinkedHashMap<>();
        read().forEach((k, v) -> doc.put(String.valueOf(k), v));
        Map<String, Object> auths = new LinkedHashMap<>();
        if (doc.get("auths") instanceof Map<?, ?> a) a.forEach((k, v) -> auths.put(String.valueOf(k), v));
        String key = registry.equals(ImageReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry;
        if (login == null) {
            for (String k : keys(registry)) auths.remove(k);
        } else {
            auths.put(key, new LinkedHashMap<>(Map.of("auth", Base64.getEncoder().encodeToString(
                    (login.user() + ":" + login.password()).getBytes(StandardCharsets.UTF_8)))));
        }
        doc.put("auths", auths);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Files.writeString(tmp, Json.write(doc, "\t"));
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ImageException("write " + file + ": " + e.getMessage(), e);
        }
    }
}
