package burk.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic BPF interpreter for seccomp filters, written for the tests: it first checks a program
 * the way the kernel's seccomp loader does (bpf_check_classic + seccomp_check_filter: length,
 * allowed opcodes, aligned in-bounds {@code seccomp_data} loads, jumps inside the program, a
 * return at the end), then runs it over one {@code struct seccomp_data}.
 */
final class BpfInterpreter {

    /** {@code struct seccomp_data}: {@code int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];}. */
    record SeccompData(int nr, int arch, long instructionPointer, long... args) {
        SeccompData {
            if (args.length > 6) {
                throw new IllegalArgumentException("six arguments at most");
            }
            long[] six = new long[6];
            System.arraycopy(args, 0, six, 0, args.length);
            args = six;
        }

        static SeccompData of(Arch abi, int nr, long... args) {
            return new SeccompData(nr, abi.auditArch(), 0x7f00_1234_5678L, args);
        }

        byte[] bytes(ByteOrder order) {
            ByteBuffer b = ByteBuffer.allocate(SIZE).order(order);
            b.putInt(nr).putInt(arch).putLong(instructionPointer);
            for (long a : args) {
                b.putLong(a);
            }
            return b.array();
        }

        static final int SIZE = 64;
    }

    private record Insn(int code, int jt, int jf, int k) {}

    private final Insn[] program;
    private final ByteOrder order;
    private long executed;

    /** Parses and validates {@code filter}; throws IllegalArgumentException where the kernel says EINVAL. */
    BpfInterpreter(byte[] filter, ByteOrder order) {
        this.order = order;
        if (filter.length % 8 != 0) {
            throw new IllegalArgumentException("length " + filter.length + " is not a multiple of 8");
        }
        int n = filter.length / 8;
        if (n == 0 || n > 4096) {
            throw new IllegalArgumentException(n + " instructions: must be 1..4096");
        }
        ByteBuffer b = ByteBuffer.wrap(filter).order(order);
        program = new Insn[n];
        for (int i = 0; i < n; i++) {
            program[i] = new Insn(Short.toUnsignedInt(b.getShort()), Byte.toUnsignedInt(b.get()),
                    Byte.toUnsignedInt(b.get()), b.getInt());
        }
        for (int pc = 0; pc < n; pc++) {
            check(pc, program[pc]);
        }
        if ((program[n - 1].code() & 0x07) != 0x06) {
            throw new IllegalArgumentException("the last instruction is not a return");
        }
    }

    private void check(int pc, Insn i) {
        int remaining = program.length - pc - 1;
        switch (i.code()) {
            case 0x20 -> { // ld [k]
                if (i.k() < 0 || i.k() >= SeccompData.SIZE || (i.k() & 3) != 0) {
                    throw new IllegalArgumentException(pc + ": load offset " + i.k() + " outside seccomp_data");
                }
            }
            case 0x05 -> { // ja
                if (Integer.toUnsignedLong(i.k()) >= remaining) {
                    throw new IllegalArgumentException(pc + ": ja beyond the end");
                }
            }
            case 0x15, 0x25, 0x35, 0x45 -> { // jeq, jgt, jge, jset (k)
                if (i.jt() >= remaining || i.jf() >= remaining) {
                    throw new IllegalArgumentException(pc + ": jump beyond the end");
                }
            }
            case 0x06, 0x54, 0x04, 0x14, 0x44, 0x74 -> { } // ret k, and/add/sub/or/rsh k
            default -> throw new IllegalArgumentException(pc + ": opcode 0x" + Integer.toHexString(i.code())
                    + " not allowed here");
        }
    }

    /** Runs the filter; returns the action word ({@code SECCOMP_RET_*} | data). */
    int run(SeccompData data) {
        ByteBuffer mem = ByteBuffer.wrap(data.bytes(order)).order(order);
        int a = 0;
        int pc = 0;
        while (true) {
            Insn i = program[pc];
            executed++;
            switch (i.code()) {
                case 0x20 -> { a = mem.getInt(i.k()); pc++; }
                case 0x54 -> { a &= i.k(); pc++; }
                case 0x04 -> { a += i.k(); pc++; }
                case 0x14 -> { a -= i.k(); pc++; }
                case 0x44 -> { a |= i.k(); pc++; }
                case 0x74 -> { a >>>= i.k(); pc++; }
                case 0x05 -> pc += 1 + i.k();
                case 0x15 -> pc += 1 + (a == i.k() ? i.jt() : i.jf());
                case 0x25 -> pc += 1 + (Integer.compareUnsigned(a, i.k()) > 0 ? i.jt() : i.jf());
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf());
                case 0x45 -> pc += 1 + ((a & i.k()) != 0 ? i.jt() : i.jf());
                case 0x06 -> { return i.k(); }
                default -> throw new IllegalStateException("unchecked opcode");
            }
        }
    }

    int length() {
        return program.length;
    }

    /** Instructions executed by all runs so far. */
    long executed() {
        return executed;
    }

    /** Whether the program has a conditional jump whose far side goes through a ja (a long jump). */
    boolean usesLongJumps() {
        for (int pc = 0; pc < program.length; pc++) {
            Insn i = program[pc];
            if (i.code() == 0x05 && i.k() > 255) {
                return true;
            }
        }
        return false;
    }
}
