package burk.cgroups;

import java.util.regex.Pattern;

/** Input checks shared by both drivers, done before any file is written. */
final class Checks {
    private Checks() {}

    /** "2MB", "1GB", "64KB": the page size becomes part of a file name, so nothing else passes. */
    private static final Pattern PAGE_SIZE = Pattern.compile("[1-9][0-9]{0,9}[KMG]B");

    static void checkResources(CgroupResources r) {
        if (r.hugepageLimits() != null) {
            for (CgroupResources.HugepageLimit h : r.hugepageLimits()) {
                if (h.pageSize() == null || !PAGE_SIZE.matcher(h.pageSize()).matches()) {
                    throw new CgroupException("cgroup: invalid hugepage size " + CgroupException.quote(String.valueOf(h.pageSize()))
                            + " (expected a size like 2MB or 1GB)");
                }
            }
        }
        if (r.devices() != null) {
            r.devices().forEach(Checks::checkDeviceRule);
        }
        if (r.network() != null && r.network().priorities() != null) {
            for (CgroupResources.InterfacePriority p : r.network().priorities()) {
                if (p.name() == null || p.name().isEmpty() || p.name().matches(".*\\s.*")) {
                    throw new CgroupException("cgroup: invalid network interface name " + CgroupException.quote(String.valueOf(p.name())));
                }
            }
        }
        if (r.rdma() != null) {
            for (String device : r.rdma().keySet()) {
                if (device.isEmpty() || device.matches(".*\\s.*")) {
                    throw new CgroupException("cgroup: invalid rdma device name " + CgroupException.quote(device));
                }
            }
        }
        if (r.cpu() != null) {
            checkCpuList("cpus", r.cpu().cpus());
            checkCpuList("mems", r.cpu().mems());
        }
    }

    private static void checkCpuList(String what, String list) {
        if (list != null && !list.isEmpty() && !list.matches("[0-9,:/\\-]+")) {
            throw new CgroupException("cgroup: invalid cpuset " + what + " " + CgroupException.quote(list));
        }
    }

    static void checkDeviceRule(CgroupResources.DeviceRule d) {
        String type = d.type() == null ? "a" : d.type();
        if (!type.equals("a") && !type.equals("b") && !type.equals("c")) {
            throw new CgroupException("cgroup: invalid device type " + CgroupException.quote(type) + " (expected a, b or c)");
        }
        String access = d.access() == null ? "rwm" : d.access();
        if (access.isEmpty() || !access.matches("[rwm]{1,3}")) {
            throw new CgroupException("cgroup: invalid device access " + CgroupException.quote(access) + " (expected letters of rwm)");
        }
        if ((d.major() != null && d.major() < 0) || (d.minor() != null && d.minor() < 0)) {
            throw new CgroupException("cgroup: invalid device number " + d.major() + ":" + d.minor());
        }
    }

    /** A v1 devices.allow/deny line: "c 1:3 rwm", "a *:* rwm". */
    static String deviceLine(CgroupResources.DeviceRule d) {
        String type = d.type() == null ? "a" : d.type();
        String access = d.access() == null ? "rwm" : d.access();
        String major = d.major() == null ? "*" : Long.toString(d.major());
        String minor = d.minor() == null ? "*" : Long.toString(d.minor());
        return type + " " + major + ":" + minor + " " + access;
    }
}
