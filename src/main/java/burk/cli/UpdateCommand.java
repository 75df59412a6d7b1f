package burk.cli;

import burk.runtime.ContainerRuntime;
import burk.runtime.ResourceUpdates;
import burk.runtime.RuntimeError;
import burk.spec.BlockIoResources;
import burk.spec.CpuResources;
import burk.spec.LinuxResources;
import burk.spec.MemoryResources;
import burk.spec.PidsResources;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code burk update [options] ID}: new cgroup limits for a running container, from a
 * linux.resources document ({@code --resources FILE}, or {@code -} for stdin, as Docker sends it;
 * every other option is then ignored, as runc ignores them) or from runc's individual flags.
 * Numbers are parsed as runc parses each flag, so the same mistakes give the same complaints.
 */
final class UpdateCommand {
    private UpdateCommand() {}

    static final List<Flags.Def> FLAGS = List.of(
            Flags.Def.value("path to the file containing the resources to update or '-' to read from the standard input",
                    "resources", "r"),
            Flags.Def.value("Specifies per cgroup weight, range is from 10 to 1000 (default: 0)", "blkio-weight"),
            Flags.Def.value("CPU CFS period to be used for hardcapping (in usecs). 0 to use system default", "cpu-period"),
            Flags.Def.value("CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period", "cpu-quota"),
            Flags.Def.value("CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period",
                    "cpu-burst"),
            Flags.Def.value("CPU shares (relative weight vs. other containers)", "cpu-share"),
            Flags.Def.value("CPU realtime period to be used for hardcapping (in usecs). 0 to use system default", "cpu-rt-period"),
            Flags.Def.value("CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period", "cpu-rt-runtime"),
            Flags.Def.value("CPU(s) to use", "cpuset-cpus"),
            Flags.Def.value("Memory node(s) to use", "cpuset-mems"),
            Flags.Def.value("", "kernel-memory"),
            Flags.Def.value("", "kernel-memory-tcp"),
            Flags.Def.value("Memory limit (in bytes, or with a unit: 64m, 1g)", "memory"),
            Flags.Def.value("set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE", "cpu-idle"),
            Flags.Def.value("Memory reservation or soft_limit (in bytes, or with a unit)", "memory-reservation"),
            Flags.Def.value("Total memory usage (memory + swap); set '-1' to enable unlimited swap", "memory-swap"),
            Flags.Def.value("Maximum number of pids allowed in the container (default: 0)", "pids-limit"),
            Flags.Def.value("The string of Intel RDT/CAT L3 cache schema", "l3-cache-schema"),
            Flags.Def.value("The string of Intel RDT/MBA memory bandwidth schema", "mem-bw-schema"),
            Flags.HELP);

    static int run(ContainerRuntime rt, List<String> args, PrintStream out, Consumer<String> warn)
            throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("update", out);
        String id = f.onlyArgument("update");
        LinuxResources r = f.has("resources") ? fromDocument(f.value("resources", "")) : fromFlags(f, warn);
        if (!f.value("l3-cache-schema", "").isEmpty()) {
            throw new RuntimeError("Intel RDT/CAT: l3 cache schema is not enabled");
        }
        if (!f.value("mem-bw-schema", "").isEmpty()) {
            throw new RuntimeError("Intel RDT/MBA: memory bandwidth schema is not enabled");
        }
        rt.update(id, r);
        return 0;
    }

    private static LinuxResources fromDocument(String source) throws RuntimeError {
        String json;
        try {
            json = source.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(source));
        } catch (NoSuchFileException e) {
            throw new RuntimeError("open " + source + ": no such file or directory");
        } catch (IOException e) {
            throw new RuntimeError("read " + (source.equals("-") ? "the standard input" : source) + ": " + e.getMessage(), e);
        }
        return ResourceUpdates.parse(json, source.equals("-") ? "stdin" : source);
    }

    static LinuxResources fromFlags(Flags f, Consumer<String> warn) throws UsageError, RuntimeError {
        Integer weight = null;
        if (f.has("blkio-weight")) {
            int w = goInt(f, "blkio-weight");
            if (w != 0) weight = w;
        }
        Long idle = f.value("cpu-idle", "").isEmpty() ? null : signed(f, "cpu-idle");
        CpuResources cpu = new CpuResources(unsigned(f, "cpu-share"), signed(f, "cpu-quota"), unsigned(f, "cpu-burst"),
                unsigned(f, "cpu-period"), signed(f, "cpu-rt-runtime"), unsigned(f, "cpu-rt-period"),
                emptyToNull(f.value("cpuset-cpus", "")), emptyToNull(f.value("cpuset-mems", "")), idle);
        MemoryResources mem = new MemoryResources(size(f, "memory"), size(f, "memory-reservation"),
                size(f, "memory-swap"), null, null, null, null, null, null);
        for (String obsolete : List.of("kernel-memory", "kernel-memory-tcp")) {
            if (!f.value(obsolete, "").isEmpty()) warn.accept("Setting --" + obsolete + " is ignored and will be removed");
        }
        Long pids = f.has("pids-limit") ? (long) goInt(f, "pids-limit") : null;
        return new LinuxResources(null, mem, cpu, new PidsResources(pids),
                new BlockIoResources(weight, null, null, null, null, null, null), null, null, null, null);
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** urfave/cli's IntFlag: a Go int, rejected at parse time with the flag's name. */
    private static int goInt(Flags f, String name) throws UsageError {
        String v = f.value(name, "0");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageError("invalid value \"" + v + "\" for flag -" + name + ": parse error");
        }
    }

    private static Long unsigned(Flags f, String name) throws RuntimeError {
        String v = f.value(name, "");
        if (v.isEmpty()) return null;
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new RuntimeError("invalid value for " + name + ": strconv.ParseUint: parsing \"" + v + "\": invalid syntax");
        }
    }

    private static Long signed(Flags f, String name) throws RuntimeError {
        String v = f.value(name, "");
        if (v.isEmpty()) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new RuntimeError("invalid value for " + name + ": strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
        }
    }

    private static Long size(Flags f, String name) throws RuntimeError {
        String v = f.value(name, "");
        if (v.isEmpty()) return null;
        if (v.equals("-1")) return -1L;
        try {
            return RamSize.parse(v);
        } catch (IllegalArgumentException e) {
            throw new RuntimeError("invalid value for " + name + ": " + e.getMessage());
        }
    }
}
