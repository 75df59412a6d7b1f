package burk.cgroups;

import burk.linux.Bpf;
import burk.linux.Errno;
import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts device rules on a cgroup v2 directory: loads the program {@link DeviceProgram} compiles
 * and attaches it to the cgroup, replacing the program burk attached before.
 *
 * <p>Replacement is attach-then-detach, both with BPF_F_ALLOW_MULTI: while both programs are
 * attached the kernel allows only what both allow, so an update never opens access the old or the
 * new rules refuse, and access both grant stays granted throughout. Only programs named
 * {@link DeviceProgram#NAME} are detached: a device program someone else attached to the same
 * cgroup (systemd's, for one) is not burk's to remove.
 */
final class DeviceFilter {
    private DeviceFilter() {}

    private static final int O_DIRECTORY = 0200000;

    /** Loads the program for {@code rules} and makes it the only burk device program on {@code dir}. */
    static void attach(Path dir, DeviceRules rules) {
        byte[] program = DeviceProgram.encode(DeviceProgram.compile(rules));
        try (Fd cgroup = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | O_DIRECTORY, 0);
             Fd prog = Bpf.progLoad(Bpf.PROG_TYPE_CGROUP_DEVICE, program, DeviceProgram.LICENSE, DeviceProgram.NAME)) {
            int[] before = Bpf.progQuery(cgroup, Bpf.ATTACH_CGROUP_DEVICE);
            Bpf.progAttach(cgroup, prog, Bpf.ATTACH_CGROUP_DEVICE, Bpf.F_ALLOW_MULTI);
            for (int id : before) {
                try (Fd old = Bpf.progGetFdById(id)) {
                    if (DeviceProgram.NAME.equals(Bpf.progName(old))) {
                        Bpf.progDetach(cgroup, old, Bpf.ATTACH_CGROUP_DEVICE);
                    }
                }
            }
        } catch (LinuxException e) {
            throw new CgroupException("cgroup: device rules for " + dir + " (" + rules + "): " + e.getMessage()
                    + (e.errno() == Errno.EPERM ? " (loading eBPF programs needs CAP_BPF or root)" : ""));
        }
    }

    /** The ids of the burk device programs attached directly to {@code dir}. */
    static List<Integer> attached(Path dir) {
        List<Integer> ids = new ArrayList<>();
        try (Fd cgroup = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | O_DIRECTORY, 0)) {
            for (int id : Bpf.progQuery(cgroup, Bpf.ATTACH_CGROUP_DEVICE)) {
                try (Fd prog = Bpf.progGetFdById(id)) {
                    if (DeviceProgram.NAME.equals(Bpf.progName(prog))) {
                        ids.add(id);
                    }
                }
            }
        } catch (LinuxException e) {
            throw new CgroupException("cgroup: list the device programs of " + dir + ": " + e.getMessage());
        }
        return ids;
    }
}
