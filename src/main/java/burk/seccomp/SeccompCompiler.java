package burk.seccomp;

import burk.seccomp.ReverseAssembler.Return;
import burk.seccomp.ReverseAssembler.Target;
import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.Flag;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles a runtime-spec seccomp profile into a classic BPF program for seccomp(2), without
 * libseccomp. The program's shape, top to bottom:
 *
 * <ol>
 *   <li>{@code seccomp_data.arch} selects the ABI; an ABI the profile does not accept is killed
 *       ({@code SECCOMP_RET_KILL_PROCESS}).</li>
 *   <li>On x86_64, a number with {@code __X32_SYSCALL_BIT} is an x32 call: judged by the x32
 *       rules if the profile lists x32, killed otherwise.</li>
 *   <li>The ENOSYS guard (see docs/seccomp.md), unless the default action lets calls through.</li>
 *   <li>A binary search over syscall-number ranges to the action, or to the syscall's rules,
 *       tried in profile order: the first rule whose argument conditions all hold decides; if
 *       none does, the default action applies.</li>
 * </ol>
 */
public final class SeccompCompiler {

    /** BPF_MAXINSNS: the kernel refuses longer classic BPF programs. */
    public static final int MAX_INSTRUCTIONS = 4096;

    static final int RET_KILL_PROCESS = 0x8000_0000;
    static final int RET_KILL_THREAD = 0x0000_0000;
    static final int RET_TRAP = 0x0003_0000;
    static final int RET_ERRNO = 0x0005_0000;
    static final int RET_USER_NOTIF = 0x7fc0_0000;
    static final int RET_TRACE = 0x7ff0_0000;
    static final int RET_LOG = 0x7ffc_0000;
    static final int RET_ALLOW = 0x7fff_0000;

    /** What a call from an ABI the profile does not accept gets (libseccomp's "bad arch action"). */
    static final int BAD_ARCH_ACTION = RET_KILL_PROCESS;

    private static final int SECCOMP_DATA_NR = 0;
    private static final int SECCOMP_DATA_ARCH = 4;

    private SeccompCompiler() {}

    /**
     * Compiles {@code profile} for a kernel of architecture {@code kernel}. The filter accepts the
     * kernel's own ABI and those of the profile's {@code architectures} that this kernel can run;
     * listed ABIs it cannot run are left out (no call can carry them).
     *
     * @throws SeccompException if {@code kernel} is not a kernel architecture or the program
     *                          would exceed {@value #MAX_INSTRUCTIONS} instructions
     */
    public static SeccompProgram compile(SeccompProfile profile, Arch kernel) {
        if (!kernel.isKernel()) {
            throw new SeccompException("", kernel.scmpName() + " is an ABI, not a kernel architecture");
        }
        ReverseAssembler asm = new ReverseAssembler();
        int defaultAction = actionWord(profile.defaultAction(), profile.defaultErrnoRet(), kernel);
        Integer enosysAction = appliesEnosysRule(profile, kernel) ? RET_ERRNO | kernel.enosys() : null;

        Set<Arch> accepted = acceptedAbis(profile, kernel);

        // Emitted last section first: the assembler builds the program backwards.
        List<Arch> sections = new ArrayList<>();
        for (Arch abi : accepted) {
            if (abi != Arch.X32) { // x32 shares AUDIT_ARCH_X86_64: it lives in the x86_64 section
                sections.add(abi);
            }
        }
        List<Target> entries = new ArrayList<>();
        for (int i = sections.size() - 1; i >= 0; i--) {
            Arch abi = sections.get(i);
            entries.addFirst(section(asm, profile, kernel, abi, accepted.contains(Arch.X32), defaultAction, enosysAction));
        }

        Target next = new Return(BAD_ARCH_ACTION);
        for (int i = sections.size() - 1; i >= 0; i--) {
            next = asm.jump(ReverseAssembler.JEQ_K, sections.get(i).auditArch(), entries.get(i), next);
        }
        asm.load(SECCOMP_DATA_ARCH, next);

        if (asm.size() > MAX_INSTRUCTIONS) {
            throw new SeccompException(SeccompProfile.JSON_PATH, "the filter needs " + asm.size()
                    + " BPF instructions, more than the kernel's limit of " + MAX_INSTRUCTIONS);
        }
        ByteOrder order = kernel.isLittleEndian() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        return new SeccompProgram(asm.assemble(order), flags(profile), profile.usesNotify());
    }

