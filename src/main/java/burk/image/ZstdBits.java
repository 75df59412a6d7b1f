package burk.image;

/**
 * A zstd backward bitstream (RFC 8878 §4.1: Huffman and FSE streams are read from their end to
 * their start). The last byte carries a padding marker, its highest set bit; the bits below it
 * are read highest first. Reading past the start yields zero bits, as the format requires, and
 * is visible as {@link #overflowed()}.
 */
final class ZstdBits {
    private static final java.lang.invoke.VarHandle LE64 =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private final byte[] data;
    private final int start;
    /** Bits [0, pos) relative to {@code start} are still unread; negative once read past the start. */
    private int pos;

    /**
     * @throws ImageException when the stream is empty or its last byte has no padding marker
     */
    ZstdBits(byte[] data, int start, int end) throws ImageException {
        if (end <= start) throw new ImageException("zstd: an empty bitstream");
        int last = data[end - 1] & 0xff;
        if (last == 0) throw new ImageException("zstd: a bitstream without its end marker");
        this.data = data;
        this.start = start;
        this.pos = 8 * (end - start - 1) + (31 - Integer.numberOfLeadingZeros(last));
    }

    /** The next {@code n} bits (0 to 56) as an unsigned number; zeros below the start. */
    long read(int n) {
        long v = peek(n);
        pos -= n;
        return v;
    }

    /** The next {@code n} bits (0 to 56) without consuming them. */
    long peek(int n) {
        if (n == 0) return 0;
        int from = pos - n;
        if (from >= 0) return window(from) & ((1L << n) - 1);
        if (pos <= 0) return 0;
        // only pos bits remain: they are the high bits, zeros fill the low ones
        return (window(0) & ((1L << pos) - 1)) << (-from);
    }

    void skip(int n) {
        pos -= n;
    }

    /** Bits [bit, bit+56) as the low bits of a long (bytes beyond the stream read as zero). */
    private long window(int bit) {
        int byteIndex = bit >>> 3;
        int limit = data.length - start;
        if (byteIndex + 8 <= limit) return (long) LE64.get(data, start + byteIndex) >>> (bit & 7);
        long w = 0;
        for (int i = 7; i >= 0; i--) {
            int b = byteIndex + i;
            w = (w << 8) | (b < limit ? data[start + b] & 0xff : 0);
        }
        return w >>> (bit & 7);
    }

    /** True once more bits were read than the stream holds. */
    boolean overflowed() {
        return pos < 0;
    }

    /** True when every bit was read, no more and no fewer. */
    boolean finished() {
        return pos == 0;
    }
}
