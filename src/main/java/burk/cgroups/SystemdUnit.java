package burk.cgroups;

import java.util.regex.Pattern;

/**
 * A container's systemd scope as the runtime's {@code --systemd-cgroup} mode names it: OCI
 * {@code cgroupsPath} "slice:prefix:name" means the transient unit {@code prefix-name.scope} in
 * {@code slice} (runc's convention). An empty slice is {@value #DEFAULT_SLICE}; an empty or null
 * cgroupsPath is {@code system.slice:burk:<containerId>}.
 *
 * @param slice the slice unit, e.g. "system.slice" or "machine-app.slice"
 * @param unit  the scope unit, e.g. "burk-c1.scope"
 */
record SystemdUnit(String slice, String unit) {
    static final String DEFAULT_SLICE = "system.slice";
    static final String DEFAULT_PREFIX = "burk";

    /** Unit names are ASCII letters, digits and ":-_.\", at most 255 bytes (systemd.unit(5)). */
    private static final Pattern UNIT_CHARS = Pattern.compile("[A-Za-z0-9:_.\\\\-]+");

    static SystemdUnit parse(String cgroupsPath, String containerId) {
        String path = cgroupsPath == null || cgroupsPath.isEmpty() ? ":" + DEFAULT_PREFIX + ":" + containerId : cgroupsPath;
        String[] parts = path.split(":", -1);
        if (parts.length != 3) {
            throw new CgroupException("cgroup: cgroupsPath " + CgroupException.quote(path)
                    + " is not of the form slice:prefix:name, which the systemd cgroup driver needs");
        }
        String slice = parts[0].isEmpty() ? DEFAULT_SLICE : parts[0];
        String name = parts[2];
        if (name.isEmpty()) {
            throw new CgroupException("cgroup: cgroupsPath " + CgroupException.quote(path) + " names no unit");
        }
        if (name.endsWith(".slice")) {
            throw new CgroupException("cgroup: cgroupsPath " + CgroupException.quote(path)
                    + " names a slice as the container's unit; burk puts a container in a scope (give a name without .slice)");
        }
        String unit = parts[1].isEmpty() ? name + ".scope" : parts[1] + "-" + name + ".scope";
        checkScopeName(unit);
        expandSlice(slice);
        return new SystemdUnit(slice, unit);
    }

    /** A scope unit name: valid characters, at most 255 bytes, ".scope" at the end. */
    static void checkScopeName(String unit) {
        if (!UNIT_CHARS.matcher(unit).matches() || unit.length() > 255 || !unit.endsWith(".scope")) {
            throw new CgroupException("cgroup: " + CgroupException.quote(unit) + " is not a valid systemd scope name");
        }
    }

    /**
     * The cgroup path of a slice: each dash opens a level, "a-b.slice" lives in
     * "/a.slice/a-b.slice"; "-.slice" is the root (systemd.slice(5)).
     */
    static String expandSlice(String slice) {
        if (!slice.endsWith(".slice") || slice.contains("/") || !UNIT_CHARS.matcher(slice).matches()) {
            throw new CgroupException("cgroup: " + CgroupException.quote(slice) + " is not a valid slice name");
        }
        String name = slice.substring(0, slice.length() - ".slice".length());
        if (name.equals("-")) {
            return "/";
        }
        StringBuilder path = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        for (String part : name.split("-", -1)) {
            if (part.isEmpty()) {
                throw new CgroupException("cgroup: " + CgroupException.quote(slice) + " is not a valid slice name (empty part between dashes)");
            }
            prefix.append(prefix.isEmpty() ? "" : "-").append(part);
            path.append('/').append(prefix).append(".slice");
        }
        return path.toString();
    }

    /** The scope's cgroup path below the hierarchy root, e.g. "/system.slice/burk-c1.scope". */
    String cgroupPath() {
        String parent = expandSlice(slice);
        return (parent.equals("/") ? "" : parent) + "/" + unit;
    }
}
