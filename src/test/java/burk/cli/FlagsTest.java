package burk.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line grammar runc accepts (urfave/cli over Go's flag package). */
class FlagsTest {
    private static final List<Flags.Def> DEFS = List.of(Flags.Def.value("", "bundle", "b"),
            Flags.Def.bool("", "detach", "d"), Flags.Def.value("", "pid-file"));

    @Test
    void longShortSingleDashAndEqualsForms() throws Exception {
        for (List<String> args : List.of(List.of("--bundle", "/b", "id"), List.of("-b", "/b", "id"),
                List.of("-bundle", "/b", "id"), List.of("--bundle=/b", "id"), List.of("-bundle=/b", "id"))) {
            Flags f = Flags.parse(args, DEFS);
            assertEquals("/b", f.value("bundle", null), args.toString());
            assertEquals(List.of("id"), f.positional());
        }
    }

    @Test
    void booleansTakeNoValueUnlessWrittenWithEquals() throws Exception {
        assertTrue(Flags.parse(List.of("-d", "id"), DEFS).bool("detach"));
        assertEquals(false, Flags.parse(List.of("--detach=false", "id"), DEFS).bool("detach"));
        assertThrows(UsageError.class, () -> Flags.parse(List.of("--detach=maybe"), DEFS));
    }

    @Test
    void flagsStopAtTheFirstPositionalAndAtDoubleDash() throws Exception {
        Flags f = Flags.parse(List.of("id", "--bundle", "x"), DEFS);
        assertEquals(List.of("id", "--bundle", "x"), f.positional());
        assertEquals(List.of("-d"), Flags.parse(List.of("--", "-d"), DEFS).positional());
    }

    @Test
    void unknownFlagsAndMissingValuesAreUsageErrors() {
        UsageError e = assertThrows(UsageError.class, () -> Flags.parse(List.of("--nope"), DEFS));
        assertEquals("flag provided but not defined: -nope", e.getMessage());
        assertThrows(UsageError.class, () -> Flags.parse(List.of("--bundle"), DEFS));
    }

    @Test
    void signalsByNameNumberAndWithOrWithoutSig() throws Exception {
        assertEquals(9, Signals.parse("9"));
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("SIGKILL"));
        assertEquals(15, Signals.parse("sigterm"));
        assertEquals(10, Signals.parse("USR1"));
        assertEquals(36, Signals.parse("RTMIN+2"));
        assertThrows(UsageError.class, () -> Signals.parse("SIGNOPE"));
        assertThrows(UsageError.class, () -> Signals.parse("65"));
    }
}
