package burk.seccomp;

import burk.seccomp.BpfInterpreter.SeccompData;
import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.util.LinkedHashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The documented meaning of a profile (docs/seccomp.md), evaluated directly on one call without
 * any BPF: the tests compare compiled filters against it. Written independently of the compiler
 * (own constants, own loops), so a shared mistake would have to be made twice.
 */
final class ReferenceSemantics {
    static final int KILL_PROCESS = 0x8000_0000;
    static final int KILL_THREAD = 0;
    static final int TRAP = 0x0003_0000;
    static final int ERRNO = 0x0005_0000;
    static final int NOTIFY = 0x7fc0_0000;
    static final int TRACE = 0x7ff0_0000;
    static final int LOG = 0x7ffc_0000;
    static final int ALLOW = 0x7fff_0000;

    private ReferenceSemantics() {}

    static int expected(SeccompProfile p, Arch kernel, SeccompData d) {
        Set<Arch> accepted = new LinkedHashSet<>();
        accepted.add(kernel);
        for (Arch a : kernel.abisOfKernel()) {
            if (p.architectures().contains(a)) {
                accepted.add(a);
            }
        }
        Arch abi = null;
        for (Arch a : accepted) {
            if (a != Arch.X32 && a.auditArch() == d.arch()) {
                abi = a;
            }
        }
        if (abi == null) {
            return KILL_PROCESS;
        }
        long nr = Integer.toUnsignedLong(d.nr());
        if (abi == Arch.X86_64 && nr >= 0x4000_0000L) {
            if (!accepted.contains(Arch.X32)) {
                return KILL_PROCESS;
            }
            abi = Arch.X32;
        }

        int enosys = kernel == Arch.MIPS || kernel == Arch.MIPS64 || kernel == Arch.MIPSEL || kernel == Arch.MIPSEL64
                ? 89 : kernel == Arch.PARISC || kernel == Arch.PARISC64 ? 251 : 38;
        Action def = p.defaultAction();
        boolean enosysRule = def != Action.ALLOW && def != Action.LOG && def != Action.TRACE
                && !(def == Action.ERRNO && p.defaultErrnoRet() != null && p.defaultErrnoRet() == enosys);
        if (enosysRule) {
            long highest = -1;
            for (SyscallRule r : p.syscalls()) {
                for (String name : r.names()) {
                    OptionalInt n = abi.syscallNumber(name);
                    if (n.isPresent()) {
                        long v = Integer.toUnsignedLong(n.getAsInt());
                        if (!(abi == Arch.ARM && v >= 0x0f0000)) {
                            highest = Math.max(highest, v);
                        }
                    }
                }
            }
            if (highest >= 0) {
                if ((abi == Arch.S390 || abi == Arch.S390X) && nr == 0) {
                    return ERRNO | enosys;
                }
                if (nr > highest && !(abi == Arch.ARM && nr >= 0x0f0000)) {
                    return ERRNO | enosys;
                }
            }
        }

        for (SyscallRule r : p.syscalls()) {
            boolean named = false;
            for (String name : r.names()) {
                OptionalInt n = abi.syscallNumber(name);
                named |= n.isPresent() && Integer.toUnsignedLong(n.getAsInt()) == nr;
            }
            if (!named) {
                continue;
            }
            boolean all = true;
            for (ArgCondition c : r.args()) {
                long arg = d.args()[c.index()];
                if (!abi.hasWideArguments()) {
                    arg &= 0xFFFF_FFFFL;
                }
                all &= holds(c, arg);
            }
            if (all) {
                return word(r.action(), r.errnoRet());
            }
        }
        return word(def, p.defaultErrnoRet());
    }

    static boolean holds(ArgCondition c, long arg) {
        int cmp = Long.compareUnsigned(arg, c.value());
        return switch (c.op()) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
            case MASKED_EQ -> (arg & c.value()) == c.valueTwo();
        };
    }

    static int word(Action a, Integer errnoRet) {
        int errno = errnoRet == null ? 1 : errnoRet;
        return switch (a) {
            case KILL, KILL_THREAD -> KILL_THREAD;
            case KILL_PROCESS -> KILL_PROCESS;
            case TRAP -> TRAP;
            case ERRNO -> ERRNO | errno;
            case TRACE -> TRACE | errno;
            case ALLOW -> ALLOW;
            case LOG -> LOG;
            case NOTIFY -> NOTIFY;
        };
    }
}
