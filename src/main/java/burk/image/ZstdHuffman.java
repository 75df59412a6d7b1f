package burk.image;

/**
 * A zstd literals Huffman table (RFC 8878 §4.2): read from its tree description (weights, given
 * directly or FSE-compressed), decoded by peeking {@code maxBits} bits.
 */
final class ZstdHuffman {
    private static final int MAX_BITS = 11;

    final int maxBits;
    private final byte[] symbol;
    private final byte[] length;

    private ZstdHuffman(int maxBits) {
        this.maxBits = maxBits;
        symbol = new byte[1 << maxBits];
        length = new byte[1 << maxBits];
    }

    /** Reads a Huffman tree description at {@code offset}; {@code used[0]} gets its size in bytes. */
    static ZstdHuffman read(byte[] data, int offset, int end, int[] used) throws ImageException {
        if (offset >= end) throw new ImageException("zstd: a missing Huffman tree description");
        int header = data[offset] & 0xff;
        int[] weights = new int[260];
        int count;
        if (header >= 128) {
            count = header - 127;
            int bytes = (count + 1) / 2;
            if (offset + 1 + bytes > end) throw new ImageException("zstd: a Huffman tree description past its block");
            for (int i = 0; i < count; i++) {
                int b = data[offset + 1 + i / 2] & 0xff;
                weights[i] = (i & 1) == 0 ? b >>> 4 : b & 0xf;
            }
            used[0] = 1 + bytes;
        } else {
            int size = header;
            int from = offset + 1;
            if (from + size > end) throw new ImageException("zstd: a Huffman tree description past its block");
            int[] fseUsed = new int[1];
            ZstdFse table = ZstdFse.read(data, from, from + size, 255, 6, fseUsed);
            ZstdBits bits = new ZstdBits(data, from + fseUsed[0], from + size);
            int s1 = (int) bits.read(table.accuracyLog);
            int s2 = (int) bits.read(table.accuracyLog);
            count = 0;
            // two interleaved states share one table; when the stream runs out, the other
            // state's symbol is the last (§4.2.1.2)
            while (true) {
                if (count > 255) throw new ImageException("zstd: too many Huffman weights");
                weights[count++] = table.symbol[s1];
                s1 = table.baseline[s1] + (int) bits.read(table.nbBits[s1]);
                if (bits.overflowed()) {
                    weights[count++] = table.symbol[s2];
                    break;
                }
                weights[count++] = table.symbol[s2];
                s2 = table.baseline[s2] + (int) bits.read(table.nbBits[s2]);
                if (bits.overflowed()) {
                    weights[count++] = table.symbol[s1];
                    break;
                }
            }
            used[0] = 1 + size;
        }
        if (count > 255) throw new ImageException("zstd: too many Huffman weights");
        return fromWeights(weights, count);
    }

    /** The last symbol's weight is implied: the one that makes the total a power of two. */
    private static ZstdHuffman fromWeights(int[] weights, int count) throws ImageException {
        long total = 0;
        for (int i = 0; i < count; i++) {
            if (weights[i] > MAX_BITS) throw new ImageException("zstd: a Huffman weight above " + MAX_BITS);
            if (weights[i] > 0) total += 1L << (weights[i] - 1);
        }
        if (total == 0) throw new ImageException("zstd: a Huffman table without symbols");
        int maxBits = 64 - Long.numberOfLeadingZeros(total);
        long rest = (1L << maxBits) - total;
        if (Long.bitCount(rest) != 1) throw new ImageException("zstd: corrupt Huffman weights");
        if (maxBits > MAX_BITS) throw new ImageException("zstd: a Huffman code longer than " + MAX_BITS + " bits");
        weights[count++] = 63 - Long.numberOfLeadingZeros(rest) + 1;
        ZstdHuffman t = new ZstdHuffman(maxBits);
        // lowest weight (longest code) first, then by symbol: the codes count up in that order
        int pos = 0;
        for (int w = 1; w <= maxBits; w++) {
            for (int s = 0; s < count; s++) {
                if (weights[s] != w) continue;
                int len = 1 << (w - 1);
                for (int i = 0; i < len; i++) {
                    t.symbol[pos + i] = (byte) s;
                    t.length[pos + i] = (byte) (maxBits + 1 - w);
                }
                pos += len;
            }
        }
        if (pos != 1 << maxBits) throw new ImageException("zstd: corrupt Huffman weights");
        return t;
    }

    /**
     * Decodes {@code n} literals from one backward stream into {@code out} at {@code at}.
     *
     * @throws ImageException when the stream does not end exactly with the last symbol
     */
    void decode(byte[] data, int from, int to, byte[] out, int at, int n) throws ImageException {
        ZstdBits bits = new ZstdBits(data, from, to);
        for (int i = 0; i < n; i++) {
            int idx = (int) bits.peek(maxBits);
            out[at + i] = symbol[idx];
            bits.skip(length[idx]);
        }
        if (!bits.finished()) throw new ImageException("zstd: a Huffman stream of the wrong length");
    }
}
