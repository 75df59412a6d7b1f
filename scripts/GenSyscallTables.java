// Generates src/main/java/burk/seccomp/SyscallTables.java from the kernel's UAPI headers.
//
// Run through scripts/gen-syscall-tables, which fetches and unpacks the pinned Debian package;
// directly: java scripts/GenSyscallTables.java <usr/include of linux-libc-dev> <package version>
//
// The kernel build generates asm/unistd_*.h from its arch/*/syscall*.tbl tables, so these headers
// are the kernel's own syscall tables, one flat "#define __NR_name number" list per ABI. Debian's
// linux-libc-dev (Architecture: all since 6.6) ships them for every architecture under
// /usr/include/<triplet>/asm, and linux/audit.h + linux/elf-em.h give the AUDIT_ARCH_* values.

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class GenSyscallTables {

    /**
     * One seccomp ABI: the enum constant in burk.seccomp.Arch, its AUDIT_ARCH macro, the headers
     * read in order, and macros fixed to the value the C preprocessor would pick for this ABI
     * (a header defines them under #if branches this generator does not evaluate).
     */
    record Abi(String constant, String auditMacro, String triplet, List<String> headers,
               Map<String, String> fixed) {}

    static final List<Abi> ABIS = List.of(
            new Abi("X86", "AUDIT_ARCH_I386", "i386-linux-gnu", List.of("asm/unistd_32.h"), Map.of()),
            new Abi("X86_64", "AUDIT_ARCH_X86_64", "x86_64-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            // asm/unistd.h defines __X32_SYSCALL_BIT, which every x32 number carries.
            new Abi("X32", "AUDIT_ARCH_X86_64", "x86_64-linux-gnu",
                    List.of("asm/unistd.h", "asm/unistd_x32.h"), Map.of()),
            // EABI: asm/unistd.h picks __NR_SYSCALL_BASE 0 under __ARM_EABI__ (the OABI base is
            // 0x900000); it also defines the ARM private calls __ARM_NR_* at base + 0x0f0000 and the
            // alias sync_file_range2 = arm_sync_file_range.
            new Abi("ARM", "AUDIT_ARCH_ARM", "arm-linux-gnueabihf",
                    List.of("asm/unistd-eabi.h", "asm/unistd.h"), Map.of("__NR_SYSCALL_BASE", "0")),
            new Abi("AARCH64", "AUDIT_ARCH_AARCH64", "aarch64-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            // MIPS: asm/unistd.h sets __NR_Linux to 4000 (o32), 5000 (n64) or 6000 (n32) by _MIPS_SIM.
            new Abi("MIPS", "AUDIT_ARCH_MIPS", "mips-linux-gnu",
                    List.of("asm/unistd_o32.h"), Map.of("__NR_Linux", "4000")),
            new Abi("MIPSEL", "AUDIT_ARCH_MIPSEL", "mipsel-linux-gnu",
                    List.of("asm/unistd_o32.h"), Map.of("__NR_Linux", "4000")),
            new Abi("MIPS64", "AUDIT_ARCH_MIPS64", "mips64-linux-gnuabi64",
                    List.of("asm/unistd_n64.h"), Map.of("__NR_Linux", "5000")),
            new Abi("MIPSEL64", "AUDIT_ARCH_MIPSEL64", "mips64el-linux-gnuabi64",
                    List.of("asm/unistd_n64.h"), Map.of("__NR_Linux", "5000")),
            new Abi("MIPS64N32", "AUDIT_ARCH_MIPS64N32", "mips64-linux-gnuabi64",
                    List.of("asm/unistd_n32.h"), Map.of("__NR_Linux", "6000")),
            new Abi("MIPSEL64N32", "AUDIT_ARCH_MIPSEL64N32", "mips64el-linux-gnuabi64",
                    List.of("asm/unistd_n32.h"), Map.of("__NR_Linux", "6000")),
            new Abi("PPC", "AUDIT_ARCH_PPC", "powerpc-linux-gnu", List.of("asm/unistd_32.h"), Map.of()),
            new Abi("PPC64", "AUDIT_ARCH_PPC64", "powerpc64-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            new Abi("PPC64LE", "AUDIT_ARCH_PPC64LE", "powerpc64le-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            new Abi("S390", "AUDIT_ARCH_S390", "s390x-linux-gnu", List.of("asm/unistd_32.h"), Map.of()),
            new Abi("S390X", "AUDIT_ARCH_S390X", "s390x-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            new Abi("PARISC", "AUDIT_ARCH_PARISC", "hppa-linux-gnu", List.of("asm/unistd_32.h"), Map.of()),
            new Abi("PARISC64", "AUDIT_ARCH_PARISC64", "hppa-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            new Abi("RISCV64", "AUDIT_ARCH_RISCV64", "riscv64-linux-gnu", List.of("asm/unistd_64.h"), Map.of()),
            new Abi("LOONGARCH64", "AUDIT_ARCH_LOONGARCH64", "loongarch64-linux-gnu",
                    List.of("asm/unistd_64.h"), Map.of()),
            new Abi("M68K", "AUDIT_ARCH_M68K", "m68k-linux-gnu", List.of("asm/unistd_32.h"), Map.of()),
            // libseccomp (and so the runtime-spec) calls little-endian SuperH "SH", big-endian "SHEB".
            new Abi("SH", "AUDIT_ARCH_SHEL", "sh4-linux-gnu", List.of("asm/unistd_32.h"), Map.of()),
            new Abi("SHEB", "AUDIT_ARCH_SH", "sh4-linux-gnu", List.of("asm/unistd_32.h"), Map.of()));

    static final Pattern DEFINE = Pattern.compile("^#\\s*define\\s+([A-Za-z_][A-Za-z0-9_]*)\\s+(.*?)\\s*(/\\*.*)?$");
    static final Pattern SYSCALL_NAME = Pattern.compile("^[a-z0-9_]+$");

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: GenSyscallTables <usr/include dir> <linux-libc-dev version>");
            System.exit(2);
        }
        Path include = Path.of(args[0]);
        String packageVersion = args[1];

        Map<String, String> auditMacros = new HashMap<>();
        readDefines(include.resolve("linux/elf-em.h"), auditMacros, Map.of());
        readDefines(include.resolve("linux/audit.h"), auditMacros, Map.of());
        Map<String, String> version = new HashMap<>();
        readDefines(include.resolve("linux/version.h"), version, Map.of());
        String kernel = version.get("LINUX_VERSION_MAJOR") + "." + version.get("LINUX_VERSION_PATCHLEVEL");

        StringBuilder out = new StringBuilder();
        out.append("""
                // GENERATED by scripts/gen-syscall-tables: do not edit.
                // Source: Debian package linux-libc-dev %s (Linux %s UAPI headers),
                // /usr/include/<triplet>/asm/unistd*.h and linux/audit.h. See docs/seccomp.md.
                package burk.seccomp;

                /**
                 * Syscall numbers and AUDIT_ARCH values per seccomp ABI, as the kernel's own generated
                 * headers define them. A table is one "name number" pair per line; numbers include the
                 * ABI's base (x32's __X32_SYSCALL_BIT, MIPS's __NR_Linux, ARM's private 0x0f0000 range).
                 */
                final class SyscallTables {
                    private SyscallTables() {}

                    /** The package the tables were generated from. */
                    static final String SOURCE = "linux-libc-dev %s";

                    /** The kernel UAPI version of the tables (major.minor). */
                    static final String KERNEL = "%s";

                """.formatted(packageVersion, kernel, packageVersion, kernel));

        StringBuilder audit = new StringBuilder("    static int auditArch(Arch arch) {\n        return switch (arch) {\n");
        StringBuilder errnos = new StringBuilder();
        for (String errno : List.of("EPERM", "ENOSYS")) {
            errnos.append("    static int %s(Arch arch) {\n        return switch (arch) {\n".formatted(errno.toLowerCase()));
            for (Abi abi : ABIS) {
                Map<String, String> defines = new HashMap<>();
                readDefinesFollowingIncludes(include, abi.triplet(), "asm/errno.h", defines);
                errnos.append("            case %s -> %d;\n".formatted(abi.constant(), eval(defines.get(errno), defines, errno)));
            }
            errnos.append("        };\n    }\n\n");
        }
        StringBuilder tables = new StringBuilder("    static String table(Arch arch) {\n        return switch (arch) {\n");
        StringBuilder bodies = new StringBuilder();
        for (Abi abi : ABIS) {
            long auditArch = eval(auditMacros.get(abi.auditMacro()), auditMacros, abi.auditMacro());
            audit.append("            case %s -> 0x%08X; // %s\n".formatted(abi.constant(), auditArch, abi.auditMacro()));
            tables.append("            case %s -> %s;\n".formatted(abi.constant(), abi.constant()));

            Map<String, String> macros = new LinkedHashMap<>();
            for (String header : abi.headers()) {
                readDefines(include.resolve(abi.triplet()).resolve(header), macros, abi.fixed());
            }
            macros.putAll(abi.fixed());
            TreeMap<String, Long> numbers = new TreeMap<>();
            for (var e : macros.entrySet()) {
                String name = syscallName(e.getKey());
                if (name == null) {
                    continue;
                }
                numbers.put(name, eval(e.getValue(), macros, e.getKey()));
            }
            if (numbers.size() < 200) {
                throw new IllegalStateException(abi.constant() + ": only " + numbers.size() + " syscalls found");
            }
            List<Map.Entry<String, Long>> sorted = new ArrayList<>(numbers.entrySet());
            sorted.sort(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
            bodies.append("\n    // %s/%s\n".formatted(abi.triplet(), String.join(" + ", abi.headers())));
            bodies.append("    private static final String %s = \"\"\"\n".formatted(abi.constant()));
            for (var e : sorted) {
                long n = e.getValue();
                String number = n >= 0x10000 ? "0x" + Long.toHexString(n) : Long.toString(n);
                bodies.append("            ").append(e.getKey()).append(' ').append(number).append('\n');
            }
            bodies.append("            \"\"\";\n");
        }
        audit.append("        };\n    }\n\n");
        tables.append("        };\n    }\n");
        out.append(audit).append(errnos).append(tables).append(bodies).append("}\n");
        System.out.print(out);
    }

    /** {@code __NR_read} is read, {@code __ARM_NR_set_tls} is set_tls; base and mask macros are not syscalls. */
    static String syscallName(String macro) {
        String name;
        if (macro.startsWith("__NR_")) {
            name = macro.substring("__NR_".length());
        } else if (macro.startsWith("__ARM_NR_")) {
            name = macro.substring("__ARM_NR_".length());
        } else {
            return null;
        }
        return SYSCALL_NAME.matcher(name).matches() ? name : null;
    }

    /** Collects {@code #define NAME VALUE} lines (joining backslash continuations); fixed names keep their value. */
    static void readDefines(Path file, Map<String, String> into, Map<String, String> fixed) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            while (line.endsWith("\\") && i + 1 < lines.size()) {
                line = line.substring(0, line.length() - 1) + " " + lines.get(++i).trim();
            }
            Matcher m = DEFINE.matcher(line.trim());
            if (m.matches() && !m.group(2).isEmpty() && !m.group(1).contains("(") && !fixed.containsKey(m.group(1))) {
                into.put(m.group(1), m.group(2));
            }
        }
    }

    static final Pattern INCLUDE = Pattern.compile("^#\\s*include\\s*<([^>]+)>.*$");

    /** Reads a header and, first, the headers it includes (the architecture's asm/ before the generic ones). */
    static void readDefinesFollowingIncludes(Path include, String triplet, String header, Map<String, String> into)
            throws IOException {
        Path file = include.resolve(triplet).resolve(header);
        if (!Files.exists(file)) {
            file = include.resolve(header);
        }
        for (String line : Files.readAllLines(file)) {
            Matcher m = INCLUDE.matcher(line.trim());
            if (m.matches()) {
                readDefinesFollowingIncludes(include, triplet, m.group(1), into);
            }
        }
        readDefines(file, into, Map.of());
    }

    /** Evaluates the macro bodies these headers use: numbers, macro names, parentheses, + and |. */
    static long eval(String expr, Map<String, String> macros, String what) {
        if (expr == null) {
            throw new IllegalStateException("undefined macro " + what);
        }
        return new Evaluator(expr, macros, what).parse();
    }

    static final class Evaluator {
        private final String text;
        private final Map<String, String> macros;
        private final String what;
        private int pos;

        Evaluator(String text, Map<String, String> macros, String what) {
            this.text = text;
            this.macros = macros;
            this.what = what;
        }

        long parse() {
            long v = expression();
            skipSpace();
            if (pos != text.length()) {
                throw error();
            }
            return v;
        }

        private long expression() {
            long v = term();
            while (true) {
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == '+') {
                    pos++;
                    v += term();
                } else if (pos < text.length() && text.charAt(pos) == '|') {
                    pos++;
                    v |= term();
                } else {
                    return v;
                }
            }
        }

        private long term() {
            skipSpace();
            if (pos >= text.length()) {
                throw error();
            }
            char c = text.charAt(pos);
            if (c == '(') {
                pos++;
                long v = expression();
                skipSpace();
                if (pos >= text.length() || text.charAt(pos) != ')') {
                    throw error();
                }
                pos++;
                return v;
            }
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String token = text.substring(start, pos);
            if (token.isEmpty()) {
                throw error();
            }
            if (Character.isDigit(token.charAt(0))) {
                String digits = token.replaceFirst("[uUlL]+$", "");
                return digits.startsWith("0x") || digits.startsWith("0X")
                        ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
            }
            return eval(macros.get(token), macros, token);
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalStateException error() {
            return new IllegalStateException(what + ": cannot evaluate \"" + text + "\" at " + pos);
        }
    }

}
