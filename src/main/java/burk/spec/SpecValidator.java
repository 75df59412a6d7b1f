package burk.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The runtime-spec's semantic rules that can be checked without touching the system: every
 * "MUST" of config.md / config-linux.md that is decidable from the document, plus the static
 * checks runc makes before it creates anything (so a config runc rejects is rejected here, with
 * the field's JSON path in the message).
 *
 * <p>Each method throws a {@link SpecException} for the first error found and returns the
 * warnings (things the spec says to warn about rather than fail on, such as an unknown capability
 * name).
 *
 * <p>Messages are built only when a rule is broken (no {@code +} on the success path: the first
 * string concatenation bootstraps an invokedynamic call site, about 20 ms at JVM start-up, and
 * this runs on every {@code create}).
 *
 * <p>One deliberate difference from runc: a relative {@code mounts[].destination} is an error.
 * The spec still lets Linux runtimes read it as relative to "/" (deprecated) and runc only warns;
 * burk resolves every mount target inside the rootfs and refuses to guess.
 */
public final class SpecValidator {
    private static final int NSEC_PER_SEC = 1_000_000_000;
    /** IFNAMSIZ is 16 including the terminating NUL: the kernel's dev_valid_name() allows 15. */
    private static final int MAX_NETDEV_NAME = 15;

    private final List<String> warnings = new ArrayList<>();

    private SpecValidator() {
    }

    /**
     * Validates a configuration for operations that do not run its process (e.g. {@code delete},
     * reading hooks): {@code process} may be absent, but is checked when present.
     *
     * @return warnings, possibly empty
     * @throws SpecException for the first rule broken
     */
    public static List<String> validate(RuntimeSpec spec) {
        SpecValidator v = new SpecValidator();
        v.checkSpec(spec, false);
        return List.copyOf(v.warnings);
    }

    /**
     * Validates a configuration to {@code create} or {@code run} a container from: as
     * {@link #validate} and {@code process} is required.
     */
    public static List<String> validateForCreate(RuntimeSpec spec) {
        SpecValidator v = new SpecValidator();
        v.checkSpec(spec, true);
        return List.copyOf(v.warnings);
    }

    /**
     * Validates the process of {@code exec --process FILE}; error paths are relative to the
     * process object ({@code args: ...}), as {@link SpecCodec#parseProcess} reports them.
     */
    public static List<String> validateProcess(ProcessSpec process) {
        SpecValidator v = new SpecValidator();
        v.checkProcess(process, "");
        return List.copyOf(v.warnings);
    }

    // --- document --------------------------------------------------------------------------------

    private void checkSpec(RuntimeSpec spec, boolean processRequired) {
        checkVersion(spec.ociVersion());
        if (spec.root() == null) {
            throw new SpecException("root", "required");
        }
        if (isEmpty(spec.root().path())) {
            throw new SpecException("root.path", "required");
        }
        if (spec.process() != null) {
            checkProcess(spec.process(), "process.");
        } else if (processRequired) {
            throw new SpecException("process", "required to create a container");
        }
        Linux linux = spec.linuxOrEmpty();
        // runc: a hostname needs a UTS namespace of the container's own, or it would rename the host.
        if (!isEmpty(spec.hostname()) && !linux.hasNamespace(NamespaceType.UTS)) {
            throw noNamespace("hostname", "uts");
        }
        if (!isEmpty(spec.domainname()) && !linux.hasNamespace(NamespaceType.UTS)) {
            throw noNamespace("domainname", "uts");
        }
        checkMounts(spec.mounts(), linux);
        if (spec.hooks() != null) {
            checkHooks(spec.hooks());
        }
        checkLinux(linux);
    }

    /** ociVersion MUST be SemVer 2.0.0; burk reads major version 1 only. */
    private static void checkVersion(String version) {
        if (isEmpty(version)) {
            throw new SpecException("ociVersion", "required");
        }
        int major = semverMajor(version);
        if (major < 0) {
            throw new SpecException("ociVersion", Json.quote(version)
                    + " is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")");
        }
        if (major != 1) {
            throw new SpecException("ociVersion", Json.quote(version)
                    + " is not supported: burk implements runtime-spec 1.x");
        }
    }

    /**
     * The major version of a SemVer 2.0.0 string, or -1 if it is not one (no regex: this runs on
     * every create).
     */
    static int semverMajor(String v) {
        int n = v.length();
        int i = 0;
        long major = 0;
        for (int part = 0; part < 3; part++) {
            int start = i;
            long value = 0;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                value = value * 10 + (v.charAt(i) - '0');
                if (value > Integer.MAX_VALUE) {
                    return -1;
                }
                i++;
            }
            if (i == start || (i - start > 1 && v.charAt(start) == '0')) {
                return -1;
            }
            if (part == 0) {
                major = value;
            }
            if (part < 2) {
                if (i >= n || v.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        if (i < n && v.charAt(i) == '-') {
            i = semverIdentifiers(v, i + 1, true);
            if (i < 0) {
                return -1;
            }
        }
        if (i < n && v.charAt(i) == '+') {
            i = semverIdentifiers(v, i + 1, false);
            if (i < 0) {
                return -1;
            }
        }
        return i == n ? (int) major : -1;
    }

    /** Skips dot-separated identifiers from {@code i}; returns the end, or -1 if malformed. */
    private static int semverIdentifiers(String v, int i, boolean prerelease) {
        int n = v.length();
        while (true) {
            int start = i;
            boolean numeric = true;
            while (i < n) {
                char c = v.charAt(i);
                boolean digit = c >= '0' && c <= '9';
                if (!(digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
                    break;
                }
                numeric &= digit;
                i++;
            }
            if (i == start) {
                return -1;
            }
            // SemVer: numeric pre-release identifiers have no leading zeros (build metadata may).
            if (prerelease && numeric && i - start > 1 && v.charAt(start) == '0') {
                return -1;
            }
            if (i < n && v.charAt(i) == '.') {
                i++;
                continue;
            }
            return i;
        }
    }

    // --- process ---------------------------------------------------------------------------------

    private void checkProcess(ProcessSpec p, String prefix) {
        if (p.args().isEmpty()) {
            throw new SpecException(prefix + "args", "must contain at least one entry");
        }
        for (int i = 0; i < p.args().size(); i++) {
            if (hasNul(p.args().get(i))) {
                throw nul(prefix + "args[" + i + "]");
            }
        }
        for (int i = 0; i < p.env().size(); i++) {
            checkEnv(p.env().get(i), prefix, i);
        }
        if (isEmpty(p.cwd())) {
            throw new SpecException(prefix + "cwd", "required");
        }
        if (!isAbsolute(p.cwd())) {
            throw notAbsolute(prefix + "cwd", p.cwd());
        }
        if (hasNul(p.cwd())) {
            throw nul(prefix + "cwd");
        }
        checkRlimits(p.rlimits(), prefix);
        // OOM_SCORE_ADJ_MIN/MAX: the kernel refuses anything else.
        if (p.oomScoreAdj() != null && outside(p.oomScoreAdj(), -1000, 1000)) {
            throw outOfRange(prefix + "oomScoreAdj", p.oomScoreAdj(), -1000, 1000);
        }
        if (p.scheduler() != null) {
            checkScheduler(p.scheduler(), prefix);
        }
        if (p.ioPriority() != null && outside(p.ioPriority().priority(), 0, 7)) {
            throw outOfRange(prefix + "ioPriority.priority", p.ioPriority().priority(), 0, 7);
        }
        if (p.capabilities() != null) {
            Capabilities c = p.capabilities();
            warnUnknownCapabilities(c.bounding(), prefix, "bounding");
            warnUnknownCapabilities(c.effective(), prefix, "effective");
            warnUnknownCapabilities(c.inheritable(), prefix, "inheritable");
            warnUnknownCapabilities(c.permitted(), prefix, "permitted");
            warnUnknownCapabilities(c.ambient(), prefix, "ambient");
        }
    }

    /** As runc: NAME=VALUE with a non-empty name and no NUL (execve could not pass it). */
    private static void checkEnv(String entry, String prefix, int i) {
        int eq = entry.indexOf('=');
        if (eq < 0) {
            throw new SpecException(prefix + "env[" + i + "]", Json.quote(entry) + " is not in the form NAME=VALUE");
        }
        if (eq == 0) {
            throw new SpecException(prefix + "env[" + i + "]", Json.quote(entry) + " has an empty name");
        }
        if (hasNul(entry)) {
            throw nul(prefix + "env[" + i + "]");
        }
    }

    private static void checkRlimits(List<Rlimit> rlimits, String prefix) {
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < rlimits.size(); i++) {
            Rlimit r = rlimits.get(i);
            if (isEmpty(r.type())) {
                throw new SpecException(prefix + "rlimits[" + i + "].type", "required");
            }
            if (!isKnownRlimit(r.type())) {
                throw new SpecException(prefix + "rlimits[" + i + "].type", "unknown rlimit " + Json.quote(r.type()));
            }
            if (!seen.add(r.type())) {
                throw new SpecException(prefix + "rlimits[" + i + "].type", "duplicate rlimit " + Json.quote(r.type()));
            }
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                throw new SpecException(prefix + "rlimits[" + i + "]", "soft limit " + Long.toUnsignedString(r.soft())
                        + " is greater than hard limit " + Long.toUnsignedString(r.hard()));
            }
        }
    }

    /** The resources of getrlimit(2) on Linux. */
    static boolean isKnownRlimit(String type) {
        return switch (type) {
            case "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
                 "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
                 "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK" -> true;
            default -> false;
        };
    }

    /** runc's checks, from sched_setattr(2). */
    private static void checkScheduler(Scheduler s, String prefix) {
        SchedulerPolicy policy = s.policy();
        if (policy == null) {
            throw new SpecException(prefix + "scheduler.policy", "required");
        }
        if ((policy == SchedulerPolicy.SCHED_OTHER || policy == SchedulerPolicy.SCHED_BATCH) && outside(s.nice(), -20, 19)) {
            throw outOfRange(prefix + "scheduler.nice", s.nice(), -20, 19);
        }
        if (s.priority() != 0 && policy != SchedulerPolicy.SCHED_FIFO && policy != SchedulerPolicy.SCHED_RR) {
            throw new SpecException(prefix + "scheduler.priority", "only SCHED_FIFO and SCHED_RR take a priority, policy is "
                    + policy.spec());
        }
        if (policy != SchedulerPolicy.SCHED_DEADLINE && (s.runtime() != 0 || s.deadline() != 0 || s.period() != 0)) {
            throw new SpecException(prefix + "scheduler", "runtime, deadline and period are only for SCHED_DEADLINE, policy is "
                    + policy.spec());
        }
    }

    private void warnUnknownCapabilities(List<String> caps, String prefix, String set) {
        for (int i = 0; i < caps.size(); i++) {
            if (!isKnownCapability(caps.get(i))) {
                warnings.add(prefix + "capabilities." + set + "[" + i + "]: unknown capability " + Json.quote(caps.get(i)) + ", ignored");
            }
        }
    }

    /** capabilities(7) names up to CAP_CHECKPOINT_RESTORE (Linux 5.9). */
    static boolean isKnownCapability(String name) {
        return switch (name) {
            case "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                 "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
                 "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
                 "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
                 "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
                 "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
                 "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
                 "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE" -> true;
            default -> false;
        };
    }

    // --- mounts, hooks ---------------------------------------------------------------------------

    private static void checkMounts(List<Mount> mounts, Linux linux) {
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            if (isEmpty(m.destination())) {
                throw new SpecException("mounts[" + i + "].destination", "required");
            }
            if (!isAbsolute(m.destination())) {
                throw notAbsolute("mounts[" + i + "].destination", m.destination());
            }
            // mount(2) takes C strings: a NUL would silently cut the value short.
            if (hasNul(m.destination())) {
                throw nul("mounts[" + i + "].destination");
            }
            if (hasNul(m.source())) {
                throw nul("mounts[" + i + "].source");
            }
            if (hasNul(m.type())) {
                throw nul("mounts[" + i + "].type");
            }
            for (int j = 0; j < m.options().size(); j++) {
                if (hasNul(m.options().get(j))) {
                    throw nul("mounts[" + i + "].options[" + j + "]");
                }
            }
            boolean uids = !m.uidMappings().isEmpty();
            boolean gids = !m.gidMappings().isEmpty();
            if (uids && !gids) {
                throw new SpecException("mounts[" + i + "].gidMappings", "required when uidMappings is set");
            }
            if (gids && !uids) {
                throw new SpecException("mounts[" + i + "].uidMappings", "required when gidMappings is set");
            }
            if (!uids && !linux.hasNamespace(NamespaceType.USER)) {
                for (String option : m.options()) {
                    if (option.equals("idmap") || option.equals("ridmap")) {
                        throw new SpecException("mounts[" + i + "].options", Json.quote(option)
                                + " needs uidMappings and gidMappings on the mount, or a user namespace in "
                                + "linux.namespaces");
                    }
                }
            }
        }
    }

    private static void checkHooks(Hooks hooks) {
        checkHookList(hooks.prestart(), "prestart");
        checkHookList(hooks.createRuntime(), "createRuntime");
        checkHookList(hooks.createContainer(), "createContainer");
        checkHookList(hooks.startContainer(), "startContainer");
        checkHookList(hooks.poststart(), "poststart");
        checkHookList(hooks.poststop(), "poststop");
    }

    private static void checkHookList(List<Hook> hooks, String event) {
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            if (isEmpty(h.path())) {
                throw new SpecException("hooks." + event + "[" + i + "].path", "required");
            }
            if (!isAbsolute(h.path())) {
                throw notAbsolute("hooks." + event + "[" + i + "].path", h.path());
            }
            if (h.timeout() != null && h.timeout() <= 0) {
                throw new SpecException("hooks." + event + "[" + i + "].timeout",
                        "must be greater than zero, got " + h.timeout());
            }
        }
    }

    // --- linux -----------------------------------------------------------------------------------

    private static void checkLinux(Linux linux) {
        checkNamespaces(linux);
        checkUserNamespace(linux);
        checkTimeNamespace(linux);
        checkDevices(linux.devices());
        checkSysctl(linux);
        checkPaths(linux.maskedPaths(), "linux.maskedPaths", linux);
        checkPaths(linux.readonlyPaths(), "linux.readonlyPaths", linux);
        if (linux.rootfsPropagation() != null && !linux.rootfsPropagation().isEmpty()) {
            checkPropagation(linux.rootfsPropagation());
        }
        if (linux.resources() != null) {
            checkResources(linux.resources());
        }
        checkNetDevices(linux);
        if (linux.intelRdt() != null) {
            checkIntelRdt(linux.intelRdt());
        }
        if (linux.memoryPolicy() != null) {
            checkMemoryPolicy(linux.memoryPolicy());
        }
        if (linux.seccomp() != null) {
            checkSeccomp(linux.seccomp().json());
        }
    }

    private static void checkNamespaces(Linux linux) {
        List<LinuxNamespace> namespaces = linux.namespaces();
        boolean[] seen = new boolean[NamespaceType.values().length];
        for (int i = 0; i < namespaces.size(); i++) {
            LinuxNamespace ns = namespaces.get(i);
            if (ns.type() == null) {
                throw new SpecException("linux.namespaces[" + i + "].type", "required");
            }
            if (seen[ns.type().ordinal()]) {
                throw new SpecException("linux.namespaces[" + i + "].type",
                        "duplicate namespace " + Json.quote(ns.type().spec()));
            }
            seen[ns.type().ordinal()] = true;
            if (ns.path() != null && !isAbsolute(ns.path())) {
                throw notAbsolute("linux.namespaces[" + i + "].path", ns.path());
            }
        }
    }

    private static void checkUserNamespace(Linux linux) {
        LinuxNamespace userns = linux.namespace(NamespaceType.USER);
        boolean uids = !linux.uidMappings().isEmpty();
        boolean gids = !linux.gidMappings().isEmpty();
        if (userns == null) {
            if (uids) {
                throw noNamespace("linux.uidMappings", "user");
            }
            if (gids) {
                throw noNamespace("linux.gidMappings", "user");
            }
        } else if (userns.path() == null && !uids && !gids) {
            // runc: a new user namespace without mappings leaves every id unmapped (nobody).
            throw new SpecException("linux.namespaces[" + linux.namespaces().indexOf(userns) + "]",
                    "a new user namespace needs linux.uidMappings or linux.gidMappings");
        }
    }

    private static void checkTimeNamespace(Linux linux) {
        if (linux.timeOffsets().isEmpty()) {
            return;
        }
        LinuxNamespace timens = linux.namespace(NamespaceType.TIME);
        if (timens == null) {
            throw noNamespace("linux.timeOffsets", "time");
        }
        if (timens.path() != null) {
            // Offsets can be written only before the first process enters a time namespace.
            throw new SpecException("linux.timeOffsets", "set, but linux.namespaces["
                    + linux.namespaces().indexOf(timens) + "] joins an existing time namespace; offsets apply "
                    + "only to a new one");
        }
        for (Map.Entry<String, TimeOffset> e : linux.timeOffsets().entrySet()) {
            // time_namespaces(7): only these two clocks have offsets.
            if (!e.getKey().equals("monotonic") && !e.getKey().equals("boottime")) {
                throw new SpecException(JsonFields.entryPath("linux.timeOffsets", e.getKey()),
                        "unknown clock (expected \"monotonic\" or \"boottime\")");
            }
            long ns = e.getValue().nanosecs();
            if (ns < 0 || ns >= NSEC_PER_SEC) {
                throw new SpecException(JsonFields.entryPath("linux.timeOffsets", e.getKey()) + ".nanosecs",
                        "must be less than 1000000000, got " + ns);
            }
        }
    }

    private static void checkDevices(List<LinuxDevice> devices) {
        for (int i = 0; i < devices.size(); i++) {
            LinuxDevice d = devices.get(i);
            if (isEmpty(d.type())) {
                throw new SpecException("linux.devices[" + i + "].type", "required");
            }
            switch (d.type()) {
                case "c", "b", "u", "p" -> {
                }
                default -> throw new SpecException("linux.devices[" + i + "].type", Json.quote(d.type())
                        + " is not a device type (expected c, b, u or p)");
            }
            if (isEmpty(d.path())) {
                throw new SpecException("linux.devices[" + i + "].path", "required");
            }
            if (!isAbsolute(d.path())) {
                throw notAbsolute("linux.devices[" + i + "].path", d.path());
            }
            if (hasNul(d.path())) {
                throw nul("linux.devices[" + i + "].path");
            }
            if (!d.type().equals("p")) {
                if (d.major() == null) {
                    throw new SpecException("linux.devices[" + i + "].major",
                            "required for device type " + Json.quote(d.type()));
                }
                if (d.minor() == null) {
                    throw new SpecException("linux.devices[" + i + "].minor",
                            "required for device type " + Json.quote(d.type()));
                }
            }
        }
    }

    /**
     * /proc/sys is only partly namespaced: a sysctl is allowed only when the container has its
     * own namespace for it, or it would change the host (the rules runc applies).
     */
    private static void checkSysctl(Linux linux) {
        for (String key : linux.sysctl().keySet()) {
            String name = dotted(key);
            if (isIpcSysctl(name)) {
                if (!linux.hasNamespace(NamespaceType.IPC)) {
                    throw sysctlNeeds(key, "ipc");
                }
                continue;
            }
            if (name.startsWith("net.")) {
                // A joined network namespace may be the host's; only the runtime can tell (stat).
                if (!linux.hasNamespace(NamespaceType.NETWORK)) {
                    throw sysctlNeeds(key, "network");
                }
                continue;
            }
            if (linux.hasNamespace(NamespaceType.UTS)) {
                if (name.equals("kernel.domainname")) {
                    continue;
                }
                if (name.equals("kernel.hostname")) {
                    throw new SpecException("linux.sysctl", Json.quote(key)
                            + " conflicts with the hostname field; set hostname instead");
                }
            }
            if (name.startsWith("user.")) {
                // Writes the ucounts of the user namespace; without one of its own that is the host's.
                if (!linux.hasNamespace(NamespaceType.USER)) {
                    throw sysctlNeeds(key, "user");
                }
                continue;
            }
            throw new SpecException("linux.sysctl", Json.quote(key)
                    + " is not namespaced: setting it would change the host");
        }
    }

    private static boolean isIpcSysctl(String name) {
        return switch (name) {
            case "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
                 "kernel.shmmni", "kernel.shm_rmid_forced" -> true;
            default -> name.startsWith("fs.mqueue.");
        };
    }

    /**
     * sysctl(8) also accepts '/' as the separator ({@code net/ipv4/ip_forward}); then a '.' is
     * part of a name ({@code net/ipv4/conf/eno2.100/rp_filter}). Normalises to the dotted form.
     */
    static String dotted(String key) {
        int sep = -1;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.' || c == '/') {
                sep = i;
                break;
            }
        }
        if (sep < 0 || key.charAt(sep) == '.') {
            return key;
        }
        char[] chars = key.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == '.') {
                chars[i] = '/';
            } else if (chars[i] == '/') {
                chars[i] = '.';
            }
        }
        return new String(chars);
    }

    private static SpecException sysctlNeeds(String key, String namespace) {
        String article = namespace.equals("ipc") ? " needs an " : " needs a ";
        return new SpecException("linux.sysctl", Json.quote(key) + article + namespace
                + " namespace, but there is no " + namespace + " namespace in linux.namespaces");
    }

    private static void checkPaths(List<String> paths, String path, Linux linux) {
        if (paths.isEmpty()) {
            return;
        }
        // runc: masking or remounting in the host's mount namespace would change the host.
        if (!linux.hasNamespace(NamespaceType.MOUNT)) {
            throw noNamespace(path, "mount");
        }
        for (int i = 0; i < paths.size(); i++) {
            if (!isAbsolute(paths.get(i))) {
                throw notAbsolute(path + "[" + i + "]", paths.get(i));
            }
            if (hasNul(paths.get(i))) {
                throw nul(path + "[" + i + "]");
            }
        }
    }

    private static void checkPropagation(String propagation) {
        switch (propagation) {
            case "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable" -> {
            }
            default -> throw new SpecException("linux.rootfsPropagation", Json.quote(propagation)
                    + " is not a propagation mode (expected shared, slave, private or unbindable, or their r- forms)");
        }
    }

    private static void checkResources(LinuxResources r) {
        for (int i = 0; i < r.devices().size(); i++) {
            DeviceRule d = r.devices().get(i);
            if (d.type() != null && !d.type().equals("a") && !d.type().equals("b") && !d.type().equals("c")) {
                throw new SpecException("linux.resources.devices[" + i + "].type", Json.quote(d.type())
                        + " is not a device type (expected a, b or c)");
            }
            // The spec makes access optional, but runc rejects an empty one: there is no rule to write.
            if (isEmpty(d.access())) {
                throw new SpecException("linux.resources.devices[" + i + "].access", "required");
            }
            for (int j = 0; j < d.access().length(); j++) {
                char c = d.access().charAt(j);
                if (c != 'r' && c != 'w' && c != 'm') {
                    throw new SpecException("linux.resources.devices[" + i + "].access", Json.quote(d.access())
                            + " may contain only r, w and m");
                }
            }
        }
        if (r.memory() != null && r.memory().swappiness() != null
                && Long.compareUnsigned(r.memory().swappiness(), 100) > 0) {
            throw new SpecException("linux.resources.memory.swappiness", "must be from 0 to 100, got "
                    + Long.toUnsignedString(r.memory().swappiness()));
        }
        CpuResources cpu = r.cpu();
        if (cpu != null && cpu.burst() != null && cpu.quota() != null && cpu.quota() > 0
                && Long.compareUnsigned(cpu.burst(), cpu.quota()) > 0) {
            throw new SpecException("linux.resources.cpu.burst", Long.toUnsignedString(cpu.burst())
                    + " is greater than quota " + cpu.quota());
        }
        if (r.blockIO() != null) {
            List<WeightDevice> weights = r.blockIO().weightDevice();
            for (int i = 0; i < weights.size(); i++) {
                if (weights.get(i).weight() == null && weights.get(i).leafWeight() == null) {
                    throw new SpecException("linux.resources.blockIO.weightDevice[" + i + "]",
                            "needs weight or leafWeight");
                }
            }
        }
        for (Map.Entry<String, RdmaLimit> e : r.rdma().entrySet()) {
            if (e.getValue().hcaHandles() == null && e.getValue().hcaObjects() == null) {
                throw new SpecException(JsonFields.entryPath("linux.resources.rdma", e.getKey()),
                        "needs hcaHandles or hcaObjects");
            }
        }
        for (int i = 0; i < r.hugepageLimits().size(); i++) {
            if (isEmpty(r.hugepageLimits().get(i).pageSize())) {
                throw new SpecException("linux.resources.hugepageLimits[" + i + "].pageSize", "required");
            }
        }
    }

    private static void checkNetDevices(Linux linux) {
        if (linux.netDevices().isEmpty()) {
            return;
        }
        if (!linux.hasNamespace(NamespaceType.NETWORK)) {
            throw noNamespace("linux.netDevices", "network");
        }
        for (Map.Entry<String, NetDevice> e : linux.netDevices().entrySet()) {
            if (!isValidNetDeviceName(e.getKey())) {
                throw new SpecException(JsonFields.entryPath("linux.netDevices", e.getKey()),
                        "not a valid network device name");
            }
            String name = e.getValue().name();
            if (name != null && !name.isEmpty() && !isValidNetDeviceName(name)) {
                throw new SpecException(JsonFields.entryPath("linux.netDevices", e.getKey()) + ".name",
                        Json.quote(name) + " is not a valid network device name");
            }
        }
    }

    /** The kernel's dev_valid_name(). */
    private static boolean isValidNetDeviceName(String name) {
        if (name.isEmpty() || name.length() > MAX_NETDEV_NAME || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c <= ' ') {
                return false;
            }
        }
        return true;
    }

    private static void checkIntelRdt(IntelRdt rdt) {
        String clos = rdt.closID();
        if (clos != null && (clos.equals(".") || clos.equals("..") || (clos.length() > 1 && clos.indexOf('/') >= 0))) {
            throw new SpecException("linux.intelRdt.closID", Json.quote(clos) + " is not a valid resctrl group name");
        }
        String mb = rdt.memBwSchema();
        if (mb != null && !mb.isEmpty()) {
            if (!mb.startsWith("MB:")) {
                throw new SpecException("linux.intelRdt.memBwSchema", "must start with \"MB:\"");
            }
            if (mb.indexOf('\n') >= 0) {
                throw new SpecException("linux.intelRdt.memBwSchema", "must not contain a newline");
            }
        }
        for (int i = 0; i < rdt.schemata().size(); i++) {
            if (rdt.schemata().get(i).indexOf('\n') >= 0) {
                throw new SpecException("linux.intelRdt.schemata[" + i + "]", "must not contain a newline");
            }
        }
    }

    private static void checkMemoryPolicy(MemoryPolicy p) {
        if (isEmpty(p.mode())) {
            throw new SpecException("linux.memoryPolicy.mode", "required");
        }
        if (!MemoryPolicy.MODES.contains(p.mode())) {
            throw new SpecException("linux.memoryPolicy.mode", "unknown memory policy mode " + Json.quote(p.mode()));
        }
        boolean hasNodes;
        try {
            hasNodes = !p.nodeSet().isEmpty();
        } catch (IllegalArgumentException e) {
            throw new SpecException("linux.memoryPolicy.nodes", e.getMessage());
        }
        // set_mempolicy(2): the default and local policies take no nodes, these four at least one;
        // MPOL_PREFERRED with none means local allocation.
        switch (p.mode()) {
            case "MPOL_DEFAULT", "MPOL_LOCAL" -> {
                if (hasNodes) {
                    throw new SpecException("linux.memoryPolicy.nodes", "must be empty for " + p.mode());
                }
            }
            case "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED_MANY" -> {
                if (!hasNodes) {
                    throw new SpecException("linux.memoryPolicy.nodes", "required for " + p.mode());
                }
            }
            default -> {
            }
        }
        for (int i = 0; i < p.flags().size(); i++) {
            if (!MemoryPolicy.FLAGS.contains(p.flags().get(i))) {
                throw new SpecException("linux.memoryPolicy.flags[" + i + "]", "unknown memory policy flag "
                        + Json.quote(p.flags().get(i)));
            }
        }
        if (p.flags().contains("MPOL_F_STATIC_NODES") && p.flags().contains("MPOL_F_RELATIVE_NODES")) {
            throw new SpecException("linux.memoryPolicy.flags",
                    "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other (set_mempolicy(2))");
        }
    }

    /**
     * The two seccomp MUSTs that need no compiler; burk.seccomp validates and compiles the rest
     * (types, actions, architectures, syscall names).
     */
    private static void checkSeccomp(Map<String, Object> seccomp) {
        Object metadata = seccomp.get("listenerMetadata");
        Object listener = seccomp.get("listenerPath");
        if (metadata instanceof String m && !m.isEmpty() && (!(listener instanceof String l) || l.isEmpty())) {
            throw new SpecException("linux.seccomp.listenerMetadata", "set, but linux.seccomp.listenerPath is not");
        }
        if (seccomp.get("syscalls") instanceof List<?> syscalls) {
            for (int i = 0; i < syscalls.size(); i++) {
                if (syscalls.get(i) instanceof Map<?, ?> rule
                        && (!(rule.get("names") instanceof List<?> names) || names.isEmpty())) {
                    throw new SpecException("linux.seccomp.syscalls[" + i + "].names", "must contain at least one entry");
                }
            }
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static SpecException noNamespace(String path, String namespace) {
        return new SpecException(path, "set, but there is no " + namespace + " namespace in linux.namespaces");
    }

    private static boolean isAbsolute(String path) {
        return !path.isEmpty() && path.charAt(0) == '/';
    }

    private static SpecException notAbsolute(String path, String value) {
        return new SpecException(path, Json.quote(value) + " is not an absolute path");
    }

    private static boolean hasNul(String value) {
        return value != null && value.indexOf('\0') >= 0;
    }

    private static SpecException nul(String path) {
        return new SpecException(path, "contains a NUL character");
    }

    private static boolean outside(long value, long min, long max) {
        return value < min || value > max;
    }

    private static SpecException outOfRange(String path, long value, long min, long max) {
        return new SpecException(path, "must be from " + min + " to " + max + ", got " + value);
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
