package burk.image;

/**
 * A zstd FSE (tANS) decoding table (RFC 8878 §4.1.1): for each state, the symbol it decodes and
 * how the next state is read ({@code baseline + read(nbBits)}).
 */
final class ZstdFse {
    final int accuracyLog;
    final int[] symbol;
    final int[] nbBits;
    final int[] baseline;

    private ZstdFse(int accuracyLog) {
        this.accuracyLog = accuracyLog;
        int size = 1 << accuracyLog;
        symbol = new int[size];
        nbBits = new int[size];
        baseline = new int[size];
    }

    /** The table of an RLE mode: one state, always {@code sym}, reading no bits. */
    static ZstdFse rle(int sym) {
        ZstdFse t = new ZstdFse(0);
        t.symbol[0] = sym;
        return t;
    }

    /**
     * Builds the table from normalized probabilities ({@code -1}: "less than 1", a single cell at
     * the top of the table), spreading symbols with the format's fixed step.
     */
    static ZstdFse build(short[] probs, int count, int accuracyLog) throws ImageException {
        ZstdFse t = new ZstdFse(accuracyLog);
        int size = 1 << accuracyLog;
        int high = size - 1;
        int[] next = new int[count];
        for (int s = 0; s < count; s++) {
            if (probs[s] == -1) {
                t.symbol[high--] = s;
                next[s] = 1;
            } else {
                next[s] = probs[s];
            }
        }
        int mask = size - 1;
        int step = (size >>> 1) + (size >>> 3) + 3;
        int position = 0;
        for (int s = 0; s < count; s++) {
            for (int i = 0; i < probs[s]; i++) {
                t.symbol[position] = s;
                do {
                    position = (position + step) & mask;
                } while (position > high);
            }
        }
        if (position != 0) throw new ImageException("zstd: an FSE distribution that does not fill its table");
        for (int u = 0; u < size; u++) {
            int s = t.symbol[u];
            int n = next[s]++;
            int bits = accuracyLog - (31 - Integer.numberOfLeadingZeros(n));
            t.nbBits[u] = bits;
            t.baseline[u] = (n << bits) - size;
        }
        return t;
    }

    /**
     * Reads an FSE table description (§4.1.1) from {@code data} at {@code offset}; returns the
     * table and, in {@code used[0]}, the bytes it took.
     *
     * @param maxSymbol    the largest symbol the table may hold
     * @param maxLog       the largest accuracy log the context allows
     */
    static ZstdFse read(byte[] data, int offset, int end, int maxSymbol, int maxLog, int[] used) throws ImageException {
        ForwardBits in = new ForwardBits(data, offset, end);
        int accuracyLog = (int) in.read(4) + 5;
        if (accuracyLog > maxLog) throw new ImageException("zstd: FSE accuracy log " + accuracyLog + " is above " + maxLog);
        short[] probs = new short[maxSymbol + 1];
        int remaining = (1 << accuracyLog) + 1;
        int threshold = 1 << accuracyLog;
        int bits = accuracyLog + 1;
        int s = 0;
        while (remaining > 1) {
            if (s > maxSymbol) throw new ImageException("zstd: an FSE distribution with too many symbols");
            int max = (2 * threshold - 1) - remaining;
            int count;
            long low = in.peek(bits - 1);
            if (low < max) {
                count = (int) low;
                in.skip(bits - 1);
            } else {
                count = (int) in.peek(bits);
                if (count >= threshold) count -= max;
                in.skip(bits);
            }
            count--;
            remaining -= Math.abs(count);
            probs[s++] = (short) count;
            if (count == 0) {
                // a zero probability is followed by 2-bit counts of further zeros (3: more follow)
                while (true) {
                    int repeat = (int) in.read(2);
                    for (int i = 0; i < repeat; i++) {
                        if (s > maxSymbol) throw new ImageException("zstd: an FSE distribution with too many symbols");
                        probs[s++] = 0;
                    }
                    if (repeat != 3) break;
                }
            }
            while (remaining < threshold && threshold > 1) {
                bits--;
                threshold >>>= 1;
            }
        }
        if (remaining != 1) throw new ImageException("zstd: a corrupt FSE distribution");
        used[0] = in.bytesUsed();
        if (offset + used[0] > end) throw new ImageException("zstd: an FSE table description past its block");
        return build(probs, s, accuracyLog);
    }

    /** The predefined table of a default distribution (§3.1.1.3.2.2). */
    static ZstdFse predefined(short[] probs, int accuracyLog) {
        try {
            return build(probs, probs.length, accuracyLog);
        } catch (ImageException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A little-endian forward bit reader, as FSE table descriptions are written. */
    private static final class ForwardBits {
        private final byte[] data;
        private final int start;
        private final int end;
        private long bit;

        ForwardBits(byte[] data, int start, int end) {
            this.data = data;
            this.start = start;
            this.end = end;
        }

        long peek(int n) {
            long v = 0;
            for (int i = 0; i < n; i++) {
                long b = bit + i;
                int idx = start + (int) (b >>> 3);
                int x = idx < end ? data[idx] & 0xff : 0;
                v |= (long) ((x >>> (b & 7)) & 1) << i;
            }
            return v;
        }

        long read(int n) {
            long v = peek(n);
            bit += n;
            return v;
        }

        void skip(int n) {
            bit += n;
        }

        int bytesUsed() {
            return (int) ((bit + 7) >>> 3);
        }
    }
}
