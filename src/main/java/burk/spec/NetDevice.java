package burk.spec;

/** A value of {@code linux.netDevices} (1.3): {@code name} inside the container, or null to keep it. */
public record NetDevice(String name) {
}
