package burk.runtime;

import burk.runtime.plan.MountFlags;
import burk.runtime.plan.Plan;
import burk.runtime.plan.PlanStep;
import burk.runtime.plan.Step;
import burk.spec.DefaultSpec;
import burk.spec.Json;
import burk.spec.RuntimeSpec;
import burk.spec.SpecCodec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the id-mapped mount steps go in an init plan and what they carry, checked without a kernel. */
class IdmapPlanTest {
    private static final String SRC = System.getProperty("java.io.tmpdir");

    private final Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create(false));

    @SuppressWarnings("unchecked")
    private Map<String, Object> linux() { return (Map<String, Object>) tree.get("linux"); }

    @SuppressWarnings("unchecked")
    private List<Object> mounts() {
        List<Object> l = new ArrayList<>((List<Object>) tree.get("mounts"));
        tree.put("mounts", l);
        return l;
    }

    private static Map<String, Object> map(long c, long h, long s) {
        return new LinkedHashMap<>(Map.of("containerID", c, "hostID", h, "size", s));
    }

    /** A mount of SRC on dest with options, and with mapping (containerID, hostID, size) when given. */
    private int addMount(String dest, String type, List<String> options, long... idmap) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", dest);
        m.put("type", type);
        m.put("source", SRC);
        m.put("options", new ArrayList<Object>(options));
        if (idmap.length > 0) {
            m.put("uidMappings", new ArrayList<Object>(List.of(map(idmap[0], idmap[1], idmap[2]))));
            m.put("gidMappings", new ArrayList<Object>(List.of(map(idmap[0], idmap[1], idmap[2]))));
        }
        List<Object> mounts = mounts();
        mounts.add(m);
        return mounts.size() - 1;
    }

    @SuppressWarnings("unchecked")
    private void userNamespace(String path) {
        List<Object> ns = new ArrayList<>((List<Object>) linux().get("namespaces"));
        Map<String, Object> user = new LinkedHashMap<>(Map.of("type", "user"));
        if (path != null) user.put("path", path);
        ns.add(user);
        linux().put("namespaces", ns);
        if (path == null) {
            linux().put("uidMappings", new ArrayList<Object>(List.of(map(0, 100000, 65536))));
            linux().put("gidMappings", new ArrayList<Object>(List.of(map(0, 200000, 65536))));
        }
    }

    @SuppressWarnings("unchecked")
    private Plan plan() {
        ((Map<String, Object>) tree.get("process")).put("terminal", false);
        RuntimeSpec spec = SpecCodec.parse(Json.write(tree, ""));
        return InitPlanner.plan(new InitPlanner.Inputs(spec, Path.of("/b"), Path.of("/b/rootfs"), Path.of("/run/burk/c"),
                false, List.of(), null, false));
    }

    private String planFails() {
        return assertThrows(IllegalArgumentException.class, this::plan).getMessage();
    }

    private static int index(Plan p, Predicate<PlanStep> what) {
        for (int i = 0; i < p.steps().size(); i++) if (what.test(p.steps().get(i))) return i;
        return -1;
    }

    private static <T extends Step> List<T> all(Plan p, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (PlanStep s : p.steps()) if (type.isInstance(s.step())) out.add(type.cast(s.step()));
        return out;
    }

    @Test
    void theTreeIsPreparedBeforeTheCloneAndAttachedInsideTheRootfsInsteadOfABind() {
        int i = addMount("/data", "bind", List.of("bind", "ro"), 0, 1000, 1);
        Plan p = plan();
        String expl = p.explain();
        int userns = index(p, s -> s.step() instanceof Step.UserNs);
        int open = index(p, s -> s.step() instanceof Step.OpenTree);
        int setattr = index(p, s -> s.step() instanceof Step.SetattrTree);
        int clone = index(p, s -> s.step() instanceof Step.Clone);
        int rootfs = index(p, s -> s.step() instanceof Step.Open o && o.slot() == InitPlanner.SLOT_ROOTFS);
        int move = index(p, s -> s.step() instanceof Step.MoveMount);
        int pivot = index(p, s -> s.step() instanceof Step.PivotRoot);
        assertTrue(userns >= 0 && userns < open && open < setattr && setattr < clone, expl);
        assertTrue(rootfs < move && move < pivot, expl);

        Step.UserNs u = (Step.UserNs) p.steps().get(userns).step();
        assertEquals(new Step.UserNs(IdmappedMounts.SLOT_USERNS, "0 1000 1\n", "0 1000 1\n", "mounts[" + i + "]"), u,
                "the spec's mapping is the user namespace's uid_map as it stands: containerID hostID size");
        assertEquals(new Step.OpenTree(IdmappedMounts.SLOT_FIRST_TREE, false, SRC, "mounts[" + i + "]"),
                p.steps().get(open).step());
        Step.SetattrTree t = (Step.SetattrTree) p.steps().get(setattr).step();
        assertEquals(IdmappedMounts.SLOT_FIRST_TREE, t.slot());
        assertEquals(Step.SetattrTree.MOUNT_ATTR_IDMAP, t.attrSet());
        assertEquals(IdmappedMounts.SLOT_USERNS, t.usernsSlot());
        assertEquals(MountFlags.MS_SLAVE, t.propagation(), "default rootfs propagation rslave: the tree is a slave");
        assertTrue(p.steps().get(setattr + 1).step() instanceof Step.Close c && c.slot() == IdmappedMounts.SLOT_USERNS, expl);

        Step.MoveMount m = (Step.MoveMount) p.steps().get(move).step();
        assertEquals(new Step.MoveMount(IdmappedMounts.SLOT_FIRST_TREE, InitPlanner.SLOT_ROOTFS, Step.Mount.MK_DIR, SRC,
                "/data", "mounts[" + i + "]"), m);
        assertTrue(p.steps().get(move + 1).step() instanceof Step.Close c && c.slot() == IdmappedMounts.SLOT_FIRST_TREE);
        assertTrue(p.steps().get(move + 2).step() instanceof Step.Mount r && "/data".equals(r.target())
                && (r.flags() & MountFlags.MS_REMOUNT) != 0 && (r.flags() & MountFlags.MS_RDONLY) != 0,
                "the mount's flags take hold on the attached tree as on any bind: " + expl);
        assertEquals(-1, index(p, s -> s.step() instanceof Step.Mount b && SRC.equals(b.source())),
                "no plain bind of the source besides the idmapped one: " + expl);
    }

    @Test
    void anOrdinaryBindMountGetsNoneOfTheIdmapSteps() {
        addMount("/data", "bind", List.of("rbind"));
        Plan p = plan();
        assertEquals(List.of(), all(p, Step.OpenTree.class));
        assertEquals(List.of(), all(p, Step.UserNs.class));
        assertTrue(index(p, s -> s.step() instanceof Step.Mount b && SRC.equals(b.source())) >= 0);
    }

    @Test
    void mountsWithTheSameMappingShareOneUserNamespace() {
        addMount("/a", "bind", List.of("bind"), 0, 1000, 1);
        addMount("/b", "bind", List.of("bind", "idmap"), 0, 1000, 1);
        addMount("/c", "bind", List.of("bind"), 0, 2000, 1);
        Plan p = plan();
        List<Step.UserNs> ns = all(p, Step.UserNs.class);
        assertEquals(2, ns.size(), p.explain());
        assertEquals("mounts[" + (mounts().size() - 3) + "], mounts[" + (mounts().size() - 2) + "]", ns.get(0).purpose());
        assertEquals(List.of(30, 31, 32), all(p, Step.OpenTree.class).stream().map(Step.OpenTree::slot).toList());
        assertEquals(List.of(30, 31, 32), all(p, Step.MoveMount.class).stream().map(Step.MoveMount::fromSlot).toList());
    }

    @Test
    void anOptionWithoutMappingsTakesTheContainersMaps() {
        userNamespace(null);
        addMount("/data", "bind", List.of("rbind", "ridmap"));
        Plan p = plan();
        assertEquals(List.of(new Step.UserNs(IdmappedMounts.SLOT_USERNS, "0 100000 65536\n", "0 200000 65536\n",
                "mounts[" + (mounts().size() - 1) + "]")), all(p, Step.UserNs.class));
        List<Step.SetattrTree> t = all(p, Step.SetattrTree.class);
        assertEquals(1, t.size(), "ridmap on an rbind: one recursive step for mapping and propagation");
        assertTrue(t.get(0).recursive() && t.get(0).idmaps() && t.get(0).propagation() == MountFlags.MS_SLAVE);
        assertTrue(all(p, Step.OpenTree.class).get(0).recursive(), "rbind: the clone holds the mounts under the source");
    }

    @Test
    void anOptionWithoutMappingsInAJoinedUserNamespaceUsesThatNamespace() {
        userNamespace("/proc/4242/ns/user");
        addMount("/data", "bind", List.of("bind", "idmap"));
        Plan p = plan();
        assertEquals(List.of(), all(p, Step.UserNs.class));
        int open = index(p, s -> s.step() instanceof Step.Open o && o.slot() == IdmappedMounts.SLOT_USERNS
                && o.path().equals("/proc/4242/ns/user"));
        int setattr = index(p, s -> s.step() instanceof Step.SetattrTree);
        int join = index(p, s -> s.step() instanceof Step.SetNs);
        assertTrue(open >= 0 && open < setattr && setattr < join,
                "idmapped with the caller's privileges, before the user namespace is joined: " + p.explain());
    }

    @Test
    void idmapOnAnRbindMapsTheTopOnlyButPropagationReachesTheWholeTree() {
        addMount("/data", "bind", List.of("rbind", "idmap"), 0, 1000, 1);
        List<Step.SetattrTree> t = all(plan(), Step.SetattrTree.class);
        assertEquals(2, t.size());
        assertTrue(t.get(0).recursive() && !t.get(0).idmaps() && t.get(0).propagation() == MountFlags.MS_SLAVE);
        assertTrue(!t.get(1).recursive() && t.get(1).idmaps() && t.get(1).propagation() == 0);
    }

    @Test
    void theTreeTakesThePropagationTheRootfsPropagationGivesTheContainersMounts() {
        assertEquals(MountFlags.MS_SLAVE, IdmappedMounts.treePropagation(MountFlags.MS_SLAVE | MountFlags.MS_REC));
        assertEquals(MountFlags.MS_PRIVATE, IdmappedMounts.treePropagation(MountFlags.MS_PRIVATE | MountFlags.MS_REC));
        assertEquals(MountFlags.MS_PRIVATE, IdmappedMounts.treePropagation(MountFlags.MS_UNBINDABLE));
        assertEquals(0, IdmappedMounts.treePropagation(MountFlags.MS_SHARED | MountFlags.MS_REC),
                "shared: the clone stays the peer it is, as a bind in a shared mount namespace would be");
        linux().put("rootfsPropagation", "rprivate");
        addMount("/data", "bind", List.of("bind"), 0, 1000, 1);
        assertEquals(MountFlags.MS_PRIVATE, all(plan(), Step.SetattrTree.class).get(0).propagation());
    }

    @Test
    void aMappingOnAnythingButABindMountIsRefused() {
        int i = addMount("/data", "tmpfs", List.of("size=1m", "idmap"), 0, 1000, 1);
        assertEquals("mounts[" + i + "]: uidMappings and gidMappings (an id-mapped mount) need a bind mount, but type"
                + " \"tmpfs\" without \"bind\" or \"rbind\" in options is not one", planFails());
    }

    @Test
    void anOptionOnACgroupMountIsRefusedEvenWithBind() {
        int i = addMount("/sys/fs/cgroup", "cgroup2", List.of("bind", "ridmap"));
        userNamespace(null);
        assertEquals("mounts[" + i + "]: the option \"ridmap\" (an id-mapped mount) needs a bind mount, but type"
                + " \"cgroup2\" without \"bind\" or \"rbind\" in options is not one", planFails());
    }

    @Test
    void anOptionWithoutMappingsNeedsBothOfTheContainersMaps() {
        userNamespace(null);
        linux().remove("gidMappings");
        int i = addMount("/data", "bind", List.of("bind", "idmap"));
        assertEquals("mounts[" + i + "].options: \"idmap\" takes the container's user namespace mappings, but"
                + " linux.gidMappings is empty", planFails());
    }

    @Test
    void uidMappingsWithoutGidMappingsAreRefused() {
        int i = addMount("/data", "bind", List.of("bind"), 0, 1000, 1);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) mounts().get(i);
        m.remove("gidMappings");
        assertEquals("mounts[" + i + "]: uidMappings and gidMappings must be given together", planFails());
    }

    @Test
    void thirtyIdmappedMountsFitTheSlotsAndTheThirtyFirstIsRefused() {
        for (int k = 0; k < IdmappedMounts.MAX_TREES; k++) addMount("/m" + k, "bind", List.of("bind"), 0, 1000, 1);
        assertEquals(59, all(plan(), Step.OpenTree.class).getLast().slot(), "slots 30..59");
        int i = addMount("/one-more", "bind", List.of("bind"), 0, 1000, 1);
        assertEquals("mounts[" + i + "]: at most 30 id-mapped mounts per container", planFails());
    }
}
