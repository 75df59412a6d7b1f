import burk.runtime.ContainerInfo;
import burk.runtime.ContainerRuntime;
import burk.runtime.CreateRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java API from a JVM that is already running: how long burk takes to start a container and
 * to run one to completion, with no JVM start-up in the figure. Launched by scripts/bench/java-api
 * as a source-file program on burk.jar's class path: ApiBench ROOT BUNDLE CGROUP-PARENT ID-PREFIX N.
 * Each container gets its own bundle (BUNDLE's config.json with cgroupsPath CGROUP-PARENT/ID),
 * made before its clock starts, as the shell benchmarks do.
 * Prints one line per measure: NAME first-ms median-ms p10-ms p90-ms.
 */
public final class ApiBench {
    public static void main(String[] args) throws Exception {
        ContainerRuntime rt = new ContainerRuntime(Path.of(args[0]));
        Path template = Path.of(args[1]);
        String parent = args[2];
        String prefix = args[3];
        int n = Integer.parseInt(args[4]);
        ContainerRuntime.becomeSubreaper();
        List<Double> run = new ArrayList<>(), start = new ArrayList<>(), lifecycle = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path bundle = bundle(template, parent, prefix + "-r" + i);
            long t0 = System.nanoTime();
            int status = rt.run(CreateRequest.of(prefix + "-r" + i, bundle));
            long t1 = System.nanoTime();
            if (status != 0) throw new IllegalStateException("run exited " + status);
            run.add((t1 - t0) / 1e6);

            // create + start: the container's process runs when start returns (execve succeeded)
            String id = prefix + "-l" + i;
            bundle = bundle(template, parent, id);
            long c0 = System.nanoTime();
            ContainerInfo info = rt.create(CreateRequest.of(id, bundle));
            try {
                int st = rt.startAndWait(info);
                long c1 = System.nanoTime();
                if (st != 0) throw new IllegalStateException("container exited " + st);
                rt.delete(id, false);
                long c2 = System.nanoTime();
                lifecycle.add((c2 - c0) / 1e6);
                start.add((c1 - c0) / 1e6);
            } finally {
                rt.delete(id, true);
            }
        }
        print("api-run", run);
        print("api-create+start+wait", start);
        print("api-lifecycle", lifecycle);
    }

    private static Path bundle(Path template, String parent, String id) throws java.io.IOException {
        Path b = java.nio.file.Files.createDirectories(template.resolveSibling("c").resolve(id));
        String json = java.nio.file.Files.readString(template.resolve("config.json"))
                .replace("\"linux\": {", "\"linux\": {\"cgroupsPath\": \"/" + parent + "/" + id + "\",");
        java.nio.file.Files.writeString(b.resolve("config.json"), json);
        return b;
    }

    private static void print(String name, List<Double> xs) {
        double first = xs.get(0);
        List<Double> rest = new ArrayList<>(xs.size() > 1 ? xs.subList(1, xs.size()) : xs);
        rest.sort(null);
        int k = rest.size();
        double median = k % 2 == 1 ? rest.get(k / 2) : (rest.get(k / 2 - 1) + rest.get(k / 2)) / 2;
        System.out.printf("%s %.1f %.1f %.1f %.1f%n", name, first, median,
                rest.get(Math.max(0, (int) Math.round(k * 0.1) - 1)), rest.get(Math.max(0, (int) Math.round(k * 0.9) - 1)));
    }
}
