package burk.runtime.helper;

/**
 * One message from the helper, 24 bytes on the wire: {@code u32 kind, u32 step, i32 err,
 * u32 aux, i64 value} (docs/plan-format.md, "Messages").
 */
public record HelperMessage(Kind kind, int step, int err, int aux, long value) {
    public static final int SIZE = 24;

    /** {@code FD} (60) carries an fd (SCM_RIGHTS): {@link HelperSession#takeFd()} returns it. */
    public enum Kind { PID, SYNC, READY, ERROR, DATA, FD, UNKNOWN }

    static HelperMessage decode(byte[] b) {
        int kind = le32(b, 0);
        Kind k = switch (kind) {
            case 1 -> Kind.PID;
            case 2 -> Kind.SYNC;
            case 3 -> Kind.READY;
            case 4 -> Kind.ERROR;
            case 5 -> Kind.DATA;
            case 60 -> Kind.FD;
            default -> Kind.UNKNOWN;
        };
        long value = (le32(b, 16) & 0xffffffffL) | ((long) le32(b, 20) << 32);
        return new HelperMessage(k, le32(b, 4), le32(b, 8), le32(b, 12), value);
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }
}
