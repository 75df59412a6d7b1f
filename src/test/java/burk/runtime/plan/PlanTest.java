package burk.runtime.plan;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire format of docs/plan-format.md, byte for byte. */
class PlanTest {
    @Test
    void headerAndStepsAreEncodedAsTheFormatSays() {
        Plan p = new Plan.Builder()
                .add(new Step.SetHostname("box"), "uts")
                .addIgnoringMissing(new Step.Mask(2, "/proc/kcore", "/dev/null"), "mask")
                .add(new Step.Exec(List.of("/bin/sh", "-c", "x"), List.of("A=b")), "exec")
                .build();
        ByteBuffer b = ByteBuffer.wrap(p.encode()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('B', b.get(0));
        assertEquals('K', b.get(1));
        assertEquals('P', b.get(2));
        assertEquals('L', b.get(3));
        assertEquals(1, b.getInt(4));
        assertEquals(3, b.getInt(8));
        assertEquals(0, b.getInt(12));
        b.position(16);
        assertEquals(14, b.getShort());
        assertEquals(0, b.getShort());
        assertEquals(8, b.getInt()); // u32 length 4 + "box\0"
        assertEquals(4, b.getInt());
        assertEquals("box\0", str(b, 4));
        assertEquals(13, b.getShort());
        assertEquals(PlanStep.IGNORE_ENOENT, b.getShort());
        int size = b.getInt();
        assertEquals(4 + 4 + 12 + 4 + 10, size);
        assertEquals(2, b.getInt());
        assertEquals(12, b.getInt());
        assertEquals("/proc/kcore\0", str(b, 12));
        assertEquals(10, b.getInt());
        assertEquals("/dev/null\0", str(b, 10));
        assertEquals(30, b.getShort());
        b.getShort();
        b.getInt();
        assertEquals(3, b.getInt());
        assertEquals(8, b.getInt());
        assertEquals("/bin/sh\0", str(b, 8));
        b.position(b.position() + 4 + 3 + 4 + 2);
        assertEquals(1, b.getInt());
        assertEquals(4, b.getInt());
        assertEquals("A=b\0", str(b, 4));
        assertEquals(b.limit(), b.position());
    }

    @Test
    void aNulInAStringIsRefusedInJavaBeforeTheHelperSeesIt() {
        Plan p = new Plan.Builder().add(new Step.SetHostname("a\0b"), "x").build();
        assertThrows(IllegalArgumentException.class, p::encode);
    }

    @Test
    void explainNumbersEveryStepAndGivesItsReason() {
        Plan p = new Plan.Builder()
                .add(new Step.Clone(Namespace.PID.cloneFlag() | Namespace.MOUNT.cloneFlag()), "isolation")
                .add(new Step.Mount(2, Step.Mount.MK_DIR, MountFlags.MS_NOSUID, "proc", "/proc", "proc", null), "private proc")
                .build();
        String e = p.explain();
        assertTrue(e.contains("0  clone the container init into new mount, pid namespaces"), e);
        assertTrue(e.contains("1  mount proc on /proc (nosuid)"), e);
        assertTrue(e.contains("↳ private proc"), e);
    }

    @Test
    void makedevMatchesGlibc() {
        assertEquals(0x103, Step.MkNod.makedev(1, 3));
        assertEquals(0x8801L, Step.MkNod.makedev(136, 1));
        assertEquals(0x100000100000L, Step.MkNod.makedev(0x1000, 0x100));
    }

    @Test
    void theIdmapStepsAreEncodedAsTheFormatSays() {
        Plan p = new Plan.Builder()
                .add(new Step.UserNs(29, "0 1000 1\n", "0 1000 1\n", "mounts[7]"), "userns")
                .add(new Step.OpenTree(30, true, "/srv", "mounts[7]"), "clone")
                .add(new Step.SetattrTree(30, true, Step.SetattrTree.MOUNT_ATTR_IDMAP, 0, MountFlags.MS_SLAVE, 29, "/srv",
                        "mounts[7]"), "idmap")
                .add(new Step.MoveMount(30, 2, Step.Mount.MK_DIR, "/srv", "/data", "mounts[7]"), "attach")
                .build();
        ByteBuffer b = ByteBuffer.wrap(p.encode()).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        assertEquals(50, b.getShort());
        assertEquals(0, b.getShort());
        assertEquals(4 + 2 * (4 + 10), b.getInt());
        assertEquals(29, b.getInt());
        assertEquals(10, b.getInt());
        assertEquals("0 1000 1\n\0", str(b, 10));
        assertEquals(10, b.getInt());
        assertEquals("0 1000 1\n\0", str(b, 10));
        assertEquals(51, b.getShort());
        b.getShort();
        assertEquals(4 + 4 + 4 + 5, b.getInt());
        assertEquals(30, b.getInt());
        assertEquals(0x8001, b.getInt(), "OPEN_TREE_CLONE | AT_RECURSIVE");
        assertEquals(5, b.getInt());
        assertEquals("/srv\0", str(b, 5));
        assertEquals(52, b.getShort());
        b.getShort();
        assertEquals(4 + 4 + 8 + 8 + 8 + 4, b.getInt());
        assertEquals(30, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals(0x100000L, b.getLong());
        assertEquals(0L, b.getLong());
        assertEquals(MountFlags.MS_SLAVE, b.getLong());
        assertEquals(29, b.getInt());
        assertEquals(53, b.getShort());
        b.getShort();
        assertEquals(4 + 4 + 4 + 4 + 6, b.getInt());
        assertEquals(30, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(Step.Mount.MK_DIR, b.getInt());
        assertEquals(6, b.getInt());
        assertEquals("/data\0", str(b, 6));
        assertEquals(b.limit(), b.position());
        assertEquals("mounts[7]: make a user namespace with uid map \"0 1000 1\" and gid map \"0 1000 1\"",
                p.steps().get(0).step().action());
        assertEquals("mounts[7]: id-map every mount of the clone of /srv, propagation rslave",
                p.steps().get(2).step().action());
        assertEquals("mounts[7]: attach the id-mapped /srv on /data", p.steps().get(3).step().action());
    }

    private static String str(ByteBuffer b, int n) {
        byte[] x = new byte[n];
        b.get(x);
        return new String(x);
    }
}
