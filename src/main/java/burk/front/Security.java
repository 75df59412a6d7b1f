package burk.front;

import burk.runtime.plan.Capabilities;
import burk.seccomp.Arch;
import burk.seccomp.DefaultProfiles;
import burk.seccomp.SeccompException;
import burk.seccomp.SeccompProfile;
import burk.spec.Json;
import burk.spec.JsonException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The security part of a front container's config, as Docker sets it: Docker's default
 * capabilities and the seccomp profile Docker applies for them, no_new_privs off (an image's
 * setuid programs work) unless {@code --security-opt no-new-privileges}; {@code --security-opt
 * seccomp=unconfined} or {@code seccomp=PROFILE.json}; and {@code --privileged}: every capability,
 * no seccomp filter, every host device with the device cgroup open, /sys and the cgroup tree
 * writable, no masked or read-only paths.
 */
final class Security {
    private Security() {}

    /** How the seccomp filter is chosen. */
    sealed interface Seccomp {
        /** Docker's default profile for the container's capabilities. */
        record Default() implements Seccomp {}

        /** No filter. */
        record Unconfined() implements Seccomp {}

        /** A profile file (Docker's and the runtime-spec's JSON). */
        record File(Path path) implements Seccomp {}
    }

    /** --security-opt values, parsed. */
    record Options(Seccomp seccomp, boolean noNewPrivileges) {}

    static Options parse(List<String> opts) throws FrontException {
        Seccomp seccomp = new Seccomp.Default();
        boolean nnp = false;
        for (String opt : opts) {
            // Docker also accepts the old "key:value" form
            int sep = opt.indexOf('=');
            if (sep < 0) sep = opt.indexOf(':');
            String key = sep < 0 ? opt : opt.substring(0, sep);
            String value = sep < 0 ? null : opt.substring(sep + 1);
            switch (key) {
                case "seccomp" -> {
                    if (value == null || value.isEmpty()) throw new FrontException("--security-opt seccomp: needs =unconfined or =PROFILE.json");
                    seccomp = value.equals("unconfined") ? new Seccomp.Unconfined() : new Seccomp.File(Path.of(value));
                }
                case "no-new-privileges" -> {
                    if (value == null || value.equals("true")) nnp = true;
                    else if (value.equals("false")) nnp = false;
                    else throw new FrontException("--security-opt no-new-privileges: true or false, not '" + value + "'");
                }
                // burk applies no LSM: asking for none of it is fine, asking for a profile is not
                case "apparmor" -> {
                    if (!"unconfined".equals(value)) throw new FrontException("--security-opt apparmor=" + value + ": AppArmor profiles are not supported by burk");
                }
                case "label" -> {
                    if (!"disable".equals(value)) throw new FrontException("--security-opt label=" + value + ": SELinux labels are not supported by burk");
                }
                default -> throw new FrontException("--security-opt " + opt + ": unknown option (seccomp=, no-new-privileges, apparmor=unconfined, label=disable)");
            }
        }
        return new Options(seccomp, nnp);
    }

