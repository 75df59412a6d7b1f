package burk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Why linux.intelRdt cannot be honoured on this host. The runtime-spec makes a missing resctrl
 * mount an error ("If no mounted resctrl pseudo-filesystem is available in the runtime mount
 * namespace, the runtime MUST generate an error"), and runc refuses such a config at create
 * ("intelRdt is specified in config, but Intel RDT is not enabled"); burk says which of the
 * reasons holds, since each has a different remedy.
 */
final class IntelRdtSupport {
    private IntelRdtSupport() {}

    /** Where the kernel offers resctrl; the directory exists only when the kernel and the CPU support it. */
    static final Path DEFAULT_MOUNT = Path.of("/sys/fs/resctrl");

    /** The refusal for this host, naming the field and the reason. */
    static String refusal() {
        List<String> mountinfo = readLines(Path.of("/proc/self/mountinfo"));
        List<String> cpuinfo = readLines(Path.of("/proc/cpuinfo"));
        return refusal(Files.isDirectory(DEFAULT_MOUNT), mountinfo, cpuinfo);
    }

    /**
     * @param defaultDirExists whether /sys/fs/resctrl exists
     * @param mountinfo        the lines of /proc/self/mountinfo
     * @param cpuinfo          the lines of /proc/cpuinfo
     */
    static String refusal(boolean defaultDirExists, List<String> mountinfo, List<String> cpuinfo) {
        String mountPoint = resctrlMount(mountinfo);
        if (mountPoint != null) {
            return "linux.intelRdt: resctrl is mounted at " + mountPoint
                    + ", but applying Intel RDT settings is not supported by this burk version";
        }
        String prefix = "linux.intelRdt: set, but Intel RDT is not enabled on this host: ";
        if (defaultDirExists) {
            return prefix + "the resctrl filesystem is not mounted (mount -t resctrl resctrl " + DEFAULT_MOUNT + ")";
        }
        String why = hasCpuFlag(cpuinfo, "rdt_a")
                ? "the kernel was built without resctrl (CONFIG_X86_CPU_RESCTRL)"
                : "the CPU offers no resource allocation (no rdt_a flag in /proc/cpuinfo)";
        return prefix + "no resctrl filesystem (" + DEFAULT_MOUNT + " does not exist: " + why + ")";
    }

    /** The mount point of the first resctrl mount, or null. */
    static String resctrlMount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int sep = line.indexOf(" - ");
            if (sep < 0) continue;
            String[] after = line.substring(sep + 3).split(" ");
            if (after.length > 0 && after[0].equals("resctrl")) {
                String[] before = line.substring(0, sep).split(" ");
                if (before.length > 4) return before[4].replace("\\040", " ");
            }
        }
        return null;
    }

    private static boolean hasCpuFlag(List<String> cpuinfo, String flag) {
        for (String line : cpuinfo) {
            if (line.startsWith("flags") && List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")).contains(flag)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }
}
