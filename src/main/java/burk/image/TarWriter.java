package burk.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a POSIX tar stream (ustar headers, PAX records for what ustar cannot hold: long names,
 * large ids, sub-second times, xattrs). The output depends only on the entries given, so an archive
 * written twice from the same content is byte-identical (needed for stable layer digests).
 */
public final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;
    private final OutputStream out;
    private long written;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes a header and, for a regular file, exactly {@code e.size()} bytes from {@code data}. */
    public void add(TarEntry e, InputStream data) throws IOException {
        Map<String, String> pax = new TreeMap<>();
        byte[] nameBytes = e.name().getBytes(StandardCharsets.UTF_8);
        String name = e.name();
        String prefix = "";
        if (nameBytes.length > 100) {
            int split = splitPoint(e.name());
            if (split < 0) {
                pax.put("path", e.name());
                name = truncate(e.name(), 100);
            } else {
                prefix = e.name().substring(0, split);
                name = e.name().substring(split + 1);
            }
        }
        String link = e.linkName();
        if (link.getBytes(StandardCharsets.UTF_8).length > 100) {
            pax.put("linkpath", link);
            link = truncate(link, 100);
        }
        if (e.uid() > 07777777) pax.put("uid", Integer.toString(e.uid()));
        if (e.gid() > 07777777) pax.put("gid", Integer.toString(e.gid()));
        long size = e.type() == TarEntry.Type.FILE ? e.size() : 0;
        if (size > 077777777777L) pax.put("size", Long.toString(size));
        long sec = Math.floorDiv(e.mtimeNanos(), 1_000_000_000L);
        long nanos = Math.floorMod(e.mtimeNanos(), 1_000_000_000L);
        if (nanos != 0 || sec < 0 || sec > 077777777777L) {
            pax.put("mtime", sec + (nanos != 0 ? "." + String.format("%09d", nanos).replaceAll("0+$", "") : ""));
        }
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), new String(x.getValue(), StandardCharsets.ISO_8859_1));
        }
        if (!pax.isEmpty()) writePax(pax, e.name());
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, e.mode() & 07777);
        octal(h, 108, 8, Math.min(e.uid(), 07777777));
        octal(h, 116, 8, Math.min(e.gid(), 07777777));
        octal(h, 124, 12, Math.min(size, 077777777777L));
        octal(h, 136, 12, Math.max(0, Math.min(sec, 077777777777L)));
        h[156] = (byte) e.type().flag;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        if (e.type() == TarEntry.Type.CHAR || e.type() == TarEntry.Type.BLOCK) {
            octal(h, 329, 8, e.devMajor());
            octal(h, 337, 8, e.devMinor());
        }
        put(h, 345, 155, prefix);
        checksum(h);
        write(h, h.length);
        if (size > 0) {
            byte[] buf = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = data.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException("tar: " + e.name() + " is shorter than its header says");
                write(buf, n);
                left -= n;
            }
            pad();
        }
    }

    /** Writes a data-less entry. */
    public void add(TarEntry e) throws IOException {
        if (e.type() == TarEntry.Type.FILE && e.size() != 0) throw new IllegalArgumentException("file entry needs data");
        add(e, InputStream.nullInputStream());
    }

    private void writePax(Map<String, String> pax, String name) throws IOException {
        byte[] data = encodePax(pax);
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, truncate("PaxHeaders/" + name, 100));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, data.length);
        octal(h, 136, 12, 0);
        h[156] = 'x';
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        checksum(h);
        write(h, h.length);
        write(data, data.length);
        pad();
    }

    /** PAX records: "len key=value\n", where len counts itself; xattr values are raw bytes. */
    private static byte[] encodePax(Map<String, String> pax) {
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, String> r : pax.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] val = r.getKey().startsWith("SCHILY.xattr.") ? r.getValue().getBytes(StandardCharsets.ISO_8859_1)
                    : r.getValue().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + val.length + 1;
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() != Integer.toString(body).length()) len = body + Integer.toString(len).length();
            bo.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            bo.writeBytes(key);
            bo.write('=');
            bo.writeBytes(val);
            bo.write('\n');
        }
        return bo.toByteArray();
    }

    private static int splitPoint(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length != name.length()) return -1;
        for (int i = Math.min(155, name.length() - 1); i > 0; i--) {
            if (name.charAt(i) == '/' && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) return i;
        }
        return -1;
    }

    private static String truncate(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) return s;
        return new String(b, 0, max, StandardCharsets.US_ASCII).replaceAll("[^\\x20-\\x7e]", "_");
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(h, off, len - 1, padded);
    }

    private static void checksum(byte[] h) {
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        String s = String.format("%06o", sum);
        put(h, 148, 6, s);
        h[154] = 0;
        h[155] = ' ';
    }

    private void write(byte[] b, int n) throws IOException {
        out.write(b, 0, n);
        written += n;
    }

    private void pad() throws IOException {
        int p = (int) ((BLOCK - (written % BLOCK)) % BLOCK);
        if (p > 0) write(new byte[p], p);
    }

    /** Writes the two zero blocks that end an archive, and flushes (the stream stays open). */
    public void finish() throws IOException {
        write(new byte[BLOCK * 2], BLOCK * 2);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }
}
