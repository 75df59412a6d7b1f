package burk.seccomp;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A system call ABI as the runtime-spec names it ({@code SCMP_ARCH_*}, libseccomp's names), with
 * the syscall numbers and the {@code AUDIT_ARCH_*} value the kernel reports in
 * {@code seccomp_data.arch} for it. The tables are generated from the kernel's UAPI headers (see
 * docs/seccomp.md).
 *
 * <p>An ABI is not always a kernel: {@link #X32} and the MIPS n32 ABIs run on a 64-bit kernel of
 * their family, and a 64-bit kernel runs some 32-bit ABIs too ({@link #abisOfKernel()}).
 */
public enum Arch {
    X86("SCMP_ARCH_X86"),
    X86_64("SCMP_ARCH_X86_64"),
    X32("SCMP_ARCH_X32"),
    ARM("SCMP_ARCH_ARM"),
    AARCH64("SCMP_ARCH_AARCH64"),
    MIPS("SCMP_ARCH_MIPS"),
    MIPS64("SCMP_ARCH_MIPS64"),
    MIPS64N32("SCMP_ARCH_MIPS64N32"),
    MIPSEL("SCMP_ARCH_MIPSEL"),
    MIPSEL64("SCMP_ARCH_MIPSEL64"),
    MIPSEL64N32("SCMP_ARCH_MIPSEL64N32"),
    PPC("SCMP_ARCH_PPC"),
    PPC64("SCMP_ARCH_PPC64"),
    PPC64LE("SCMP_ARCH_PPC64LE"),
    S390("SCMP_ARCH_S390"),
    S390X("SCMP_ARCH_S390X"),
    PARISC("SCMP_ARCH_PARISC"),
    PARISC64("SCMP_ARCH_PARISC64"),
    RISCV64("SCMP_ARCH_RISCV64"),
    LOONGARCH64("SCMP_ARCH_LOONGARCH64"),
    M68K("SCMP_ARCH_M68K"),
    SH("SCMP_ARCH_SH"),
    SHEB("SCMP_ARCH_SHEB");

    /** x86_64's kernel tells x32 calls apart only by this bit in the syscall number (arch/x86). */
    static final long X32_SYSCALL_BIT = 0x40000000L;

    /** ARM's private calls (breakpoint, cacheflush, set_tls ...) live at __ARM_NR_BASE = 0x0f0000. */
    static final long ARM_PRIVATE_BASE = 0x0f0000L;

    private static final int AUDIT_ARCH_64BIT = 0x80000000;
    private static final int AUDIT_ARCH_LE = 0x40000000;

    private final String scmpName;

    Arch(String scmpName) {
        this.scmpName = scmpName;
    }

    /** The runtime-spec / libseccomp name, e.g. {@code SCMP_ARCH_X86_64}. */
    public String scmpName() {
        return scmpName;
    }

    /** The {@code AUDIT_ARCH_*} value of {@code seccomp_data.arch} for calls of this ABI. */
    public int auditArch() {
        return SyscallTables.auditArch(this);
    }

    /** Whether a kernel of this architecture lays out {@code seccomp_data} little-endian. */
    public boolean isLittleEndian() {
        return (auditArch() & AUDIT_ARCH_LE) != 0;
    }

    /**
     * Whether syscall arguments of this ABI are 64-bit registers. On a 32-bit ABI the kernel's
     * syscall sees only the low 32 bits of an argument, so burk's filter compares only those.
     */
    public boolean hasWideArguments() {
        return (auditArch() & AUDIT_ARCH_64BIT) != 0;
    }

    /** Whether this ABI names a kernel architecture (false for x32 and MIPS n32). */
    public boolean isKernel() {
        return this != X32 && this != MIPS64N32 && this != MIPSEL64N32;
    }

    /**
     * The ABIs a kernel of this architecture can run, this one first (x86_64 also runs i386 and
     * x32 processes, arm64 runs 32-bit ARM, ...). Empty for an ABI that is not a kernel.
     */
    public List<Arch> abisOfKernel() {
        return switch (this) {
            case X86_64 -> List.of(X86_64, X86, X32);
            case AARCH64 -> List.of(AARCH64, ARM);
            case MIPS64 -> List.of(MIPS64, MIPS64N32, MIPS);
            case MIPSEL64 -> List.of(MIPSEL64, MIPSEL64N32, MIPSEL);
            case PPC64 -> List.of(PPC64, PPC);
            case S390X -> List.of(S390X, S390);
            case PARISC64 -> List.of(PARISC64, PARISC);
            case X32, MIPS64N32, MIPSEL64N32 -> List.of();
            default -> List.of(this);
        };
    }

    /** The syscall number of {@code name} in this ABI (including its base), or empty if unknown. */
    public OptionalInt syscallNumber(String name) {
        Integer nr = Tables.BY_ARCH.get(this).get(name);
        return nr == null ? OptionalInt.empty() : OptionalInt.of(nr);
    }

    /** The Linux version of the syscall tables, e.g. "6.12". */
    public static String tablesKernelVersion() {
        return SyscallTables.KERNEL;
    }

    /** The ABI of a runtime-spec name such as {@code SCMP_ARCH_AARCH64}. */
    public static Optional<Arch> fromScmpName(String name) {
        return Arrays.stream(values()).filter(a -> a.scmpName.equals(name)).findFirst();
    }

    /**
     * The kernel architecture for a JVM {@code os.arch} value ({@code amd64}, {@code aarch64},
     * {@code riscv64}, ...), or empty if burk does not know it.
     */
    public static Optional<Arch> fromJvmArch(String osArch) {
        return Optional.ofNullable(switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "x86", "i386", "i486", "i586", "i686" -> X86;
            case "aarch64", "arm64" -> AARCH64;
            case "arm", "arm32" -> ARM;
            case "riscv64" -> RISCV64;
            case "ppc64le" -> PPC64LE;
            case "ppc64" -> PPC64;
            case "ppc" -> PPC;
            case "s390x" -> S390X;
            case "mips64el" -> MIPSEL64;
            case "mips64" -> MIPS64;
            case "mipsel" -> MIPSEL;
            case "mips" -> MIPS;
            case "loongarch64" -> LOONGARCH64;
            default -> null;
        });
    }

    /** The architecture of the kernel this JVM runs on. */
    public static Arch host() {
        String osArch = System.getProperty("os.arch");
        return fromJvmArch(osArch)
                .orElseThrow(() -> new SeccompException("", "unsupported host architecture \"" + osArch + "\""));
    }

    int eperm() {
        return SyscallTables.eperm(this);
    }

    int enosys() {
        return SyscallTables.enosys(this);
    }

    /** The parsed tables, built on first use (after the enum itself is initialised). */
    private static final class Tables {
        static final Map<Arch, Map<String, Integer>> BY_ARCH = parseAll();

        private static Map<Arch, Map<String, Integer>> parseAll() {
            Map<Arch, Map<String, Integer>> all = new EnumMap<>(Arch.class);
            for (Arch arch : Arch.values()) {
                Map<String, Integer> numbers = new HashMap<>();
                for (String line : SyscallTables.table(arch).split("\n")) {
                    int space = line.indexOf(' ');
                    String number = line.substring(space + 1);
                    numbers.put(line.substring(0, space), number.startsWith("0x")
                            ? Integer.parseUnsignedInt(number.substring(2), 16) : Integer.parseInt(number));
                }
                all.put(arch, Map.copyOf(numbers));
            }
            return all;
        }
    }
}
