/**
 * burk's cgroup library: create a container's cgroup, apply OCI-style resource limits, move
 * processes in, freeze, read statistics, and remove what burk created, on cgroup v1 (legacy and
 * hybrid hosts) and cgroup v2 (unified hosts).
 *
 * <p>Entry points: {@link burk.cgroups.Cgroups#open} and {@link burk.cgroups.Cgroups#reopen}
 * return a {@link burk.cgroups.CgroupManager}; limits are {@link burk.cgroups.CgroupResources}.
 * Limits are plain file I/O on cgroupfs; cgroup v2 device rules are an eBPF program loaded with
 * bpf(2) through {@code burk.linux}, the only other burk package this one uses.
 */
package burk.cgroups;
