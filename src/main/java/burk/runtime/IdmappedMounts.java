package burk.runtime;

import burk.runtime.plan.MountFlags;
import burk.runtime.plan.Plan;
import burk.runtime.plan.Step;
import burk.spec.IdMapping;
import burk.spec.LinuxNamespace;
import burk.spec.Mount;
import burk.spec.NamespaceType;
import burk.spec.RuntimeSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The id-mapped bind mounts of a config (config.md: {@code mounts[].uidMappings},
 * {@code gidMappings} and the options {@code idmap}, {@code ridmap}) and the steps that prepare them.
 *
 * <p>The kernel idmaps only a mount that no mount table has shown yet (an open_tree clone), and only
 * for a caller privileged over the filesystem's user namespace, the host's. So each tree is cloned
 * and idmapped before the helper joins or makes the container's namespaces, kept in a slot, and
 * attached to its target inside the rootfs during the rootfs steps, as runc 1.2 prepares "mount
 * sources" outside the container. The rules are runc's: mappings without an option mean
 * {@code idmap}; an option without mappings takes the container's user namespace (its maps, or the
 * namespace it joins); only bind mounts; only a runtime with the host's privileges.
 *
 * <p>A mapping reads as {@code linux.uidMappings} does: {@code containerID} is the id on the source
 * filesystem, {@code hostID} the id the mount shows for it (to the host; inside a container user
 * namespace it is seen through that namespace's own mapping), which is exactly a uid_map line of the
 * user namespace handed to MOUNT_ATTR_IDMAP.
 */
final class IdmappedMounts {
    /** The user namespace carrying the mapping being applied; closed once its trees are idmapped. */
    static final int SLOT_USERNS = 29;
    /** Detached trees wait in slots 30..59 until they are attached (slot 60 on is taken). */
    static final int SLOT_FIRST_TREE = 30, MAX_TREES = 30;

    private static final int O_RDONLY = 0;

    /**
     * How {@code mounts[index]} is id-mapped.
     *
     * @param source         the bind source, absolute
     * @param recursiveTree  rbind: the clone holds the mounts under the source too
     * @param recursiveIdmap ridmap: every mount of the clone is idmapped, not only its top
     * @param slot           where the detached tree waits for its target
     */
    record Idmapped(int index, String source, boolean recursiveTree, boolean recursiveIdmap, Mapping mapping, int slot) {
        String field() { return "mounts[" + index + "]"; }
    }

    /** Explicit or the container's maps, or (usernsPath set) the user namespace the container joins. */
    record Mapping(List<IdMapping> uids, List<IdMapping> gids, String usernsPath) {}

    private final Map<Integer, Idmapped> byIndex;

    private IdmappedMounts(Map<Integer, Idmapped> byIndex) {
        this.byIndex = byIndex;
    }

    /** True when {@code m} asks for an id-mapped mount, by mappings or by option. */
    static boolean wanted(Mount m, MountOptions o) {
        return !m.uidMappings().isEmpty() || !m.gidMappings().isEmpty() || o.idmap() != MountOptions.Idmap.NONE;
    }

    /**
     * The id-mapped mounts of {@code spec}, checked and given slots.
     *
     * @throws IllegalArgumentException naming the mount, when one cannot be id-mapped as asked
     */
    static IdmappedMounts of(RuntimeSpec spec, Path bundle) {
        Map<Integer, Idmapped> out = new LinkedHashMap<>();
        List<Mount> mounts = spec.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String field = "mounts[" + i + "]";
            MountOptions o = MountOptions.parse(m.options());
            if (!wanted(m, o)) continue;
            boolean cgroup = "cgroup".equals(m.type()) || "cgroup2".equals(m.type());
            boolean bind = !cgroup && (o.bind() || "bind".equals(m.type()) || "rbind".equals(m.type()));
            if (!bind) {
                // runc: "id-mapped mounts are only supported for bind-mounts"
                boolean mapped = !m.uidMappings().isEmpty() || !m.gidMappings().isEmpty();
                String asked = mapped ? "uidMappings and gidMappings (an id-mapped mount) need"
                        : "the option \"" + (o.idmap() == MountOptions.Idmap.RIDMAP ? "ridmap" : "idmap")
                        + "\" (an id-mapped mount) needs";
                String what = m.type() == null || m.type().isEmpty() ? "a mount" : "type \"" + m.type() + "\"";
                throw new IllegalArgumentException(field + ": " + asked + " a bind mount, but " + what
                        + " without \"bind\" or \"rbind\" in options is not one");
            }
            if (out.size() == MAX_TREES) {
                throw new IllegalArgumentException(field + ": at most " + MAX_TREES + " id-mapped mounts per container");
            }
            Path src = InitPlanner.bindSource(m, bundle, field);
            out.put(i, new Idmapped(i, src.toString(), o.recursiveBind() || "rbind".equals(m.type()),
                    o.idmap() == MountOptions.Idmap.RIDMAP, mapping(spec, m, field, o), SLOT_FIRST_TREE + out.size()));
        }
        return new IdmappedMounts(out);
    }

    private static Mapping mapping(RuntimeSpec spec, Mount m, String field, MountOptions o) {
        if (!m.uidMappings().isEmpty() || !m.gidMappings().isEmpty()) {
            if (m.uidMappings().isEmpty() || m.gidMappings().isEmpty()) {
                throw new IllegalArgumentException(field + ": uidMappings and gidMappings must be given together");
            }
            return new Mapping(m.uidMappings(), m.gidMappings(), null);
        }
        String option = field + ".options: \"" + (o.idmap() == MountOptions.Idmap.RIDMAP ? "ridmap" : "idmap") + "\"";
        LinuxNamespace userns = spec.linuxOrEmpty().namespace(NamespaceType.USER);
        if (userns == null) {
            throw new IllegalArgumentException(option
                    + " needs uidMappings and gidMappings on the mount, or a user namespace in linux.namespaces");
        }
        if (userns.path() != null && !userns.path().isEmpty()) {
            return new Mapping(List.of(), List.of(), userns.path());
        }
        var linux = spec.linuxOrEmpty();
        if (linux.uidMappings().isEmpty() || linux.gidMappings().isEmpty()) {
            throw new IllegalArgumentException(option + " takes the container's user namespace mappings, but linux."
                    + (linux.uidMappings().isEmpty() ? "uidMappings" : "gidMappings") + " is empty");
        }
        return new Mapping(linux.uidMappings(), linux.gidMappings(), null);
    }

    boolean isEmpty() { return byIndex.isEmpty(); }

    /** How {@code mounts[index]} is id-mapped, or null when it is not. */
    Idmapped at(int index) { return byIndex.get(index); }

    /**
     * The propagation a detached tree gets before it is attached. A clone of a shared mount is a peer
     * of the original: left so, the container's mounts under it would appear on the host. It gets
     * what the rootfs propagation gives the container's other mounts: slave by default (rslave).
     */
    static long treePropagation(long rootfsPropagation) {
        if ((rootfsPropagation & MountFlags.MS_SHARED) != 0) return 0;
        if ((rootfsPropagation & (MountFlags.MS_PRIVATE | MountFlags.MS_UNBINDABLE)) != 0) return MountFlags.MS_PRIVATE;
        return MountFlags.MS_SLAVE;
    }

    /**
     * The steps that clone and idmap every tree, one user namespace per distinct mapping. They run
     * in the caller's namespaces with its privileges: before any SETNS or the CLONE.
     */
    void planPreparation(Plan.Builder plan, long propagation) {
        Map<Mapping, List<Idmapped>> byMapping = new LinkedHashMap<>();
        for (Idmapped t : byIndex.values()) byMapping.computeIfAbsent(t.mapping(), k -> new ArrayList<>()).add(t);
        for (Map.Entry<Mapping, List<Idmapped>> e : byMapping.entrySet()) {
            Mapping map = e.getKey();
            String fields = String.join(", ", e.getValue().stream().map(Idmapped::field).toList());
            if (map.usernsPath() != null) {
                plan.add(new Step.Open(SLOT_USERNS, O_RDONLY, map.usernsPath()),
                        fields + ": the user namespace the container joins carries the mapping");
            } else {
                plan.add(new Step.UserNs(SLOT_USERNS, Rootless.mapLines(map.uids()), Rootless.mapLines(map.gids()), fields),
                        "MOUNT_ATTR_IDMAP takes its mapping from a user namespace: one with exactly these maps,"
                                + " pinned by its fd (the child that made it is gone)");
            }
            for (Idmapped t : e.getValue()) planTree(plan, t, propagation);
            plan.add(new Step.Close(SLOT_USERNS), "the mapping's user namespace is held by the idmapped mounts now");
        }
    }

    private static void planTree(Plan.Builder plan, Idmapped t, long propagation) {
        plan.add(new Step.OpenTree(t.slot(), t.recursiveTree(), t.source(), t.field()),
                "only a clone that no mount table has shown yet can be idmapped; it waits in a slot for its target");
        long idmap = Step.SetattrTree.MOUNT_ATTR_IDMAP;
        if (t.recursiveTree() && !t.recursiveIdmap()) {
            // "idmap" on an rbind: the propagation reaches every mount of the tree, the mapping only its top
            if (propagation != 0) {
                plan.add(new Step.SetattrTree(t.slot(), true, 0, 0, propagation, Step.NO_SLOT, t.source(), t.field()),
                        "a clone of a shared mount is the host's peer: the container's mounts under it must not reach the host");
            }
            plan.add(new Step.SetattrTree(t.slot(), false, idmap, 0, 0, SLOT_USERNS, t.source(), t.field()),
                    "\"idmap\": the mapping applies to the top mount only (\"ridmap\" would reach the mounts under it)");
        } else {
            plan.add(new Step.SetattrTree(t.slot(), t.recursiveIdmap(), idmap, 0, propagation, SLOT_USERNS, t.source(),
                    t.field()), "mounts[].uidMappings/gidMappings through MOUNT_ATTR_IDMAP; a clone of a shared mount"
                    + " is the host's peer, so it takes the container's propagation");
        }
    }

    /** The steps that put the prepared tree of {@code t} on {@code dest} inside the rootfs. */
    static void planAttach(Plan.Builder plan, Idmapped t, int rootSlot, int mk, String dest) {
        plan.add(new Step.MoveMount(t.slot(), rootSlot, mk, t.source(), dest, t.field()),
                "the idmapped clone goes to its target, resolved inside the rootfs like any bind mount's");
        plan.add(new Step.Close(t.slot()), "no mount fd stays open in the container");
    }
}
