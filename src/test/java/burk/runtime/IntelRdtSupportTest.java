package burk.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Each reason linux.intelRdt cannot be honoured gets its own words. */
class IntelRdtSupportTest {
    private static final String RESCTRL_MOUNT =
            "40 23 0:36 / /sys/fs/resctrl rw,relatime shared:20 - resctrl resctrl rw";
    private static final String PROC_MOUNT = "22 28 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw";

    @Test
    void noDirectoryAndNoCpuFlag() {
        assertEquals("linux.intelRdt: set, but Intel RDT is not enabled on this host: no resctrl filesystem"
                        + " (/sys/fs/resctrl does not exist: the CPU offers no resource allocation (no rdt_a flag in /proc/cpuinfo))",
                IntelRdtSupport.refusal(false, List.of(PROC_MOUNT), List.of("flags\t\t: fpu vme de sse2")));
    }

    @Test
    void aCpuWithRdtButAKernelWithout() {
        assertEquals("linux.intelRdt: set, but Intel RDT is not enabled on this host: no resctrl filesystem"
                        + " (/sys/fs/resctrl does not exist: the kernel was built without resctrl (CONFIG_X86_CPU_RESCTRL))",
                IntelRdtSupport.refusal(false, List.of(PROC_MOUNT), List.of("flags\t\t: fpu cat_l3 rdt_a mba")));
    }

    @Test
    void offeredButNotMounted() {
        assertEquals("linux.intelRdt: set, but Intel RDT is not enabled on this host: the resctrl filesystem is not"
                + " mounted (mount -t resctrl resctrl /sys/fs/resctrl)", IntelRdtSupport.refusal(true, List.of(PROC_MOUNT), List.of()));
    }

    @Test
    void mountedSomewhere() {
        assertEquals("linux.intelRdt: resctrl is mounted at /sys/fs/resctrl, but applying Intel RDT settings is not"
                + " supported by this burk version", IntelRdtSupport.refusal(true, List.of(PROC_MOUNT, RESCTRL_MOUNT), List.of()));
        assertNull(IntelRdtSupport.resctrlMount(List.of(PROC_MOUNT)));
        assertEquals("/mnt/rdt x", IntelRdtSupport.resctrlMount(List.of(
                "41 23 0:36 / /mnt/rdt\\040x rw,relatime - resctrl resctrl rw")));
    }
}