    /**
     * Every capability burk itself may hand on, as --privileged gives (Docker takes the same set:
     * the capabilities in its own bounding set; one outside it cannot be raised by capset).
     */
    static List<String> allCapabilities() {
        long bounding = (1L << (Capabilities.LAST_KNOWN + 1)) - 1;
        try {
            // not Files.readString: on JDK 25 it returned only the first byte of a /proc file
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) bounding &= Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/self/status: the names burk knows
        }
        List<String> out = new ArrayList<>();
        for (String name : Capabilities.names(bounding)) out.add(name);
        return out;
    }

    /** Sets capabilities, no_new_privs, seccomp and (privileged) devices, mounts and paths in {@code tree}. */
    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> tree, RunOptions o) throws FrontException {
        Options opts = parse(o.securityOpts());
        Map<String, Object> p = (Map<String, Object>) tree.get("process");
        Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
        List<String> caps = o.privileged() ? allCapabilities() : SpecBuilder.DOCKER_CAPS;
        Map<String, Object> capSets = new LinkedHashMap<>();
        for (String set : List.of("bounding", "effective", "permitted")) capSets.put(set, new ArrayList<Object>(caps));
        p.put("capabilities", capSets);
        p.put("noNewPrivileges", opts.noNewPrivileges());

        // Docker: a privileged container runs without seccomp, whatever --security-opt says
        if (!o.privileged()) {
            switch (opts.seccomp()) {
                case Seccomp.Default d -> linux.put("seccomp", DefaultProfiles.docker(Arch.host(), new HashSet<>(caps)).toJson());
                case Seccomp.Unconfined u -> linux.remove("seccomp");
                case Seccomp.File f -> linux.put("seccomp", profileFile(f.path()));
            }
        } else {
            linux.remove("seccomp");
            linux.put("maskedPaths", new ArrayList<>());
            linux.put("readonlyPaths", new ArrayList<>());
            List<Object> mounts = new ArrayList<>();
            for (Object m : (List<Object>) tree.get("mounts")) {
                Map<String, Object> mount = new LinkedHashMap<>((Map<String, Object>) m);
                String dest = String.valueOf(mount.get("destination"));
                if ((dest.equals("/sys") || dest.equals("/sys/fs/cgroup")) && mount.get("options") instanceof List<?> l) {
                    List<Object> rw = new ArrayList<>(l);
                    rw.remove("ro");
                    mount.put("options", rw);
                }
                mounts.add(mount);
            }
            tree.put("mounts", mounts);
            linux.put("devices", HostDevices.list(Path.of("/dev")));
            Map<String, Object> res = new LinkedHashMap<>((Map<String, Object>) linux.getOrDefault("resources", Map.of()));
            res.put("devices", new ArrayList<Object>(List.of(new LinkedHashMap<>(Map.of("allow", true, "access", "rwm")))));
            linux.put("resources", res);
        }
    }

    /**
     * Docker's own profile files may make rules conditional on capabilities, architectures or the
     * kernel version ({@code includes}/{@code excludes}, {@code archMap}). The runtime-spec has no
     * such fields and ignores unknown ones, so such a rule would apply unconditionally: a profile
     * more permissive than its author wrote. Refused instead.
     */
    private static void refuseConditionalRules(Map<String, Object> m, Path f) throws FrontException {
        if (m.get("archMap") instanceof List<?> l && !l.isEmpty()) {
            throw new FrontException("--security-opt seccomp=" + f + ": Docker's archMap form is not supported: list \"architectures\"");
        }
        if (!(m.get("syscalls") instanceof List<?> rules)) return;
        for (int i = 0; i < rules.size(); i++) {
            if (!(rules.get(i) instanceof Map<?, ?> r)) continue;
            for (String k : List.of("includes", "excludes")) {
                if (r.get(k) instanceof Map<?, ?> c && !c.isEmpty()) {
                    throw new FrontException("--security-opt seccomp=" + f + ": syscalls[" + i + "]." + k
                            + ": conditional rules (Docker's profile form) are not supported: the rule would apply unconditionally");
                }
            }
        }
    }

    /** A seccomp profile file, checked the way the runtime will read it. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> profileFile(Path f) throws FrontException {
        try {
            Object json = Json.parse(Files.readString(f), f.toString());
            if (!(json instanceof Map<?, ?>)) throw new FrontException("--security-opt seccomp=" + f + ": not a JSON object");
            Map<String, Object> m = (Map<String, Object>) json;
            refuseConditionalRules(m, f);
            SeccompProfile.fromJson(m, f.toString());
            return m;
        } catch (IOException e) {
            throw new FrontException("--security-opt seccomp=" + f + ": " + e.getMessage(), e);
        } catch (JsonException | SeccompException e) {
            throw new FrontException("--security-opt seccomp=" + f + ": " + e.getMessage(), e);
        }
    }
}
