package burk.image;

import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP proxy in front of the test registry that records every request (path and Range) and
 * can cut the connection of one blob's download half-way, as a network failure would.
 */
final class CuttingProxy implements AutoCloseable {
    private final HttpServer server;
    final List<String> log = new CopyOnWriteArrayList<>();
    volatile String cutDigest;

    CuttingProxy(String upstream) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            log.add(ex.getRequestURI().getPath() + (range == null ? "" : " " + range));
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + ex.getRequestURI()));
                for (String h : List.of("Accept", "Range", "Authorization")) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) b.header(h, v);
                }
                HttpResponse<InputStream> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                for (String h : List.of("Content-Type", "Docker-Content-Digest", "Content-Range", "Location", "WWW-Authenticate")) {
                    r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().add(h, v));
                }
                byte[] body = r.body().readAllBytes();
                boolean cut = cutDigest != null && ex.getRequestURI().getPath().endsWith(cutDigest) && r.statusCode() == 200;
                ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
                OutputStream out = ex.getResponseBody();
                if (cut) {
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    cutDigest = null;
                    // closing with bytes missing drops the connection: the client sees a short body
                    ex.getHttpContext().getServer();
                    throw new java.io.IOException("cut");
                }
                out.write(body);
                ex.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.close();
            }
        });
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
