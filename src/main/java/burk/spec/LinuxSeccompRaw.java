package burk.spec;

import java.util.Map;

/**
 * {@code linux.seccomp} kept as the parsed JSON object (see {@link Json#parse}): burk.seccomp
 * compiles it to BPF and owns its validation, so this package does not duplicate its model.
 */
public record LinuxSeccompRaw(Map<String, Object> json) {
    public LinuxSeccompRaw {
        json = Copies.map(json);
    }
}
