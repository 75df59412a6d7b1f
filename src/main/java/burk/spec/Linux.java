package burk.spec;

import java.util.List;
import java.util.Map;

/**
 * The runtime-spec {@code linux} object.
 *
 * @param namespaces        namespaces to create or join
 * @param uidMappings       user namespace uid mappings
 * @param gidMappings       user namespace gid mappings
 * @param timeOffsets       time namespace offsets by clock name ({@code monotonic}, {@code boottime})
 * @param devices           device nodes to provide
 * @param netDevices        (1.3) host network devices to move in, by host name
 * @param cgroupsPath       cgroup path, or null
 * @param resources         cgroup resource limits, or null
 * @param rootfsPropagation rootfs mount propagation, or null
 * @param seccomp           the seccomp profile as parsed JSON, or null (compiled by burk.seccomp)
 * @param sysctl            kernel parameters to set, in document order
 * @param maskedPaths       paths to mask
 * @param readonlyPaths     paths to make read-only
 * @param mountLabel        SELinux mount label, or null
 * @param personality       personality(2) domain, or null
 * @param intelRdt          Intel RDT (resctrl) settings, or null
 * @param memoryPolicy      (1.3) set_mempolicy(2) settings, or null
 */
public record Linux(
        List<LinuxNamespace> namespaces,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        Map<String, TimeOffset> timeOffsets,
        List<LinuxDevice> devices,
        Map<String, NetDevice> netDevices,
        String cgroupsPath,
        LinuxResources resources,
        String rootfsPropagation,
        LinuxSeccompRaw seccomp,
        Map<String, String> sysctl,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String mountLabel,
        Personality personality,
        IntelRdt intelRdt,
        MemoryPolicy memoryPolicy) {

    /** A Linux section with nothing set. */
    public static final Linux EMPTY = new Linux(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    public Linux {
        namespaces = Copies.list(namespaces);
        uidMappings = Copies.list(uidMappings);
        gidMappings = Copies.list(gidMappings);
        timeOffsets = Copies.map(timeOffsets);
        devices = Copies.list(devices);
        netDevices = Copies.map(netDevices);
        sysctl = Copies.map(sysctl);
        maskedPaths = Copies.list(maskedPaths);
        readonlyPaths = Copies.list(readonlyPaths);
    }

    /** The entry for {@code type} in {@link #namespaces()}, or null if the type is not listed. */
    public LinuxNamespace namespace(NamespaceType type) {
        for (LinuxNamespace ns : namespaces) {
            if (ns.type() == type) {
                return ns;
            }
        }
        return null;
    }

    /** Whether {@link #namespaces()} lists {@code type} (to create or to join). */
    public boolean hasNamespace(NamespaceType type) {
        return namespace(type) != null;
    }

    /** A copy with other namespaces. */
    public Linux withNamespaces(List<LinuxNamespace> namespaces) {
        return new Linux(namespaces, uidMappings, gidMappings, timeOffsets, devices, netDevices, cgroupsPath,
                resources, rootfsPropagation, seccomp, sysctl, maskedPaths, readonlyPaths, mountLabel, personality,
                intelRdt, memoryPolicy);
    }

    /** A copy with other user namespace mappings. */
    public Linux withIdMappings(List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
        return new Linux(namespaces, uidMappings, gidMappings, timeOffsets, devices, netDevices, cgroupsPath,
                resources, rootfsPropagation, seccomp, sysctl, maskedPaths, readonlyPaths, mountLabel, personality,
                intelRdt, memoryPolicy);
    }

    /** A copy with other resources (null for none). */
    public Linux withResources(LinuxResources resources) {
        return new Linux(namespaces, uidMappings, gidMappings, timeOffsets, devices, netDevices, cgroupsPath,
                resources, rootfsPropagation, seccomp, sysctl, maskedPaths, readonlyPaths, mountLabel, personality,
                intelRdt, memoryPolicy);
    }
}
