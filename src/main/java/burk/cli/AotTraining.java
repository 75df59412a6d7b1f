package burk.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training run behind burk's AOT caches (scripts/train-aot runs it under
 * {@code -XX:AOTCacheOutput}). JDK 25 archives the classes a training run loads and links, and
 * the profiles of what it runs; a JVM started with {@code -XX:AOTCache} has them ready. One JVM
 * records one cache, so this runs a list of burk command lines in one JVM, through the same
 * {@link Main#run} the command line uses.
 *
 * <p>Usage: {@code AotTraining SCRIPT}. Each line of SCRIPT is {@code EXIT ARG...}: run burk with
 * ARGs and expect exit code EXIT; or {@code @wait PIDFILE}: wait until that process has exited
 * (a started `true` or a killed container). Blank lines and lines starting with # are skipped.
 * Arguments are split on whitespace (the script writes no paths with spaces).
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        PrintStream trainingErr = System.err;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        int failed = 0;
        // The commands report their (expected) errors on System.err: keep the build log clean.
        System.setErr(quiet);
        try {
            for (String line : lines) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                List<String> words = new ArrayList<>(Arrays.asList(line.split("\\s+")));
                String head = words.removeFirst();
                if (head.equals("@wait")) {
                    waitExited(Path.of(words.getFirst()));
                    continue;
                }
                int code = new Main(quiet).run(words);
                if (code != Integer.parseInt(head)) {
                    failed++;
                    trainingErr.println("burk AOT training: `burk " + String.join(" ", words) + "` exited " + code
                            + ", expected " + head);
                }
            }
        } finally {
            System.setErr(trainingErr);
        }
        if (failed > 0) trainingErr.println("burk AOT training: " + failed + " unexpected exit(s); the cache holds what ran");
    }

    /** Waits (up to 5 s) until the process in PIDFILE has exited: gone, or a zombie. */
    private static void waitExited(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        for (int i = 0; i < 500; i++) {
            String stat;
            try {
                stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            } catch (IOException gone) {
                return;
            }
            if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z') return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
