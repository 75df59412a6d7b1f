package burk.image;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.UUID;

/**
 * A token service for the registry's token authentication, for the tests: it accepts one user
 * (basic auth), refuses anonymous requests, and signs RS256 JWTs granting the scope asked for.
 * The key and its self-signed certificate come from the JDK's keytool; the registry trusts the
 * certificate (rootcertbundle) and finds it in each token's x5c header.
 */
final class TokenServer implements AutoCloseable {
    static final String USER = "alice", PASSWORD = "s3cret", SERVICE = "burk-test-registry", ISSUER = "burk-test-issuer";
    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate cert;
    final Path certPem;
    int tokensIssued;

    TokenServer(Path dir) throws Exception {
        Path ks = dir.resolve("token.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "token", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=burk-test-token", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("keytool: " + out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        key = (PrivateKey) store.getKey("token", "changeit".toCharArray());
        cert = (X509Certificate) store.getCertificate("token");
        certPem = dir.resolve("token.pem");
        Files.writeString(certPem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String good = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            if (!good.equals(auth)) {
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
            String scope = "";
            String q = ex.getRequestURI().getRawQuery();
            for (String kv : q == null ? new String[0] : q.split("&")) {
                if (kv.startsWith("scope=")) scope = java.net.URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
            }
            byte[] body;
            try {
                body = ("{\"token\":\"" + jwt(scope) + "\"}").getBytes(StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
            synchronized (this) {
                tokensIssued++;
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The registry config's auth: section for this server. */
    String authYaml() {
        return "  token:\n    realm: " + realm() + "\n    service: " + SERVICE + "\n    issuer: " + ISSUER
                + "\n    rootcertbundle: " + certPem + "\n";
    }

    String jwt(String scope) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\"" + Base64.getEncoder().encodeToString(cert.getEncoded()) + "\"]}";
        StringBuilder access = new StringBuilder();
        if (!scope.isEmpty()) {
            String[] s = scope.split(":");
            access.append("{\"type\":\"").append(s[0]).append("\",\"name\":\"").append(s[1]).append("\",\"actions\":[");
            String[] actions = s.length > 2 ? s[2].split(",") : new String[0];
            for (int i = 0; i < actions.length; i++) access.append(i > 0 ? "," : "").append('"').append(actions[i]).append('"');
            access.append("]}");
        }
        long now = System.currentTimeMillis() / 1000;
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + USER + "\",\"aud\":\"" + SERVICE + "\",\"exp\":" + (now + 600)
                + ",\"nbf\":" + (now - 60) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID() + "\",\"access\":[" + access + "]}";
        String signing = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signing.getBytes(StandardCharsets.US_ASCII));
        return signing + "." + b64.encodeToString(sig.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
