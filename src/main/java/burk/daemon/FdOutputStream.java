package burk.daemon;

import burk.linux.Fd;
import burk.linux.Syscalls;

import java.io.OutputStream;
import java.io.IOException;
import java.util.Arrays;

/** Writes to an fd received from a front (the caller's stdout or stderr); closing closes it. */
final class FdOutputStream extends OutputStream {
    private final Fd fd;

    FdOutputStream(Fd fd) { this.fd = fd; }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        Syscalls.writeFully(fd, off == 0 && len == b.length ? b : Arrays.copyOfRange(b, off, off + len));
    }

    @Override
    public void close() { fd.close(); }
}
