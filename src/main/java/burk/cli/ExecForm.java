package burk.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code burk exec} has two meanings: runc's ({@code exec [--process F] [--console-socket S] ID
 * [CMD...]}, what engines call) and the front's, Docker's ({@code exec [-i] [-t] [-e] [-u] [-w]
 * CONTAINER CMD...}, names and user names resolved as Docker does). A flag only one of them has
 * decides; otherwise the front's is chosen unless the first argument is a runtime container the
 * front did not make. Kept apart from the front's classes so runc's form loads none of them.
 */
final class ExecForm {
    private ExecForm() {}

    private static final Set<String> RUNC_ONLY = Set.of("process", "p", "console-socket", "pidfd-socket", "pid-file", "cwd",
            "cap", "c", "preserve-fds", "cgroup", "ignore-paused", "no-new-privs", "additional-gids", "g", "apparmor",
            "process-label");
    private static final Set<String> FRONT_ONLY = Set.of("interactive", "i", "workdir", "w", "env-file");
    private static final Set<String> VALUED = Set.of("process", "p", "console-socket", "pidfd-socket", "pid-file", "cwd",
            "cap", "c", "preserve-fds", "cgroup", "additional-gids", "g", "apparmor", "process-label", "env", "e", "user",
            "u", "workdir", "w", "env-file");

    /**
     * @param runtimeRoot the runtime's state root ({@code --root})
     * @param frontContainers the front's containers directory, asked for only when needed (it
     *                        loads the image store's class)
     */
    static boolean isRunc(List<String> args, Path runtimeRoot, Supplier<Path> frontContainers) {
        String first = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                if (i + 1 < args.size()) first = args.get(i + 1);
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                first = a;
                break;
            }
            if (a.startsWith("--")) {
                String name = a.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) name = name.substring(0, eq);
                if (RUNC_ONLY.contains(name)) return true;
                if (FRONT_ONLY.contains(name)) return false;
                if (eq < 0 && VALUED.contains(name)) i++;
                continue;
            }
            // runc's parser takes single-dash long names too (-pid-file)
            String single = a.substring(1);
            int eq = single.indexOf('=');
            String asLong = eq >= 0 ? single.substring(0, eq) : single;
            if (asLong.length() > 1 && RUNC_ONLY.contains(asLong)) return true;
            for (int j = 0; j < single.length(); j++) {
                String s = String.valueOf(single.charAt(j));
                if (RUNC_ONLY.contains(s)) return true;
                if (FRONT_ONLY.contains(s)) return false;
                if (VALUED.contains(s)) {
                    if (j == single.length() - 1) i++;
                    break;
                }
            }
        }
        if (first == null) return false;
        boolean inRuntime = first.matches("[\\w+.-]+") && Files.isDirectory(runtimeRoot.resolve(first));
        return inRuntime && !Files.isDirectory(frontContainers.get().resolve(first));
    }
}
