package burk.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command's --help in runc's shape, its OPTIONS printed from the flags the command parses. */
class HelpTest {
    static final List<String> COMMANDS = List.of("create", "start", "run", "state", "kill", "delete", "list", "ps",
            "pause", "resume", "events", "update", "spec", "features", "demo");

    @Test
    void everyCommandHasNameUsageAndItsVisibleFlagsUnderOptions() {
        for (String cmd : COMMANDS) {
            Help.Topic t = Help.topic(cmd);
            assertTrue(t != null, "no help for " + cmd);
            String text = Help.render(cmd, t);
            assertTrue(text.startsWith("NAME:\n   burk " + cmd + " - " + t.summary() + "\n\nUSAGE:\n   burk " + cmd), text);
            List<Flags.Def> visible = t.flags().stream().filter(d -> !d.help().isEmpty() && !d.equals(Flags.HELP)).toList();
            assertEquals(!visible.isEmpty(), text.contains("\nOPTIONS:\n"), cmd);
            for (Flags.Def d : visible) {
                String form = "--" + d.name() + (d.takesValue() ? " value" : "");
                assertTrue(text.contains("\n   " + form), cmd + " lists " + form + ":\n" + text);
            }
            int name = text.indexOf("NAME:"), usage = text.indexOf("USAGE:"), desc = text.indexOf("DESCRIPTION:"),
                    opts = text.indexOf("OPTIONS:");
            assertTrue(name < usage && (desc < 0 || usage < desc) && (opts < 0 || Math.max(usage, desc) < opts), text);
        }
    }

    @Test
    void hiddenFlagsAreAcceptedButNotListedAndHelpTextsAreAligned() {
        String text = Help.render("update", Help.topic("update"));
        assertTrue(!text.contains("kernel-memory"), text);
        String opts = text.substring(text.indexOf("OPTIONS:\n") + 9);
        int column = -1;
        for (String line : opts.lines().toList()) {
            int at = line.indexOf("  ", 3);
            while (at < line.length() && line.charAt(at) == ' ') at++;
            if (column < 0) column = at;
            assertEquals(column, at, "aligned: " + line);
        }
    }

    @Test
    void generalHelpListsEveryCommandAndTheGlobalOptions() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Help.general(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        for (String cmd : COMMANDS) assertTrue(text.contains("\n   " + cmd + " "), cmd);
        assertTrue(text.contains("--root value"), text);
        assertTrue(text.contains("--help, -h"), text);
    }
}
