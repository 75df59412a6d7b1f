package burk.daemon;

import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.UnixSocket;
import burk.linux.Syscalls;
import burk.runtime.ProcessHost;
import burk.runtime.RuntimeError;
import burk.runtime.helper.HelperSession;
import burk.runtime.plan.Plan;

import java.io.IOException;

/**
 * The front at the other end of one connection, as the {@link ProcessHost} of the command it asked
 * for: the helper is forked by the front (so the container's init descends from the engine's
 * process, as it would from a per-call JVM), and for a foreground run the front is the subreaper
 * that waits for the init and forwards signals to it. Each call is one request and one reply.
 */
final class FrontHost implements ProcessHost {
    private final Fd conn;
    private final Fd helperExe;

    /** {@code helperExe} is the daemon's sealed helper memfd, lent (not owned). */
    FrontHost(Fd conn, Fd helperExe) {
        this.conn = conn;
        this.helperExe = helperExe;
    }

    @Override
    public HelperSession spawnHelper(Plan plan, int[] childFds) throws IOException {
        Fd[] pair = Syscalls.socketPair();
        Fd mine = pair[0];
        try {
            try (Fd theirs = pair[1]) {
                Wire.Out m = new Wire.Out(Wire.SPAWN).u32(childFds.length);
                for (int fd : childFds) m.u32(fd);
                UnixSocket.send(conn, m.bytes(), helperExe.get(), theirs.get());
            }
            int pid = reply(Wire.SPAWNED);
            if (pid <= 0) {
                throw new IOException("the burk front cannot start the native helper: " + Errno.text(-pid));
            }
            return HelperSession.attach(plan, mine, pid);
        } catch (IOException | RuntimeException e) {
            mine.close();
            throw e;
        }
    }

    @Override
    public void becomeSubreaper() throws RuntimeError {
        try {
            UnixSocket.send(conn, new Wire.Out(Wire.SUBREAPER).bytes());
            int r = reply(Wire.RESULT);
            if (r < 0) throw new RuntimeError("cannot become a child subreaper: " + Errno.text(-r));
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    @Override
    public int startAndWait(int pid, StartAction start) throws RuntimeError {
        try {
            // FORWARD is answered once the front forwards signals: none can be lost around start.
            UnixSocket.send(conn, new Wire.Out(Wire.FORWARD).u32(pid).bytes());
            reply(Wire.RESULT);
            start.start();
            UnixSocket.send(conn, new Wire.Out(Wire.WAIT).u32(pid).bytes());
            int raw = reply(Wire.EXITED);
            if (raw < 0) {
                throw new RuntimeError("wait for the container process " + pid + ": " + Errno.text(-raw)
                        + (-raw == Errno.ECHILD ? " (the front is not its subreaper)" : ""));
            }
            // as a shell reports it: the exit code, or 128 + the signal
            return (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f);
        } catch (IOException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /** The front's answer, which must be of {@code type}; its one i32 field. */
    private int reply(int type) throws IOException {
        UnixSocket.Message r = Wire.receive(conn);
        if (r == null) throw new IOException("the burk front went away");
        for (Fd f : r.fds()) f.close();
        try {
            Wire.In in = new Wire.In(r.data(), r.data().length);
            if (in.type != type) throw new IOException("the burk front answered " + in.type + ", expected " + type);
            return in.u32();
        } catch (Wire.ProtocolException e) {
            throw new IOException("the burk front sent a bad message: " + e.getMessage(), e);
        }
    }

    /** Sends the final message: FALLBACK (nothing was done) or EXIT. A front that left is no error. */
    void finish(Outcome o) {
        try {
            byte[] m = o.isFallback() ? new Wire.Out(Wire.FALLBACK).str(o.fallbackReason()).bytes()
                    : new Wire.Out(Wire.EXIT).u32(o.exitCode()).bytes();
            UnixSocket.send(conn, m);
        } catch (LinuxException e) {
            // EPIPE: the front is gone; the command ran anyway
        }
    }
}
