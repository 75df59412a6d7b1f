package burk.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyscallTablesTest {

    @ParameterizedTest
    @CsvSource({
            "X86_64, read, 0", "X86_64, openat, 257", "X86_64, kexec_load, 246", "X86_64, clone3, 435",
            "X86, read, 3", "X86, socketcall, 102", "X86, openat, 295",
            "X32, read, 1073741824", "X32, rt_sigaction, 1073742336", "X32, execve, 1073742344",
            "AARCH64, read, 63", "AARCH64, openat, 56", "AARCH64, clone3, 435",
            "ARM, read, 3", "ARM, openat, 322", "ARM, sync_file_range2, 341", "ARM, arm_sync_file_range, 341",
            "ARM, breakpoint, 983041", "ARM, cacheflush, 983042", "ARM, set_tls, 983045",
            "RISCV64, read, 63", "RISCV64, riscv_flush_icache, 259",
            "PPC64LE, read, 3", "PPC64LE, openat, 286", "PPC, read, 3",
            "S390X, read, 3", "S390X, openat, 288", "S390, read, 3",
            "MIPS, read, 4003", "MIPSEL, read, 4003", "MIPS64, read, 5000", "MIPS64N32, read, 6000",
            "LOONGARCH64, read, 63", "PARISC, read, 3", "M68K, read, 3", "SH, read, 3"})
    void knownNumbers(Arch arch, String name, long nr) {
        assertEquals((int) nr, arch.syscallNumber(name).orElseThrow());
    }

    @Test
    void auditArchValues() {
        assertEquals(0xC000003E, Arch.X86_64.auditArch());
        assertEquals(0xC000003E, Arch.X32.auditArch(), "the kernel reports x32 calls as x86_64");
        assertEquals(0x40000003, Arch.X86.auditArch());
        assertEquals(0xC00000B7, Arch.AARCH64.auditArch());
        assertEquals(0x40000028, Arch.ARM.auditArch());
        assertEquals(0xC00000F3, Arch.RISCV64.auditArch());
        assertEquals(0xC0000015, Arch.PPC64LE.auditArch());
        assertEquals(0x80000016, Arch.S390X.auditArch());
        assertEquals(0xA0000008, Arch.MIPS64N32.auditArch());
        assertTrue(Arch.X86_64.isLittleEndian() && !Arch.S390X.isLittleEndian());
        assertTrue(Arch.X86_64.hasWideArguments() && !Arch.X86.hasWideArguments() && !Arch.ARM.hasWideArguments());
        assertEquals("6.12", Arch.tablesKernelVersion());
    }

    @Test
    void unknownNamesAreEmpty() {
        assertTrue(Arch.X86_64.syscallNumber("no_such_call").isEmpty());
        assertTrue(Arch.AARCH64.syscallNumber("open").isEmpty(), "arm64 never had open(2)");
    }

    @Test
    void hostArchitectureIsKnown() {
        assertEquals(Arch.X86_64, Arch.fromJvmArch("amd64").orElseThrow());
        assertEquals(Arch.AARCH64, Arch.fromJvmArch("aarch64").orElseThrow());
        assertTrue(Arch.host().isKernel());
    }

    static final Pattern DEFINE = Pattern.compile("#define __NR_([a-z0-9_]+) (?:\\(__X32_SYSCALL_BIT \\+ )?(\\d+)\\)?");

    /**
     * An independent source: the (older) UAPI headers this machine's C compiler uses. Every
     * syscall they define must have the same number in burk's (newer) tables.
     */
    @Test
    void agreesWithTheHostsInstalledKernelHeaders() throws IOException {
        Path dir = Path.of("/usr/include/x86_64-linux-gnu/asm");
        assumeTrue(Files.isRegularFile(dir.resolve("unistd_64.h")), "no linux-libc-dev for x86_64 installed");
        Map<String, Arch> files = Map.of("unistd_64.h", Arch.X86_64, "unistd_32.h", Arch.X86, "unistd_x32.h", Arch.X32);
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (var e : files.entrySet()) {
            Arch arch = e.getValue();
            for (String line : Files.readAllLines(dir.resolve(e.getKey()))) {
                Matcher m = DEFINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                long nr = Long.parseLong(m.group(2)) + (line.contains("__X32_SYSCALL_BIT") ? 0x4000_0000L : 0);
                compared++;
                var ours = arch.syscallNumber(m.group(1));
                if (ours.isEmpty() || ours.getAsInt() != (int) nr) {
                    mismatches.add(arch + " " + m.group(1) + " host " + nr + " burk " + ours);
                }
            }
        }
        assertTrue(compared > 900, "compared " + compared);
        assertEquals(List.of(), mismatches);
    }
}
