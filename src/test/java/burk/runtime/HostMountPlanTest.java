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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan of a container without a mount namespace (its mounts go to the host's mount table), the
 * refusals that come with it, and how burk finds the one mount it must detach again.
 */
class HostMountPlanTest {
    private static final Path ROOTFS = Path.of("/b/rootfs");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(boolean mountNs) {
        Map<String, Object> t = SpecCodec.toTree(DefaultSpec.create(false));
        ((Map<String, Object>) t.get("process")).put("terminal", false);
        Map<String, Object> linux = (Map<String, Object>) t.get("linux");
        linux.remove("maskedPaths");
        linux.remove("readonlyPaths");
        if (!mountNs) {
            linux.put("namespaces", new ArrayList<Object>());
            t.remove("hostname");
        }
        return t;
    }

    private static Plan plan(Map<String, Object> tree, boolean noPivot) {
        RuntimeSpec spec = SpecCodec.parse(Json.write(tree, ""));
        return InitPlanner.plan(new InitPlanner.Inputs(spec, Path.of("/b"), ROOTFS, Path.of("/run/burk/c"),
                noPivot, List.of(), null, false));
    }

    private static List<Step> steps(Plan p) {
        return p.steps().stream().map(PlanStep::step).toList();
    }

    private static int index(List<Step> steps, java.util.function.Predicate<Step> what) {
        for (int i = 0; i < steps.size(); i++) if (what.test(steps.get(i))) return i;
        return -1;
    }

    @Test
    void withoutAMountNamespaceEveryMountGoesUnderOnePrivateRbindAndThenAPlainChroot() {
        for (boolean noPivot : List.of(false, true)) {
            Plan p = plan(tree(false), noPivot);
            List<Step> s = steps(p);
            assertEquals(0L, ((Step.Clone) s.get(index(s, x -> x instanceof Step.Clone))).flags(), "no namespace at all");
            int bind = index(s, x -> x instanceof Step.Mount m && m.target().equals(ROOTFS.toString())
                    && m.flags() == (MountFlags.MS_BIND | MountFlags.MS_REC));
            assertTrue(bind > index(s, x -> x instanceof Step.Sync), p.explain());
            assertEquals(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_PRIVATE | MountFlags.MS_REC,
                    null, ROOTFS.toString(), null, null), s.get(bind + 1), "the bind is made private before anything is mounted in it");
            assertEquals(new Step.Open(InitPlanner.SLOT_ROOTFS, 0x200000 | 0x10000, ROOTFS.toString()), s.get(bind + 2));
            int chroot = index(s, x -> x instanceof Step.Chroot);
            assertEquals(new Step.Chroot(InitPlanner.SLOT_ROOTFS, ROOTFS.toString(), false), s.get(chroot),
                    "a plain chroot, never a move onto the host's /");
            assertEquals(-1, index(s, x -> x instanceof Step.PivotRoot), "--no-pivot or not: no pivot_root");
            for (int i = 0; i < chroot; i++) {
                assertFalse(s.get(i) instanceof Step.Mount m && m.target().equals("/"),
                        "nothing of the host's / is touched: " + s.get(i).action());
                if (s.get(i) instanceof Step.Mount m && i > bind + 1) {
                    assertEquals(InitPlanner.SLOT_ROOTFS, m.root(), "every mount is inside the rootfs bind: " + m.action());
                }
            }
            int proc = index(s, x -> x instanceof Step.Mount m && "proc".equals(m.fstype()));
            int dev = index(s, x -> x instanceof Step.MkNod n && n.path().equals("/dev/null"));
            assertTrue(bind < proc && proc < chroot && bind < dev && dev < chroot, p.explain());
            assertTrue(chroot < index(s, x -> x instanceof Step.Mkdirs), "cwd is made inside the new root");
            // root.readonly after the chroot remounts "/", which is then the rootfs bind
            int ro = index(s, x -> x instanceof Step.Mount m && m.target().equals("/")
                    && (m.flags() & MountFlags.MS_RDONLY) != 0);
            assertTrue(ro > chroot, p.explain());
        }
    }

    @Test
    void withAMountNamespaceThePlanIsAsBefore() {
        List<Step> s = steps(plan(tree(true), false));
        assertEquals(new Step.Mount(Step.NO_SLOT, Step.Mount.MK_NONE, MountFlags.MS_SLAVE | MountFlags.MS_REC, null,
                "/", null, null), s.get(index(s, x -> x instanceof Step.Mount)), "rslave / first, in its own namespace");
        assertTrue(index(s, x -> x instanceof Step.PivotRoot) > 0);
        List<Step> noPivot = steps(plan(tree(true), true));
        assertEquals(new Step.Chroot(InitPlanner.SLOT_ROOTFS, ROOTFS.toString(), true),
                noPivot.get(index(noPivot, x -> x instanceof Step.Chroot)), "--no-pivot moves the rootfs onto /");
        assertEquals(-1, index(s, x -> x instanceof Step.Mount m && (m.flags() & MountFlags.MS_SLAVE) != 0
                && m.root() == InitPlanner.SLOT_ROOTFS), "binds get no extra propagation step in a mount namespace");
    }

    @Test
    void chrootEncodesWhetherItMovesTheRootfsOntoSlash() {
        for (boolean move : List.of(false, true)) {
            byte[] bytes = new Plan.Builder().add(new Step.Chroot(2, "/r", move), "test").build().encode();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.position(16);
            assertEquals(12, b.getShort());
            assertEquals(0, b.getShort());
            assertEquals(8, b.getInt(), "i32 root, u32 move");
            assertEquals(2, b.getInt());
            assertEquals(move ? 1 : 0, b.getInt());
        }
        assertEquals("chroot into /r", new Step.Chroot(2, "/r", false).action());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBindOfAHostPathBecomesASlaveSoTheContainersMountsUnderItStayOffTheHost() {
        Map<String, Object> t = tree(false);
        List<Object> mounts = (List<Object>) t.get("mounts");
        mounts.add(new LinkedHashMap<String, Object>(Map.of("destination", "/data", "type", "bind", "source", "/tmp",
                "options", new ArrayList<Object>(List.of("rbind")))));
        List<Step> s = steps(plan(t, false));
        int bind = index(s, x -> x instanceof Step.Mount m && "/data".equals(m.target()));
        assertEquals(new Step.Mount(InitPlanner.SLOT_ROOTFS, Step.Mount.MK_NONE, MountFlags.MS_SLAVE | MountFlags.MS_REC,
                null, "/data", null, null), s.get(bind + 1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void whatNeedsAMountNamespaceIsRefusedByField() {
        Map<String, Object> t = tree(false);
        ((Map<String, Object>) t.get("linux")).put("rootfsPropagation", "rslave");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(t, false));
        assertTrue(e.getMessage().startsWith("linux.rootfsPropagation: set, but there is no mount namespace"), e.getMessage());

        Map<String, Object> idm = tree(false);
        Map<String, Object> m = new LinkedHashMap<>(Map.of("destination", "/data", "type", "bind", "source", "/tmp",
                "options", new ArrayList<Object>(List.of("bind"))));
        m.put("uidMappings", new ArrayList<Object>(List.of(Map.of("containerID", 0, "hostID", 1000, "size", 1))));
        m.put("gidMappings", new ArrayList<Object>(List.of(Map.of("containerID", 0, "hostID", 1000, "size", 1))));
        ((List<Object>) idm.get("mounts")).add(m);
        int i = ((List<Object>) idm.get("mounts")).size() - 1;
        e = assertThrows(IllegalArgumentException.class, () -> plan(idm, false));
        assertEquals("mounts[" + i + "]: an id-mapped mount needs a mount namespace in linux.namespaces", e.getMessage());

        Map<String, Object> user = tree(false);
        Map<String, Object> linux = (Map<String, Object>) user.get("linux");
        ((List<Object>) linux.get("namespaces")).add(Map.of("type", "user"));
        linux.put("uidMappings", new ArrayList<Object>(List.of(Map.of("containerID", 0, "hostID", 1000, "size", 1))));
        linux.put("gidMappings", new ArrayList<Object>(List.of(Map.of("containerID", 0, "hostID", 1000, "size", 1))));
        e = assertThrows(IllegalArgumentException.class, () -> plan(user, false));
        assertTrue(e.getMessage().startsWith("linux.namespaces[0]: a user namespace needs a mount namespace"), e.getMessage());
    }

    // --- the mount table and which mounts are burk's -----------------------------------------

    private static final List<String> TABLE = List.of(
            "26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "40 26 0:38 / /srv/my\\040root rw,relatime shared:5 - tmpfs tmpfs rw",     // the user's mount
            "41 40 0:38 / /srv/my\\040root ro,relatime - tmpfs tmpfs rw",              // burk's bind
            "42 41 0:39 / /srv/my\\040root/proc rw - proc proc rw",
            "43 41 0:40 / /srv/my\\040root/dev rw,nosuid - tmpfs tmpfs rw");

    @Test
    void mountinfoPathsAreUnescapedAndStacksFollowTheirParents() {
        MountTable t = MountTable.parse(TABLE);
        assertEquals("/srv/my root", t.entries().get(1).mountPoint());
        assertEquals("shared:5", t.entries().get(1).optional());
        assertEquals("", t.entries().get(2).optional());
        assertEquals(List.of(40, 41), t.stackAt("/srv/my root").stream().map(MountTable.Entry::id).toList());
        assertEquals(41, t.topAt("/srv/my root").id());
        assertNull(t.topAt("/srv"));
        assertEquals("a\\b c", MountTable.unescape("a\\134b\\040c"));
    }

    @Test
    void onlyTheMountBurkMadeAndWhatIsStackedOnItIsDetached() {
        MountTable t = MountTable.parse(TABLE);
        Path r = Path.of("/srv/my root");
        assertEquals(1, new HostRootfsBind(r, 40, 41).toDetach(t), "burk's bind, not the user's mount under it");
        assertEquals(1, new HostRootfsBind(r, 40, -1).toDetach(t), "a failed create: whatever is above the user's mount");
        assertEquals(0, new HostRootfsBind(r, 40, 99).toDetach(t), "burk's bind is gone already");
        assertEquals(0, new HostRootfsBind(r, 41, -1).toDetach(t), "nothing new on top");
        assertEquals(2, new HostRootfsBind(r, -1, -1).toDetach(t), "nothing was mounted there before create");
        List<String> stacked = new ArrayList<>(TABLE);
        stacked.add("44 41 0:41 / /srv/my\\040root rw - tmpfs tmpfs rw"); // mounted on burk's bind since
        assertEquals(2, new HostRootfsBind(r, 40, 41).toDetach(MountTable.parse(stacked)));
        assertEquals(0, new HostRootfsBind(Path.of("/srv/other"), -1, -1).toDetach(t));
    }
}
