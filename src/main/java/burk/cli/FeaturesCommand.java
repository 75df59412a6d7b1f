package burk.cli;

import burk.runtime.Features;
import burk.spec.Json;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code burk features}: the runtime-spec features document, with burk's version as annotations. */
final class FeaturesCommand {
    private FeaturesCommand() {}

    static final List<Flags.Def> FLAGS = List.of(Flags.HELP);

    static int run(List<String> args, PrintStream out) throws UsageError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("features", out);
        if (!f.positional().isEmpty()) throw new UsageError("\"features\" requires exactly 0 argument(s)");
        Map<String, Object> doc = Features.document();
        Map<String, Object> ann = new LinkedHashMap<>();
        ann.put("dev.burk.commit", BuildInfo.commit());
        ann.put("dev.burk.version", Main.VERSION);
        doc.put("annotations", ann);
        out.println(Json.write(doc, "    "));
        return 0;
    }
}
