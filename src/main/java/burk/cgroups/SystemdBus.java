package burk.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the systemd driver finds systemd: the system bus socket, and whether to check first that
 * the host was booted with systemd (sd_booted(3): /run/systemd/system exists). Tests point it at
 * a bus of their own with a fake systemd on it.
 *
 * @param socket        the bus daemon's unix socket
 * @param requireBooted check /run/systemd/system before connecting
 */
record SystemdBus(Path socket, boolean requireBooted) {
    static final Path BOOTED_MARKER = Path.of("/run/systemd/system");

    /** The system bus, at $DBUS_SYSTEM_BUS_ADDRESS when that is a unix:path= address. */
    static SystemdBus system() {
        String address = System.getenv("DBUS_SYSTEM_BUS_ADDRESS");
        Path socket = Path.of("/run/dbus/system_bus_socket");
        if (address != null && address.startsWith("unix:path=")) {
            String path = address.substring("unix:path=".length());
            int comma = path.indexOf(',');
            socket = Path.of(comma < 0 ? path : path.substring(0, comma));
        }
        return new SystemdBus(socket, true);
    }

    /** Throws the "systemd is not running" error when the host was not booted with systemd. */
    void checkBooted() {
        if (requireBooted && !Files.isDirectory(BOOTED_MARKER)) {
            throw new CgroupException("cgroup: systemd is not running: " + BOOTED_MARKER
                    + " does not exist, so this host was not booted with systemd (use the cgroupfs driver: no --systemd-cgroup)");
        }
    }
}
