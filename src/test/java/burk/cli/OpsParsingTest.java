package burk.cli;

import burk.runtime.RuntimeError;
import burk.spec.LinuxResources;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The value grammars of ps, events and update: go-units sizes, Go durations, ps's PID column, runc's flags. */
class OpsParsingTest {
    @Test
    void sizesAreBinaryUnitsInAnyCaseWithOptionalIAndB() {
        assertEquals(1024, RamSize.parse("1024"));
        assertEquals(64L << 20, RamSize.parse("64m"));
        assertEquals(64L << 20, RamSize.parse("64M"));
        assertEquals(64L << 20, RamSize.parse("64MiB"));
        assertEquals(64L << 20, RamSize.parse("64mb"));
        assertEquals(512L << 10, RamSize.parse("512 k"));
        assertEquals(3L << 29, RamSize.parse("1.5g"));
        assertEquals(2L << 40, RamSize.parse("2t"));
        for (String bad : List.of("", "x", "12x", "-5", "1e3", "64 mb b", "9999999p")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RamSize.parse(bad), bad);
            assertEquals("invalid size: '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void durationsAreGosSyntax() throws Exception {
        assertEquals(Duration.ofSeconds(5), GoDuration.parse("5s"));
        assertEquals(Duration.ofMillis(250), GoDuration.parse("250ms"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofNanos(1500), GoDuration.parse("1.5us"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofSeconds(-1), GoDuration.parse("-1s"));
        for (String bad : List.of("", "5", "s", "5x", "1..5s", "--1s")) {
            UsageError e = assertThrows(UsageError.class, () -> GoDuration.parse(bad), bad);
            assertEquals("time: invalid duration \"" + bad + "\"", e.getMessage());
        }
    }

    @Test
    void psKeepsTheHeaderAndTheLinesOfTheContainersPidsWhereverThePidColumnIs() throws Exception {
        String ef = """
                UID          PID    PPID  C STIME TTY          TIME CMD
                root           1       0  0 08:00 ?        00:00:01 /sbin/init
                root         412       1  0 08:01 ?        00:00:00 sleep 1000
                root         413     412  0 08:01 ?        00:00:00 sleep 1000 413
                """;
        assertEquals(List.of(ef.lines().toList().get(0), ef.lines().toList().get(2)), PsCommand.filter(ef, Set.of(412L)));
        String custom = "STAT   PID COMMAND\nS      413 sleep\nR      999 ps\n";
        assertEquals(List.of("STAT   PID COMMAND", "S      413 sleep"), PsCommand.filter(custom, Set.of(413L)));
        RuntimeError noPid = assertThrows(RuntimeError.class, () -> PsCommand.filter("USER COMMAND\nroot x\n", Set.of()));
        assertEquals("couldn't find PID field in ps output", noPid.getMessage());
        assertThrows(RuntimeError.class, () -> PsCommand.filter("PID CMD\nabc x\n", Set.of()));
        assertEquals("null", PsCommand.json(List.of()));
        assertEquals("[7,42]", PsCommand.json(List.of(7L, 42L)));
    }

    @Test
    void updateFlagsBecomeResourcesAsRuncReadsThem() throws Exception {
        List<String> warnings = new ArrayList<>();
        Flags f = Flags.parse(List.of("--memory", "64m", "--memory-swap", "-1", "--pids-limit", "9", "--cpu-quota", "-1",
                "--cpu-share", "512", "--cpuset-cpus", "0", "--blkio-weight", "300", "--kernel-memory", "1g", "c1"),
                UpdateCommand.FLAGS);
        LinuxResources r = UpdateCommand.fromFlags(f, warnings::add);
        assertEquals(64L << 20, r.memory().limit());
        assertEquals(-1L, r.memory().swap());
        assertNull(r.memory().reservation());
        assertEquals(9L, r.pids().limit());
        assertEquals(-1L, r.cpu().quota());
        assertEquals(512L, r.cpu().shares());
        assertNull(r.cpu().period());
        assertEquals("0", r.cpu().cpus());
        assertEquals(300, r.blockIO().weight());
        assertEquals(List.of("Setting --kernel-memory is ignored and will be removed"), warnings);

        RuntimeError size = assertThrows(RuntimeError.class,
                () -> UpdateCommand.fromFlags(Flags.parse(List.of("--memory", "12x", "c"), UpdateCommand.FLAGS), warnings::add));
        assertEquals("invalid value for memory: invalid size: '12x'", size.getMessage());
        RuntimeError unsigned = assertThrows(RuntimeError.class,
                () -> UpdateCommand.fromFlags(Flags.parse(List.of("--cpu-period", "-5", "c"), UpdateCommand.FLAGS), warnings::add));
        assertEquals("invalid value for cpu-period: strconv.ParseUint: parsing \"-5\": invalid syntax", unsigned.getMessage());
        UsageError intFlag = assertThrows(UsageError.class,
                () -> UpdateCommand.fromFlags(Flags.parse(List.of("--pids-limit", "many", "c"), UpdateCommand.FLAGS), warnings::add));
        assertEquals("invalid value \"many\" for flag -pids-limit: parse error", intFlag.getMessage());
        LinuxResources none = UpdateCommand.fromFlags(Flags.parse(List.of("c"), UpdateCommand.FLAGS), warnings::add);
        assertNull(none.pids().limit(), "no --pids-limit: the limit is left alone");
    }
}
