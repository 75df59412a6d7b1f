package burk.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Opens a layer blob as a tar stream, choosing the decompressor by the blob's first bytes rather
 * than by its media type (registries and archives mislabel layers often enough): gzip (the JDK's),
 * zstd (burk's own {@link ZstdInputStream}) or none.
 */
final class Compression {
    private Compression() {}

    static InputStream decompress(InputStream raw) throws IOException, ImageException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(4);
        byte[] m = in.readNBytes(4);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return new GZIPInputStream(in, 1 << 16);
        if (m.length == 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            // through a factory typed InputStream: the verifier then has no reason to load the
            // decoder's classes with this one; they load only when a zstd layer is met
            return ZstdInputStream.open(in);
        }
        return in;
    }
}
