package burk.cgroups;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an ordered list of OCI device rules amounts to, as the cgroup v1 devices controller keeps
 * it: a default (allow or deny every device) and exceptions, each a device pattern with access
 * bits. Both drivers start from this state: v1 writes the difference to the kernel's current
 * list, v2 compiles it into an eBPF program ({@link DeviceProgram}).
 *
 * <p>The rules are applied in order to a cgroup that starts out denying everything, as runc's
 * device emulator does (the OCI list is an allowlist): a rule of type {@code a} resets the state
 * to allow-all or deny-all with no exceptions (the kernel ignores its numbers and access there
 * too); a rule with the same action as the default removes access from the exception with exactly
 * the same pattern; a rule with the opposite action adds access to it. Later rules therefore win
 * over earlier ones for the same pattern.
 *
 * <p>One deliberate difference from the kernel, also runc's: taking access away from a device
 * that a broader wildcard exception covers ("allow c *:* rwm" then "deny c 1:3 w") is refused.
 * The v1 kernel would silently keep the wildcard, so the device would stay accessible while the
 * list says otherwise.
 */
final class DeviceRules {
    /** Access bits, with the values of the kernel's BPF_DEVCG_ACC_*. */
    static final int MKNOD = 1, READ = 2, WRITE = 4, ALL_ACCESS = 7;
    /** A wildcard major or minor. */
    static final long ANY = -1;

    /**
     * A device pattern: {@code type} is 'c' or 'b'; major and minor may be {@link #ANY}.
     */
    record DevicePattern(char type, long major, long minor) {
        boolean matches(char deviceType, long deviceMajor, long deviceMinor) {
            return type == deviceType && (major == ANY || major == deviceMajor) && (minor == ANY || minor == deviceMinor);
        }

        @Override
        public String toString() {
            return type + " " + (major == ANY ? "*" : Long.toString(major)) + ":" + (minor == ANY ? "*" : Long.toString(minor));
        }
    }

    private static final Comparator<DevicePattern> ORDER = Comparator.comparing(DevicePattern::type)
            .thenComparingLong(DevicePattern::major).thenComparingLong(DevicePattern::minor);

    private boolean defaultAllow;
    private final TreeMap<DevicePattern, Integer> exceptions = new TreeMap<>(ORDER);

    private DeviceRules(boolean defaultAllow) {
        this.defaultAllow = defaultAllow;
    }

    /** The state after applying {@code rules} in order to a cgroup that denies everything. */
    static DeviceRules of(List<CgroupResources.DeviceRule> rules) {
        DeviceRules state = new DeviceRules(false);
        for (CgroupResources.DeviceRule rule : rules) {
            state.apply(rule);
        }
        return state;
    }

