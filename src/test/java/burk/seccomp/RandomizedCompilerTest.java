package burk.seccomp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.Operator;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiles random profiles (fixed seeds, so a failure reproduces) and checks the filter against
 * {@link ReferenceSemantics} on random calls: syscall numbers around the named ones, argument
 * values around 32-bit boundaries, every accepted ABI and a foreign one.
 */
class RandomizedCompilerTest {

    static final List<String> NAMES = List.of("read", "write", "open", "close", "stat", "mmap", "ioctl", "socket",
            "connect", "clone", "fork", "execve", "kill", "getpid", "mount", "umount2", "setns", "unshare", "ptrace",
            "personality", "futex", "openat", "prctl", "bpf", "clone3", "faccessat2", "mseal", "set_tls",
            "socketcall", "arch_prctl", "no_such_call", "s390_runtime_instr", "riscv_flush_icache");

    static final long[] VALUES = {0, 1, 2, 5, 0x11, 0xFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L,
            0x1_0000_0005L, 0x7E02_0000L, 0xFFFF_FFFF_0000_0000L, 0x8000_0000_0000_0000L, -1L, -2L};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void filtersAgreeWithTheReference(long seed) {
        Random random = new Random(seed);
        List<Arch> kernels = List.of(Arch.X86_64, Arch.AARCH64, Arch.S390X, Arch.MIPSEL64, Arch.PPC64LE,
                Arch.RISCV64, Arch.ARM, Arch.X86);
        Arch kernel = kernels.get((int) (seed % kernels.size()));
        SeccompProfile profile = randomProfile(random, kernel, seed % 4 == 0 ? 400 : 40);
        CompiledFilter f = new CompiledFilter(profile, kernel);

        List<Arch> abis = new ArrayList<>(kernel.abisOfKernel());
        abis.add(kernel == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64); // a foreign ABI
        int calls = 0;
        for (int i = 0; i < 4000; i++) {
            Arch abi = abis.get(random.nextInt(abis.size()));
            int nr;
            var named = abi.syscallNumber(NAMES.get(random.nextInt(NAMES.size())));
            if (named.isPresent() && random.nextInt(4) != 0) {
                nr = named.getAsInt() + random.nextInt(3) - 1;
            } else {
                nr = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(1100) + (abi == Arch.X32 ? 0x4000_0000 : 0);
            }
            long[] args = new long[6];
            for (int a = 0; a < 6; a++) {
                args[a] = VALUES[random.nextInt(VALUES.length)] + random.nextInt(3) - 1;
            }
            f.call(abi, nr, args); // asserts agreement with the reference
            calls++;
        }
        assertTrue(calls == 4000);
    }

    static SeccompProfile randomProfile(Random random, Arch kernel, int ruleCount) {
        Action[] actions = {Action.ALLOW, Action.ERRNO, Action.KILL_PROCESS, Action.TRAP, Action.LOG, Action.TRACE,
                Action.KILL, Action.ERRNO};
        Action def = actions[random.nextInt(actions.length)];
        Integer defErrno = def.takesErrno() && random.nextBoolean() ? random.nextInt(200) : null;
        List<SyscallRule> rules = new ArrayList<>();
        for (int r = 0; r < ruleCount; r++) {
            List<String> names = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                names.add(NAMES.get(random.nextInt(NAMES.size())));
            }
            Action action = actions[random.nextInt(actions.length)];
            Integer errno = action.takesErrno() && random.nextBoolean() ? random.nextInt(4096) : null;
            List<ArgCondition> args = new ArrayList<>();
            int conditions = random.nextInt(4);
            for (int c = 0; c < conditions; c++) {
                Operator op = Operator.values()[random.nextInt(Operator.values().length)];
                long v = VALUES[random.nextInt(VALUES.length)];
                long v2 = op == Operator.MASKED_EQ && random.nextBoolean() ? v & VALUES[random.nextInt(VALUES.length)] : 0;
                args.add(new ArgCondition(random.nextInt(6), v, v2, op));
            }
            rules.add(new SyscallRule(names, action, errno, args));
        }
        List<Arch> arches = new ArrayList<>();
        for (Arch abi : kernel.abisOfKernel()) {
            if (random.nextBoolean()) {
                arches.add(abi);
            }
        }
        return new SeccompProfile(def, defErrno, arches, Set.of(), null, null, rules);
    }
}
