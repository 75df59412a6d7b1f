package burk.cli;

import burk.runtime.ContainerRuntime;
import burk.runtime.RuntimeError;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * {@code burk ps [--format table|json] ID [ps options]}, as runc does it: the table is the host's
 * own {@code ps} (with the given options, {@code -ef} by default), its header and the lines whose
 * PID column is a process of the container's cgroup; {@code --format json} is the array of host
 * pids ({@code null} when there is none, as Go encodes an empty slice), which containerd and
 * Podman read.
 */
final class PsCommand {
    private PsCommand() {}

    static final List<Flags.Def> FLAGS = List.of(
            Flags.Def.value("select one of: table or json (default: \"table\")", "format", "f"), Flags.HELP);

    /**
     * True when the arguments name a container, as runc's {@code ps ID [ps options]} does; the
     * daemonless front's {@code ps [-a]} names none.
     */
    static boolean namesContainer(List<String> args) {
        for (String a : args) {
            if (a.equals("--format") || a.equals("-f") || a.startsWith("--format=") || a.startsWith("-format")
                    || a.equals("--help") || a.equals("-h")) return true;
        }
        try {
            return !Flags.parse(args, FLAGS).positional().isEmpty();
        } catch (UsageError e) {
            return false;
        }
    }

    static int run(ContainerRuntime rt, List<String> args, PrintStream out) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("ps", out);
        if (f.positional().isEmpty()) throw new UsageError("\"ps\" requires a minimum of 1 argument(s)");
        String id = f.positional().get(0);
        List<Long> pids = rt.processes(id);
        switch (f.value("format", "table")) {
            case "json" -> {
                out.println(json(pids));
                return 0;
            }
            case "table" -> {
                List<String> psArgs = new ArrayList<>(f.positional().subList(1, f.positional().size()));
                if (psArgs.isEmpty()) psArgs.add("-ef");
                for (String line : filter(runPs(psArgs), new HashSet<>(pids))) out.println(line);
                return 0;
            }
            default -> throw new RuntimeError("invalid format option");
        }
    }

    static String json(List<Long> pids) {
        if (pids.isEmpty()) return "null";
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (long p : pids) j.add(Long.toString(p));
        return j.toString();
    }

    private static String runPs(List<String> psArgs) throws RuntimeError {
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        cmd.addAll(psArgs);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (status != 0) throw new RuntimeError("ps " + String.join(" ", psArgs) + ": exit status " + status + ": " + output.strip());
            return output;
        } catch (IOException e) {
            throw new RuntimeError("cannot run ps: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("interrupted while ps ran", e);
        }
    }

    /** The header, then each line whose PID column is in {@code pids}. */
    static List<String> filter(String psOutput, Set<Long> pids) throws RuntimeError {
        String[] lines = psOutput.split("\n");
        List<String> out = new ArrayList<>();
        String header = lines.length == 0 ? "" : lines[0];
        int pidColumn = List.of(header.trim().split("\\s+")).indexOf("PID");
        if (pidColumn < 0) throw new RuntimeError("couldn't find PID field in ps output");
        out.add(header);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) continue;
            String[] fields = lines[i].trim().split("\\s+");
            long pid;
            try {
                pid = Long.parseLong(fields[Math.min(pidColumn, fields.length - 1)]);
            } catch (NumberFormatException e) {
                throw new RuntimeError("unable to parse pid: " + lines[i]);
            }
            if (pids.contains(pid)) out.add(lines[i]);
        }
        return out;
    }
}
