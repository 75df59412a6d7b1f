package burk.image;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Pushes blobs and manifests with the distribution API (monolithic upload), for the tests. */
final class TestPush {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String auth;

    TestPush(String host, String repo, String auth) {
        this.base = "http://" + host + "/v2/" + repo;
        this.auth = auth;
    }

    private HttpRequest.Builder req(URI u) {
        HttpRequest.Builder b = HttpRequest.newBuilder(u);
        if (auth != null) b.header("Authorization", auth);
        return b;
    }

    void blob(byte[] data) throws Exception {
        Digest d = Digest.sha256(data);
        HttpResponse<String> r = http.send(req(URI.create(base + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) throw new IllegalStateException("upload start: " + r.statusCode() + " " + r.body());
        String loc = r.headers().firstValue("Location").orElseThrow();
        URI u = URI.create(base).resolve(loc);
        String sep = u.getQuery() == null ? "?" : "&";
        HttpResponse<String> p = http.send(req(URI.create(u + sep + "digest=" + d)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
        if (p.statusCode() != 201) throw new IllegalStateException("upload: " + p.statusCode() + " " + p.body());
    }

    void manifest(String ref, String mediaType, byte[] body) throws Exception {
        HttpResponse<String> r = http.send(req(URI.create(base + "/manifests/" + ref)).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("manifest put: " + r.statusCode() + " " + r.body());
    }

    /** Pushes a whole image (config, layers, manifest) under {@code tag}; returns the manifest bytes. */
    byte[] image(String tag, byte[] config, java.util.List<byte[]> blobs) throws Exception {
        blob(config);
        for (byte[] b : blobs) blob(b);
        byte[] m = ImageBuilder.manifest(config, blobs).toBytes();
        if (tag != null) manifest(tag, MediaTypes.OCI_MANIFEST, m);
        else manifest(Digest.sha256(m).toString(), MediaTypes.OCI_MANIFEST, m);
        return m;
    }
}
