package burk.cli;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them ({@code 5s}, {@code 1m30s},
 * {@code 250ms}, {@code 1.5h}), because runc's {@code --interval} is such a flag and scripts pass
 * it that way.
 */
final class GoDuration {
    private GoDuration() {}

    static Duration parse(String s) throws UsageError {
        String t = s;
        boolean negative = false;
        if (t.startsWith("-") || t.startsWith("+")) {
            negative = t.startsWith("-");
            t = t.substring(1);
        }
        if (t.equals("0")) return Duration.ZERO;
        if (t.isEmpty()) throw invalid(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < t.length()) {
            int start = i;
            while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
            if (start == i) throw invalid(s);
            BigDecimal number;
            try {
                number = new BigDecimal(t.substring(start, i));
            } catch (NumberFormatException e) {
                throw invalid(s);
            }
            int u = i;
            while (i < t.length() && !Character.isDigit(t.charAt(i)) && t.charAt(i) != '.') i++;
            long unit = switch (t.substring(u, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw invalid(s);
            };
            nanos = nanos.add(number.multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw invalid(s);
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static UsageError invalid(String s) {
        return new UsageError("time: invalid duration \"" + s + "\"");
    }
}
