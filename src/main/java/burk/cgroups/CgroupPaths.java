package burk.cgroups;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the runtime saves in its state file to find a container's cgroup again from another
 * process ({@code burk delete} after {@code burk create}): the resolved directories and the ones
 * burk created. Resolving the cgroupsPath again would not do: a relative path depends on the
 * cgroup of the process resolving it.
 *
 * @param version which driver made it
 * @param dirs    controller name to directory (v1; {@code name=systemd} included), or {@code ""} to the one directory (v2), as runc's state.json {@code cgroup_paths}
 * @param created directories burk created, outermost first; only these are ever removed
 * @param systemdUnit the scope systemd made for the container (systemd driver), else null
 */
public record CgroupPaths(CgroupVersion version, Map<String, Path> dirs, List<Path> created, String systemdUnit) {
    public CgroupPaths {
        dirs = Collections.unmodifiableMap(new LinkedHashMap<>(dirs));
        created = List.copyOf(created);
    }

    /** Paths of a cgroup the cgroupfs driver made (no systemd unit). */
    public CgroupPaths(CgroupVersion version, Map<String, Path> dirs, List<Path> created) {
        this(version, dirs, created, null);
    }
}
