package burk.spec;

/** A net_prio entry: interface {@code name} and its {@code priority} (uint32). */
public record InterfacePriority(String name, long priority) {
}
