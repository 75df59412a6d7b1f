package burk.image;

import java.util.regex.Pattern;

/**
 * An image reference, normalized as Docker and Podman normalize one: {@code busybox} is
 * {@code docker.io/library/busybox:latest}; a first component with a dot or a colon, or
 * {@code localhost}, is a registry ({@code registry:5000/team/app}); {@code name@sha256:...} pins a
 * digest, and a tag given with it is kept only for display.
 *
 * @param registry   the registry's host[:port], {@code docker.io} for Docker Hub
 * @param repository the path inside the registry, e.g. {@code library/busybox}
 * @param tag        the tag, or null when only a digest is given
 * @param digest     the pinned manifest digest, or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
                    + "|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

    public ImageReference {
        if (tag == null && digest == null) tag = "latest";
    }

    /**
     * Parses a reference as {@code docker pull} does.
     *
     * @throws IllegalArgumentException with Docker's wording for a malformed reference
     */
    public static ImageReference parse(String ref) {
        if (ref == null || ref.isEmpty()) throw new IllegalArgumentException("invalid reference format: empty");
        if (ref.length() > 512) throw new IllegalArgumentException("invalid reference format: too long");
        String rest = ref;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid reference format: " + ref + ": " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw new IllegalArgumentException("invalid reference format: bad tag in " + ref);
        }
        String registry;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? "" : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
            registry = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN.matcher(registry).matches()) throw new IllegalArgumentException("invalid reference format: bad registry in " + ref);
        } else {
            registry = DOCKER_HUB;
            path = rest;
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) registry = DOCKER_HUB;
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
        if (!path.equals(path.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("invalid reference format: repository name must be lowercase: " + ref);
        }
        for (String c : path.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) throw new IllegalArgumentException("invalid reference format: " + ref);
        }
        if (registry.length() + 1 + path.length() > 255) throw new IllegalArgumentException("repository name must not be more than 255 characters");
        return new ImageReference(registry, path, tag, digest);
    }

    /** True when the text names only a repository (no registry), as a short name Podman matches against local images. */
    public static boolean isShortName(String ref) {
        String s = ref;
        int at = s.indexOf('@');
        if (at >= 0) s = s.substring(0, at);
        int slash = s.indexOf('/');
        if (slash < 0) return true;
        String first = s.substring(0, slash);
        return !(first.contains(".") || first.contains(":") || first.equals("localhost"));
    }

    /** {@code registry/repository}. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The host the distribution API is reached at: Docker Hub's API lives on registry-1.docker.io. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /** What to ask the registry's manifest endpoint for: the digest if pinned, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    public ImageReference withTag(String t) {
        return new ImageReference(registry, repository, t, null);
    }

    public ImageReference withDigest(Digest d) {
        return new ImageReference(registry, repository, tag, d);
    }

    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
