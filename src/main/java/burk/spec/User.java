package burk.spec;

import java.util.List;

/**
 * {@code process.user}: ids in the container's user namespace.
 *
 * @param uid            user id (uint32)
 * @param gid            group id (uint32)
 * @param umask          umask, or null to keep the runtime's
 * @param additionalGids supplementary groups (uint32 each)
 * @param username       Windows only, kept for round trips; or null
 */
public record User(long uid, long gid, Long umask, List<Long> additionalGids, String username) {
    /** uid 0, gid 0, nothing else: what an absent {@code user} means. */
    public static final User ROOT = new User(0, 0, null, List.of(), null);

    public User {
        additionalGids = Copies.list(additionalGids);
    }
}
