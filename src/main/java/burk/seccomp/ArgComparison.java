package burk.seccomp;

import burk.seccomp.ReverseAssembler.Target;
import burk.seccomp.SeccompProfile.ArgCondition;

/**
 * Emits the test of one {@link ArgCondition}. Classic BPF works on 32-bit words, so a 64-bit
 * argument is compared as its high half, then (when the high halves leave the answer open) its
 * low half. A half whose outcome is known at compile time emits no code.
 *
 * <p>On a 32-bit ABI the kernel's syscall uses only the low half of an argument register, and
 * what sits in the high half of {@code seccomp_data.args[i]} is not the syscall's business; so
 * the filter never loads it and treats it as 0. The comparison is then the one the syscall
 * itself would see: e.g. {@code EQ 0x1_0000_0000} can never hold for a 32-bit argument.
 */
final class ArgComparison {

    /** offsetof(struct seccomp_data, args). */
    private static final int ARGS_OFFSET = 16;

    private final ReverseAssembler asm;
    private final boolean littleEndianKernel;
    private final boolean wideArguments;

    ArgComparison(ReverseAssembler asm, boolean littleEndianKernel, boolean wideArguments) {
        this.asm = asm;
        this.littleEndianKernel = littleEndianKernel;
        this.wideArguments = wideArguments;
    }

    /** Emits {@code if (condition) goto match else goto noMatch}; returns the entry point. */
    Target emit(ArgCondition c, Target match, Target noMatch) {
        long v = c.value();
        return switch (c.op()) {
            case EQ -> equal(c.index(), v, match, noMatch);
            case NE -> equal(c.index(), v, noMatch, match);
            case GT -> greater(c.index(), v, false, match, noMatch);
            case GE -> greater(c.index(), v, true, match, noMatch);
            case LE -> greater(c.index(), v, false, noMatch, match);
            case LT -> greater(c.index(), v, true, noMatch, match);
            case MASKED_EQ -> maskedEqual(c.index(), v, c.valueTwo(), match, noMatch);
        };
    }

    private Target equal(int index, long v, Target match, Target noMatch) {
        if (!wideArguments && high(v) != 0) {
            return noMatch;
        }
        Target low = asm.load(lowOffset(index), asm.jump(ReverseAssembler.JEQ_K, low(v), match, noMatch));
        if (!wideArguments) {
            return low;
        }
        return asm.load(highOffset(index), asm.jump(ReverseAssembler.JEQ_K, high(v), low, noMatch));
    }

    /** {@code arg > v}, or {@code arg >= v} when {@code orEqual}. */
    private Target greater(int index, long v, boolean orEqual, Target match, Target noMatch) {
        if (!wideArguments && high(v) != 0) {
            return noMatch;
        }
        int lowOp = orEqual ? ReverseAssembler.JGE_K : ReverseAssembler.JGT_K;
        Target low = asm.load(lowOffset(index), asm.jump(lowOp, low(v), match, noMatch));
        if (!wideArguments) {
            return low;
        }
        // high > vh: match; high == vh: the low halves decide; high < vh: no match.
        Target highEqual = high(v) == 0 ? low : asm.jump(ReverseAssembler.JEQ_K, high(v), low, noMatch);
        Target highTest = high(v) == -1 ? highEqual : asm.jump(ReverseAssembler.JGT_K, high(v), match, highEqual);
        return asm.load(highOffset(index), highTest);
    }

    /** {@code (arg & mask) == expected}. */
    private Target maskedEqual(int index, long mask, long expected, Target match, Target noMatch) {
        if ((expected & ~mask) != 0 || (!wideArguments && high(expected) != 0)) {
            return noMatch;
        }
        Target low = low(mask) == 0 ? match
                : asm.load(lowOffset(index), asm.and(low(mask),
                        asm.jump(ReverseAssembler.JEQ_K, low(expected), match, noMatch)));
        if (!wideArguments || high(mask) == 0) {
            return low;
        }
        return asm.load(highOffset(index), asm.and(high(mask),
                asm.jump(ReverseAssembler.JEQ_K, high(expected), low, noMatch)));
    }

    private int lowOffset(int index) {
        return ARGS_OFFSET + 8 * index + (littleEndianKernel ? 0 : 4);
    }

    private int highOffset(int index) {
        return ARGS_OFFSET + 8 * index + (littleEndianKernel ? 4 : 0);
    }

    private static int low(long v) {
        return (int) v;
    }

    private static int high(long v) {
        return (int) (v >>> 32);
    }
}
