package burk.runtime;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What {@code create} (and {@code run}) is asked to do.
 *
 * @param id       the container id
 * @param bundle   the bundle directory holding config.json
 * @param pidFile  where to write the init's pid (decimal, no newline), or null
 * @param noPivot  chroot instead of pivot_root (runc's --no-pivot, for ramdisk roots)
 * @param stdio    the fds (in this process) that become the container's 0, 1, 2 and then any
 *                 preserved fds, in order
 * @param explain  where to print the plan before running it, or null
 * @param consoleSocket a unix socket that receives the terminal master when process.terminal is
 *                 set (runc's --console-socket), or null
 * @param noNewKeyring keep the caller's session keyring (runc's --no-new-keyring)
 */
public record CreateRequest(String id, Path bundle, Path pidFile, boolean noPivot, int[] stdio, PrintStream explain,
                            Path consoleSocket, boolean noNewKeyring) {
    public CreateRequest {
        if (stdio == null) stdio = new int[] {0, 1, 2};
        if (stdio.length < 3) throw new IllegalArgumentException("stdio needs at least fds 0, 1 and 2");
    }

    /** A request with this process's stdio, no pid file and pivot_root. */
    public static CreateRequest of(String id, Path bundle) {
        return new CreateRequest(id, bundle, null, false, null, null, null, false);
    }

    public CreateRequest withPidFile(Path p) { return new CreateRequest(id, bundle, p, noPivot, stdio, explain, consoleSocket, noNewKeyring); }

    public CreateRequest withStdio(int[] fds) { return new CreateRequest(id, bundle, pidFile, noPivot, fds, explain, consoleSocket, noNewKeyring); }

    public CreateRequest withExplain(PrintStream out) { return new CreateRequest(id, bundle, pidFile, noPivot, stdio, out, consoleSocket, noNewKeyring); }

    public CreateRequest withNoPivot(boolean b) { return new CreateRequest(id, bundle, pidFile, b, stdio, explain, consoleSocket, noNewKeyring); }

    public CreateRequest withNoNewKeyring(boolean b) { return new CreateRequest(id, bundle, pidFile, noPivot, stdio, explain, consoleSocket, b); }

    public CreateRequest withConsoleSocket(Path p) { return new CreateRequest(id, bundle, pidFile, noPivot, stdio, explain, p, noNewKeyring); }
}
