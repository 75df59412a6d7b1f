package burk.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.Operator;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Loads compiled filters into the real kernel and makes real syscalls under them.
 *
 * <p>A seccomp filter installed without TSYNC binds only the calling thread (and children it
 * creates later), so each test installs its filter on a fresh platform thread of this JVM that
 * does nothing else and then ends; the rest of the JVM is untouched. The profiles only return
 * errors (never kill), so a mistake shows up as a failed assertion, not a dead test run.
 */
@SuppressWarnings("restricted") // FFM downcalls to libc: the point of this test
class KernelFilterTest {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_SET_MODE_FILTER = 1;

    /** long syscall(long number, long a0, ..., long a5), variadic after the number. */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private static final MethodHandle PRCTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** What a JVM thread may call between installing its filter and ending. */
    private static final List<String> THREAD_EXIT_SYSCALLS = List.of("futex", "munmap", "madvise", "mprotect",
            "exit", "rt_sigprocmask", "sigaltstack", "gettid", "sched_yield", "write", "close", "getpid");

    /** A syscall's outcome: its return value, or -errno. */
    record Outcome(String call, long result) {}

    /** One syscall to make under the filter. */
    record Call(String label, long nr, long... args) {}

    @Test
    void kernelAppliesRulesAndArgumentTestsAsTheInterpreterDoes() throws Exception {
        Arch host = hostOrSkip();
        int getppid = host.syscallNumber("getppid").orElseThrow();
        long big = 0x1_0000_0005L;
        SeccompProfile profile = new SeccompProfile(Action.ALLOW, null, List.of(), Set.of(), null, null, List.of(
                rule(31, "getppid", new ArgCondition(0, big, 0, Operator.EQ)),
                rule(32, "getppid", new ArgCondition(0, 0xFFFF_FFFFL, 0, Operator.GT), new ArgCondition(1, 7, 0, Operator.LE)),
                rule(33, "getppid", new ArgCondition(2, 0xF0, 0x30, Operator.MASKED_EQ)),
                rule(34, "getppid", new ArgCondition(3, 0x8000_0000_0000_0000L, 0, Operator.GE)),
                rule(35, "getppid", new ArgCondition(4, 9, 0, Operator.NE), new ArgCondition(5, 1, 0, Operator.LT))));
        List<Call> calls = List.of(
                new Call("EQ high half", getppid, big, 0, 0, 0, 9, 1),
                new Call("EQ low half only", getppid, 5, 0, 0, 0, 9, 1),
                new Call("GT and LE", getppid, 0x1_0000_0000L, 7, 0, 0, 9, 1),
                new Call("GT but not LE", getppid, 0x1_0000_0000L, 8, 0, 0, 9, 1),
                new Call("MASKED_EQ", getppid, 0, 0, 0x3F, 0, 9, 1),
                new Call("GE high bit", getppid, 0, 0, 0, -1L, 9, 1),
                new Call("NE and LT", getppid, 0, 0, 0, 0, 8, 0),
                new Call("nothing matches", getppid, 0, 0, 0, 0, 9, 1));
        List<Outcome> outcomes = assertKernelAgreesWithInterpreter(profile, host, calls);
        long[] expected = {-31, 0, -32, 0, -33, -34, -35, 0};
        for (int i = 0; i < expected.length; i++) {
            long got = outcomes.get(i).result();
            assertEquals(expected[i] == 0, got >= 0, calls.get(i).label() + ": " + got);
            if (expected[i] != 0) {
                assertEquals(expected[i], got, calls.get(i).label());
            }
        }
    }

