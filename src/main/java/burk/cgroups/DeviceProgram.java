package burk.cgroups;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles {@link DeviceRules} into a BPF_PROG_TYPE_CGROUP_DEVICE program: cgroup v2 has no
 * devices files, the kernel asks an eBPF program attached to the cgroup instead.
 *
 * <p>The kernel runs the program with R1 pointing at {@code struct bpf_cgroup_dev_ctx
 * {u32 access_type; u32 major; u32 minor;}}, where access_type is
 * {@code (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*}; returning 1 allows the access, 0 refuses it
 * (EPERM). The program loads the four fields into R2 (device type), R3 (access bits), R4 (major)
 * and R5 (minor), then tests each exception in turn; the first one that matches returns the
 * opposite of the default, and the default is returned at the end. The exceptions all carry the
 * same action, so their order does not matter.
 *
 * <p>Matching follows the v1 kernel ({@link DeviceRules#allows}): an allow exception must grant
 * every requested access bit (an open for read and write asks for both at once), a deny exception
 * matches when it shares any requested bit. (runc tests "every bit" for deny exceptions too, so
 * on its v2 path a "deny c 1:3 w" does not stop an O_RDWR open; burk keeps v1's meaning.)
 */
final class DeviceProgram {
    private DeviceProgram() {}

    /** The name the kernel shows for the program (bpftool prog), and by which burk finds its own. */
    static final String NAME = "burk_devices";
    /**
     * The kernel only uses the license to decide whether GPL-only helpers may be called; this
     * program calls no helper at all.
     */
    static final String LICENSE = "GPL";

    /** BPF_DEVCG_DEV_BLOCK and BPF_DEVCG_DEV_CHAR. */
    static final int DEV_BLOCK = 1, DEV_CHAR = 2;

    static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    /** One eBPF instruction: opcode, destination and source register, offset, immediate. */
    record Insn(int opcode, int dst, int src, int off, int imm) {
        static final int SIZE = 8;

        static Insn ldxW(int dst, int src, int off) { return new Insn(0x61, dst, src, off, 0); }        // LDX|MEM|W
        static Insn mov32Reg(int dst, int src) { return new Insn(0xbc, dst, src, 0, 0); }               // ALU|MOV|X
        static Insn and32(int dst, int imm) { return new Insn(0x54, dst, 0, 0, imm); }                  // ALU|AND|K
        static Insn rsh32(int dst, int imm) { return new Insn(0x74, dst, 0, 0, imm); }                  // ALU|RSH|K
        static Insn mov64(int dst, int imm) { return new Insn(0xb7, dst, 0, 0, imm); }                  // ALU64|MOV|K
        static Insn jneImm(int dst, int imm, int off) { return new Insn(0x55, dst, 0, off, imm); }      // JMP|JNE|K
        static Insn jeqImm(int dst, int imm, int off) { return new Insn(0x15, dst, 0, off, imm); }      // JMP|JEQ|K
        static Insn jneReg(int dst, int src, int off) { return new Insn(0x5d, dst, src, off, 0); }      // JMP|JNE|X
        static Insn exit() { return new Insn(0x95, 0, 0, 0, 0); }                                       // JMP|EXIT

        Insn withOff(int newOff) {
            return new Insn(opcode, dst, src, newOff, imm);
        }
    }

    /** Placeholder offset: "to the next block", resolved when the block is complete. */
    private static final int NEXT = Integer.MIN_VALUE;

    /** The program's instructions. */
    static List<Insn> compile(DeviceRules rules) {
        List<Insn> program = new ArrayList<>(List.of(
                Insn.ldxW(R2, R1, 0),
                Insn.mov32Reg(R3, R2),
                Insn.and32(R2, 0xffff),
                Insn.rsh32(R3, 16),
                Insn.ldxW(R4, R1, 4),
                Insn.ldxW(R5, R1, 8)));
        for (Map.Entry<DeviceRules.DevicePattern, Integer> e : rules.exceptions().entrySet()) {
            program.addAll(block(e.getKey(), e.getValue(), !rules.defaultAllow()));
        }
        program.add(Insn.mov64(R0, rules.defaultAllow() ? 1 : 0));
        program.add(Insn.exit());
        return program;
    }

    private static List<Insn> block(DeviceRules.DevicePattern p, int access, boolean allow) {
        // The kernel's device numbers are 12 (major) and 20 (minor) bits wide: a pattern beyond
        // 31 bits can match no device, and its number would not fit a signed immediate.
        if (p.major() > Integer.MAX_VALUE || p.minor() > Integer.MAX_VALUE) {
            return List.of();
        }
        List<Insn> block = new ArrayList<>();
        block.add(Insn.jneImm(R2, p.type() == 'b' ? DEV_BLOCK : DEV_CHAR, NEXT));
        if (access != DeviceRules.ALL_ACCESS) {
            block.add(Insn.mov32Reg(R1, R3));
            block.add(Insn.and32(R1, access));
            block.add(allow ? Insn.jneReg(R1, R3, NEXT) : Insn.jeqImm(R1, 0, NEXT));
        }
        if (p.major() != DeviceRules.ANY) {
            block.add(Insn.jneImm(R4, (int) p.major(), NEXT));
        }
        if (p.minor() != DeviceRules.ANY) {
            block.add(Insn.jneImm(R5, (int) p.minor(), NEXT));
        }
        block.add(Insn.mov64(R0, allow ? 1 : 0));
        block.add(Insn.exit());
        for (int i = 0; i < block.size(); i++) {
            if (block.get(i).off() == NEXT) {
                block.set(i, block.get(i).withOff(block.size() - i - 1));
            }
        }
        return block;
    }

    /** struct bpf_insn as bpf(2) reads it on a little-endian machine (dst in the low nibble). */
    static byte[] encode(List<Insn> program) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new CgroupException("cgroup: eBPF device programs are only encoded for little-endian machines");
        }
        ByteBuffer out = ByteBuffer.allocate(program.size() * Insn.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (Insn insn : program) {
            out.put((byte) insn.opcode());
            out.put((byte) ((insn.src() << 4) | insn.dst()));
            out.putShort((short) insn.off());
            out.putInt(insn.imm());
        }
        return out.array();
    }
}