    private static Target section(ReverseAssembler asm, SeccompProfile profile, Arch kernel, Arch abi,
                                  boolean withX32, int defaultAction, Integer enosysAction) {
        ArgComparison args = new ArgComparison(asm, kernel.isLittleEndian(), abi.hasWideArguments());
        Target x32 = null;
        if (abi == Arch.X86_64) {
            // The x32 ABI is 64-bit registers too: its arguments are compared on all 64 bits.
            x32 = withX32
                    ? resolve(profile, Arch.X32, kernel).emit(asm, args, defaultAction, enosysAction)
                    : new Return(BAD_ARCH_ACTION);
        }
        Target body = resolve(profile, abi, kernel).emit(asm, args, defaultAction, enosysAction);
        if (x32 != null) {
            body = asm.jump(ReverseAssembler.JGE_K, (int) Arch.X32_SYSCALL_BIT, x32, body);
        }
        return asm.load(SECCOMP_DATA_NR, body);
    }

    private static AbiFilter resolve(SeccompProfile profile, Arch abi, Arch kernel) {
        return AbiFilter.resolve(abi, profile.syscalls(), rule -> actionWord(rule.action(), rule.errnoRet(), kernel));
    }

    /**
     * runc applies the ENOSYS rule unless the default action already lets unknown calls through
     * (ALLOW, LOG, and TRACE, whose tracer handles new calls itself) or already answers ENOSYS.
     */
    private static boolean appliesEnosysRule(SeccompProfile profile, Arch kernel) {
        Action d = profile.defaultAction();
        if (d == Action.ALLOW || d == Action.LOG || d == Action.TRACE) {
            return false;
        }
        return !(d == Action.ERRNO && profile.defaultErrnoRet() != null && profile.defaultErrnoRet() == kernel.enosys());
    }

    /** The {@code SECCOMP_RET_*} word of an action; errno defaults to EPERM as in runc. */
    static int actionWord(Action action, Integer errnoRet, Arch kernel) {
        int errno = errnoRet == null ? kernel.eperm() : errnoRet;
        return switch (action) {
            case KILL, KILL_THREAD -> RET_KILL_THREAD;
            case KILL_PROCESS -> RET_KILL_PROCESS;
            case TRAP -> RET_TRAP;
            case ERRNO -> RET_ERRNO | (errno & 0xFFFF);
            case TRACE -> RET_TRACE | (errno & 0xFFFF);
            case ALLOW -> RET_ALLOW;
            case LOG -> RET_LOG;
            case NOTIFY -> RET_USER_NOTIF;
        };
    }

    private static int flags(SeccompProfile profile) {
        int flags = 0;
        for (Flag f : profile.flags()) {
            flags |= f.bit();
        }
        if (profile.usesNotify()) {
            flags |= SeccompProgram.FLAG_NEW_LISTENER;
            if (profile.flags().contains(Flag.TSYNC)) {
                // seccomp(2) refuses TSYNC with NEW_LISTENER unless TSYNC_ESRCH says how to
                // report a thread it could not synchronise (kernel/seccomp.c).
                flags |= SeccompProgram.FLAG_TSYNC_ESRCH;
            }
        }
        return flags;
    }

    /** The ABIs the filter accepts: the kernel's own and the listed ones the kernel runs. */
    private static Set<Arch> acceptedAbis(SeccompProfile profile, Arch kernel) {
        Set<Arch> accepted = new LinkedHashSet<>();
        for (Arch abi : kernel.abisOfKernel()) {
            if (abi == kernel || profile.architectures().contains(abi)) {
                accepted.add(abi);
            }
        }
        return accepted;
    }
}