    @Test
    void kernelAcceptsLongJumps() throws Exception {
        Arch host = hostOrSkip();
        List<SyscallRule> rules = new ArrayList<>();
        // Blocks are laid out last-listed first, so getpid's block lies beyond getppid's 1200
        // instructions: the search tree reaches it only through a long jump.
        rules.add(rule(99, "getpid", new ArgCondition(1, 42, 0, Operator.EQ)));
        for (int i = 0; i < 300; i++) {
            rules.add(rule(100 + i, "getppid", new ArgCondition(0, 0x1_0000_0000L + i, 0, Operator.EQ)));
        }
        SeccompProfile profile = new SeccompProfile(Action.ALLOW, null, List.of(), Set.of(), null, null, rules);
        BpfInterpreter bpf = new BpfInterpreter(SeccompCompiler.compile(profile, host).filter(),
                java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(true, bpf.usesLongJumps());
        int getppid = host.syscallNumber("getppid").orElseThrow();
        int getpid = host.syscallNumber("getpid").orElseThrow();
        List<Outcome> outcomes = assertKernelAgreesWithInterpreter(profile, host, List.of(
                new Call("first rule", getppid, 0x1_0000_0000L),
                new Call("last rule", getppid, 0x1_0000_0000L + 299),
                new Call("no rule", getppid, 0x1_0000_0000L + 300),
                new Call("far block", getpid, 0, 42),
                new Call("far block, no match", getpid, 0, 43)));
        assertEquals(-100, outcomes.get(0).result());
        assertEquals(-399, outcomes.get(1).result());
        assertEquals(-99, outcomes.get(3).result());
    }

    @Test
    void kernelAcceptsTheDefaultProfileAndItsEnosysRule() throws Exception {
        Arch host = hostOrSkip();
        SeccompProfile profile = DefaultProfiles.docker(host);
        List<Call> calls = List.of(
                new Call("getppid", host.syscallNumber("getppid").orElseThrow()),
                new Call("keyctl", host.syscallNumber("keyctl").orElseThrow(), 0, 0, 0, 0, 0, 0),
                new Call("unshare(CLONE_NEWUSER)", host.syscallNumber("unshare").orElseThrow(), 0x1000_0000L),
                new Call("a syscall newer than the profile", 1000),
                new Call("personality(READ_IMPLIES_EXEC)", host.syscallNumber("personality").orElseThrow(), 0x40_0000L),
                new Call("personality(query)", host.syscallNumber("personality").orElseThrow(), 0xFFFF_FFFFL));
        List<Outcome> outcomes = assertKernelAgreesWithInterpreter(profile, host, calls);
        assertEquals(-1, outcomes.get(1).result(), "keyctl: EPERM");
        assertEquals(-38, outcomes.get(3).result(), "syscall 1000: ENOSYS");
    }

    private static SyscallRule rule(int errno, String name, ArgCondition... args) {
        return new SyscallRule(List.of(name), Action.ERRNO, errno, List.of(args));
    }

    private static Arch hostOrSkip() {
        Arch host = Arch.fromJvmArch(System.getProperty("os.arch")).orElse(null);
        assumeTrue(host == Arch.X86_64 || host == Arch.AARCH64, "syscall() calling convention checked on x86_64/arm64 only");
        return host;
    }

    /**
     * Runs {@code calls} on a new thread under the compiled filter and checks each outcome
     * against the interpreter's action word: ALLOW runs the call, ERRNO(n) makes it fail with n.
     */
    private static List<Outcome> assertKernelAgreesWithInterpreter(SeccompProfile profile, Arch host, List<Call> calls)
            throws Exception {
        SeccompProgram program = SeccompCompiler.compile(profile, host);
        BpfInterpreter bpf = new BpfInterpreter(program.filter(), java.nio.ByteOrder.LITTLE_ENDIAN);
        // A wrong filter could kill or break the JVM's thread (and so the test run): refuse to
        // install one that, by the interpreter, kills or traps a planned call, or denies a call a
        // thread makes to end.
        for (Call c : calls) {
            int action = bpf.run(BpfInterpreter.SeccompData.of(host, (int) c.nr(), c.args())) & 0xFFFF_0000;
            assertEquals(true, action == ReferenceSemantics.ALLOW || action == ReferenceSemantics.ERRNO,
                    c.label() + " would be killed or trapped: not installing this filter");
        }
        for (String name : THREAD_EXIT_SYSCALLS) {
            int word = bpf.run(BpfInterpreter.SeccompData.of(host, host.syscallNumber(name).orElseThrow()));
            assertEquals(CompiledFilter.hex(ReferenceSemantics.ALLOW), CompiledFilter.hex(word),
                    name + " would not be allowed: not installing this filter");
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("seccomp-kernel-test").unstarted(() -> {
            try {
                result.set(underFilter(program, calls));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        t.start();
        t.join();
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("filtered thread failed", e);
        }
        @SuppressWarnings("unchecked")
        List<Outcome> outcomes = (List<Outcome>) result.get();
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            int word = bpf.run(BpfInterpreter.SeccompData.of(host, (int) c.nr(), c.args()));
            long kernel = outcomes.get(i).result();
            if ((word & 0xFFFF_0000) == ReferenceSemantics.ERRNO) {
                assertEquals(-(word & 0xFFFF), kernel, c.label() + ": kernel result vs interpreter " + CompiledFilter.hex(word));
            } else {
                assertEquals(ReferenceSemantics.ALLOW, word, c.label());
                assertEquals(true, kernel >= 0, c.label() + ": ran, got " + kernel);
            }
        }
        return outcomes;
    }

    /** On the calling thread only: no_new_privs, install the filter, make the calls. */
    private static List<Outcome> underFilter(SeccompProgram program, List<Call> calls) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) PRCTL.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
            if (rc != 0) {
                throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed");
            }
            byte[] bytes = program.filter();
            MemorySegment filter = arena.allocate(bytes.length, 8);
            filter.copyFrom(MemorySegment.ofArray(bytes));
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(ValueLayout.JAVA_SHORT, 0, (short) program.instructionCount());
            fprog.set(ValueLayout.ADDRESS, 8, filter);
            long seccompNr = Arch.host().syscallNumber("seccomp").orElseThrow();
            long installed = (long) SYSCALL.invokeExact(state, seccompNr, (long) SECCOMP_SET_MODE_FILTER,
                    (long) program.flags(), fprog.address(), 0L, 0L, 0L);
            if (installed != 0) {
                throw new IllegalStateException("seccomp(SECCOMP_SET_MODE_FILTER) refused the program: errno "
                        + (int) ERRNO.get(state, 0L));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Call c : calls) {
                long[] a = java.util.Arrays.copyOf(c.args(), 6);
                long r = (long) SYSCALL.invokeExact(state, c.nr(), a[0], a[1], a[2], a[3], a[4], a[5]);
                outcomes.add(new Outcome(c.label(), r == -1 ? -(int) ERRNO.get(state, 0L) : r));
            }
            return outcomes;
        }
    }
}
