package burk.spec;

import java.util.List;

/**
 * One entry of {@code mounts}.
 *
 * @param destination path inside the container
 * @param type        filesystem type, or null (bind mounts)
 * @param source      device, file or directory, or a dummy; or null
 * @param options     fstab-style options, in order
 * @param uidMappings id-mapped mount uid mapping
 * @param gidMappings id-mapped mount gid mapping
 */
public record Mount(
        String destination,
        String type,
        String source,
        List<String> options,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings) {

    public Mount {
        options = Copies.list(options);
        uidMappings = Copies.list(uidMappings);
        gidMappings = Copies.list(gidMappings);
    }

    /** A mount without id mappings. */
    public Mount(String destination, String type, String source, List<String> options) {
        this(destination, type, source, options, List.of(), List.of());
    }
}
