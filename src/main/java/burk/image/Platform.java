package burk.image;

import java.util.Locale;
import java.util.Map;

/**
 * An image platform: os, architecture and variant as the OCI image index names them. The
 * current machine's is derived from the JVM's os.arch with Go's architecture names, which are
 * the ones registries use.
 */
public record Platform(String os, String architecture, String variant) {
    public Platform {
        if (variant != null && variant.isEmpty()) variant = null;
    }

    /** Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
    public static Platform parse(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("/");
        if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty()) {
            throw new IllegalArgumentException("invalid platform \"" + s + "\": expected os/arch[/variant]");
        }
        String arch = normalizeArch(p[1]);
        String variant = p.length == 3 ? p[2] : null;
        if (arch.equals("arm64") && "v8".equals(variant)) variant = null;
        return new Platform(p[0], arch, variant);
    }

    /** The platform of this machine. */
    public static Platform current() {
        String arch = normalizeArch(System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT));
        return new Platform("linux", arch, arch.equals("arm") ? "v7" : null);
    }

    private static String normalizeArch(String a) {
        return Map.of("x86_64", "amd64", "aarch64", "arm64", "x86", "386", "i386", "386", "i686", "386",
                "ppc64le", "ppc64le", "s390x", "s390x", "riscv64", "riscv64").getOrDefault(a, a);
    }

    /** True when an index entry for {@code other} can run here as this platform asks. */
    public boolean matches(Platform other) {
        if (other == null) return false;
        if (!os.equals(other.os) || !architecture.equals(other.architecture)) return false;
        if (variant == null) return true;
        String ov = other.variant == null && other.architecture.equals("arm64") ? "v8" : other.variant;
        return variant.equals(ov);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
