package burk.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as runc's and Docker's flags read them (docker/go-units RAMInBytes): a decimal
 * number, an optional space, an optional unit k, m, g, t or p (powers of 1024, any case), and an
 * optional "i" and "b": {@code 64m}, {@code 1.5G}, {@code 512KiB}, {@code 1048576}.
 */
final class RamSize {
    private RamSize() {}

    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    /** Bytes, or an IllegalArgumentException with go-units' message. */
    static long parse(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("invalid size: '" + s + "'");
        BigDecimal n;
        try {
            n = new BigDecimal(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size: '" + s + "'");
        }
        if (m.group(2) != null) {
            int power = "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
            n = n.multiply(BigDecimal.valueOf(1024).pow(power));
        }
        if (n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new IllegalArgumentException("invalid size: '" + s + "'");
        return n.longValue();
    }
}
