package burk.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command line parsed the way runc's (urfave/cli over Go's flag package) is: flags before the
 * first positional argument, each as {@code --name value}, {@code --name=value}, {@code -name value}
 * or a short alias; boolean flags take no value (or {@code =true/false}); {@code --} ends flags.
 * Flags after the first positional argument are positional, as in Go.
 */
final class Flags {
    /** One flag a command accepts. {@code names} are without dashes; the first is the canonical name. */
    record Def(List<String> names, boolean takesValue, String help) {
        static Def bool(String help, String... names) { return new Def(List.of(names), false, help); }
        static Def value(String help, String... names) { return new Def(List.of(names), true, help); }
        String name() { return names.get(0); }
    }

    /** {@code --help, -h}, which every command takes. */
    static final Def HELP = Def.bool("show help", "help", "h");

    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    static Flags parse(List<String> args, List<Def> defs) throws UsageError {
        Flags f = new Flags();
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) { i++; break; }
            if (!a.startsWith("-") || a.equals("-")) break;
            String body = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String inline = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                inline = body.substring(eq + 1);
                body = body.substring(0, eq);
            }
            Def d = find(defs, body);
            if (d == null) throw new UsageError("flag provided but not defined: -" + body);
            String v;
            if (d.takesValue()) {
                if (inline != null) v = inline;
                else if (i + 1 < args.size()) v = args.get(++i);
                else throw new UsageError("flag needs an argument: -" + body);
            } else {
                v = inline == null ? "true" : inline;
                if (!v.equals("true") && !v.equals("false")) {
                    throw new UsageError("invalid boolean value \"" + v + "\" for -" + body);
                }
            }
            f.values.computeIfAbsent(d.name(), k -> new ArrayList<>()).add(v);
        }
        for (; i < args.size(); i++) f.positional.add(args.get(i));
        return f;
    }

    private static Def find(List<Def> defs, String name) {
        for (Def d : defs) if (d.names().contains(name)) return d;
        return null;
    }

    boolean bool(String name) {
        List<String> v = values.get(name);
        return v != null && v.get(v.size() - 1).equals("true");
    }

    /** The last value given for {@code name}, or {@code dflt}. */
    String value(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) { return values.containsKey(name); }

    List<String> positional() { return positional; }

    /** The only positional argument (a container id), or runc's usage error. */
    String onlyArgument(String cmd) throws UsageError {
        if (positional.size() != 1) throw new UsageError("\"" + cmd + "\" requires exactly 1 argument(s)");
        return positional.get(0);
    }
}
