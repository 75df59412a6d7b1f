package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.SpecCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A bundle for integration tests: the default runc-style config over the busybox rootfs that
 * scripts/make-rootfs builds (build/rootfs), editable as a JSON tree, in a temp directory that
 * {@link #close()} removes together with any container state left under its own --root.
 */
final class TestBundle implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    final Path dir;
    final Path stateRoot;
    final Map<String, Object> config;
    final String id;
    final ContainerRuntime runtime;

    private TestBundle(Path dir) throws IOException {
        this.dir = dir;
        this.stateRoot = dir.resolve("state");
        this.config = SpecCodec.toTree(DefaultSpec.create());
        this.id = "burk-test-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        this.runtime = new ContainerRuntime(stateRoot);
        config.put("root", new LinkedHashMap<>(Map.of("path", rootfs().toString(), "readonly", true)));
        process().put("terminal", false);
    }

    static TestBundle make(String... args) throws IOException {
        TestBundle b = new TestBundle(Files.createTempDirectory("burk-test-"));
        b.args(args);
        return b;
    }

    static Path rootfs() {
        Path p = Path.of(System.getProperty("burk.home", "."), "build", "rootfs").toAbsolutePath().normalize();
        if (!Files.isExecutable(p.resolve("bin/busybox"))) {
            throw new IllegalStateException("no test rootfs at " + p + ": run scripts/make-rootfs build/rootfs");
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> process() { return (Map<String, Object>) config.get("process"); }

    @SuppressWarnings("unchecked")
    Map<String, Object> linux() { return (Map<String, Object>) config.get("linux"); }

    @SuppressWarnings("unchecked")
    List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        List<Object> l = v == null ? new ArrayList<>() : new ArrayList<>((List<Object>) v);
        m.put(key, l);
        return l;
    }

    TestBundle args(String... args) {
        process().put("args", new ArrayList<Object>(List.of(args)));
        return this;
    }

    /** A shell command as the container's process. */
    TestBundle sh(String script) { return args("/bin/sh", "-c", script); }

    TestBundle addNamespace(String type, String path) {
        Map<String, Object> ns = new LinkedHashMap<>();
        ns.put("type", type);
        if (path != null) ns.put("path", path);
        list(linux(), "namespaces").add(ns);
        return this;
    }

    TestBundle removeNamespace(String type) {
        list(linux(), "namespaces").removeIf(n -> type.equals(((Map<?, ?>) n).get("type")));
        return this;
    }

    @SuppressWarnings("unchecked")
    TestBundle resources(String controller, Map<String, Object> values) {
        Map<String, Object> r = (Map<String, Object>) linux().computeIfAbsent("resources", k -> new LinkedHashMap<>());
        r.put(controller, new LinkedHashMap<>(values));
        return this;
    }

    void write() throws IOException {
        Files.writeString(dir.resolve("config.json"), Json.write(config, "  "));
    }

    void writeRaw(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json);
    }

    CreateRequest request() { return CreateRequest.of(id, dir); }

    /** The result of running the container in the foreground. */
    record Ran(int status, String output) {}

    /** Runs the container with stdout and stderr into a file; returns its status and output. */
    Ran run() throws Exception {
        write();
        Path out = dir.resolve("output");
        int status;
        try (Fd fd = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC, 0644);
             Fd nul = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
            status = runtime.run(request().withStdio(new int[] {nul.get(), fd.get(), fd.get()}));
        }
        return new Ran(status, Files.readString(out));
    }

    /** Creates the container with stdout/stderr to the output file; the caller starts it. */
    ContainerInfo create() throws Exception {
        write();
        Path out = dir.resolve("output");
        try (Fd fd = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC, 0644);
             Fd nul = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
            return runtime.create(request().withStdio(new int[] {nul.get(), fd.get(), fd.get()}));
        }
    }

    String output() throws IOException { return Files.readString(dir.resolve("output")); }

    /** Runs {@code req} in this container with stdout and stderr into {@code out} (truncated first); its status. */
    int exec(ExecRequest req, Path out) throws Exception {
        try (Fd o = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC, 0644);
             Fd nul = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0)) {
            return runtime.exec(req.withStdio(new int[] {nul.get(), o.get(), o.get()}));
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (runtime.root() != null && Files.isDirectory(stateRoot)) {
                for (ContainerInfo c : runtime.list()) runtime.delete(c.id(), true);
                try (Stream<Path> s = Files.list(stateRoot)) {
                    for (Path p : s.toList()) runtime.delete(p.getFileName().toString(), true);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