    /**
     * The state a v1 cgroup reports in devices.list. In allow-all mode the kernel prints only
     * "a *:* rwm" and hides its deny exceptions, so such a state is known only as "allow-all".
     */
    static DeviceRules parseDevicesList(String text) {
        DeviceRules state = new DeviceRules(false);
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                continue;
            }
            if (f[0].equals("a")) {
                state.defaultAllow = true;
                state.exceptions.clear();
                continue;
            }
            String[] majMin = f[1].split(":");
            if (majMin.length != 2 || f[0].length() != 1) {
                throw new CgroupException("cgroup: cannot parse devices.list line " + CgroupException.quote(line));
            }
            DevicePattern p = new DevicePattern(f[0].charAt(0), number(majMin[0]), number(majMin[1]));
            state.exceptions.merge(p, accessBits(f[2]), (a, b) -> a | b);
        }
        return state;
    }

    private static long number(String field) {
        return field.equals("*") ? ANY : Long.parseLong(field);
    }

    /** "rwm" letters to bits; null means all. */
    static int accessBits(String access) {
        if (access == null) {
            return ALL_ACCESS;
        }
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'r' -> READ;
                case 'w' -> WRITE;
                case 'm' -> MKNOD;
                default -> throw new CgroupException("cgroup: invalid device access " + CgroupException.quote(access));
            };
        }
        return bits;
    }

    /** Bits to "rwm" letters, in that order. */
    static String accessLetters(int bits) {
        return ((bits & READ) != 0 ? "r" : "") + ((bits & WRITE) != 0 ? "w" : "") + ((bits & MKNOD) != 0 ? "m" : "");
    }

    private void apply(CgroupResources.DeviceRule rule) {
        Checks.checkDeviceRule(rule);
        String type = rule.type() == null ? "a" : rule.type();
        if (type.equals("a")) {
            defaultAllow = rule.allow();
            exceptions.clear();
            return;
        }
        DevicePattern p = new DevicePattern(type.charAt(0), rule.major() == null ? ANY : rule.major(),
                rule.minor() == null ? ANY : rule.minor());
        int bits = accessBits(rule.access());
        if (rule.allow() == defaultAllow) {
            remove(p, bits, rule);
        } else {
            exceptions.merge(p, bits, (a, b) -> a | b);
        }
    }

    private void remove(DevicePattern p, int bits, CgroupResources.DeviceRule rule) {
        List<DevicePattern> broader = List.of(new DevicePattern(p.type(), ANY, p.minor()), new DevicePattern(p.type(), p.major(), ANY),
                new DevicePattern(p.type(), ANY, ANY));
        for (DevicePattern wider : broader) {
            if (!wider.equals(p) && (exceptions.getOrDefault(wider, 0) & bits) != 0) {
                throw new CgroupException("cgroup: device rule " + CgroupException.quote(Checks.deviceLine(rule))
                        + (rule.allow() ? " (allow)" : " (deny)") + " cannot be applied: it would punch a hole in the wildcard rule "
                        + CgroupException.quote(wider + " " + accessLetters(exceptions.get(wider)))
                        + ", which the devices controller cannot represent");
            }
        }
        Integer existing = exceptions.get(p);
        if (existing != null) {
            int left = existing & ~bits;
            if (left == 0) {
                exceptions.remove(p);
            } else {
                exceptions.put(p, left);
            }
        }
    }

    /** True when every device is allowed except the exceptions; false when only the exceptions are. */
    boolean defaultAllow() {
        return defaultAllow;
    }

    /** The exceptions in a fixed order (type, major, minor; wildcards first): pattern to access bits. */
    Map<DevicePattern, Integer> exceptions() {
        return Collections.unmodifiableMap(exceptions);
    }

    /**
     * Whether an access is allowed, as the v1 kernel decides (devcgroup_legacy_check_permission):
     * with a deny default, one allow exception must grant every requested bit; with an allow
     * default, any deny exception sharing a requested bit refuses.
     */
    boolean allows(char type, long major, long minor, int access) {
        for (Map.Entry<DevicePattern, Integer> e : exceptions.entrySet()) {
            if (!e.getKey().matches(type, major, minor)) {
                continue;
            }
            if (defaultAllow && (e.getValue() & access) != 0) {
                return false;
            }
            if (!defaultAllow && (access & ~e.getValue()) == 0) {
                return true;
            }
        }
        return defaultAllow;
    }

    /**
     * The v1 rules that turn {@code current} into this state with the fewest writes, in an order
     * that never takes away, even briefly, an access both states grant: first the access the
     * target drops, then the access it gains. A change of default needs the disruptive "a" rule
     * first; so does a {@code current} in allow-all mode, whose deny exceptions devices.list
     * does not show. Both happen only on a fresh cgroup or a change of mode, never when a running
     * container's allowlist is updated.
     */
    List<CgroupResources.DeviceRule> transitionFrom(DeviceRules current) {
        List<CgroupResources.DeviceRule> out = new ArrayList<>();
        Map<DevicePattern, Integer> old = current.exceptions;
        if (current.defaultAllow || current.defaultAllow != defaultAllow) {
            out.add(new CgroupResources.DeviceRule(defaultAllow, "a", null, null, "rwm"));
            old = Map.of();
        }
        for (Map.Entry<DevicePattern, Integer> e : old.entrySet()) {
            int dropped = e.getValue() & ~exceptions.getOrDefault(e.getKey(), 0);
            if (dropped != 0) {
                out.add(rule(defaultAllow, e.getKey(), dropped));
            }
        }
        for (Map.Entry<DevicePattern, Integer> e : exceptions.entrySet()) {
            int gained = e.getValue() & ~old.getOrDefault(e.getKey(), 0);
            if (gained != 0) {
                out.add(rule(!defaultAllow, e.getKey(), gained));
            }
        }
        return out;
    }

    private static CgroupResources.DeviceRule rule(boolean allow, DevicePattern p, int bits) {
        return new CgroupResources.DeviceRule(allow, String.valueOf(p.type()), p.major() == ANY ? null : p.major(),
                p.minor() == ANY ? null : p.minor(), accessLetters(bits));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceRules other && other.defaultAllow == defaultAllow && other.exceptions.equals(exceptions);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(defaultAllow) * 31 + exceptions.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(defaultAllow ? "allow all" : "deny all");
        exceptions.forEach((p, bits) -> sb.append(defaultAllow ? ", deny " : ", allow ").append(p).append(' ').append(accessLetters(bits)));
        return sb.toString();
    }
}
