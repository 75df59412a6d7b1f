package burk.spec;

import java.util.List;

/** {@code linux.resources.network}: {@code classID} (uint32, or null) and interface priorities. */
public record NetworkResources(Long classID, List<InterfacePriority> priorities) {
    public NetworkResources {
        priorities = Copies.list(priorities);
    }
}
