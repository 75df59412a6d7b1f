package burk.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code burk run} has two meanings: runc's ({@code run [--bundle DIR] ID}, what engines call) and
 * the front's ({@code run [flags] IMAGE [CMD...]}). runc's is chosen when {@code --bundle}/{@code -b}
 * is given, or when there is exactly one positional argument and ./config.json exists (engines run
 * the runtime with the bundle as its cwd); anything else is the front's. Kept apart from the front's
 * classes so runc's form loads none of them.
 */
final class RunForm {
    private RunForm() {}

    private static final Set<String> RUNC_VALUED = Set.of("bundle", "b", "console-socket", "pidfd-socket", "pid-file",
            "preserve-fds", "root", "log", "log-format");

    static boolean isRunc(List<String> args) {
        // `run --help` alone: runc's help (the front's usage is printed for an image form's errors)
        if (!args.isEmpty() && args.stream().allMatch(a -> a.equals("--help") || a.equals("-h") || a.equals("-help"))) {
            return true;
        }
        int positional = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                positional += args.size() - i - 1;
                break;
            }
            if (a.startsWith("-") && !a.equals("-")) {
                String name = a.replaceFirst("^--?", "");
                int eq = name.indexOf('=');
                if (eq >= 0) name = name.substring(0, eq);
                if (name.equals("bundle") || name.equals("b")) return true;
                if (eq < 0 && RUNC_VALUED.contains(name)) i++;
                continue;
            }
            positional++;
        }
        return positional == 1 && Files.isRegularFile(Path.of("config.json"));
    }
}
