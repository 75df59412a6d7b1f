package burk.cgroups;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a BPF_PROG_TYPE_CGROUP_DEVICE program the way the kernel would, from its encoded bytes:
 * the instructions {@link DeviceProgram} emits and nothing else, each with its kernel meaning
 * (ALU32 results zero-extended, 64-bit jumps comparing against the sign-extended immediate).
 * It also checks what the verifier would refuse: a jump backwards or out of the program, a read
 * of a register never written, a load other than a u32 field of the context through R1, an exit
 * without R0 set.
 */
final class EbpfInterpreter {
    private EbpfInterpreter() {}

    /** Runs {@code program} for one access; returns R0 (1 allow, 0 deny). */
    static long run(byte[] program, int accessType, int major, int minor) {
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int count = program.length / 8;
        long[] reg = new long[11];
        boolean[] set = new boolean[11];
        boolean r1IsCtx = true;
        set[1] = true;
        set[10] = true;
        int pc = 0;
        for (int steps = 0; steps < 100_000; steps++) {
            if (pc < 0 || pc >= count) {
                throw new IllegalStateException("pc " + pc + " outside the program of " + count);
            }
            int base = pc * 8;
            int op = code.get(base) & 0xff;
            int dst = code.get(base + 1) & 0x0f;
            int src = (code.get(base + 1) >> 4) & 0x0f;
            short off = code.getShort(base + 2);
            int imm = code.getInt(base + 4);
            pc++;
            switch (op) {
                case 0x61 -> { // LDX MEM W: dst = *(u32 *)(src + off)
                    if (src != 1 || !r1IsCtx || (off != 0 && off != 4 && off != 8)) {
                        throw new IllegalStateException("load from r" + src + "+" + off + " is not a context field");
                    }
                    reg[dst] = Integer.toUnsignedLong(off == 0 ? accessType : off == 4 ? major : minor);
                    write(dst, set);
                    if (dst == 1) r1IsCtx = false;
                }
                case 0xbc -> { // ALU MOV X
                    read(src, set);
                    reg[dst] = reg[src] & 0xffffffffL;
                    write(dst, set);
                    if (dst == 1) r1IsCtx = false;
                }
                case 0x54 -> { // ALU AND K
                    read(dst, set);
                    reg[dst] = (reg[dst] & imm) & 0xffffffffL;
                    if (dst == 1) r1IsCtx = false;
                }
                case 0x74 -> { // ALU RSH K
                    read(dst, set);
                    reg[dst] = ((reg[dst] & 0xffffffffL) >>> (imm & 31)) & 0xffffffffL;
                    if (dst == 1) r1IsCtx = false;
                }
                case 0xb7 -> { // ALU64 MOV K
                    reg[dst] = imm;
                    write(dst, set);
                    if (dst == 1) r1IsCtx = false;
                }
                case 0x55, 0x15 -> { // JMP JNE K / JEQ K
                    read(dst, set);
                    checkForward(off, pc, count);
                    boolean equal = reg[dst] == (long) imm;
                    if (equal == (op == 0x15)) pc += off;
                }
                case 0x5d -> { // JMP JNE X
                    read(dst, set);
                    read(src, set);
                    checkForward(off, pc, count);
                    if (reg[dst] != reg[src]) pc += off;
                }
                case 0x95 -> { // EXIT
                    read(0, set);
                    return reg[0];
                }
                default -> throw new IllegalStateException(String.format("opcode 0x%02x at %d is not one this program uses", op, pc - 1));
            }
        }
        throw new IllegalStateException("no exit");
    }

    /** The kernel's encoding of a device access: {@code (access << 16) | type}. */
    static long run(byte[] program, char type, long major, long minor, int access) {
        int typeCode = type == 'b' ? DeviceProgram.DEV_BLOCK : DeviceProgram.DEV_CHAR;
        return run(program, (access << 16) | typeCode, (int) major, (int) minor);
    }

    private static void read(int r, boolean[] set) {
        if (r > 10 || !set[r]) {
            throw new IllegalStateException("read of r" + r + " before it was written");
        }
    }

    private static void write(int r, boolean[] set) {
        if (r >= 10) {
            throw new IllegalStateException("write to r" + r);
        }
        set[r] = true;
    }

    private static void checkForward(int off, int pc, int count) {
        if (off < 0 || pc + off >= count) {
            throw new IllegalStateException("jump by " + off + " from " + pc + " in a program of " + count);
        }
    }
}
