package burk.cli;

import burk.image.ImageException;
import burk.image.ImageStore;
import burk.image.Snapshots;
import burk.linux.Fd;
import burk.linux.Syscalls;
import burk.runtime.ContainerInfo;
import burk.runtime.ContainerRuntime;
import burk.runtime.CreateRequest;
import burk.runtime.RuntimeError;
import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.SpecCodec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code burk demo}: the seed's walkthrough, step by step, with real containers. The seed starts
 * a shell with chroot, finds ps empty without /proc, mounts /proc, sees that the mount leaks into
 * the host, fixes that with CLONE_NEWNS, hides the host's processes with CLONE_NEWPID (the shell
 * becomes PID 1), gives the container its own hostname with CLONE_NEWUTS, and ends with cgroups.
 * Each step here runs a container that shows that point from the inside and checks it from the host.
 */
final class SeedWalkthrough {
    private final ContainerRuntime rt;
    private final Path rootfs;
    private final PrintStream out;
    private final Path work;
    private int failures;

    private SeedWalkthrough(ContainerRuntime rt, Path rootfs, PrintStream out, Path work) {
        this.rt = rt;
        this.rootfs = rootfs;
        this.out = out;
        this.work = work;
    }

    static final List<Flags.Def> FLAGS = List.of(
            Flags.Def.value("the root filesystem to use (default: the busybox rootfs made by ./setup)", "rootfs"),
            Flags.Def.value("run the walkthrough from an image in burk's store instead (./setup stores localhost/busybox)",
                    "image"),
            Flags.HELP);

