package burk.runtime;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Connecting to a unix socket by a path of any length. sockaddr_un.sun_path holds 107 bytes and a
 * NUL, and engines put the paths burk connects to deep (Docker's state dirs:
 * {@code EXEC_ROOT/runtime-NAME/moby/<64 hex>/}; a seccomp agent's socket wherever it likes), so a
 * longer path is reached through an O_PATH descriptor of its directory, as
 * {@code /proc/self/fd/N/NAME}, held open for the connect.
 */
final class SocketAddresses {
    /** sizeof(sockaddr_un.sun_path) less the terminating NUL. */
    static final int SUN_PATH_MAX = 107;

    private SocketAddresses() {}

    /** Connects an address that fits sun_path. */
    @FunctionalInterface
    interface Connector<T, E extends IOException> {
        T connect(String address) throws E;
    }

    static <T, E extends IOException> T connect(Path socket, Connector<T, E> connector) throws E, LinuxException {
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length <= SUN_PATH_MAX || socket.getParent() == null) {
            return connector.connect(socket.toString());
        }
        try (Fd dir = Syscalls.open(socket.getParent().toString(), Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0)) {
            return connector.connect("/proc/self/fd/" + dir.get() + "/" + socket.getFileName());
        }
    }
}
