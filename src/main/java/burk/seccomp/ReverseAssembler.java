package burk.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a classic BPF program from its last instruction to its first.
 *
 * <p>Classic BPF only jumps forward, so every jump target already exists when the jump is
 * emitted and its offset is known exactly. A conditional jump has 8-bit offsets; when a target is
 * more than 255 instructions away a {@code ja} (32-bit offset) is placed next to the jump and the
 * jump goes through it.
 */
final class ReverseAssembler {

    /** Where control goes: emitted code, or a return not yet placed. */
    sealed interface Target permits Label, Return {}

    /** An emitted instruction, by its distance from the end of the program (0 = last). */
    record Label(int fromEnd) implements Target {}

    /** {@code ret action}; placed near its first users, shared while it is in reach. */
    record Return(int action) implements Target {}

    static final int LD_W_ABS = 0x20;
    static final int ALU_AND_K = 0x54;
    static final int JA = 0x05;
    static final int JEQ_K = 0x15;
    static final int JGT_K = 0x25;
    static final int JGE_K = 0x35;
    static final int RET_K = 0x06;

    private static final int MAX_SHORT_JUMP = 255;
    /** A shared return is reused only while a jump emitted soon after can still reach it. */
    private static final int REUSE_DISTANCE = MAX_SHORT_JUMP - 8;

    private record Insn(int code, int jt, int jf, int k) {}

    private final List<Insn> reversed = new ArrayList<>();
    private final Map<Integer, Label> nearestReturn = new HashMap<>();

    int size() {
        return reversed.size();
    }

    /** Emits an instruction whose successor is whatever control should reach next. */
    Label load(int offset, Target next) {
        fallThroughTo(next);
        return emit(LD_W_ABS, 0, 0, offset);
    }

    Label and(int mask, Target next) {
        fallThroughTo(next);
        return emit(ALU_AND_K, 0, 0, mask);
    }

    /**
     * {@code if (A <op> k) goto ifTrue else goto ifFalse}; no instruction when both go to the
     * same place.
     */
    Target jump(int op, int k, Target ifTrue, Target ifFalse) {
        if (ifTrue.equals(ifFalse)) {
            return ifTrue;
        }
        Label t = place(ifTrue);
        Label f = place(ifFalse);
        while (true) {
            int jt = distance(t);
            int jf = distance(f);
            if (jt > MAX_SHORT_JUMP) {
                t = longJump(t);
            } else if (jf > MAX_SHORT_JUMP) {
                f = longJump(f);
            } else {
                return emit(op, jt, jf, k);
            }
        }
    }

    /** Makes {@code target} a label; a return is reused if in reach, else emitted here. */
    Label place(Target target) {
        return switch (target) {
            case Label l -> l;
            case Return r -> {
                Label near = nearestReturn.get(r.action());
                if (near != null && distance(near) <= REUSE_DISTANCE) {
                    yield near;
                }
                Label placed = emit(RET_K, 0, 0, r.action());
                nearestReturn.put(r.action(), placed);
                yield placed;
            }
        };
    }

    /** The program, first instruction first, each as {@code u16 code, u8 jt, u8 jf, u32 k}. */
    byte[] assemble(ByteOrder order) {
        ByteBuffer buf = ByteBuffer.allocate(reversed.size() * 8).order(order);
        for (int i = reversed.size() - 1; i >= 0; i--) {
            Insn insn = reversed.get(i);
            buf.putShort((short) insn.code()).put((byte) insn.jt()).put((byte) insn.jf()).putInt(insn.k());
        }
        return buf.array();
    }

    /** Makes the next emitted instruction flow into {@code next}. */
    private void fallThroughTo(Target next) {
        boolean adjacent = switch (next) {
            case Label l -> l.fromEnd() == reversed.size() - 1;
            case Return r -> !reversed.isEmpty() && reversed.getLast().equals(new Insn(RET_K, 0, 0, r.action()));
        };
        if (adjacent) {
            return;
        }
        switch (next) {
            case Label l -> emit(JA, 0, 0, distance(l));
            case Return r -> {
                Label placed = emit(RET_K, 0, 0, r.action());
                nearestReturn.put(r.action(), placed);
            }
        }
    }

    private Label longJump(Label target) {
        return emit(JA, 0, 0, distance(target));
    }

    /** The offset a jump emitted next would need to reach {@code target}. */
    private int distance(Label target) {
        return reversed.size() - 1 - target.fromEnd();
    }

    private Label emit(int code, int jt, int jf, int k) {
        reversed.add(new Insn(code, jt, jf, k));
        return new Label(reversed.size() - 1);
    }
}
