package burk.runtime;

import burk.runtime.plan.Capabilities;
import burk.seccomp.Arch;
import burk.seccomp.SeccompProfile;
import burk.spec.MemoryPolicy;
import burk.spec.NamespaceType;
import burk.spec.RuntimeSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime-spec features document (features.md, features-linux.md): what this build of burk
 * implements, independent of what the host kernel offers. Every list names only what burk really
 * accepts; {@code FeaturesTest} checks each mount option against {@link MountOptions} and each
 * seccomp name against the compiler's own tables.
 */
public final class Features {
    private Features() {}

    /** The hooks burk runs, in the spec's order. */
    static final List<String> HOOKS = List.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");

    /**
     * The mount options {@link MountOptions} turns into mount(2) flags, propagation or bind
     * mounts, the recursive ones (applied with mount_setattr) and the id-mapping ones included;
     * anything else is passed to the filesystem as data, which the spec says not to list.
     */
    static final List<String> MOUNT_OPTIONS = List.of("async", "atime", "bind", "defaults", "dev", "diratime",
            "ratime", "rdev", "rdiratime", "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
            "rnostrictatime", "rnosuid", "rnosymfollow", "rro", "rrelatime", "rrw", "rstrictatime", "rsuid", "rsymfollow",
            "dirsync", "exec", "idmap", "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec",
            "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
            "rbind", "relatime", "ridmap", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared",
            "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable");

    /** The document, without annotations (the CLI adds the build's). */
    public static Map<String, Object> document() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersionMin", "1.0.0");
        m.put("ociVersionMax", RuntimeSpec.OCI_VERSION);
        m.put("hooks", new ArrayList<Object>(HOOKS));
        m.put("mountOptions", new ArrayList<Object>(MOUNT_OPTIONS));
        m.put("linux", linux());
        return m;
    }

    private static Map<String, Object> linux() {
        Map<String, Object> l = new LinkedHashMap<>();
        List<Object> namespaces = new ArrayList<>();
        for (NamespaceType t : NamespaceType.values()) namespaces.add(t.spec());
        namespaces.sort(null);
        l.put("namespaces", namespaces);
        l.put("capabilities", new ArrayList<Object>(Capabilities.names(allCapabilities())));
        Map<String, Object> cgroup = new LinkedHashMap<>();
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        cgroup.put("rdma", true);
        l.put("cgroup", cgroup);
        l.put("seccomp", seccomp());
        l.put("apparmor", enabled(false));
        l.put("selinux", enabled(false));
        l.put("intelRdt", enabled(false));
        Map<String, Object> mpol = new LinkedHashMap<>();
        mpol.put("modes", sorted(MemoryPolicy.MODES));
        mpol.put("flags", sorted(MemoryPolicy.FLAGS));
        l.put("memoryPolicy", mpol);
        Map<String, Object> idmap = new LinkedHashMap<>();
        idmap.put("idmap", enabled(true));
        l.put("mountExtensions", idmap);
        l.put("netDevices", enabled(true));
        return l;
    }

    private static long allCapabilities() {
        return Capabilities.LAST_KNOWN == 63 ? -1L : (1L << (Capabilities.LAST_KNOWN + 1)) - 1;
    }

    private static Map<String, Object> seccomp() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("enabled", true);
        s.put("actions", sorted(Arrays.stream(SeccompProfile.Action.values()).map(SeccompProfile.Action::ociName).toList()));
        s.put("operators", sorted(Arrays.stream(SeccompProfile.Operator.values()).map(SeccompProfile.Operator::ociName).toList()));
        s.put("archs", sorted(Arrays.stream(Arch.values()).map(Arch::scmpName).toList()));
        List<Object> flags = new ArrayList<>(Arrays.stream(SeccompProfile.Flag.values()).map(SeccompProfile.Flag::ociName).toList());
        s.put("knownFlags", flags);
        s.put("supportedFlags", new ArrayList<>(flags));
        return s;
    }

    private static List<Object> sorted(List<String> names) {
        List<Object> out = new ArrayList<>(names);
        out.sort(null);
        return out;
    }

    private static Map<String, Object> enabled(boolean on) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", on);
        return m;
    }
}
