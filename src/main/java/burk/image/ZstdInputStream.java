package burk.image;

import java.io.IOException;
import java.io.InputStream;

/**
 * A Zstandard decoder (RFC 8878) in plain Java, for zstd-compressed image layers: frames one
 * after another (skippable frames skipped), raw, RLE and compressed blocks, Huffman literals,
 * FSE-coded sequences with repeat offsets, and the optional content checksum, which is checked.
 * Frames that need a dictionary are refused, as are windows above 128 MiB (zstd's own default
 * limit for decompression), so a hostile blob cannot make burk allocate without bound.
 *
 * <p>Decoded bytes go to a buffer holding the window, from which {@link #read} serves them; a
 * block is decoded only when everything before it was read.
 */
final class ZstdInputStream extends InputStream {
    private static final int MAGIC = 0xFD2FB528;
    private static final int BLOCK_MAX = 128 * 1024;
    private static final long WINDOW_MAX = 1L << 27;

    private static final int[] LL_BASE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32,
            40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};
    private static final int[] LL_BITS = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8,
            9, 10, 11, 12, 13, 14, 15, 16};
    private static final int[] ML_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
            26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099,
            8195, 16387, 32771, 65539};
    private static final int[] ML_BITS = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    /** The default distributions (§3.1.1.3.2.2). */
    private static final ZstdFse LL_DEFAULT = ZstdFse.predefined(new short[] {4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
            2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1}, 6);
    private static final ZstdFse ML_DEFAULT = ZstdFse.predefined(new short[] {1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
            -1, -1}, 6);
    private static final ZstdFse OF_DEFAULT = ZstdFse.predefined(new short[] {1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1}, 5);

    private final InputStream in;
    private final byte[] one = new byte[1];

    // the frame being decoded
    private boolean inFrame;
    private boolean lastBlockDone;
    private long window;
    private long contentSize;
    private long produced;
    private XxHash64 checksum;
    private final int[] rep = new int[3];
    private ZstdHuffman huffman;
    private ZstdFse llTable;
    private ZstdFse ofTable;
    private ZstdFse mlTable;

    // decoded bytes: [readPos, pos) are ready; [0, pos) is history for matches
    private byte[] buf = new byte[0];
    private int pos;
    private int readPos;
    private byte[] literals = new byte[BLOCK_MAX];
    private boolean eof;

    ZstdInputStream(InputStream in) {
        this.in = in;
    }

    /** A decoding stream over {@code in}, as a plain InputStream (see Compression). */
    static InputStream open(InputStream in) {
        return new ZstdInputStream(in);
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (readPos == pos) {
            if (eof) return -1;
            try {
                decodeMore();
            } catch (ImageException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        int n = Math.min(len, pos - readPos);
        System.arraycopy(buf, readPos, b, off, n);
        readPos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Decodes the next block (starting a frame first when needed). */
    private void decodeMore() throws IOException, ImageException {
        if (!inFrame) {
            if (!startFrame()) {
                eof = true;
                return;
            }
        }
        if (lastBlockDone) {
            endFrame();
            return;
        }
        makeRoom();
        int header = readLe(3);
        boolean last = (header & 1) != 0;
        int type = (header >>> 1) & 3;
        int size = header >>> 3;
        int blockMax = (int) Math.min(window, BLOCK_MAX);
        int start = pos;
        switch (type) {
            case 0 -> {
                if (size > blockMax) throw new ImageException("zstd: a raw block larger than the block maximum");
                readFully(buf, pos, size);
                pos += size;
            }
            case 1 -> {
                if (size > blockMax) throw new ImageException("zstd: an RLE block larger than the block maximum");
                int b = in.read();
                if (b < 0) throw truncated();
                java.util.Arrays.fill(buf, pos, pos + size, (byte) b);
                pos += size;
            }
            case 2 -> {
                if (size > blockMax) throw new ImageException("zstd: a compressed block larger than the block maximum");
                byte[] block = new byte[size];
                readFully(block, 0, size);
                compressedBlock(block, blockMax);
            }
            default -> throw new ImageException("zstd: a block of the reserved type");
        }
        produced += pos - start;
        if (contentSize >= 0 && produced > contentSize) throw new ImageException("zstd: more data than the frame's content size");
        if (checksum != null) checksum.update(buf, start, pos - start);
        if (last) lastBlockDone = true;
    }

    /** Reads a frame header; false at the end of the input. Skippable frames are passed over. */
    private boolean startFrame() throws IOException, ImageException {
        while (true) {
            byte[] m = in.readNBytes(4);
            if (m.length == 0) return false;
            if (m.length < 4) throw truncated();
            int magic = XxHash64.le32(m, 0);
            if ((magic & 0xFFFFFFF0) == 0x184D2A50) {
                long skip = readLe(4) & 0xFFFFFFFFL;
                try {
                    in.skipNBytes(skip);
                } catch (java.io.EOFException e) {
                    throw truncated();
                }
                continue;
            }
            if (magic != MAGIC) throw new ImageException("zstd: not a zstd frame (bad magic number)");
            break;
        }
        int fhd = readByte();
        int fcsFlag = fhd >>> 6;
        boolean single = (fhd & 0x20) != 0;
        if ((fhd & 0x08) != 0) throw new ImageException("zstd: a frame header with the reserved bit set");
        boolean hasChecksum = (fhd & 0x04) != 0;
        int dictFlag = fhd & 3;
        long win = 0;
        if (!single) {
            int wd = readByte();
            int log = 10 + (wd >>> 3);
            long base = 1L << log;
            win = base + (base / 8) * (wd & 7);
        }
        long dictId = dictFlag == 0 ? 0 : readLe(dictFlag == 3 ? 4 : dictFlag) & 0xFFFFFFFFL;
        if (dictId != 0) throw new ImageException("zstd: frames compressed with a dictionary are not supported");
        long fcs = -1;
        switch (fcsFlag) {
            case 0 -> fcs = single ? readByte() : -1;
            case 1 -> fcs = (readLe(2) & 0xFFFF) + 256;
            case 2 -> fcs = readLe(4) & 0xFFFFFFFFL;
            default -> {
                fcs = (readLe(4) & 0xFFFFFFFFL) | ((readLe(4) & 0xFFFFFFFFL) << 32);
                if (fcs < 0) throw new ImageException("zstd: a frame content size beyond 2^63");
            }
        }
        if (single) win = fcs;
        if (win > WINDOW_MAX) throw new ImageException("zstd: a window of " + win + " bytes is above burk's limit of " + WINDOW_MAX);
        window = Math.max(win, 1);
        contentSize = fcs;
        produced = 0;
        checksum = hasChecksum ? new XxHash64() : null;
        rep[0] = 1;
        rep[1] = 4;
        rep[2] = 8;
        huffman = null;
        llTable = ofTable = mlTable = null;
        // history from an earlier frame must not be reachable: start the buffer over
        int capacity = (int) Math.min(Integer.MAX_VALUE - 16, single ? window + BLOCK_MAX : 2 * window + BLOCK_MAX);
        if (buf.length < capacity || buf.length > 2 * capacity + BLOCK_MAX) buf = new byte[capacity];
        pos = 0;
        readPos = 0;
        inFrame = true;
        lastBlockDone = false;
        return true;
    }

    private void endFrame() throws IOException, ImageException {
        if (contentSize >= 0 && produced != contentSize) {
            throw new ImageException("zstd: the frame holds " + produced + " bytes, its header says " + contentSize);
        }
        if (checksum != null) {
            int want = readLe(4);
            if ((int) checksum.digest() != want) throw new ImageException("zstd: content checksum mismatch");
        }
        inFrame = false;
    }

    /** Keeps the last window of history and room for one more block after it. */
    private void makeRoom() {
        if (pos + BLOCK_MAX <= buf.length) return;
        int keep = (int) Math.min(window, pos);
        if (keep + BLOCK_MAX > buf.length) {
            byte[] bigger = new byte[keep + 2 * BLOCK_MAX];
            System.arraycopy(buf, pos - keep, bigger, 0, keep);
            buf = bigger;
        } else {
            System.arraycopy(buf, pos - keep, buf, 0, keep);
        }
        pos = keep;
        readPos = keep;
    }

    // ---- a compressed block (§3.1.1.3)

    private void compressedBlock(byte[] b, int blockMax) throws ImageException {
        int[] at = {0};
        int litCount = literalsSection(b, at, blockMax);
        sequencesSection(b, at[0], litCount, blockMax);
    }

    /** Decodes the literals into {@link #literals}; returns their count and moves {@code at} past them. */
    private int literalsSection(byte[] b, int[] at, int blockMax) throws ImageException {
        int p = at[0];
        if (p >= b.length) throw new ImageException("zstd: a compressed block without literals section");
        int b0 = b[p] & 0xff;
        int type = b0 & 3;
        int sizeFormat = (b0 >>> 2) & 3;
        if (type == 0 || type == 1) {
            int regenerated;
            int headerSize;
            switch (sizeFormat) {
                case 0, 2 -> {
                    regenerated = b0 >>> 3;
                    headerSize = 1;
                }
                case 1 -> {
                    need(b, p, 2);
                    regenerated = (b0 >>> 4) + ((b[p + 1] & 0xff) << 4);
                    headerSize = 2;
                }
                default -> {
                    need(b, p, 3);
                    regenerated = (b0 >>> 4) + ((b[p + 1] & 0xff) << 4) + ((b[p + 2] & 0xff) << 12);
                    headerSize = 3;
                }
            }
            if (regenerated > blockMax) throw new ImageException("zstd: more literals than a block holds");
            p += headerSize;
            if (type == 0) {
                need(b, p, regenerated);
                System.arraycopy(b, p, literals, 0, regenerated);
                p += regenerated;
            } else {
                need(b, p, 1);
                java.util.Arrays.fill(literals, 0, regenerated, b[p]);
                p += 1;
            }
            at[0] = p;
            return regenerated;
        }
        int regenerated;
        int compressed;
        int headerSize;
        boolean fourStreams = sizeFormat != 0;
        switch (sizeFormat) {
            case 0, 1 -> {
                need(b, p, 3);
                int v = b0 | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16;
                regenerated = (v >>> 4) & 0x3FF;
                compressed = (v >>> 14) & 0x3FF;
                headerSize = 3;
            }
            case 2 -> {
                need(b, p, 4);
                long v = XxHash64.le32(b, p) & 0xFFFFFFFFL;
                regenerated = (int) ((v >>> 4) & 0x3FFF);
                compressed = (int) ((v >>> 18) & 0x3FFF);
                headerSize = 4;
            }
            default -> {
                need(b, p, 5);
                long v = (XxHash64.le32(b, p) & 0xFFFFFFFFL) | ((long) (b[p + 4] & 0xff) << 32);
                regenerated = (int) ((v >>> 4) & 0x3FFFF);
                compressed = (int) ((v >>> 22) & 0x3FFFF);
                headerSize = 5;
            }
        }
        if (regenerated > blockMax) throw new ImageException("zstd: more literals than a block holds");
        p += headerSize;
        need(b, p, compressed);
        int end = p + compressed;
        if (type == 2) {
            int[] used = new int[1];
            huffman = ZstdHuffman.read(b, p, end, used);
            p += used[0];
        } else if (huffman == null) {
            throw new ImageException("zstd: treeless literals without an earlier Huffman table");
        }
        if (!fourStreams) {
            huffman.decode(b, p, end, literals, 0, regenerated);
        } else {
            if (p + 6 > end) throw new ImageException("zstd: a literals jump table past its section");
            int s1 = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
            int s2 = (b[p + 2] & 0xff) | (b[p + 3] & 0xff) << 8;
            int s3 = (b[p + 4] & 0xff) | (b[p + 5] & 0xff) << 8;
            int q = p + 6;
            int s4 = end - q - s1 - s2 - s3;
            if (s4 <= 0) throw new ImageException("zstd: corrupt literals jump table");
            int per = (regenerated + 3) / 4;
            int lastCount = regenerated - 3 * per;
            if (lastCount < 0) throw new ImageException("zstd: too few literals for four streams");
            huffman.decode(b, q, q + s1, literals, 0, per);
            huffman.decode(b, q + s1, q + s1 + s2, literals, per, per);
            huffman.decode(b, q + s1 + s2, q + s1 + s2 + s3, literals, 2 * per, per);
            huffman.decode(b, q + s1 + s2 + s3, end, literals, 3 * per, lastCount);
        }
        at[0] = end;
        return regenerated;
    }

    private void sequencesSection(byte[] b, int p, int litCount, int blockMax) throws ImageException {
        int start = pos;
        if (p >= b.length) throw new ImageException("zstd: a compressed block without sequences section");
        int b0 = b[p++] & 0xff;
        int count;
        if (b0 < 128) {
            count = b0;
        } else if (b0 < 255) {
            need(b, p, 1);
            count = ((b0 - 128) << 8) + (b[p++] & 0xff);
        } else {
            need(b, p, 2);
            count = (b[p] & 0xff) + ((b[p + 1] & 0xff) << 8) + 0x7F00;
            p += 2;
        }
        if (count == 0) {
            if (p != b.length) throw new ImageException("zstd: bytes after a block's literals");
            copyLiterals(0, litCount, blockMax, start);
            return;
        }
        need(b, p, 1);
        int modes = b[p++] & 0xff;
        if ((modes & 3) != 0) throw new ImageException("zstd: reserved bits set in the sequence modes");
        int[] used = new int[1];
        llTable = table((modes >>> 6) & 3, b, p, LL_DEFAULT, llTable, 35, 9, used, "literals lengths");
        p += used[0];
        ofTable = table((modes >>> 4) & 3, b, p, OF_DEFAULT, ofTable, 31, 8, used, "offsets");
        p += used[0];
        mlTable = table((modes >>> 2) & 3, b, p, ML_DEFAULT, mlTable, 52, 9, used, "match lengths");
        p += used[0];

        ZstdBits bits = new ZstdBits(b, p, b.length);
        int ll = (int) bits.read(llTable.accuracyLog);
        int of = (int) bits.read(ofTable.accuracyLog);
        int ml = (int) bits.read(mlTable.accuracyLog);
        int lit = 0;
        for (int i = 0; i < count; i++) {
            int ofCode = ofTable.symbol[of];
            int mlCode = mlTable.symbol[ml];
            int llCode = llTable.symbol[ll];
            if (ofCode > 31) throw new ImageException("zstd: an offset code above 31");
            if (llCode > 35 || mlCode > 52) throw new ImageException("zstd: a length code out of range");
            long offsetValue = (1L << ofCode) + bits.read(ofCode);
            int matchLength = ML_BASE[mlCode] + (int) bits.read(ML_BITS[mlCode]);
            int literalLength = LL_BASE[llCode] + (int) bits.read(LL_BITS[llCode]);
            int offset = resolveOffset(offsetValue, literalLength);

            if (lit + literalLength > litCount) throw new ImageException("zstd: a sequence past the block's literals");
            if (pos - start + literalLength + matchLength > blockMax) throw new ImageException("zstd: a block that decodes past its maximum");
            System.arraycopy(literals, lit, buf, pos, literalLength);
            pos += literalLength;
            lit += literalLength;
            // the buffer holds the frame's data up to a window back: anything further is corrupt
            if (offset > pos || offset > window) {
                throw new ImageException("zstd: a match offset (" + offset + ") before the start of the data or beyond the window");
            }
            int from = pos - offset;
            if (offset >= matchLength) {
                System.arraycopy(buf, from, buf, pos, matchLength);
            } else {
                for (int k = 0; k < matchLength; k++) buf[pos + k] = buf[from + k];
            }
            pos += matchLength;

            if (i + 1 < count) {
                ll = llTable.baseline[ll] + (int) bits.read(llTable.nbBits[ll]);
                ml = mlTable.baseline[ml] + (int) bits.read(mlTable.nbBits[ml]);
                of = ofTable.baseline[of] + (int) bits.read(ofTable.nbBits[of]);
            }
        }
        if (!bits.finished()) throw new ImageException("zstd: a sequences bitstream of the wrong length");
        copyLiterals(lit, litCount, blockMax, start);
    }

    private void copyLiterals(int from, int to, int blockMax, int blockStart) throws ImageException {
        int n = to - from;
        if (pos - blockStart + n > blockMax) throw new ImageException("zstd: a block that decodes past its maximum");
        System.arraycopy(literals, from, buf, pos, n);
        pos += n;
    }

    /** §3.1.1.5: offset values 1-3 name the repeat offsets (shifted by one when no literals precede). */
    private int resolveOffset(long value, int literalLength) throws ImageException {
        if (value > 3) {
            long offset = value - 3;
            if (offset > Integer.MAX_VALUE) throw new ImageException("zstd: an offset beyond any window");
            rep[2] = rep[1];
            rep[1] = rep[0];
            rep[0] = (int) offset;
            return rep[0];
        }
        int idx = (int) value - 1 + (literalLength == 0 ? 1 : 0);
        int offset;
        switch (idx) {
            case 0 -> offset = rep[0];
            case 1 -> {
                offset = rep[1];
                rep[1] = rep[0];
                rep[0] = offset;
            }
            case 2 -> {
                offset = rep[2];
                rep[2] = rep[1];
                rep[1] = rep[0];
                rep[0] = offset;
            }
            default -> {
                offset = rep[0] - 1;
                if (offset == 0) throw new ImageException("zstd: a repeat offset of zero");
                rep[2] = rep[1];
                rep[1] = rep[0];
                rep[0] = offset;
            }
        }
        return offset;
    }

    private static ZstdFse table(int mode, byte[] b, int p, ZstdFse predefined, ZstdFse previous, int maxSymbol, int maxLog,
                                 int[] used, String what) throws ImageException {
        used[0] = 0;
        return switch (mode) {
            case 0 -> predefined;
            case 1 -> {
                need(b, p, 1);
                used[0] = 1;
                int sym = b[p] & 0xff;
                if (sym > maxSymbol) throw new ImageException("zstd: an RLE " + what + " code out of range");
                yield ZstdFse.rle(sym);
            }
            case 2 -> ZstdFse.read(b, p, b.length, maxSymbol, maxLog, used);
            default -> {
                if (previous == null) throw new ImageException("zstd: repeated " + what + " table without an earlier one");
                yield previous;
            }
        };
    }

    // ---- input

    private static void need(byte[] b, int p, int n) throws ImageException {
        if (n < 0 || p + n > b.length) throw new ImageException("zstd: a block shorter than its headers say");
    }

    private int readByte() throws IOException, ImageException {
        int v = in.read();
        if (v < 0) throw truncated();
        return v;
    }

    private int readLe(int n) throws IOException, ImageException {
        int v = 0;
        for (int i = 0; i < n; i++) v |= readByte() << (8 * i);
        return v;
    }

    private void readFully(byte[] b, int off, int n) throws IOException, ImageException {
        if (in.readNBytes(b, off, n) != n) throw truncated();
    }

    private static ImageException truncated() {
        return new ImageException("zstd: the data ends inside a frame");
    }
}
