package burk.runtime;

import burk.seccomp.Arch;
import burk.seccomp.SeccompProfile;
import burk.spec.NamespaceType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The features document lists only what burk implements, with the spec's property names. */
class FeaturesTest {
    @Test
    void everyListedMountOptionIsOneMountOptionsUnderstandsAndNoRefusedOneIsListed() {
        for (String o : Features.MOUNT_OPTIONS) {
            MountOptions m = MountOptions.parse(List.of(o));
            assertEquals("", m.data(), o + " is a flag, propagation or bind option, not filesystem data");
        }
        for (String recursive : List.of("rro", "rnosuid", "ratime")) {
            assertTrue(MountOptions.parse(List.of(recursive)).hasRecursiveAttrs(), recursive + " is applied with mount_setattr");
        }
        assertEquals(MountOptions.Idmap.IDMAP, MountOptions.parse(List.of("idmap")).idmap());
        assertEquals(MountOptions.Idmap.RIDMAP, MountOptions.parse(List.of("rbind", "ridmap")).idmap());
        assertEquals(MountOptions.Idmap.IDMAP, MountOptions.parse(List.of("ridmap", "idmap")).idmap(),
                "the last of the two wins");
        assertEquals(MountOptions.Idmap.NONE, MountOptions.parse(List.of("rbind")).idmap());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDocumentHasTheSpecsPropertiesAndNamesBurksOwnTables() {
        Map<String, Object> d = Features.document();
        assertEquals(List.of("ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux"), List.copyOf(d.keySet()));
        assertEquals("1.0.0", d.get("ociVersionMin"));
        assertEquals(List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"),
                d.get("hooks"));
        Map<String, Object> linux = (Map<String, Object>) d.get("linux");
        assertEquals(List.of("namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt",
                "memoryPolicy", "mountExtensions", "netDevices"), List.copyOf(linux.keySet()));
        assertEquals(Map.of("enabled", true), linux.get("netDevices"));
        Map<String, Object> mpol = (Map<String, Object>) linux.get("memoryPolicy");
        assertEquals(List.of("MPOL_BIND", "MPOL_DEFAULT", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED",
                "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"), mpol.get("modes"));
        assertEquals(List.of("MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"), mpol.get("flags"));
        // every mode and flag listed is one the plan can turn into set_mempolicy's numbers
        for (Object m : (List<?>) mpol.get("modes")) {
            MemoryPolicies.modeArgument(new burk.spec.MemoryPolicy((String) m, null, List.of()));
        }
        MemoryPolicies.modeArgument(new burk.spec.MemoryPolicy("MPOL_BIND", "0", (List<String>) mpol.get("flags")));
        assertEquals(NamespaceType.values().length, ((List<?>) linux.get("namespaces")).size());
        for (Object ns : (List<?>) linux.get("namespaces")) assertTrue(NamespaceType.fromSpec((String) ns) != null);
        List<Object> caps = (List<Object>) linux.get("capabilities");
        assertEquals("CAP_CHOWN", caps.get(0));
        assertEquals("CAP_CHECKPOINT_RESTORE", caps.get(caps.size() - 1));
        Map<String, Object> seccomp = (Map<String, Object>) linux.get("seccomp");
        for (Object a : (List<?>) seccomp.get("actions")) assertTrue(SeccompProfile.Action.fromOciName((String) a).isPresent());
        for (Object o : (List<?>) seccomp.get("operators")) assertTrue(SeccompProfile.Operator.fromOciName((String) o).isPresent());
        for (Object a : (List<?>) seccomp.get("archs")) assertTrue(Arch.fromScmpName((String) a).isPresent());
        assertTrue(((List<?>) seccomp.get("archs")).contains("SCMP_ARCH_X86_64"));
        assertTrue(((List<?>) seccomp.get("actions")).contains("SCMP_ACT_NOTIFY"), "with listenerPath agents");
        assertEquals(Map.of("enabled", false), linux.get("apparmor"));
        assertEquals(false, ((Map<?, ?>) linux.get("cgroup")).get("systemd"), "no systemd cgroup driver yet");
        assertEquals(Map.of("idmap", Map.of("enabled", true)), linux.get("mountExtensions"),
                "mounts[].uidMappings and gidMappings are honoured (IdmapMountIT)");
    }
}
