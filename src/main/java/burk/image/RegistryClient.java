package burk.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of the OCI distribution API (the Docker registry v2 API) for pulling: manifests and
 * blobs, with the registry's authentication: none, HTTP basic, or bearer tokens obtained from the
 * realm a {@code WWW-Authenticate: Bearer} challenge names (with the login, if any). HTTPS, except
 * plain HTTP for localhost, 127.0.0.0/8, [::1] and the registries listed in
 * {@code BURK_INSECURE_REGISTRIES} (comma-separated host[:port]), as Docker treats loopback.
 * Redirects (blob storage) are followed by hand so credentials never go to another host.
 */
public final class RegistryClient {
    private final HttpClient http;
    private final Credentials credentials;
    private final Set<String> insecure;
    private final Map<String, String> authHeaders = new ConcurrentHashMap<>();

    public RegistryClient(Credentials credentials, Set<String> insecure) {
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
        this.credentials = credentials;
        this.insecure = Set.copyOf(insecure);
    }

    /** Credentials from ~/.docker/config.json, insecure registries from BURK_INSECURE_REGISTRIES. */
    public static RegistryClient fromEnvironment() {
        String env = System.getenv("BURK_INSECURE_REGISTRIES");
        Set<String> insecure = env == null || env.isBlank() ? Set.of() : Set.of(env.trim().split("\\s*,\\s*"));
        return new RegistryClient(Credentials.fromEnvironment(), insecure);
    }

    String scheme(String registry) {
        String host = registry.replaceFirst(":\\d+$", "");
        if (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || insecure.contains(registry)
                || insecure.contains(host)) {
            return "http";
        }
        return "https";
    }

    private URI uri(ImageReference ref, String path) {
        return URI.create(scheme(ref.registry()) + "://" + ref.apiHost() + "/v2/" + ref.repository() + path);
    }

    /** A manifest or index: its bytes, and the media type and digest the registry gave. */
    public record Fetched(byte[] body, String mediaType, String digestHeader) {}

