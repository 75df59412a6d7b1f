package burk.runtime;

import burk.linux.FileOps;
import burk.spec.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rbind of the rootfs onto itself that a container without a mount namespace of its own gets in
 * the host's mount namespace (InitPlanner's planRootfsInHostNamespace): every mount of the
 * container is under it, so detaching it removes them all. burk must detach only that mount, never
 * the user's own mount at the same path (an engine's rootfs is often an overlay mount point), so it
 * remembers which mount was on top of the rootfs path before the container existed ({@code before})
 * and, once the container is created, which one it made ({@code made}). Mount IDs are those of
 * /proc/self/mountinfo, read in burk's own mount namespace, where the helper and the init run too.
 *
 * <p>It is saved in the state directory before the helper runs, so that a create that dies half-way
 * or a state directory without state.json still gets its mounts removed by {@code delete}.
 *
 * @param rootfs the rootfs as the kernel resolves it (no symlinks), the mount point in mountinfo
 * @param before the ID of the mount on top at {@code rootfs} before create, or -1 when none was
 * @param made   the ID of the bind burk made, or -1 while not known (before the init is ready)
 */
record HostRootfsBind(Path rootfs, int before, int made) {
    static final String FILE = "host-rootfs-bind.json";
    private static final int UMOUNT_NOFOLLOW = 8;
    /** More stacked mounts than this at one path are not burk's doing. */
    private static final int MAX_STACK = 64;

    /** What is mounted at {@code rootfs} now, before the container's helper runs. */
    static HostRootfsBind before(Path rootfs) throws IOException {
        Path real = rootfs.toRealPath();
        MountTable.Entry top = MountTable.ofThisProcess().topAt(real.toString());
        return new HostRootfsBind(real, top == null ? -1 : top.id(), -1);
    }

    /** This record with the bind the created container's init made: the mount on top at the rootfs now. */
    HostRootfsBind withMade() throws IOException {
        MountTable.Entry top = MountTable.ofThisProcess().topAt(rootfs.toString());
        return new HostRootfsBind(rootfs, before, top == null || top.id() == before ? -1 : top.id());
    }

    void save(Path stateDir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rootfs", rootfs.toString());
        m.put("before", (long) before);
        m.put("made", (long) made);
        ContainerStore.writeAtomically(stateDir.resolve(FILE), Json.write(m));
    }

    /** The record saved in {@code stateDir}, or null when the container has a mount namespace of its own. */
    static HostRootfsBind load(Path stateDir) throws IOException {
        Path f = stateDir.resolve(FILE);
        String json;
        try {
            json = Files.readString(f);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!(Json.parse(json, f.toString()) instanceof Map<?, ?> m) || !(m.get("rootfs") instanceof String r)
                || !(m.get("before") instanceof Number b) || !(m.get("made") instanceof Number d)) {
            throw new IOException(f + ": not a rootfs bind record");
        }
        return new HostRootfsBind(Path.of(r), b.intValue(), d.intValue());
    }

    /**
     * How many mounts at the top of the rootfs path are burk's to detach: {@code made} and whatever
     * was since mounted on it (mounted on the container's mount, so part of it), or, while
     * {@code made} is not known, everything stacked above {@code before}. Zero when burk's mount is
     * gone already or the stack no longer holds what was recorded.
     */
    int toDetach(MountTable table) {
        List<MountTable.Entry> stack = table.stackAt(rootfs.toString());
        int from = -1;
        for (int i = 0; i < stack.size(); i++) {
            int id = stack.get(i).id();
            if (made >= 0 ? id == made : id == before) from = made >= 0 ? i : i + 1;
        }
        if (from < 0) from = made < 0 && before < 0 ? 0 : stack.size(); // nothing known is there: nothing is ours
        return stack.size() - from;
    }

    /**
     * Detaches burk's bind with every mount under it (MNT_DETACH: a process still inside keeps its
     * view until it exits, nothing else sees them). Callers make sure the container's processes are
     * gone first, so nothing is left busy. Returns how many stacked mounts were detached.
     */
    int detach() throws IOException {
        int n = Math.min(toDetach(MountTable.ofThisProcess()), MAX_STACK);
        for (int i = 0; i < n; i++) {
            // NOFOLLOW: the path was resolved when it was recorded; a symlink put there since is not followed.
            FileOps.umount2(rootfs.toString(), FileOps.MNT_DETACH | UMOUNT_NOFOLLOW);
        }
        return n;
    }
}