    static int run(ContainerRuntime rt, List<String> args, PrintStream out) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("demo", out);
        String home = System.getProperty("burk.home", ".");
        Path rootfs = Path.of(f.value("rootfs", home + "/build/rootfs")).toAbsolutePath().normalize();
        Path work;
        try {
            work = Files.createTempDirectory("burk-demo-");
        } catch (IOException e) {
            throw new RuntimeError("demo: cannot make a work directory: " + e.getMessage(), e);
        }
        Path snapshot = work.resolve("image-rootfs");
        try {
            if (f.has("image")) {
                // The seed's first step: take an image and build the container's filesystem from
                // it (its layers stacked with overlayfs, or copied where overlay is unavailable).
                String ref = f.value("image", "");
                try {
                    ImageStore store = new ImageStore(ImageStore.defaultRoot());
                    rootfs = Snapshots.prepare(snapshot, store.layers(store.get(ref)), true).path();
                    out.println("The containers below run from the image " + ref + ", unpacked in " + rootfs + ".");
                } catch (ImageException e) {
                    throw new RuntimeError("demo: image " + ref + ": " + e.getMessage(), e);
                }
            }
            if (!Files.isExecutable(rootfs.resolve("bin/sh"))) {
                throw new RuntimeError("demo: no rootfs at " + rootfs + " (run ./setup, which builds one from busybox-static)");
            }
            ContainerRuntime.becomeSubreaper();
            SeedWalkthrough w = new SeedWalkthrough(rt, rootfs, out, work);
            w.walk();
            out.println();
            out.println(w.failures == 0 ? "All of the seed's points were shown and checked."
                    : w.failures + " check(s) failed: see above.");
            return w.failures == 0 ? 0 : 1;
        } finally {
            try {
                Snapshots.remove(snapshot);
            } catch (ImageException e) {
                out.println("demo: could not remove " + snapshot + ": " + e.getMessage());
            }
            deleteTree(work);
        }
    }

    private void walk() throws RuntimeError {
        String hostName = hostname();
        heading("1. chroot: the container has its own files",
                "The seed runs a shell with chroot into a copy of a Linux filesystem. burk does the same with\n"
                        + "pivot_root into the bundle's rootfs (" + rootfs + ").");
        Result r = container("files", List.of("/bin/sh", "-c", "ls /; echo; echo \"sh is $(readlink /bin/sh || echo /bin/sh)\""),
                null, Map.of());
        check(r.status == 0 && r.output.contains("bin"), "the container lists its own root directory");

        heading("2. a private /proc and CLONE_NEWPID: the command is PID 1",
                "Without /proc, ps has nothing to read. The seed mounts proc; burk mounts a proc of the container's\n"
                        + "own PID namespace, so ps lists only the container's processes and the shell is PID 1.");
        r = container("pid", List.of("/bin/sh", "-c", "echo \"my pid is $$\"; ps -o pid,comm"), null, Map.of());
        check(r.output.contains("my pid is 1"), "the container's command is PID 1");
        long psLines = r.output.lines().filter(l -> l.matches("\\s*\\d+\\s+\\S+.*")).count();
        check(psLines > 0 && psLines <= 3, "ps inside lists only the container's processes (" + psLines + " line(s))");

        heading("3. CLONE_NEWNS: the container's /proc is not in the host's mount table",
                "The seed's first /proc mount showed up twice on the host. In a mount namespace it does not:\n"
                        + "burk checks the host's /proc/self/mountinfo while the container is created and running.");
        r = container("mnt", List.of("/bin/sh", "-c", "grep -c '^proc /proc proc' /proc/mounts; grep '^proc /proc ' /proc/mounts"),
                null, Map.of());
        check(r.output.lines().findFirst().orElse("").trim().equals("1"), "inside, /proc is mounted");
        check(!r.hostSawRootfsMount, "the host's mount table shows no mount under " + rootfs + " while the container runs");

        heading("4. CLONE_NEWUTS: the container's own hostname",
                "The prompt showed the host's name. In a UTS namespace the container sets its own, and the\n"
                        + "host's stays " + hostName + ".");
        r = container("uts", List.of("/bin/sh", "-c", "hostname; hostname renamed-inside; hostname"), "burk-seed", Map.of(),
                List.of("CAP_SYS_ADMIN"));
        check(r.output.contains("burk-seed") && r.output.contains("renamed-inside"), "the hostname inside is the container's");
        check(hostname().equals(hostName), "the host's hostname is still " + hostName);

        heading("5. the remaining namespaces: IPC, network, cgroup",
                "The seed skips these. burk creates them too: the container has only a loopback interface and its\n"
                        + "own IPC objects.");
        r = container("net", List.of("/bin/sh", "-c", "ls /sys/class/net; echo; head -3 /proc/self/cgroup"), null, Map.of());
        check(r.output.lines().map(String::trim).anyMatch("lo"::equals) && !r.output.contains("eth0"),
                "the network namespace has only lo");
        check(r.output.lines().filter(l -> l.contains(":/")).allMatch(l -> l.endsWith(":/")),
                "the cgroup namespace shows the container's own cgroup as /");

        heading("6. cgroups: limits the container cannot exceed",
                "A memory limit of 16 MiB: a process that allocates 64 MiB is killed by the kernel's OOM killer.");
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("memory", new LinkedHashMap<>(Map.of("limit", 16L * 1024 * 1024, "swap", 16L * 1024 * 1024)));
        r = container("mem", List.of("/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=64M count=1"), null, mem);
        check(r.status == 137, "the allocation was killed (exit status " + r.status + ", 137 = SIGKILL)");
        out.println("A pids limit of 8: a fork loop stops at the limit.");
        Map<String, Object> pids = new LinkedHashMap<>();
        pids.put("pids", new LinkedHashMap<>(Map.of("limit", 8L)));
        r = container("pids", List.of("/bin/sh", "-c",
                "sh -c 'i=0; while [ $i -lt 50 ]; do sleep 30 & i=$((i+1)); echo $i > /dev/shm/n; done' 2>&1;"
                        + " read n < /dev/shm/n; echo \"$n sleeps started before fork failed\""), null, pids);
        check(r.output.contains("can't fork") && r.output.matches("(?s).*\\b[1-7] sleeps started.*"),
                "the fork loop stopped below the limit of 8 processes");
    }

    private record Result(int status, String output, boolean hostSawRootfsMount) {}

    private Result container(String name, List<String> args, String hostname, Map<String, Object> resources)
            throws RuntimeError {
        return container(name, args, hostname, resources, List.of());
    }

    private Result container(String name, List<String> args, String hostname, Map<String, Object> resources,
                             List<String> extraCaps) throws RuntimeError {
        Path bundle = work.resolve(name);
        String id = "burk-demo-" + name + "-" + ProcessHandle.current().pid();
        Path outFile = work.resolve(name + ".out");
        try {
            Files.createDirectories(bundle);
            Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create());
            tree.put("root", new LinkedHashMap<>(Map.of("path", rootfs.toString(), "readonly", true)));
            @SuppressWarnings("unchecked")
            Map<String, Object> process = (Map<String, Object>) tree.get("process");
            process.put("terminal", false);
            process.put("args", new ArrayList<Object>(args));
            if (hostname != null) tree.put("hostname", hostname);
            if (!extraCaps.isEmpty()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> caps = (Map<String, Object>) process.get("capabilities");
                for (String set : List.of("bounding", "effective", "permitted")) {
                    @SuppressWarnings("unchecked")
                    List<Object> l = new ArrayList<>((List<Object>) caps.get(set));
                    l.addAll(extraCaps);
                    caps.put(set, l);
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
            if (!resources.isEmpty()) linux.put("resources", new LinkedHashMap<>(resources));
            @SuppressWarnings("unchecked")
            List<Object> nss = new ArrayList<>((List<Object>) linux.get("namespaces"));
            if (nss.stream().noneMatch(n -> "cgroup".equals(((Map<?, ?>) n).get("type")))) {
                nss.add(new LinkedHashMap<>(Map.of("type", "cgroup")));
            }
            linux.put("namespaces", nss);
            Files.writeString(bundle.resolve("config.json"), Json.write(tree, "  "));
            out.println("$ burk run " + id + "    # " + String.join(" ", args));
            int status;
            boolean sawMount;
            try (Fd f = Syscalls.open(outFile.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC, 0644)) {
                int fd = f.get();
                ContainerInfo c = rt.create(CreateRequest.of(id, bundle).withStdio(new int[] {0, fd, fd}));
                try {
                    sawMount = hostMountsUnder(rootfs);
                    status = rt.startAndWait(c);
                } finally {
                    rt.delete(id, true);
                }
            }
            String output = Files.readString(outFile);
            for (String line : output.split("\n")) out.println("  | " + line);
            out.println("  exit status " + status);
            return new Result(status, output, sawMount);
        } catch (IOException e) {
            throw new RuntimeError("demo: " + e.getMessage(), e);
        }
    }

    private static boolean hostMountsUnder(Path dir) throws IOException {
        String prefix = dir.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            // strictly below: an image's rootfs is itself a mount (its overlay), made by burk on purpose
            if (f.length > 4 && f[4].startsWith(prefix + "/")) return true;
        }
        return false;
    }

    private void heading(String title, String text) {
        out.println();
        out.println("== " + title);
        out.println(text);
    }

    private void check(boolean ok, String what) {
        out.println((ok ? "  ✔ " : "  ✘ ") + what);
        if (!ok) failures++;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "?";
            }
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (IOException ignored) {
            // a temp dir left behind is harmless; nothing else was made
        }
    }
}
