package burk.runtime.helper;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import burk.runtime.plan.Plan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the native helper: spawned with posix_spawn from a sealed copy, handed a plan over
 * the sync socket, then talked to with fixed-size messages until the plan reaches the start
 * barrier, execs, or fails. Closing the session closes burk's end of the socket; a helper still
 * waiting in a SYNC step then sees EOF and exits, so an aborted create leaves no process behind.
 */
public final class HelperSession implements AutoCloseable {
    private final Plan plan;
    private final Fd sync;
    private final int helperPid;
    private boolean helperReaped;
    private Fd received;

    private HelperSession(Plan plan, Fd sync, int helperPid) {
        this.plan = plan;
        this.sync = sync;
        this.helperPid = helperPid;
    }

    /**
     * Starts the helper. {@code childFds[i]} becomes the helper's fd {@code i} (0, 1, 2 are the
     * container's stdio; more are preserved fds); the sync socket follows them.
     */
    public static HelperSession spawn(Plan plan, int[] childFds) throws IOException {
        byte[] encoded = plan.encode();
        try (Fd exe = HelperBinary.sealedCopy()) {
            Fd[] pair = Syscalls.socketPair();
            Fd mine = pair[0];
            try (Fd theirs = pair[1]) {
                int[] map = java.util.Arrays.copyOf(childFds, childFds.length + 1);
                int syncNo = childFds.length;
                map[syncNo] = theirs.get();
                List<String> argv = new ArrayList<>(2);
                argv.add("burk-helper");
                argv.add(Integer.toString(syncNo));
                int pid = Syscalls.spawn("/proc/self/fd/" + exe.get(), argv, List.of(), map);
                return attach(plan, mine, pid, encoded, true);
            } catch (IOException | RuntimeException e) {
                if (mine.isOpen()) mine.close();
                throw e;
            }
        }
    }

    /**
     * A session with a helper someone else spawned (burk's native front, for the resident daemon):
     * {@code sync} is this side of its sync socket. Sends the plan. The spawner reaps the helper
     * (it is not this process's child).
     */
    public static HelperSession attach(Plan plan, Fd sync, int helperPid) throws IOException {
        return attach(plan, sync, helperPid, plan.encode(), false);
    }

    private static HelperSession attach(Plan plan, Fd sync, int helperPid, byte[] encoded, boolean ourChild)
            throws IOException {
        HelperSession s = new HelperSession(plan, sync, helperPid);
        s.helperReaped = !ourChild;
        try {
            byte[] len = {(byte) encoded.length, (byte) (encoded.length >>> 8),
                    (byte) (encoded.length >>> 16), (byte) (encoded.length >>> 24)};
            Syscalls.writeFully(sync, len);
            Syscalls.writeFully(sync, encoded);
        } catch (LinuxException e) {
            s.close();
            throw new IOException("cannot send the plan to the native helper: " + e.getMessage(), e);
        }
        return s;
    }

    public Plan plan() { return plan; }

    public int helperPid() { return helperPid; }

    /**
     * The next message, or null when the helper closed the socket (exec'd or exited). An fd sent
     * along (an {@code FD} message) is kept for {@link #takeFd()}; read with recvmsg for every
     * message, so an fd can never be left unread in the socket.
     */
    public HelperMessage next() throws IOException {
        byte[] b = new byte[HelperMessage.SIZE];
        int n = 0;
        while (n < b.length) {
            UnixSocket.Received r = UnixSocket.receive(sync, b.length - n);
            if (r.fd() != null) keep(r.fd());
            if (r.payload().length == 0) break;
            System.arraycopy(r.payload(), 0, b, n, r.payload().length);
            n += r.payload().length;
        }
        if (n == 0) return null;
        if (n < HelperMessage.SIZE) throw new IOException("the native helper sent a truncated message");
        HelperMessage m = HelperMessage.decode(b);
        if (m.kind() == HelperMessage.Kind.FD && received == null) {
            throw new IOException("the native helper sent an FD message without a file descriptor");
        }
        return m;
    }

    private void keep(Fd fd) throws IOException {
        if (received != null) {
            fd.close();
            throw new IOException("the native helper sent a file descriptor that no one took");
        }
        received = fd;
    }

    /**
     * The fd of the last {@code FD} message; the caller owns it from now on. Null when there is
     * none or it was taken already.
     */
    public Fd takeFd() {
        Fd fd = received;
        received = null;
        return fd;
    }

    /** Answers a SYNC: the helper goes on with its next step. */
    public void proceed() throws IOException {
        Syscalls.writeFully(sync, new byte[] {'C'});
    }

    /** Answers a DATA message: {@code u32 length} and the bytes (a RECV_DATA step waits for them). */
    public void sendData(byte[] data) throws IOException {
        byte[] len = {(byte) data.length, (byte) (data.length >>> 8), (byte) (data.length >>> 16), (byte) (data.length >>> 24)};
        Syscalls.writeFully(sync, len);
        Syscalls.writeFully(sync, data);
    }

    /** Reaps the helper process itself (not the container, which it cloned). */
    public Syscalls.WaitStatus reapHelper() throws IOException {
        if (helperReaped) return null;
        helperReaped = true;
        return Syscalls.waitPid(helperPid, 0);
    }

    /** A failure message for an ERROR message from this session's plan. */
    public StepFailure failure(HelperMessage m) {
        return new StepFailure(plan, m.step() == -1 ? -1 : m.step(), m.err(), m.value());
    }

    @Override
    public void close() {
        if (received != null) received.close();
        sync.close();
        if (!helperReaped) {
            try {
                reapHelper();
            } catch (IOException ignored) {
                // ECHILD: already reaped elsewhere; nothing left to clean.
            }
        }
    }
}
