package burk.cli;

import java.util.Locale;

/** Signal names and numbers on Linux, accepted by {@code kill} as runc accepts them. */
final class Signals {
    private Signals() {}

    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /** {@code 9}, {@code KILL}, {@code SIGKILL}, {@code sigkill}, {@code RTMIN+3}: the number, or a UsageError. */
    static int parse(String s) throws UsageError {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (!t.isEmpty() && Character.isDigit(t.charAt(0))) {
            try {
                int n = Integer.parseInt(t);
                if (n > 0 && n <= 64) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
            throw new UsageError("unknown signal \"" + s + "\"");
        }
        if (t.startsWith("SIG")) t = t.substring(3);
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(t)) return i;
        if (t.equals("POLL")) return 29;
        if (t.equals("IOT")) return 6;
        if (t.startsWith("RTMIN")) {
            int n = t.length() == 5 ? 0 : offset(t.substring(5), s);
            if (34 + n <= 64) return 34 + n;
        }
        if (t.startsWith("RTMAX")) {
            int n = t.length() == 5 ? 0 : offset(t.substring(5), s);
            if (64 + n >= 34) return 64 + n;
        }
        throw new UsageError("unknown signal \"" + s + "\"");
    }

    private static int offset(String s, String orig) throws UsageError {
        try {
            return Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new UsageError("unknown signal \"" + orig + "\"");
        }
    }
}
