package burk.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import burk.seccomp.BpfInterpreter.SeccompData;
import java.nio.ByteOrder;

/** A profile compiled for one kernel and loaded into the test interpreter. */
final class CompiledFilter {
    final SeccompProfile profile;
    final Arch kernel;
    final SeccompProgram program;
    final BpfInterpreter bpf;

    CompiledFilter(SeccompProfile profile, Arch kernel) {
        this.profile = profile;
        this.kernel = kernel;
        this.program = SeccompCompiler.compile(profile, kernel);
        this.bpf = new BpfInterpreter(program.filter(),
                kernel.isLittleEndian() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }

    /** The action word for a call of {@code name} (which must exist in {@code abi}). */
    int call(Arch abi, String name, long... args) {
        int nr = abi.syscallNumber(name).orElseThrow(() -> new AssertionError(abi + " has no " + name));
        return call(abi, nr, args);
    }

    /** The action word for a call by number; also checks it against the reference semantics. */
    int call(Arch abi, int nr, long... args) {
        SeccompData data = SeccompData.of(abi, nr, args);
        int got = bpf.run(data);
        assertEquals(hex(ReferenceSemantics.expected(profile, kernel, data)), hex(got),
                "reference and filter disagree on " + abi + " nr " + Integer.toUnsignedString(nr));
        return got;
    }

    static String hex(int word) {
        return String.format("0x%08x", word);
    }
}
