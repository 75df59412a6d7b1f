package burk.runtime;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.UnixSocket;
import burk.seccomp.SeccompProfile;
import burk.spec.ContainerState;
import burk.spec.Json;
import burk.spec.RuntimeSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seccomp agent of a profile with {@code SCMP_ACT_NOTIFY} rules (runtime-spec
 * config-linux.md, "Seccomp"): the process listening at {@code linux.seccomp.listenerPath} that
 * answers the notifications. It gets the filter's notify fd once, in one connection: SCM_RIGHTS
 * with the container process state as JSON.
 *
 * @param listenerPath the agent's socket, absolute (a relative listenerPath is taken from the bundle)
 * @param metadata     {@code linux.seccomp.listenerMetadata}, or null
 */
record SeccompAgent(Path listenerPath, String metadata) {
    /** The name of the notify fd in the state's {@code fds} (specs-go SeccompFdName). */
    static final String SECCOMP_FD = "seccompFd";

    /**
     * The agent of the container's profile, or null when no rule notifies: the spec says a
     * listenerPath is then ignored.
     */
    static SeccompAgent of(RuntimeSpec spec, Path bundle) {
        SeccompProfile profile = ProcessPlanner.seccompProfile(spec);
        if (profile == null || !profile.usesNotify()) return null;
        return new SeccompAgent(bundle.resolve(profile.listenerPath()).normalize(), profile.listenerMetadata());
    }

    /**
     * The container process state document: {@code pid} is the process whose filter {@code fd}
     * belongs to, as the runtime sees it; {@code state} is the container's state.
     */
    byte[] processState(int pid, ContainerState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", RuntimeSpec.OCI_VERSION);
        m.put("fds", new ArrayList<Object>(List.of(SECCOMP_FD)));
        m.put("pid", pid);
        if (metadata != null && !metadata.isEmpty()) m.put("metadata", metadata);
        m.put("state", Json.parse(state.toJson()));
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Connects to the agent and sends {@code notifyFd} with {@link #processState}, in one
     * sendmsg as far as the socket takes it, then closes the connection (the spec: exactly one
     * state per connection, never reused). burk's copy of the fd stays the caller's to close.
     */
    void send(Fd notifyFd, int pid, ContainerState state) throws RuntimeError {
        byte[] doc = processState(pid, state);
        Fd conn;
        try {
            conn = SocketAddresses.connect(listenerPath, UnixSocket::connect);
        } catch (LinuxException e) {
            throw new RuntimeError("linux.seccomp.listenerPath: cannot connect to the seccomp agent at " + listenerPath
                    + ": " + burk.linux.Errno.text(e.errno()), e);
        }
        try (conn) {
            UnixSocket.sendFd(conn, notifyFd.get(), doc);
        } catch (LinuxException e) {
            throw new RuntimeError("linux.seccomp.listenerPath: cannot send the seccomp notify fd to " + listenerPath
                    + ": " + burk.linux.Errno.text(e.errno()), e);
        }
    }
}
