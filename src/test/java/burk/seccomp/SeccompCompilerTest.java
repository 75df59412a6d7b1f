package burk.seccomp;

import static burk.seccomp.CompiledFilter.hex;
import static burk.seccomp.ReferenceSemantics.ALLOW;
import static burk.seccomp.ReferenceSemantics.ERRNO;
import static burk.seccomp.ReferenceSemantics.KILL_PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.seccomp.BpfInterpreter.SeccompData;
import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.Flag;
import burk.seccomp.SeccompProfile.Operator;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SeccompCompilerTest {

    static final int EPERM = ERRNO | 1;
    static final int ENOSYS = ERRNO | 38;

    static SeccompProfile profile(Action def, Integer defErrno, List<Arch> arches, SyscallRule... rules) {
        String listener = List.of(rules).stream().anyMatch(r -> r.action() == Action.NOTIFY) ? "/run/agent.sock" : null;
        return new SeccompProfile(def, defErrno, arches, Set.of(), listener, null, List.of(rules));
    }

    static SyscallRule rule(Action action, Integer errno, List<String> names, ArgCondition... args) {
        return new SyscallRule(names, action, errno, List.of(args));
    }

    static SyscallRule allow(String... names) {
        return rule(Action.ALLOW, null, List.of(names));
    }

    static ArgCondition arg(int index, Operator op, long value) {
        return new ArgCondition(index, value, 0, op);
    }

    @Test
    void everyActionHasItsKernelReturnValue() {
        SeccompProfile p = profile(Action.ALLOW, null, List.of(),
                rule(Action.KILL, null, List.of("getpid")),
                rule(Action.KILL_THREAD, null, List.of("getppid")),
                rule(Action.KILL_PROCESS, null, List.of("getuid")),
                rule(Action.TRAP, null, List.of("geteuid")),
                rule(Action.ERRNO, null, List.of("getgid")),
                rule(Action.ERRNO, 13, List.of("getegid")),
                rule(Action.TRACE, null, List.of("gettid")),
                rule(Action.TRACE, 7, List.of("getpgrp")),
                rule(Action.LOG, null, List.of("getsid")),
                rule(Action.NOTIFY, null, List.of("getcwd")),
                rule(Action.ALLOW, null, List.of("read")));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        Arch a = Arch.X86_64;
        assertEquals(hex(0x0000_0000), hex(f.call(a, "getpid")));
        assertEquals(hex(0x0000_0000), hex(f.call(a, "getppid")));
        assertEquals(hex(0x8000_0000), hex(f.call(a, "getuid")));
        assertEquals(hex(0x0003_0000), hex(f.call(a, "geteuid")));
        assertEquals(hex(0x0005_0001), hex(f.call(a, "getgid")));
        assertEquals(hex(0x0005_000d), hex(f.call(a, "getegid")));
        assertEquals(hex(0x7ff0_0001), hex(f.call(a, "gettid")));
        assertEquals(hex(0x7ff0_0007), hex(f.call(a, "getpgrp")));
        assertEquals(hex(0x7ffc_0000), hex(f.call(a, "getsid")));
        assertEquals(hex(0x7fc0_0000), hex(f.call(a, "getcwd")));
        assertEquals(hex(0x7fff_0000), hex(f.call(a, "read")));
        assertEquals(hex(0x7fff_0000), hex(f.call(a, "write")), "default action");
        assertTrue(f.program.needsNotifyListener());
        assertEquals(SeccompProgram.FLAG_NEW_LISTENER, f.program.flags());
    }

    @ParameterizedTest
    @EnumSource(value = Action.class, names = {"KILL", "KILL_THREAD", "KILL_PROCESS", "TRAP", "ERRNO", "TRACE", "ALLOW", "LOG"})
    void defaultActionAppliesToUnlistedSyscalls(Action def) {
        Integer errno = def.takesErrno() ? 13 : null;
        SeccompProfile p = profile(def, errno, List.of(), rule(Action.ERRNO, 5, List.of("getpid")), allow("read", "write"));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        int expected = ReferenceSemantics.word(def, errno);
        assertEquals(hex(expected), hex(f.call(Arch.X86_64, "close")));
        assertEquals(hex(ERRNO | 5), hex(f.call(Arch.X86_64, "getpid")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "write")));
    }

    /** Values around every 32-bit boundary of a 64-bit argument. */
    static final long[] BOUNDARIES = {
            0, 1, 2, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFEL, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L,
            0x1_FFFF_FFFFL, 0x2_0000_0000L, 0x7FFF_FFFF_FFFF_FFFFL, 0x8000_0000_0000_0000L,
            0xFFFF_FFFF_0000_0000L, 0xFFFF_FFFF_0000_0001L, 0xFFFF_FFFF_FFFF_FFFEL, 0xFFFF_FFFF_FFFF_FFFFL,
            0x1234_5678_9ABC_DEF0L};

    @ParameterizedTest
    @EnumSource(value = Operator.class, names = "MASKED_EQ", mode = EnumSource.Mode.EXCLUDE)
    void everyOperatorAtEveryBoundaryOn64BitAnd32BitAbis(Operator op) {
        for (Arch kernel : List.of(Arch.X86_64, Arch.S390X, Arch.AARCH64)) {
            for (long v : BOUNDARIES) {
                SeccompProfile p = profile(Action.ALLOW, null, kernel.abisOfKernel(),
                        rule(Action.ERRNO, 99, List.of("close"), arg(2, op, v)));
                CompiledFilter f = new CompiledFilter(p, kernel);
                for (Arch abi : kernel.abisOfKernel()) {
                    for (long a : BOUNDARIES) {
                        for (long arg : new long[] {a, a + 1, a - 1}) {
                            int got = f.call(abi, "close", 0, 0, arg);
                            long seen = abi.hasWideArguments() ? arg : arg & 0xFFFF_FFFFL;
                            boolean holds = switch (op) {
                                case EQ -> seen == v;
                                case NE -> seen != v;
                                case LT -> Long.compareUnsigned(seen, v) < 0;
                                case LE -> Long.compareUnsigned(seen, v) <= 0;
                                case GT -> Long.compareUnsigned(seen, v) > 0;
                                case GE -> Long.compareUnsigned(seen, v) >= 0;
                                default -> throw new AssertionError();
                            };
                            assertEquals(hex(holds ? ERRNO | 99 : ALLOW), hex(got),
                                    abi + ": 0x" + Long.toHexString(arg) + " " + op + " 0x" + Long.toHexString(v));
                        }
                    }
                }
            }
        }
    }

    @Test
    void highHalfDecidesOn64BitAbisOnly() {
        SeccompProfile p = profile(Action.ALLOW, null, List.of(Arch.X86),
                rule(Action.ERRNO, 1, List.of("close"), arg(0, Operator.EQ, 5)),
                rule(Action.ERRNO, 2, List.of("dup"), arg(0, Operator.GT, 0xFFFF_FFFFL)),
                rule(Action.ERRNO, 3, List.of("dup2"), arg(0, Operator.EQ, 0x1_0000_0000L)));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "close", 0x1_0000_0005L)));
        assertEquals(hex(ERRNO | 1), hex(f.call(Arch.X86_64, "close", 5)));
        // i386: the syscall sees only the low half, and so does the filter.
        assertEquals(hex(ERRNO | 1), hex(f.call(Arch.X86, "close", 0x1_0000_0005L)));
        assertEquals(hex(ERRNO | 2), hex(f.call(Arch.X86_64, "dup", 0x1_0000_0000L)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "dup", 0xFFFF_FFFFL)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, "dup", 0x1_0000_0000L)), "no 32-bit value is above 0xFFFFFFFF");
        assertEquals(hex(ERRNO | 3), hex(f.call(Arch.X86_64, "dup2", 0x1_0000_0000L)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "dup2", 0)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, "dup2", 0)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, "dup2", 0x1_0000_0000L)));
    }

    @Test
    void maskedEqualComparesOnlyTheMaskedBits() {
        long cloneNamespaces = 0x7E02_0000L;
        SeccompProfile p = profile(Action.ERRNO, null, List.of(),
                rule(Action.ALLOW, null, List.of("clone"), new ArgCondition(0, cloneNamespaces, 0, Operator.MASKED_EQ)),
                rule(Action.ERRNO, 40, List.of("close"),
                        new ArgCondition(1, 0xFFFF_0000_0000_00F0L, 0x1234_0000_0000_0010L, Operator.MASKED_EQ)),
                // expected has a bit outside the mask: can never hold
                rule(Action.ERRNO, 41, List.of("dup"), new ArgCondition(0, 0xF0, 0x0F, Operator.MASKED_EQ)),
                allow("read"));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        Arch a = Arch.X86_64;
        assertEquals(hex(ALLOW), hex(f.call(a, "clone", 0x11 /* SIGCHLD */)));
        assertEquals(hex(ALLOW), hex(f.call(a, "clone", 0x0100_0000_003D_0F00L)));
        assertEquals(hex(EPERM), hex(f.call(a, "clone", 0x1000_0000L /* CLONE_NEWUSER */)));
        assertEquals(hex(EPERM), hex(f.call(a, "clone", 0x0002_0000L /* CLONE_NEWNS */)));
        assertEquals(hex(ERRNO | 40), hex(f.call(a, "close", 0, 0x1234_5678_0000_0019L)));
        assertEquals(hex(EPERM), hex(f.call(a, "close", 0, 0x1235_0000_0000_0010L)));
        assertEquals(hex(EPERM), hex(f.call(a, "close", 0, 0x1234_0000_0000_0020L)));
        assertEquals(hex(EPERM), hex(f.call(a, "dup", 0x0F)));
        assertEquals(hex(EPERM), hex(f.call(a, "dup", 0xFF)));
    }

    @Test
    void conditionsOfOneRuleAreAnded() {
        SeccompProfile p = profile(Action.ALLOW, null, List.of(),
                rule(Action.ERRNO, 7, List.of("mmap"), arg(0, Operator.EQ, 1), arg(1, Operator.EQ, 2),
                        arg(5, Operator.GE, 0x1_0000_0000L)));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        assertEquals(hex(ERRNO | 7), hex(f.call(Arch.X86_64, "mmap", 1, 2, 0, 0, 0, 0x1_0000_0000L)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "mmap", 1, 2, 0, 0, 0, 0xFFFF_FFFFL)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "mmap", 1, 3, 0, 0, 0, 0x1_0000_0000L)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "mmap", 0, 2, 0, 0, 0, 0x1_0000_0000L)));
    }

    @Test
    void firstMatchingRuleOfASyscallWins() {
        SeccompProfile p = profile(Action.ERRNO, null, List.of(),
                rule(Action.ERRNO, 11, List.of("getpid", "ioctl"), arg(0, Operator.EQ, 1)),
                rule(Action.ERRNO, 22, List.of("ioctl"), arg(0, Operator.GE, 1)),
                rule(Action.ALLOW, null, List.of("ioctl")),
                rule(Action.ERRNO, 33, List.of("ioctl")), // unreachable: an unconditional rule came first
                rule(Action.ERRNO, 44, List.of("ioctl"), arg(0, Operator.EQ, 0)));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        assertEquals(hex(ERRNO | 11), hex(f.call(Arch.X86_64, "ioctl", 1)));
        assertEquals(hex(ERRNO | 22), hex(f.call(Arch.X86_64, "ioctl", 5)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "ioctl", 0)));
        assertEquals(hex(ERRNO | 11), hex(f.call(Arch.X86_64, "getpid", 1)));
        assertEquals(hex(EPERM), hex(f.call(Arch.X86_64, "getpid", 2)), "no rule matched: default");
    }

    @Test
    void callsFromAbisTheProfileDoesNotAcceptAreKilled() {
        SeccompProfile onlyNative = profile(Action.ALLOW, null, List.of(), rule(Action.ERRNO, 3, List.of("getpid")));
        CompiledFilter f = new CompiledFilter(onlyNative, Arch.X86_64);
        assertEquals(hex(ERRNO | 3), hex(f.call(Arch.X86_64, "getpid")));
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.X86, "getpid")));
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.AARCH64, "getpid")));
        assertEquals(hex(KILL_PROCESS), hex(f.bpf.run(new SeccompData(39, 0x1234, 0))));

        SeccompProfile withI386 = profile(Action.ALLOW, null, List.of(Arch.X86, Arch.AARCH64),
                rule(Action.ERRNO, 3, List.of("getpid")));
        f = new CompiledFilter(withI386, Arch.X86_64);
        assertEquals(hex(ERRNO | 3), hex(f.call(Arch.X86, "getpid")));
        assertEquals(20, Arch.X86.syscallNumber("getpid").orElseThrow());
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, 39)), "i386 number 39 is mkdir, not getpid");
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.AARCH64, "getpid")), "an x86_64 kernel runs no aarch64 calls");
    }

    @Test
    void x32CallsOnX86_64AreKilledUnlessX32IsListed() {
        int x32Getpid = Arch.X32.syscallNumber("getpid").orElseThrow();
        assertEquals(0x4000_0027, x32Getpid);
        SeccompProfile without = profile(Action.ALLOW, null, List.of(Arch.X86_64, Arch.X86), allow("getpid"));
        CompiledFilter f = new CompiledFilter(without, Arch.X86_64);
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.X86_64, x32Getpid)));
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.X86_64, 0xFFFF_FFFF)), "nr -1 has the x32 bit too");
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "getpid")));

        SeccompProfile with = profile(Action.ERRNO, null, List.of(Arch.X86_64, Arch.X86, Arch.X32),
                rule(Action.ERRNO, 9, List.of("getpid"), arg(0, Operator.EQ, 0x1_0000_0000L)), allow("read", "getpid"));
        f = new CompiledFilter(with, Arch.X86_64);
        assertEquals(hex(ERRNO | 9), hex(f.call(Arch.X32, "getpid", 0x1_0000_0000L)), "x32 arguments are 64-bit registers");
        assertEquals(hex(ALLOW), hex(f.call(Arch.X32, "getpid", 0)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X32, "read")));
        assertEquals(hex(EPERM), hex(f.call(Arch.X32, "close")));
    }

    @Test
    void enosysForSyscallsNewerThanTheProfile() {
        SeccompProfile p = profile(Action.ERRNO, null, List.of(Arch.X86_64, Arch.X86, Arch.X32),
                allow("read", "getpid"), rule(Action.ERRNO, 5, List.of("socket")));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        int socket = Arch.X86_64.syscallNumber("socket").orElseThrow();
        assertEquals(41, socket);
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, 0)));
        assertEquals(hex(EPERM), hex(f.call(Arch.X86_64, 40)), "below the highest named number: default");
        assertEquals(hex(ERRNO | 5), hex(f.call(Arch.X86_64, 41)));
        assertEquals(hex(ENOSYS), hex(f.call(Arch.X86_64, 42)));
        assertEquals(hex(ENOSYS), hex(f.call(Arch.X86_64, 1000)));
        int i386Socket = Arch.X86.syscallNumber("socket").orElseThrow();
        assertEquals(hex(ENOSYS), hex(f.call(Arch.X86, i386Socket + 1)));
        assertEquals(hex(EPERM), hex(f.call(Arch.X86, i386Socket - 1)));
        int x32Socket = Arch.X32.syscallNumber("socket").orElseThrow();
        assertEquals(hex(ENOSYS), hex(f.call(Arch.X32, x32Socket + 1)));
        assertEquals(hex(EPERM), hex(f.call(Arch.X32, x32Socket - 1)));

        for (Action permissive : List.of(Action.ALLOW, Action.LOG, Action.TRACE)) {
            CompiledFilter open = new CompiledFilter(profile(permissive, null, List.of(), rule(Action.ERRNO, 5, List.of("socket"))),
                    Arch.X86_64);
            assertEquals(hex(ReferenceSemantics.word(permissive, null)), hex(open.call(Arch.X86_64, 1000)), permissive.name());
        }
        CompiledFilter kill = new CompiledFilter(profile(Action.KILL_PROCESS, null, List.of(), allow("read", "getpid")),
                Arch.X86_64);
        assertEquals(hex(ENOSYS), hex(kill.call(Arch.X86_64, 500)));
        assertEquals(hex(KILL_PROCESS), hex(kill.call(Arch.X86_64, "write")));
        CompiledFilter alreadyEnosys = new CompiledFilter(profile(Action.ERRNO, 38, List.of(), allow("read")), Arch.X86_64);
        assertEquals(hex(ENOSYS), hex(alreadyEnosys.call(Arch.X86_64, 500)));
        assertEquals(hex(ENOSYS), hex(alreadyEnosys.call(Arch.X86_64, "write")));
        CompiledFilter nothingKnown = new CompiledFilter(profile(Action.ERRNO, null, List.of(), allow("no_such_call")), Arch.X86_64);
        assertEquals(hex(EPERM), hex(nothingKnown.call(Arch.X86_64, 500)), "no named syscall: no guard (as runc)");
    }

    @Test
    void enosysRuleLeavesArmPrivateCallsToTheRules() {
        SeccompProfile p = profile(Action.ERRNO, null, List.of(Arch.ARM), allow("read", "openat", "set_tls"));
        CompiledFilter f = new CompiledFilter(p, Arch.AARCH64);
        assertEquals(0x0f0005, Arch.ARM.syscallNumber("set_tls").orElseThrow());
        assertEquals(hex(ALLOW), hex(f.call(Arch.ARM, "set_tls")));
        assertEquals(hex(EPERM), hex(f.call(Arch.ARM, "cacheflush")));
        assertEquals(hex(ENOSYS), hex(f.call(Arch.ARM, Arch.ARM.syscallNumber("openat").orElseThrow() + 1)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.AARCH64, "openat")));
        assertEquals(hex(ENOSYS), hex(f.call(Arch.AARCH64, Arch.AARCH64.syscallNumber("read").orElseThrow() + 1)));
    }

    @Test
    void enosysOnS390AlsoCoversTheMultiplexedNumberZero() {
        SeccompProfile p = profile(Action.ERRNO, null, List.of(Arch.S390), allow("read", "write"));
        CompiledFilter f = new CompiledFilter(p, Arch.S390X);
        assertEquals(hex(ENOSYS), hex(f.call(Arch.S390X, 0)));
        assertEquals(hex(ENOSYS), hex(f.call(Arch.S390, 0)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.S390X, "read")));
        assertEquals(hex(EPERM), hex(f.call(Arch.S390X, 1)));
    }

    @Test
    void enosysUsesTheKernelsErrnoNumbering() {
        SeccompProfile p = profile(Action.ERRNO, null, List.of(Arch.MIPS, Arch.MIPS64N32), allow("read"));
        CompiledFilter f = new CompiledFilter(p, Arch.MIPSEL64);
        int mipsEnosys = ERRNO | 89;
        assertEquals(hex(mipsEnosys), hex(f.call(Arch.MIPSEL64, 5999)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.MIPSEL64, "read")));
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.MIPS, "read")), "big-endian o32 is not what a mipsel64 kernel runs");
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.MIPSEL64N32, "read")), "listed MIPS64N32 is the big-endian n32");
    }

    @Test
    void bigEndianKernelsGetBigEndianInstructionsAndArgumentHalves() {
        SeccompProfile p = profile(Action.ALLOW, null, List.of(Arch.S390),
                rule(Action.ERRNO, 3, List.of("close"), arg(0, Operator.EQ, 0x1_0000_0002L)));
        CompiledFilter f = new CompiledFilter(p, Arch.S390X);
        ByteBuffer first = ByteBuffer.wrap(f.program.filter()).order(ByteOrder.BIG_ENDIAN);
        assertEquals(0x20, first.getShort(0), "ld [4] in big-endian");
        assertEquals(4, first.getInt(4));
        assertEquals(hex(ERRNO | 3), hex(f.call(Arch.S390X, "close", 0x1_0000_0002L)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.S390X, "close", 2)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.S390X, "close", 0x2_0000_0001L)));
    }

    @Test
    void littleEndianLayoutOfTheFirstInstructions() {
        SeccompProfile p = profile(Action.ALLOW, null, List.of(), rule(Action.ERRNO, 1, List.of("getpid")));
        byte[] bytes = SeccompCompiler.compile(p, Arch.X86_64).filter();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        // ld [4] (arch); jeq AUDIT_ARCH_X86_64; ...
        assertEquals(0x20, b.getShort(0));
        assertEquals(4, b.getInt(4));
        assertEquals(0x15, b.getShort(8));
        assertEquals(0xC000003E, b.getInt(12));
        assertEquals(0x06, b.getShort(bytes.length - 8), "a program ends with a return");
    }

    @Test
    void longProgramsUseLongJumpsAndStayCorrect() {
        List<SyscallRule> rules = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String name : List.of("read", "write", "close", "mmap", "ioctl", "openat", "getpid", "socket", "futex",
                "clone", "execve", "exit_group", "epoll_wait", "prctl", "mount", "setns", "unshare")) {
            names.add(name);
            for (int i = 0; i < 12; i++) {
                rules.add(rule(Action.ERRNO, 100 + i, List.of(name), arg(i % 6, Operator.EQ, value(i))));
            }
        }
        rules.add(new SyscallRule(names, Action.ALLOW, null, List.of()));
        SeccompProfile p = new SeccompProfile(Action.KILL_PROCESS, null, List.of(Arch.X86, Arch.X32), Set.of(), null, null, rules);
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        assertTrue(f.bpf.length() > 1000, "length " + f.bpf.length());
        assertTrue(f.bpf.usesLongJumps(), "some jump spans more than 255 instructions");
        for (Arch abi : List.of(Arch.X86_64, Arch.X86, Arch.X32)) {
            for (String name : names) {
                for (int i = 0; i < 12; i++) {
                    long[] args = new long[6];
                    args[i % 6] = value(i);
                    // On i386 only rule 0's value fits in 32 bits; the others can never match there.
                    int expected = abi.hasWideArguments() || i == 0 ? ERRNO | (100 + i) : ALLOW;
                    assertEquals(hex(expected), hex(f.call(abi, name, args)), abi + " " + name + " rule " + i);
                }
                assertEquals(hex(ALLOW), hex(f.call(abi, name, 7, 7, 7, 7, 7, 7)));
            }
            assertEquals(hex(ENOSYS), hex(f.call(abi, abi.syscallNumber("unshare").orElseThrow() + 1000)));
        }
    }

    private static long value(int i) {
        return 0x1_0000_0000L * i + i + 1;
    }

    @Test
    void programsOverTheKernelLimitAreRefused() {
        List<SyscallRule> rules = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            rules.add(rule(Action.ERRNO, 1, List.of("ioctl"), arg(1, Operator.EQ, 0x1_0000_0000L + i)));
        }
        SeccompProfile p = new SeccompProfile(Action.ALLOW, null, List.of(), Set.of(), null, null, rules);
        SeccompException e = assertThrows(SeccompException.class, () -> SeccompCompiler.compile(p, Arch.X86_64));
        assertTrue(e.getMessage().contains("more than the kernel's limit of 4096"), e.getMessage());
    }

    @Test
    void flagsBecomeSeccompFilterFlagBits() {
        SeccompProfile p = new SeccompProfile(Action.ALLOW, null, List.of(),
                EnumSet.of(Flag.LOG, Flag.SPEC_ALLOW, Flag.WAIT_KILLABLE_RECV), null, null, List.of());
        SeccompProgram prog = SeccompCompiler.compile(p, Arch.X86_64);
        assertEquals(2 | 4 | 32, prog.flags());
        assertFalse(prog.needsNotifyListener());

        SeccompProfile notify = new SeccompProfile(Action.ALLOW, null, List.of(), EnumSet.of(Flag.TSYNC), "/run/a.sock",
                null, List.of(rule(Action.NOTIFY, null, List.of("mount"))));
        SeccompProgram n = SeccompCompiler.compile(notify, Arch.X86_64);
        assertEquals(1 | 8 | 16, n.flags(), "TSYNC + NEW_LISTENER needs TSYNC_ESRCH");
        assertTrue(n.needsNotifyListener());
    }

    @Test
    void unknownNamesAreSkippedPerAbi() {
        // arch_prctl exists on x86_64 but not i386; socketcall on i386 but not x86_64.
        SeccompProfile p = profile(Action.ERRNO, null, List.of(Arch.X86), allow("arch_prctl", "socketcall", "no_such_call"));
        CompiledFilter f = new CompiledFilter(p, Arch.X86_64);
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86_64, "arch_prctl")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, "socketcall")));
        assertTrue(Arch.X86_64.syscallNumber("socketcall").isEmpty());
    }

    @Test
    void abisThatAreNoKernelCannotBeTheTarget() {
        SeccompProfile p = profile(Action.ALLOW, null, List.of());
        assertThrows(SeccompException.class, () -> SeccompCompiler.compile(p, Arch.X32));
        assertThrows(SeccompException.class, () -> SeccompCompiler.compile(p, Arch.MIPS64N32));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyKernelArchitectureCompilesAValidProgram(Arch kernel) {
        if (!kernel.isKernel()) {
            return;
        }
        SeccompProfile p = profile(Action.ERRNO, null, List.of(Arch.values()), allow("read", "write", "close"),
                rule(Action.ERRNO, 9, List.of("ioctl"), new ArgCondition(1, 0xFF, 0xFF, Operator.MASKED_EQ)));
        CompiledFilter f = new CompiledFilter(p, kernel);
        for (Arch abi : kernel.abisOfKernel()) {
            assertEquals(hex(ALLOW), hex(f.call(abi, "read")), abi.name());
            assertEquals(hex(ERRNO | 9), hex(f.call(abi, "ioctl", 3, 0x1FF)), abi.name());
        }
    }

    @Test
    void compilingIsDeterministic() {
        SeccompProfile p = DefaultProfiles.docker(Arch.X86_64);
        assertEquals(SeccompCompiler.compile(p, Arch.X86_64), SeccompCompiler.compile(p, Arch.X86_64));
    }
}
