package burk.spec;

/**
 * A uid or gid mapping range (all three uint32).
 *
 * @param containerID first id in the container
 * @param hostID      first id on the host mapped to {@code containerID}
 * @param size        number of ids mapped
 */
public record IdMapping(long containerID, long hostID, long size) {
}
