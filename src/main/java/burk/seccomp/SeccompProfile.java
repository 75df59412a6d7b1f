package burk.seccomp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The runtime-spec {@code linux.seccomp} object.
 *
 * @param defaultAction    the action for a syscall no rule matches; never {@link Action#NOTIFY}
 * @param defaultErrnoRet  the errno for an {@code ERRNO} or {@code TRACE} default action, or
 *                         {@code null} for EPERM
 * @param architectures    the ABIs whose calls the filter accepts besides the kernel's own
 * @param flags            {@code SECCOMP_FILTER_FLAG_*} flags for seccomp(2)
 * @param listenerPath     the seccomp agent's socket, or {@code null}; required when a rule notifies
 * @param listenerMetadata opaque data for the agent, or {@code null}; only with a listenerPath
 * @param syscalls         the rules, in the order the profile lists them
 */
public record SeccompProfile(
        Action defaultAction,
        Integer defaultErrnoRet,
        List<Arch> architectures,
        Set<Flag> flags,
        String listenerPath,
        String listenerMetadata,
        List<SyscallRule> syscalls) {

    /** The JSON path {@link #fromJson(Map)} names in its errors. */
    public static final String JSON_PATH = "linux.seccomp";

    public SeccompProfile {
        Objects.requireNonNull(defaultAction, "defaultAction");
        architectures = List.copyOf(architectures);
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        syscalls = List.copyOf(syscalls);
        check(defaultAction != Action.NOTIFY, "defaultAction",
                "SCMP_ACT_NOTIFY cannot be the default action: every syscall, including those the"
                        + " runtime itself makes after installing the filter, would wait for the agent");
        checkErrnoRet(defaultAction, defaultErrnoRet, "defaultErrnoRet");
        check(listenerPath == null || !listenerPath.isEmpty(), "listenerPath", "must not be empty (leave it out)");
        check(listenerMetadata == null || listenerPath != null, "listenerMetadata",
                "must not be set without listenerPath");
        boolean notifies = syscalls.stream().anyMatch(r -> r.action() == Action.NOTIFY);
        check(!notifies || listenerPath != null, "listenerPath",
                "required when a rule uses SCMP_ACT_NOTIFY (no agent would answer the notifications)");
    }

    /** Whether any rule uses {@link Action#NOTIFY}, so the filter needs a listener fd. */
    public boolean usesNotify() {
        return syscalls.stream().anyMatch(r -> r.action() == Action.NOTIFY);
    }

    /**
     * One entry of {@code syscalls}: the action applies to a listed syscall when every argument
     * condition holds.
     *
     * @param names    syscall names; a name unknown on an ABI is skipped for that ABI
     * @param action   the action
     * @param errnoRet the errno for {@code ERRNO} / the message for {@code TRACE}, or {@code null}
     *                 for EPERM
     * @param args     conditions, all of which must hold (AND)
     */
    public record SyscallRule(List<String> names, Action action, Integer errnoRet, List<ArgCondition> args) {
        public SyscallRule {
            names = List.copyOf(names);
            Objects.requireNonNull(action, "action");
            args = List.copyOf(args);
            check(!names.isEmpty(), "names", "must contain at least one entry");
            checkErrnoRet(action, errnoRet, "errnoRet");
        }
    }

    /**
     * A condition on one 64-bit syscall argument.
     *
     * @param index    the argument, 0 to 5
     * @param value    the operand; the mask for {@link Operator#MASKED_EQ}
     * @param valueTwo the expected masked value for {@link Operator#MASKED_EQ}, unused otherwise
     * @param op       the comparison (unsigned, on all 64 bits)
     */
    public record ArgCondition(int index, long value, long valueTwo, Operator op) {
        public ArgCondition {
            check(index >= 0 && index <= 5, "index", "must be between 0 and 5, got " + index);
            Objects.requireNonNull(op, "op");
        }
    }

    /** The actions of {@code SCMP_ACT_*}. */
    public enum Action {
        /** libseccomp's old name for {@link #KILL_THREAD}. */
        KILL("SCMP_ACT_KILL"),
        KILL_PROCESS("SCMP_ACT_KILL_PROCESS"),
        KILL_THREAD("SCMP_ACT_KILL_THREAD"),
        TRAP("SCMP_ACT_TRAP"),
        ERRNO("SCMP_ACT_ERRNO"),
        TRACE("SCMP_ACT_TRACE"),
        ALLOW("SCMP_ACT_ALLOW"),
        LOG("SCMP_ACT_LOG"),
        NOTIFY("SCMP_ACT_NOTIFY");

        private final String ociName;

        Action(String ociName) {
            this.ociName = ociName;
        }

        /** The runtime-spec name, e.g. {@code SCMP_ACT_ERRNO}. */
        public String ociName() {
            return ociName;
        }

        /** Whether the action carries an errno (the runtime-spec's errnoRet). */
        public boolean takesErrno() {
            return this == ERRNO || this == TRACE;
        }

        /** The action of a runtime-spec name. */
        public static Optional<Action> fromOciName(String name) {
            return Arrays.stream(values()).filter(a -> a.ociName.equals(name)).findFirst();
        }
    }

    /** The comparisons of {@code SCMP_CMP_*}. */
    public enum Operator {
        NE("SCMP_CMP_NE"),
        LT("SCMP_CMP_LT"),
        LE("SCMP_CMP_LE"),
        EQ("SCMP_CMP_EQ"),
        GE("SCMP_CMP_GE"),
        GT("SCMP_CMP_GT"),
        /** {@code (arg & value) == valueTwo}. */
        MASKED_EQ("SCMP_CMP_MASKED_EQ");

        private final String ociName;

        Operator(String ociName) {
            this.ociName = ociName;
        }

        /** The runtime-spec name, e.g. {@code SCMP_CMP_MASKED_EQ}. */
        public String ociName() {
            return ociName;
        }

        /** The operator of a runtime-spec name. */
        public static Optional<Operator> fromOciName(String name) {
            return Arrays.stream(values()).filter(o -> o.ociName.equals(name)).findFirst();
        }
    }

    /** The runtime-spec's {@code flags}, with their seccomp(2) bit. */
    public enum Flag {
        TSYNC("SECCOMP_FILTER_FLAG_TSYNC", 1),
        LOG("SECCOMP_FILTER_FLAG_LOG", 2),
        SPEC_ALLOW("SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4),
        WAIT_KILLABLE_RECV("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32);

        private final String ociName;
        private final int bit;

        Flag(String ociName, int bit) {
            this.ociName = ociName;
            this.bit = bit;
        }

        /** The runtime-spec name, e.g. {@code SECCOMP_FILTER_FLAG_LOG}. */
        public String ociName() {
            return ociName;
        }

        /** The flag's bit in seccomp(2)'s flags argument (include/uapi/linux/seccomp.h). */
        public int bit() {
            return bit;
        }

        /** The flag of a runtime-spec name. */
        public static Optional<Flag> fromOciName(String name) {
            return Arrays.stream(values()).filter(f -> f.ociName.equals(name)).findFirst();
        }
    }

    /**
     * Reads a {@code linux.seccomp} object from a generic JSON tree (maps, lists, strings,
     * {@code Long}/{@code BigInteger} numbers, booleans). Unknown properties are ignored, as the
     * runtime-spec requires; syscall names are not checked here (a name unknown on an ABI is
     * skipped when compiling for it).
     *
     * @throws SeccompException naming the JSON path of the first invalid field
     */
    public static SeccompProfile fromJson(Map<String, Object> json) {
        return fromJson(json, JSON_PATH);
    }

    /** As {@link #fromJson(Map)}, naming fields below {@code path} in errors. */
    public static SeccompProfile fromJson(Map<String, Object> json, String path) {
        return new JsonReader(path).profile(json);
    }

    /**
     * This profile as a runtime-spec {@code linux.seccomp} JSON tree: maps, lists, strings and
     * {@code Long} numbers ({@code BigInteger} for an argument value at or above 2^63), in the
     * shape {@link #fromJson(Map)} reads, so {@code fromJson(p.toJson())} equals {@code p}.
     * Absent optional fields are left out, as runc's and Docker's writers do.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("defaultAction", defaultAction.ociName());
        if (defaultErrnoRet != null) m.put("defaultErrnoRet", (long) defaultErrnoRet);
        if (!architectures.isEmpty()) {
            List<Object> archs = new ArrayList<>();
            for (Arch a : architectures) archs.add(a.scmpName());
            m.put("architectures", archs);
        }
        if (!flags.isEmpty()) {
            List<Object> fl = new ArrayList<>();
            // in declaration order: a stable document for the same profile
            for (Flag f : Flag.values()) if (flags.contains(f)) fl.add(f.ociName());
            m.put("flags", fl);
        }
        if (listenerPath != null) m.put("listenerPath", listenerPath);
        if (listenerMetadata != null) m.put("listenerMetadata", listenerMetadata);
        List<Object> rules = new ArrayList<>();
        for (SyscallRule r : syscalls) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("names", new ArrayList<Object>(r.names()));
            rule.put("action", r.action().ociName());
            if (r.errnoRet() != null) rule.put("errnoRet", (long) r.errnoRet());
            if (!r.args().isEmpty()) {
                List<Object> args = new ArrayList<>();
                for (ArgCondition c : r.args()) {
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("index", (long) c.index());
                    a.put("value", uint64(c.value()));
                    a.put("valueTwo", uint64(c.valueTwo()));
                    a.put("op", c.op().ociName());
                    args.add(a);
                }
                rule.put("args", args);
            }
            rules.add(rule);
        }
        m.put("syscalls", rules);
        return m;
    }

    /** The runtime-spec's values are unsigned 64-bit: bits above Long.MAX_VALUE become a BigInteger. */
    private static Object uint64(long bits) {
        return bits >= 0 ? (Object) bits : new BigInteger(Long.toUnsignedString(bits));
    }

    private static void check(boolean ok, String field, String problem) {
        if (!ok) {
            throw new SeccompException(field, problem);
        }
    }

    private static void checkErrnoRet(Action action, Integer errnoRet, String field) {
        if (errnoRet == null) {
            return;
        }
        check(action.takesErrno(), field, action.ociName() + " does not take an errno");
        check(errnoRet >= 0 && errnoRet <= 0xFFFF, field, "must be between 0 and 65535, got " + errnoRet);
    }

    /** Walks the JSON tree, checking each value where it is read so errors name its path. */
    private record JsonReader(String root) {

        SeccompProfile profile(Object json) {
            Map<?, ?> obj = object(json, root);
            String p = root + ".";

            Action defaultAction = action(required(obj, "defaultAction", root), p + "defaultAction");
            check(defaultAction != Action.NOTIFY, p + "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
            Integer defaultErrnoRet = errnoRet(obj.get("defaultErrnoRet"), defaultAction, p + "defaultErrnoRet");

            List<Arch> architectures = new ArrayList<>();
            List<?> archList = list(obj.get("architectures"), p + "architectures");
            for (int i = 0; i < archList.size(); i++) {
                String at = p + "architectures[" + i + "]";
                String name = string(archList.get(i), at);
                architectures.add(Arch.fromScmpName(name)
                        .orElseThrow(() -> new SeccompException(at, "unknown architecture \"" + name + "\"")));
            }

            Set<Flag> flags = EnumSet.noneOf(Flag.class);
            List<?> flagList = list(obj.get("flags"), p + "flags");
            for (int i = 0; i < flagList.size(); i++) {
                String at = p + "flags[" + i + "]";
                String name = string(flagList.get(i), at);
                flags.add(Flag.fromOciName(name)
                        .orElseThrow(() -> new SeccompException(at, "unknown flag \"" + name + "\"")));
            }

            // An empty string is an unset field: specs-go writes both with omitempty, and runc
            // treats "" as no listener.
            String listenerPath = obj.get("listenerPath") == null ? null
                    : emptyToNull(string(obj.get("listenerPath"), p + "listenerPath"));
            String listenerMetadata = obj.get("listenerMetadata") == null ? null
                    : emptyToNull(string(obj.get("listenerMetadata"), p + "listenerMetadata"));
            check(listenerMetadata == null || listenerPath != null, p + "listenerMetadata",
                    "must not be set without listenerPath");

            List<SyscallRule> rules = new ArrayList<>();
            List<?> ruleList = list(obj.get("syscalls"), p + "syscalls");
            for (int i = 0; i < ruleList.size(); i++) {
                rules.add(rule(ruleList.get(i), p + "syscalls[" + i + "]"));
            }
            if (listenerPath == null) {
                for (int i = 0; i < rules.size(); i++) {
                    check(rules.get(i).action() != Action.NOTIFY, p + "syscalls[" + i + "].action",
                            "SCMP_ACT_NOTIFY needs " + p + "listenerPath (no agent would answer the notifications)");
                }
            }
            return new SeccompProfile(defaultAction, defaultErrnoRet, architectures, flags, listenerPath,
                    listenerMetadata, rules);
        }

        private static String emptyToNull(String s) {
            return s.isEmpty() ? null : s;
        }

        private SyscallRule rule(Object json, String at) {
            Map<?, ?> obj = object(json, at);
            List<?> nameList = list(required(obj, "names", at), at + ".names");
            check(!nameList.isEmpty(), at + ".names", "must contain at least one entry");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < nameList.size(); i++) {
                names.add(string(nameList.get(i), at + ".names[" + i + "]"));
            }
            Action action = action(required(obj, "action", at), at + ".action");
            Integer errnoRet = errnoRet(obj.get("errnoRet"), action, at + ".errnoRet");
            List<ArgCondition> args = new ArrayList<>();
            List<?> argList = list(obj.get("args"), at + ".args");
            for (int i = 0; i < argList.size(); i++) {
                args.add(arg(argList.get(i), at + ".args[" + i + "]"));
            }
            return new SyscallRule(names, action, errnoRet, args);
        }

        private ArgCondition arg(Object json, String at) {
            Map<?, ?> obj = object(json, at);
            long index = uint64(required(obj, "index", at), at + ".index");
            check(index >= 0 && index <= 5, at + ".index", "must be between 0 and 5, got " + Long.toUnsignedString(index));
            long value = uint64(required(obj, "value", at), at + ".value");
            long valueTwo = obj.get("valueTwo") == null ? 0 : uint64(obj.get("valueTwo"), at + ".valueTwo");
            String opName = string(required(obj, "op", at), at + ".op");
            Operator op = Operator.fromOciName(opName)
                    .orElseThrow(() -> new SeccompException(at + ".op", "unknown operator \"" + opName + "\""));
            return new ArgCondition((int) index, value, valueTwo, op);
        }

        private static Action action(Object json, String at) {
            String name = string(json, at);
            return Action.fromOciName(name)
                    .orElseThrow(() -> new SeccompException(at, "unknown action \"" + name + "\""));
        }

        private static Integer errnoRet(Object json, Action action, String at) {
            if (json == null) {
                return null;
            }
            long errno = uint64(json, at);
            // runtime-spec: "When the action doesn't support an errno, the runtime MUST print and
            // error and fail."
            check(action.takesErrno(), at, action.ociName() + " does not take an errno");
            // The errno travels in SECCOMP_RET_DATA, the low 16 bits of the action word.
            check(errno >= 0 && errno <= 0xFFFF, at, "must be between 0 and 65535, got " + Long.toUnsignedString(errno));
            return (int) errno;
        }

        private static Object required(Map<?, ?> obj, String key, String at) {
            Object v = obj.get(key);
            if (v == null) {
                throw new SeccompException(at + "." + key, "required");
            }
            return v;
        }

        private static Map<?, ?> object(Object json, String at) {
            if (json instanceof Map<?, ?> m) {
                return m;
            }
            throw new SeccompException(at, "expected an object, got " + describe(json));
        }

        /** An absent list reads as empty. */
        private static List<?> list(Object json, String at) {
            if (json == null) {
                return List.of();
            }
            if (json instanceof List<?> l) {
                return l;
            }
            throw new SeccompException(at, "expected an array, got " + describe(json));
        }

        private static String string(Object json, String at) {
            if (json instanceof String s) {
                return s;
            }
            throw new SeccompException(at, "expected a string, got " + describe(json));
        }

        /** An unsigned 64-bit integer, returned as its two's-complement bits. */
        private static long uint64(Object json, String at) {
            BigInteger v = switch (json) {
                case Long l -> BigInteger.valueOf(l);
                case Integer i -> BigInteger.valueOf(i);
                case Short s -> BigInteger.valueOf(s);
                case Byte b -> BigInteger.valueOf(b);
                case BigInteger b -> b;
                case null, default -> throw new SeccompException(at, "expected an unsigned integer, got " + describe(json));
            };
            if (v.signum() < 0 || v.bitLength() > 64) {
                throw new SeccompException(at, "must be an unsigned 64-bit integer, got " + v);
            }
            return v.longValue();
        }

        private static String describe(Object json) {
            return switch (json) {
                case null -> "null";
                case String s -> "string \"" + s + "\"";
                case Boolean b -> "boolean " + b;
                case Number n -> "number " + n;
                case List<?> _ -> "an array";
                case Map<?, ?> _ -> "an object";
                default -> json.getClass().getSimpleName();
            };
        }
    }
}
