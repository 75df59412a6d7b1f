package burk.cgroups;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** What integration tests need from the real host: its layout, scratch cgroups, workloads. */
final class TestHost {
    private TestHost() {}

    static CgroupLayout layout() {
        return CgroupLayout.detect();
    }

    static void assumeV1() {
        Assumptions.assumeTrue(layout().version() == CgroupVersion.V1, "needs a host whose controllers are on cgroup v1");
    }

    static void assumeV2Only() {
        Assumptions.assumeTrue(layout().mode() == CgroupLayout.Mode.UNIFIED, "needs a cgroup-v2-only host");
    }

    /** The file of a controller, whichever driver manages the cgroup. */
    static Path file(CgroupManager cg, String controller, String name) {
        return switch (cg) {
            case CgroupV1 v1 -> v1.path(controller).resolve(name);
            case CgroupV2 v2 -> v2.path().resolve(name);
            case SystemdCgroup s -> file(s.cgroupfs(), controller, name);
        };
    }

    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new AssertionError("read " + file, e);
        }
    }

    /** True when the kernel accounts swap for this cgroup (the memsw / swap.max file exists). */
    static boolean hasSwapAccounting(CgroupManager cg) {
        return switch (cg) {
            case CgroupV1 v1 -> Files.exists(v1.path("memory").resolve("memory.memsw.limit_in_bytes"));
            case CgroupV2 v2 -> Files.exists(v2.path().resolve("memory.swap.max"));
            case SystemdCgroup s -> hasSwapAccounting(s.cgroupfs());
        };
    }

    /**
     * A cgroup the test creates itself, {@code /burk-test-<random>}, in every hierarchy, before
     * the manager under test runs: it plays the pre-existing parent that destroy must leave.
     */
    static final class ScratchParent implements AutoCloseable {
        final String name = "burk-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        final List<Path> dirs = new ArrayList<>();

        ScratchParent() {
            CgroupLayout layout = layout();
            Set<Path> mountPoints = new LinkedHashSet<>();
            if (layout.version() == CgroupVersion.V1) {
                layout.v1Mounts().values().forEach(m -> mountPoints.add(m.mountPoint()));
                layout.unifiedMount().ifPresent(m -> mountPoints.add(m.mountPoint()));
            } else {
                mountPoints.add(layout.unifiedMount().orElseThrow().mountPoint());
            }
            for (Path mountPoint : mountPoints) {
                Path dir = mountPoint.resolve(name);
                try {
                    Files.createDirectory(dir);
                } catch (IOException e) {
                    close();
                    throw new AssertionError("mkdir " + dir, e);
                }
                dirs.add(dir);
            }
        }

        /** The cgroupsPath of a child of this parent. */
        String child(String leaf) {
            return "/" + name + "/" + leaf;
        }

        CgroupManager open(String leaf) {
            return Cgroups.open(child(leaf), leaf);
        }

        boolean existsEverywhere() {
            return dirs.stream().allMatch(Files::isDirectory);
        }

        @Override
        public void close() {
            AssertionError failure = null;
            for (Path dir : dirs) {
                try {
                    CgroupFs.removeTree(dir, CgroupFs.Deadline.in(Duration.ofSeconds(10)));
                } catch (CgroupException e) {
                    failure = failure == null ? new AssertionError("cleanup " + dir, e) : failure;
                }
            }
            dirs.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * A shell started by the test that waits for a line on stdin before running its script, so
     * the test can move it into a cgroup before it allocates, forks or spins.
     */
    static final class Workload implements AutoCloseable {
        final Process process;
        final Path output;

        private Workload(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        static Workload start(String script) {
            try {
                Path output = Files.createTempFile("burk-test-workload", ".log");
                Process p = new ProcessBuilder("sh", "-c", "read go; " + script)
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                return new Workload(p, output);
            } catch (IOException e) {
                throw new AssertionError("start workload", e);
            }
        }

        long pid() {
            return process.pid();
        }

        void go() {
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            } catch (IOException e) {
                throw new AssertionError("release workload", e);
            }
        }

        int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    fail("workload " + pid() + " still running after " + timeout + "; output: " + output());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        String output() {
            try {
                return Files.readString(output);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        /** Kills this workload and its own descendants, by pid: nothing the test did not start. */
        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // a temp file; nothing else to do
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
