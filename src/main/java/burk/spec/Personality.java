package burk.spec;

import java.util.List;

/** {@code linux.personality}: execution domain and flags (the spec defines no flags yet). */
public record Personality(PersonalityDomain domain, List<String> flags) {
    public Personality {
        flags = Copies.list(flags);
    }
}
