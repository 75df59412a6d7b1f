package burk.cli;

import burk.runtime.ContainerRuntime;
import burk.runtime.RuntimeError;

import java.io.PrintStream;
import java.util.List;

/** {@code burk pause ID} and {@code burk resume ID}: the cgroup freezer, as runc's commands. */
final class PauseCommand {
    private PauseCommand() {}

    static final List<Flags.Def> FLAGS = List.of(Flags.HELP);

    static int pause(ContainerRuntime rt, List<String> args, PrintStream out) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("pause", out);
        rt.pause(f.onlyArgument("pause"));
        return 0;
    }

    static int resume(ContainerRuntime rt, List<String> args, PrintStream out) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("resume", out);
        rt.resume(f.onlyArgument("resume"));
        return 0;
    }
}
