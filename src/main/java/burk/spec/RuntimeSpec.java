package burk.spec;

import java.util.List;
import java.util.Map;

/**
 * An OCI runtime-spec configuration ({@code config.json}), version 1.x, as far as Linux uses it.
 *
 * <p>Component names are the JSON property names. Conventions for every record in this package:
 * an absent optional object is {@code null}; an absent list or map is empty (never null), since
 * the spec gives "absent" and "empty" the same meaning there; optional numbers and booleans whose
 * absence differs from zero are boxed and null when absent. Unsigned 32-bit values are held in a
 * {@code long}; unsigned 64-bit values are held in a {@code long} bit for bit (so
 * {@code 18446744073709551615} is {@code -1L}; compare with {@link Long#compareUnsigned}).
 * Properties the model does not know are ignored when parsing, as the spec requires.
 *
 * @param ociVersion  the spec version the bundle complies with (SemVer); required
 * @param process     the container process; required to create a container, null otherwise
 * @param root        the root filesystem; required on Linux
 * @param hostname    the container's hostname, or null
 * @param domainname  the container's NIS domain name, or null
 * @param mounts      additional mounts, in order
 * @param hooks       lifecycle hooks, or null
 * @param annotations arbitrary metadata, in document order
 * @param linux       the Linux-specific configuration, or null
 */
public record RuntimeSpec(
        String ociVersion,
        ProcessSpec process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) {

    /**
     * The runtime-spec version burk writes into the documents it produces (config.json from
     * {@code burk spec}, state JSON). burk reads every 1.x document, including the 1.3 additions.
     */
    public static final String OCI_VERSION = "1.2.0";

    public RuntimeSpec {
        mounts = Copies.list(mounts);
        annotations = Copies.map(annotations);
    }

    /** {@link #linux()}, or an empty Linux section when absent. */
    public Linux linuxOrEmpty() {
        return linux == null ? Linux.EMPTY : linux;
    }

    /** A copy with another process. */
    public RuntimeSpec withProcess(ProcessSpec process) {
        return new RuntimeSpec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with another hostname. */
    public RuntimeSpec withHostname(String hostname) {
        return new RuntimeSpec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with other mounts. */
    public RuntimeSpec withMounts(List<Mount> mounts) {
        return new RuntimeSpec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with another Linux section. */
    public RuntimeSpec withLinux(Linux linux) {
        return new RuntimeSpec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }
}
