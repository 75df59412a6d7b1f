package burk.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker-style flags for the front's commands: {@code --name value}, {@code --name=value},
 * short flags clustered ({@code -it}, {@code -dit}) or with an attached value ({@code -eK=V});
 * the first positional argument ends the flags (everything after an image is its command).
 */
final class FrontArgs {
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param bools  boolean flag names (long names, and one-letter short names)
     * @param valued flags taking a value
     * @param aliases short name to long name
     */
    static FrontArgs parse(List<String> args, Set<String> bools, Set<String> valued, Map<String, String> aliases,
                           boolean stopAtFirstPositional) throws UsageError {
        FrontArgs f = new FrontArgs();
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                if (stopAtFirstPositional) break;
                f.positional.add(a);
                continue;
            }
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                name = aliases.getOrDefault(name, name);
                if (bools.contains(name)) {
                    f.add(name, inline == null ? "true" : inline);
                } else if (valued.contains(name)) {
                    if (inline == null) {
                        if (++i >= args.size()) throw new UsageError("flag needs an argument: --" + name);
                        inline = args.get(i);
                    }
                    f.add(name, inline);
                } else {
                    throw new UsageError("unknown flag: --" + name);
                }
                continue;
            }
            String cluster = a.substring(1);
            for (int j = 0; j < cluster.length(); j++) {
                String s = String.valueOf(cluster.charAt(j));
                String name = aliases.getOrDefault(s, s);
                if (bools.contains(name)) {
                    f.add(name, "true");
                } else if (valued.contains(name)) {
                    String v = cluster.substring(j + 1);
                    if (v.startsWith("=")) v = v.substring(1);
                    if (v.isEmpty()) {
                        if (++i >= args.size()) throw new UsageError("flag needs an argument: -" + s);
                        v = args.get(i);
                    }
                    f.add(name, v);
                    break;
                } else {
                    throw new UsageError("unknown shorthand flag: '" + s + "' in " + a);
                }
            }
        }
        for (; i < args.size(); i++) f.positional.add(args.get(i));
        return f;
    }

    private void add(String name, String v) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    }

    boolean bool(String name) {
        List<String> v = values.get(name);
        return v != null && v.get(v.size() - 1).equals("true");
    }

    String value(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    List<String> positional() {
        return positional;
    }
}
