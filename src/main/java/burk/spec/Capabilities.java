package burk.spec;

import java.util.List;

/**
 * {@code process.capabilities}: capability names (e.g. {@code CAP_KILL}) per set. Unknown names
 * are kept; the spec says a runtime warns about them rather than failing.
 */
public record Capabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {

    public Capabilities {
        bounding = Copies.list(bounding);
        effective = Copies.list(effective);
        inheritable = Copies.list(inheritable);
        permitted = Copies.list(permitted);
        ambient = Copies.list(ambient);
    }
}
