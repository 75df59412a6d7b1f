package burk.runtime;

import java.util.Map;

/**
 * A container as {@code state} and {@code list} report it: the runtime-spec state plus the fields
 * runc adds (rootfs, created, owner).
 */
public record ContainerInfo(String ociVersion, String id, ContainerStatus status, int pid, String bundle,
                            String rootfs, String created, String owner, Map<String, String> annotations) {
}
