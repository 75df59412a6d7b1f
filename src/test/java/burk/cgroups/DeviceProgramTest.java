package burk.cgroups;

import static burk.cgroups.DeviceRules.MKNOD;
import static burk.cgroups.DeviceRules.READ;
import static burk.cgroups.DeviceRules.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import burk.cgroups.CgroupResources.DeviceRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eBPF device program, run in {@link EbpfInterpreter}: it must decide as the emulator does. */
class DeviceProgramTest {
    private static byte[] program(List<DeviceRule> rules) {
        return DeviceProgram.encode(DeviceProgram.compile(DeviceRules.of(rules)));
    }

    @Test
    void theOciDefaultsAllowOnlyTheirDevices() {
        byte[] p = program(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rwm"), DeviceRule.allowChar(1, 5, "rwm"),
                new DeviceRule(true, "c", 136L, null, "rwm"), DeviceRule.allowChar(1, 9, "r")));
        assertEquals(1, EbpfInterpreter.run(p, 'c', 1, 3, WRITE), "/dev/null write");
        assertEquals(1, EbpfInterpreter.run(p, 'c', 1, 3, READ | WRITE));
        assertEquals(1, EbpfInterpreter.run(p, 'c', 136, 4, READ | WRITE), "/dev/pts/4");
        assertEquals(1, EbpfInterpreter.run(p, 'c', 1, 9, READ));
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 9, WRITE), "/dev/urandom is read-only here");
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 9, READ | WRITE));
        assertEquals(0, EbpfInterpreter.run(p, 'b', 1, 3, READ), "a block device with a char device's numbers");
        assertEquals(0, EbpfInterpreter.run(p, 'c', 10, 200, READ), "/dev/net/tun");
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 3 + 65536, READ), "minor compared in full");
    }

    @Test
    void aDenyOfNullWritesRefusesOnlyWrites() {
        byte[] p = program(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "r")));
        assertEquals(1, EbpfInterpreter.run(p, 'c', 1, 3, READ));
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 3, WRITE));
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 3, MKNOD));
    }

    @Test
    void anAllowAllListWithDenyExceptions() {
        byte[] p = program(List.of(new DeviceRule(true, "a", null, null, "rwm"), new DeviceRule(false, "c", 1L, 3L, "w"),
                new DeviceRule(false, "b", null, null, "m")));
        assertEquals(1, EbpfInterpreter.run(p, 'c', 1, 3, READ));
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 3, WRITE));
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 3, READ | WRITE), "shares the write bit");
        assertEquals(0, EbpfInterpreter.run(p, 'b', 8, 0, MKNOD));
        assertEquals(1, EbpfInterpreter.run(p, 'b', 8, 0, READ | WRITE));
        assertEquals(1, EbpfInterpreter.run(p, 'c', 4, 1, READ | WRITE | MKNOD));
    }

    @Test
    void theEmptyListDeniesAndIsTwoInstructionsPastThePrologue() {
        List<DeviceProgram.Insn> insns = DeviceProgram.compile(DeviceRules.of(List.of()));
        assertEquals(8, insns.size());
        assertEquals(0, EbpfInterpreter.run(DeviceProgram.encode(insns), 'c', 1, 3, READ));
    }

    @Test
    void numbersNoDeviceCanHaveAreLeftOutNotTruncated() {
        byte[] p = program(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1L << 32 | 1, 3, "rwm")));
        assertEquals(0, EbpfInterpreter.run(p, 'c', 1, 3, READ));
    }

    /**
     * Random rule lists against random accesses: the program and the emulator's reference
     * decision (the v1 kernel's) must agree every time. Numbers come from a small set so rules
     * and accesses meet often; lists the emulator refuses (wildcard holes) are skipped.
     */
    @Test
    void theProgramDecidesAsTheEmulatorOnRandomLists() {
        Random random = new Random(20240611L);
        long[] numbers = {0, 1, 3, 5, 136, 254};
        String[] types = {"a", "b", "c", "c", "c", null};
        int programs = 0;
        for (int round = 0; round < 3000; round++) {
            List<DeviceRule> rules = new ArrayList<>();
            int n = random.nextInt(7);
            for (int i = 0; i < n; i++) {
                String access = DeviceRules.accessLetters(1 + random.nextInt(7));
                rules.add(new DeviceRule(random.nextBoolean(), types[random.nextInt(types.length)],
                        random.nextInt(3) == 0 ? null : numbers[random.nextInt(numbers.length)],
                        random.nextInt(3) == 0 ? null : numbers[random.nextInt(numbers.length)], access));
            }
            DeviceRules state;
            try {
                state = DeviceRules.of(rules);
            } catch (CgroupException holePunch) {
                continue;
            }
            programs++;
            byte[] p = DeviceProgram.encode(DeviceProgram.compile(state));
            for (int q = 0; q < 40; q++) {
                char type = random.nextBoolean() ? 'c' : 'b';
                long major = numbers[random.nextInt(numbers.length)];
                long minor = numbers[random.nextInt(numbers.length)];
                int access = 1 + random.nextInt(7);
                long expected = state.allows(type, major, minor, access) ? 1 : 0;
                assertEquals(expected, EbpfInterpreter.run(p, type, major, minor, access),
                        rules + " -> " + state + " for " + type + " " + major + ":" + minor + " " + DeviceRules.accessLetters(access));
            }
        }
        assertEquals(true, programs > 2000, "enough lists were accepted: " + programs);
    }
}
