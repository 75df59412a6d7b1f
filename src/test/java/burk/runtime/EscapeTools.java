package burk.runtime;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the escape tests attack with: the C programs in src/test/c (compiled here with gcc), copies
 * of the test rootfs an attacker may shape, and a look at the host's mount table.
 */
final class EscapeTools {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();

    private EscapeTools() {}

    /** src/test/c/{name}.c compiled into target/escape-tools/{name} (once per build). */
    static synchronized Path compiled(String name, String... flags) throws IOException, InterruptedException {
        Path src = HOME.resolve("src/test/c/" + name + ".c");
        Path out = HOME.resolve("target/escape-tools/" + name);
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) return out;
        Files.createDirectories(out.getParent());
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-Wall", "-o", out.toString(), src.toString()));
        cmd.addAll(List.of(flags));
        Sh r = sh(cmd);
        if (r.code != 0) throw new IOException("gcc " + name + ": " + r.out);
        return out;
    }

    /** The CVE-2019-5736 probe: freestanding, loadable as an ELF interpreter. */
    static Path exeProbe() throws IOException, InterruptedException {
        return compiled("exe-probe", "-nostdlib", "-static", "-no-pie", "-fno-pie", "-fno-stack-protector",
                "-ffreestanding");
    }

    static Path swapRacer() throws IOException, InterruptedException {
        return compiled("swap-racer");
    }

    /** The racing process: swaps two names until closed. */
    record Racer(Process process) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Swaps a and b (renameat2 RENAME_EXCHANGE) in a loop until the racer is closed. */
    static Racer race(Path a, Path b) throws IOException, InterruptedException {
        return new Racer(new ProcessBuilder(swapRacer().toString(), a.toString(), b.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** A copy of the test rootfs at {@code dest}, for an attacker to reshape. */
    static Path copyRootfs(Path dest) throws IOException, InterruptedException {
        Sh r = sh(List.of("cp", "-a", TestBundle.rootfs().toString(), dest.toString()));
        if (r.code != 0) throw new IOException("cp rootfs: " + r.out);
        return dest;
    }

    record Sh(int code, String out) {}

    static Sh sh(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        return new Sh(p.exitValue(), out);
    }

    static Sh sh(String... cmd) throws IOException, InterruptedException {
        return sh(List.of(cmd));
    }

    /** The host's mount points (mountinfo field 5), in this test JVM's mount namespace. */
    static List<String> hostMountPoints() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) out.add(line.split(" ")[4]);
        return out;
    }

    /** Mount points at or under {@code dir} in the host's mount table. */
    static List<String> mountsAtOrUnder(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        String d = dir.toString();
        for (String mp : hostMountPoints()) if (mp.equals(d) || mp.startsWith(d + "/")) out.add(mp);
        return out;
    }

    /** Names in a host directory, without following symlinks. */
    static List<String> entries(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** (dev, ino) of a file, as stat(2) gives them. */
    static long[] devIno(Path file) throws IOException {
        return new long[] {((Number) Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue(),
                ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue()};
    }

    /** The on-disk native helper the jar or class directory carries (never executed in place). */
    static Path helperOnDisk() {
        return HOME.resolve("target/classes/burk/native/burk-helper");
    }

    private static final MethodHandle DUP = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("dup").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /** dup(2): the copy is not close-on-exec, as an fd an engine or a careless library leaks. */
    static int leakingDup(int fd) throws Throwable {
        int r = (int) DUP.invokeExact(fd);
        if (r < 0) throw new IOException("dup failed");
        return r;
    }

    static void close(int fd) throws Throwable {
        int ignored = (int) CLOSE.invokeExact(fd);
    }
}
