package burk.image;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a tar stream (POSIX ustar with PAX extended headers, and GNU's long-name records and
 * base-256 numbers, which is what Docker, BuildKit and GNU tar write). Each entry's content is
 * read through {@link #content()} before the next call to {@link #next()}; unread content is
 * skipped. Header checksums are verified, because a corrupted header would otherwise become a
 * wrong path on disk.
 */
public final class TarReader implements AutoCloseable {
    private static final int BLOCK = 512;
    /** PAX and GNU long-name records larger than this are refused rather than buffered. */
    private static final long MAX_META = 1 << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private final InputStream content = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw new EOFException("tar: unexpected end of archive inside an entry");
            remaining -= n;
            return n;
        }
    };

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. */
    public TarEntry next() throws IOException {
        skipRest();
        String longName = null, longLink = null;
        Map<String, String> pax = new LinkedHashMap<>();
        while (true) {
            if (!readBlock(header)) return null;
            if (allZero(header)) return null;
            verifyChecksum();
            char flag = (char) header[156];
            long size = number(124, 12);
            switch (flag) {
                case 'L' -> {
                    longName = cString(readMeta(size));
                    continue;
                }
                case 'K' -> {
                    longLink = cString(readMeta(size));
                    continue;
                }
                case 'x' -> {
                    parsePax(readMeta(size), pax);
                    continue;
                }
                case 'g' -> {
                    readMeta(size);
                    continue;
                }
                default -> { }
            }
            return entry(flag, size, longName, longLink, pax);
        }
    }

    /** The current entry's content; empty for anything but regular files. */
    public InputStream content() {
        return content;
    }

    private TarEntry entry(char flag, long size, String longName, String longLink, Map<String, String> pax) throws IOException {
        String name = longName != null ? longName : field(0, 100);
        String magic = field(257, 6);
        if (longName == null && magic.equals("ustar")) {
            String prefix = field(345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
        }
        String link = longLink != null ? longLink : field(157, 100);
        int mode = (int) (number(100, 8) & 07777);
        long uid = number(108, 8), gid = number(116, 8);
        long mtimeNanos = number(136, 12) * 1_000_000_000L;
        if (pax.containsKey("path")) name = pax.get("path");
        if (pax.containsKey("linkpath")) link = pax.get("linkpath");
        if (pax.containsKey("size")) size = paxLong(pax, "size");
        if (pax.containsKey("uid")) uid = paxLong(pax, "uid");
        if (pax.containsKey("gid")) gid = paxLong(pax, "gid");
        if (pax.containsKey("mtime")) mtimeNanos = paxTime(pax.get("mtime"));
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : pax.entrySet()) {
            if (e.getKey().startsWith("SCHILY.xattr.")) {
                xattrs.put(e.getKey().substring(13), e.getValue().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        TarEntry.Type type = switch (flag) {
            case '0', '\0', '7' -> TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR;
            case '4' -> TarEntry.Type.BLOCK;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new IOException("tar: unsupported entry type '" + flag + "' for " + name);
        };
        if (type == TarEntry.Type.FILE && flag == '\0' && name.endsWith("/")) type = TarEntry.Type.DIRECTORY;
        if (size < 0 || uid < 0 || gid < 0 || uid > Integer.MAX_VALUE || gid > Integer.MAX_VALUE) {
            throw new IOException("tar: bad size or owner in the header of " + name);
        }
        long dataSize = (type == TarEntry.Type.FILE) ? size : 0;
        // Hard links, symlinks, devices and directories carry no data, whatever their size field says,
        // except that some writers give a hard link a size: skip it like tar(1) does.
        remaining = type == TarEntry.Type.FILE ? size : (type == TarEntry.Type.HARDLINK ? size : 0);
        padding = (BLOCK - (remaining % BLOCK)) % BLOCK;
        if (type == TarEntry.Type.HARDLINK) {
            skipRest();
        }
        return new TarEntry(name, type, mode, (int) uid, (int) gid, dataSize, mtimeNanos, link,
                (int) number(329, 8), (int) number(337, 8), xattrs);
    }

    private static long paxLong(Map<String, String> pax, String key) throws IOException {
        try {
            return Long.parseLong(pax.get(key));
        } catch (NumberFormatException e) {
            throw new IOException("tar: bad PAX " + key + ": " + pax.get(key));
        }
    }

    private static long paxTime(String s) throws IOException {
        try {
            int dot = s.indexOf('.');
            long sec = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
            long nanos = 0;
            if (dot >= 0) {
                String frac = (s.substring(dot + 1) + "000000000").substring(0, 9);
                nanos = Long.parseLong(frac);
                if (s.startsWith("-")) nanos = -nanos;
            }
            return sec * 1_000_000_000L + nanos;
        } catch (NumberFormatException e) {
            throw new IOException("tar: bad PAX mtime: " + s);
        }
    }

    private void parsePax(byte[] data, Map<String, String> pax) throws IOException {
        int pos = 0;
        while (pos < data.length) {
            int sp = pos;
            while (sp < data.length && data[sp] != ' ') sp++;
            if (sp >= data.length) throw new IOException("tar: malformed PAX header");
            int len;
            try {
                len = Integer.parseInt(new String(data, pos, sp - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("tar: malformed PAX record length");
            }
            if (len <= sp - pos || pos + len > data.length || data[pos + len - 1] != '\n') {
                throw new IOException("tar: malformed PAX record");
            }
            int eq = sp + 1;
            while (eq < pos + len && data[eq] != '=') eq++;
            if (eq >= pos + len) throw new IOException("tar: malformed PAX record (no '=')");
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            // xattr values are bytes; everything else is UTF-8 text.
            String value = key.startsWith("SCHILY.xattr.")
                    ? new String(data, eq + 1, pos + len - 1 - (eq + 1), StandardCharsets.ISO_8859_1)
                    : new String(data, eq + 1, pos + len - 1 - (eq + 1), StandardCharsets.UTF_8);
            pax.put(key, value);
            pos += len;
        }
    }

    private byte[] readMeta(long size) throws IOException {
        if (size < 0 || size > MAX_META) throw new IOException("tar: extended header of " + size + " bytes refused");
        byte[] b = in.readNBytes((int) size);
        if (b.length != size) throw new EOFException("tar: unexpected end of archive in an extended header");
        long pad = (BLOCK - (size % BLOCK)) % BLOCK;
        // read, not skip: a digesting stream underneath must see every byte
        if (in.readNBytes((int) pad).length != pad) throw new EOFException("tar: unexpected end of archive");
        return b;
    }

    private void skipRest() throws IOException {
        long n = remaining + padding;
        remaining = 0;
        padding = 0;
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new EOFException("tar: unexpected end of archive");
            n -= r;
        }
    }

    private boolean readBlock(byte[] b) throws IOException {
        int got = in.readNBytes(b, 0, BLOCK);
        if (got == 0) return false;
        if (got != BLOCK) throw new EOFException("tar: truncated header");
        return true;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private void verifyChecksum() throws IOException {
        long want = number(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        if (sum != want) throw new IOException("tar: header checksum mismatch (corrupt archive)");
    }

    private String field(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) end++;
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private long number(int off, int len) throws IOException {
        if ((header[off] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement in the remaining bytes.
            long v = header[off] & 0x3f;
            if ((header[off] & 0x40) != 0) v |= ~0x3fL;
            for (int i = 1; i < len; i++) v = (v << 8) | (header[off + i] & 0xff);
            return v;
        }
        long v = 0;
        int i = off, end = off + len;
        while (i < end && (header[i] == ' ' || header[i] == 0)) i++;
        for (; i < end; i++) {
            byte c = header[i];
            if (c == ' ' || c == 0) break;
            if (c < '0' || c > '7') throw new IOException("tar: bad octal number in header");
            v = (v << 3) | (c - '0');
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