    public Fetched manifest(ImageReference ref, String reference) throws ImageException {
        HttpResponse<InputStream> r = send(ref, uri(ref, "/manifests/" + reference), Map.of("Accept", MediaTypes.ACCEPT), "pull");
        try (InputStream in = r.body()) {
            if (r.statusCode() == 404) throw new ImageException("manifest unknown: " + ref.name() + ":" + reference + " is not in the registry");
            if (r.statusCode() != 200) throw new ImageException("fetch manifest of " + ref + ": HTTP " + r.statusCode() + " " + errorText(in));
            byte[] body = in.readNBytes(4 << 20);
            if (in.read() >= 0) throw new ImageException("manifest of " + ref + " is larger than 4 MiB: refused");
            String mt = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
            return new Fetched(body, mt, r.headers().firstValue("Docker-Content-Digest").orElse(null));
        } catch (IOException e) {
            throw new ImageException("fetch manifest of " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * A blob's content from byte {@code offset} on. The caller checks {@link HttpResponse#statusCode()}:
     * 206 when the registry honoured the range, 200 when it sends the whole blob.
     */
    public HttpResponse<InputStream> blob(ImageReference ref, Digest digest, long offset) throws ImageException {
        Map<String, String> h = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        HttpResponse<InputStream> r = send(ref, uri(ref, "/blobs/" + digest), h, "pull");
        int s = r.statusCode();
        if (s == 200 || s == 206) return r;
        try (InputStream in = r.body()) {
            throw new ImageException("fetch blob " + digest + " of " + ref.name() + ": HTTP " + s + " " + errorText(in));
        } catch (IOException e) {
            throw new ImageException("fetch blob " + digest + ": HTTP " + s, e);
        }
    }

    /** Checks a login against the registry (GET /v2/ with the credentials): ImageException if refused. */
    public void checkLogin(String registry, Credentials.Login login) throws ImageException {
        ImageReference probe = new ImageReference(registry, "library/probe", "latest", null);
        URI u = URI.create(scheme(registry) + "://" + probe.apiHost() + "/v2/");
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(u).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) return;
            if (r.statusCode() != 401) throw new ImageException("login to " + registry + ": HTTP " + r.statusCode());
            Challenge c = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(""));
            String header = c.scheme().equals("bearer") ? "Bearer " + token(c, login, null) : login.basicHeader();
            HttpResponse<Void> r2 = http.send(HttpRequest.newBuilder(u).header("Authorization", header).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r2.statusCode() != 200) throw new ImageException("login to " + registry + ": unauthorized (HTTP " + r2.statusCode() + ")");
        } catch (IOException e) {
            throw new ImageException("login to " + registry + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted", e);
        }
    }

    private HttpResponse<InputStream> send(ImageReference ref, URI uri, Map<String, String> headers, String action)
            throws ImageException {
        String key = ref.registry() + "/" + ref.repository();
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                HttpResponse<InputStream> r = follow(uri, headers, authHeaders.get(key));
                if (r.statusCode() != 401 || attempt == 1) return r;
                r.body().close();
                Challenge c = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(""));
                Credentials.Login login = credentials == null ? null : credentials.find(ref.registry());
                if (c.scheme().equals("bearer")) {
                    authHeaders.put(key, "Bearer " + token(c, login, "repository:" + ref.repository() + ":" + action));
                } else if (c.scheme().equals("basic")) {
                    if (login == null) throw new ImageException(ref.registry() + " requires a login: run burk login " + ref.registry());
                    authHeaders.put(key, login.basicHeader());
                } else {
                    throw new ImageException(ref.registry() + ": unsupported authentication challenge: " + c.scheme());
                }
            }
            throw new IllegalStateException("unreachable");
        } catch (IOException e) {
            throw new ImageException(uri.getHost() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted", e);
        }
    }

    /** Sends a GET, following up to five redirects; Authorization goes only to the original host. */
    private HttpResponse<InputStream> follow(URI uri, Map<String, String> headers, String auth) throws IOException, InterruptedException {
        URI u = uri;
        for (int i = 0; i < 6; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(u).GET();
            headers.forEach(b::header);
            if (auth != null && u.getAuthority().equals(uri.getAuthority())) b.header("Authorization", auth);
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            int s = r.statusCode();
            if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) return r;
            r.body().close();
            String loc = r.headers().firstValue("Location").orElseThrow(() -> new IOException("redirect without Location"));
            u = u.resolve(loc);
        }
        throw new IOException("too many redirects for " + uri);
    }

    /** Asks the challenge's realm for a token (docs: distribution's token authentication spec). */
    private String token(Challenge c, Credentials.Login login, String scope) throws ImageException, IOException, InterruptedException {
        String realm = c.params().get("realm");
        if (realm == null) throw new ImageException("bearer challenge without a realm");
        StringBuilder q = new StringBuilder();
        if (c.params().containsKey("service")) q.append("service=").append(URLEncoder.encode(c.params().get("service"), StandardCharsets.UTF_8));
        String sc = scope != null ? scope : c.params().get("scope");
        if (sc != null) q.append(q.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(sc, StandardCharsets.UTF_8));
        URI u = URI.create(realm + (q.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + q));
        HttpRequest.Builder b = HttpRequest.newBuilder(u).GET().timeout(Duration.ofSeconds(60));
        if (login != null) b.header("Authorization", login.basicHeader());
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new ImageException("the registry's token service refused " + (login == null ? "anonymous access" : "the login of " + login.user())
                    + (login == null ? ": run burk login" : ""));
        }
        if (r.statusCode() != 200) throw new ImageException("token service " + u.getHost() + ": HTTP " + r.statusCode());
        Map<?, ?> m = JsonTree.parseObject(r.body(), "token response");
        String t = JsonTree.string(m, "token");
        if (t == null) t = JsonTree.string(m, "access_token");
        if (t == null) throw new ImageException("token service " + u.getHost() + ": no token in its answer");
        return t;
    }

    private static String errorText(InputStream in) throws IOException {
        String s = new String(in.readNBytes(2048), StandardCharsets.UTF_8).trim();
        return s.length() > 300 ? s.substring(0, 300) : s;
    }

    /** A parsed WWW-Authenticate header: scheme (lowercase) and its parameters. */
    record Challenge(String scheme, Map<String, String> params) {
        static Challenge parse(String header) {
            String h = header.trim();
            int sp = h.indexOf(' ');
            String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
            Map<String, String> params = new LinkedHashMap<>();
            if (sp > 0) {
                String rest = h.substring(sp + 1);
                int i = 0;
                while (i < rest.length()) {
                    while (i < rest.length() && (rest.charAt(i) == ' ' || rest.charAt(i) == ',')) i++;
                    int eq = rest.indexOf('=', i);
                    if (eq < 0) break;
                    String k = rest.substring(i, eq).trim().toLowerCase(Locale.ROOT);
                    i = eq + 1;
                    String v;
                    if (i < rest.length() && rest.charAt(i) == '"') {
                        StringBuilder sb = new StringBuilder();
                        i++;
                        while (i < rest.length() && rest.charAt(i) != '"') {
                            if (rest.charAt(i) == '\\' && i + 1 < rest.length()) i++;
                            sb.append(rest.charAt(i++));
                        }
                        i++;
                        v = sb.toString();
                    } else {
                        int end = rest.indexOf(',', i);
                        if (end < 0) end = rest.length();
                        v = rest.substring(i, end).trim();
                        i = end;
                    }
                    params.put(k, v);
                }
            }
            return new Challenge(scheme, params);
        }
    }
}
