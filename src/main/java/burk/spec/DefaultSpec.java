package burk.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The starter {@code config.json} of {@code burk spec} (and {@code burk spec --rootless}): the
 * document {@code runc spec} writes, field for field, with these differences:
 * <ul>
 *   <li>{@code ociVersion} is {@link RuntimeSpec#OCI_VERSION}, and {@code hostname} is
 *       {@code "burk"} instead of {@code "runc"};</li>
 *   <li>the capability sets are those of runc 1.2+ (bounding, effective, permitted). runc 1.1
 *       also filled {@code inheritable} and {@code ambient}; runc dropped inheritable after
 *       CVE-2022-29162 (a non-empty inheritable set lets a setcap'd binary in the image gain those
 *       capabilities across execve even for a non-root user) and dropped ambient with it.</li>
 * </ul>
 * Like runc, the {@code cgroup} namespace is listed only on a cgroup v2 (unified) host.
 */
public final class DefaultSpec {
    private static final List<String> DEFAULT_CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private DefaultSpec() {
    }

    /** The default spec; a cgroup namespace if this host runs cgroup v2 only, as {@code runc spec}. */
    public static RuntimeSpec create() {
        return create(isCgroup2Unified());
    }

    /** The default spec, with or without a {@code cgroup} namespace. */
    public static RuntimeSpec create(boolean cgroupNamespace) {
        ProcessSpec process = new ProcessSpec(
                true,
                null,
                User.ROOT,
                List.of("sh"),
                null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"),
                "/",
                new Capabilities(DEFAULT_CAPS, DEFAULT_CAPS, List.of(), DEFAULT_CAPS, List.of()),
                List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)),
                true,
                null, null, null, null, null, null);

        List<Mount> mounts = List.of(
                new Mount("/proc", "proc", "proc", List.of()),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));

        List<LinuxNamespace> namespaces = new ArrayList<>(6);
        namespaces.add(LinuxNamespace.create(NamespaceType.PID));
        namespaces.add(LinuxNamespace.create(NamespaceType.NETWORK));
        namespaces.add(LinuxNamespace.create(NamespaceType.IPC));
        namespaces.add(LinuxNamespace.create(NamespaceType.UTS));
        namespaces.add(LinuxNamespace.create(NamespaceType.MOUNT));
        if (cgroupNamespace) {
            namespaces.add(LinuxNamespace.create(NamespaceType.CGROUP));
        }

        LinuxResources denyAllDevices = new LinuxResources(List.of(new DeviceRule(false, null, null, null, "rwm")),
                null, null, null, null, null, null, null, null);

        Linux linux = new Linux(
                namespaces, null, null, null, null, null, null,
                denyAllDevices,
                null, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                null, null, null, null);

        return new RuntimeSpec(RuntimeSpec.OCI_VERSION, process, new Root("rootfs", true), "burk", null, mounts,
                null, null, linux);
    }

    /** The rootless default spec for this process's effective uid and gid (read from /proc/self/status). */
    public static RuntimeSpec rootless() {
        long[] ids = effectiveIds();
        return toRootless(create(), ids[0], ids[1]);
    }

    /** The rootless default spec for the given host uid and gid. */
    public static RuntimeSpec rootless(long euid, long egid) {
        return toRootless(create(), euid, egid);
    }

    /**
     * {@code spec} made to work without privileges, as runc's {@code spec --rootless} does:
     * <ul>
     *   <li>a new user namespace mapping container root to {@code euid}/{@code egid} (one id each:
     *       without privileges a process may map only itself);</li>
     *   <li>no network namespace (an unprivileged user cannot configure one, and a container
     *       without a network would be useless);</li>
     *   <li>/sys bind-mounted read-only from the host (sysfs can be mounted only by the owner of the
     *       network namespace, which the container no longer has);</li>
     *   <li>{@code uid=}/{@code gid=} mount options removed (e.g. devpts' {@code gid=5}: that gid is
     *       not mapped in the user namespace, so the mount would fail);</li>
     *   <li>no {@code linux.resources}: an unprivileged user usually cannot write cgroup limits.</li>
     * </ul>
     * The {@code /sys/fs/cgroup} mount is kept, as runc has kept it since 1.0: with a cgroup
     * namespace it shows the container's own cgroup.
     */
    public static RuntimeSpec toRootless(RuntimeSpec spec, long euid, long egid) {
        Linux linux = spec.linuxOrEmpty();
        ArrayList<LinuxNamespace> namespaces = new ArrayList<>(linux.namespaces().size() + 1);
        for (LinuxNamespace ns : linux.namespaces()) {
            if (ns.type() != NamespaceType.NETWORK && ns.type() != NamespaceType.USER) {
                namespaces.add(ns);
            }
        }
        namespaces.add(LinuxNamespace.create(NamespaceType.USER));
        Linux rootlessLinux = linux.withNamespaces(namespaces)
                .withIdMappings(List.of(new IdMapping(0, euid, 1)), List.of(new IdMapping(0, egid, 1)))
                .withResources(null);

        ArrayList<Mount> mounts = new ArrayList<>(spec.mounts().size());
        for (Mount m : spec.mounts()) {
            if (isSys(m.destination())) {
                mounts.add(new Mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
                continue;
            }
            ArrayList<String> options = new ArrayList<>(m.options().size());
            for (String o : m.options()) {
                if (!o.startsWith("uid=") && !o.startsWith("gid=")) {
                    options.add(o);
                }
            }
            mounts.add(new Mount(m.destination(), m.type(), m.source(), options, m.uidMappings(), m.gidMappings()));
        }
        return spec.withMounts(mounts).withLinux(rootlessLinux);
    }

    /** Whether {@code destination} is /sys, spelled in any clean-equivalent way ("/sys/", "//sys"). */
    private static boolean isSys(String destination) {
        if (destination == null) {
            return false;
        }
        int start = 0;
        int end = destination.length();
        while (start < end && destination.charAt(start) == '/') {
            start++;
        }
        while (end > start && destination.charAt(end - 1) == '/') {
            end--;
        }
        return start > 0 && destination.regionMatches(start, "sys", 0, 3) && end - start == 3;
    }

    /** cgroup.controllers exists only at the root of a cgroup v2 hierarchy. */
    private static boolean isCgroup2Unified() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    /** {euid, egid}: the second field of the Uid: and Gid: lines of /proc/self/status. */
    private static long[] effectiveIds() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/status", e);
        }
        return new long[] {secondField(status, "Uid:"), secondField(status, "Gid:")};
    }

    static long secondField(String status, String label) {
        int at = 0;
        while (at >= 0 && !status.startsWith(label, at)) {
            at = status.indexOf('\n', at);
            at = at < 0 ? -1 : at + 1;
        }
        if (at < 0) {
            throw new IllegalStateException("/proc/self/status has no " + label + " line");
        }
        int i = at + label.length();
        int field = 0;
        while (i < status.length()) {
            while (i < status.length() && (status.charAt(i) == '\t' || status.charAt(i) == ' ')) {
                i++;
            }
            int start = i;
            while (i < status.length() && status.charAt(i) >= '0' && status.charAt(i) <= '9') {
                i++;
            }
            if (start == i) {
                break;
            }
            if (++field == 2) {
                return Long.parseLong(status, start, i, 10);
            }
        }
        throw new IllegalStateException("/proc/self/status: malformed " + label + " line");
    }
}
