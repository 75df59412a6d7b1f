package burk.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.Flag;
import burk.seccomp.SeccompProfile.Operator;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SeccompProfileJsonTest {

    /** A mutable JSON object as a JSON reader would produce it. */
    @SafeVarargs
    static Map<String, Object> obj(Map.Entry<String, Object>... entries) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    static Map.Entry<String, Object> kv(String key, Object value) {
        return new java.util.AbstractMap.SimpleEntry<>(key, value);
    }

    static List<Object> arr(Object... values) {
        return new ArrayList<>(List.of(values));
    }

    static Map<String, Object> sample() {
        return obj(
                kv("defaultAction", "SCMP_ACT_ERRNO"),
                kv("defaultErrnoRet", 38L),
                kv("architectures", arr("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")),
                kv("flags", arr("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW")),
                kv("listenerPath", "/run/agent.sock"),
                kv("listenerMetadata", "MKNOD=/dev/null"),
                kv("someFutureField", arr(1L, 2L)),
                kv("syscalls", arr(
                        obj(kv("names", arr("read", "write")), kv("action", "SCMP_ACT_ALLOW")),
                        obj(kv("names", arr("personality")), kv("action", "SCMP_ACT_ALLOW"),
                                kv("args", arr(obj(kv("index", 0L), kv("value", 4294967295L), kv("op", "SCMP_CMP_EQ"))))),
                        obj(kv("names", arr("clone")), kv("action", "SCMP_ACT_ALLOW"),
                                kv("args", arr(obj(kv("index", 0L), kv("value", 2114060288L), kv("valueTwo", 0L),
                                        kv("op", "SCMP_CMP_MASKED_EQ"))))),
                        obj(kv("names", arr("ioctl")), kv("action", "SCMP_ACT_ERRNO"), kv("errnoRet", 25L),
                                kv("args", arr(obj(kv("index", 1L), kv("value", new BigInteger("18446744073709551615")),
                                        kv("op", "SCMP_CMP_GE"))))),
                        obj(kv("names", arr("mount")), kv("action", "SCMP_ACT_NOTIFY")))));
    }

    @Test
    void readsEveryField() {
        SeccompProfile p = SeccompProfile.fromJson(sample());
        assertEquals(Action.ERRNO, p.defaultAction());
        assertEquals(38, p.defaultErrnoRet());
        assertEquals(List.of(Arch.X86_64, Arch.X86, Arch.X32), p.architectures());
        assertEquals(Set.of(Flag.LOG, Flag.SPEC_ALLOW), p.flags());
        assertEquals("/run/agent.sock", p.listenerPath());
        assertEquals("MKNOD=/dev/null", p.listenerMetadata());
        assertEquals(5, p.syscalls().size());
        assertEquals(new SyscallRule(List.of("read", "write"), Action.ALLOW, null, List.of()), p.syscalls().get(0));
        assertEquals(new ArgCondition(0, 0xFFFF_FFFFL, 0, Operator.EQ), p.syscalls().get(1).args().get(0));
        assertEquals(new ArgCondition(0, 0x7E02_0000L, 0, Operator.MASKED_EQ), p.syscalls().get(2).args().get(0));
        assertEquals(25, p.syscalls().get(3).errnoRet());
        assertEquals(-1L, p.syscalls().get(3).args().get(0).value(), "2^64-1 arrives as a BigInteger");
        assertEquals(Action.NOTIFY, p.syscalls().get(4).action());
    }

    @Test
    void anEmptyListenerPathOrMetadataIsUnset() {
        Map<String, Object> json = sample();
        json.put("listenerMetadata", "");
        assertNull(SeccompProfile.fromJson(json).listenerMetadata());
        assertError("linux.seccomp.syscalls[4].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"
                + " (no agent would answer the notifications)", j -> {
            j.put("listenerPath", "");
            j.put("listenerMetadata", "");
        });
        assertError("linux.seccomp.listenerMetadata: must not be set without listenerPath", j -> {
            j.put("listenerPath", "");
            syscall(j, 4).put("action", "SCMP_ACT_ERRNO");
        });
        SeccompException e = assertThrows(SeccompException.class, () -> new SeccompProfile(Action.ALLOW, null,
                List.of(), Set.of(), "", null, List.of()));
        assertEquals("listenerPath: must not be empty (leave it out)", e.getMessage());
    }

    @Test
    void aListenerPathWithoutNotifyRulesIsAccepted() {
        // config-linux.md: "If the SCMP_ACT_NOTIFY action is not used this value is ignored."
        Map<String, Object> json = sample();
        syscall(json, 4).put("action", "SCMP_ACT_ERRNO");
        SeccompProfile p = SeccompProfile.fromJson(json);
        assertEquals("/run/agent.sock", p.listenerPath());
        assertEquals(false, p.usesNotify());
    }

    @Test
    void minimalProfile() {
        SeccompProfile p = SeccompProfile.fromJson(obj(kv("defaultAction", "SCMP_ACT_ALLOW")));
        assertEquals(Action.ALLOW, p.defaultAction());
        assertNull(p.defaultErrnoRet());
        assertEquals(List.of(), p.architectures());
        assertEquals(List.of(), p.syscalls());
    }

    @Test
    void everyActionOperatorArchitectureAndFlagName() {
        for (Action a : Action.values()) {
            assertEquals(a, Action.fromOciName(a.ociName()).orElseThrow());
        }
        for (Operator o : Operator.values()) {
            assertEquals(o, Operator.fromOciName(o.ociName()).orElseThrow());
        }
        for (Arch a : Arch.values()) {
            assertEquals(a, Arch.fromScmpName(a.scmpName()).orElseThrow());
        }
        for (Flag f : Flag.values()) {
            assertEquals(f, Flag.fromOciName(f.ociName()).orElseThrow());
        }
    }

    static void assertError(String expectedMessage, Consumer<Map<String, Object>> edit) {
        Map<String, Object> json = sample();
        edit.accept(json);
        SeccompException e = assertThrows(SeccompException.class, () -> SeccompProfile.fromJson(json));
        assertEquals(expectedMessage, e.getMessage());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> syscall(Map<String, Object> json, int i) {
        return (Map<String, Object>) ((List<Object>) json.get("syscalls")).get(i);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> firstArg(Map<String, Object> json, int i) {
        return (Map<String, Object>) ((List<Object>) syscall(json, i).get("args")).get(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void errorsNameTheJsonPath() {
        assertError("linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"",
                j -> syscall(j, 3).put("action", "SCMP_ACT_FOO"));
        assertError("linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_ABOUT\"",
                j -> firstArg(j, 1).put("op", "SCMP_CMP_ABOUT"));
        assertError("linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"",
                j -> j.put("architectures", arr("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX")));
        assertError("linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"",
                j -> j.put("flags", arr("SECCOMP_FILTER_FLAG_NEW_LISTENER")));
        assertError("linux.seccomp.defaultAction: unknown action \"allow\"", j -> j.put("defaultAction", "allow"));
        assertError("linux.seccomp.defaultAction: required", j -> j.remove("defaultAction"));
        assertError("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
                j -> j.put("defaultAction", "SCMP_ACT_NOTIFY"));
        assertError("linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW does not take an errno",
                j -> j.put("defaultAction", "SCMP_ACT_ALLOW"));
        assertError("linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW does not take an errno",
                j -> syscall(j, 0).put("errnoRet", 1L));
        assertError("linux.seccomp.syscalls[3].errnoRet: must be between 0 and 65535, got 65536",
                j -> syscall(j, 3).put("errnoRet", 65536L));
        assertError("linux.seccomp.syscalls[0].names: must contain at least one entry",
                j -> syscall(j, 0).put("names", arr()));
        assertError("linux.seccomp.syscalls[0].names: required", j -> syscall(j, 0).remove("names"));
        assertError("linux.seccomp.syscalls[0].names[1]: expected a string, got number 7",
                j -> syscall(j, 0).put("names", arr("read", 7L)));
        assertError("linux.seccomp.syscalls[1].args[0].index: must be between 0 and 5, got 6",
                j -> firstArg(j, 1).put("index", 6L));
        assertError("linux.seccomp.syscalls[1].args[0].index: expected an unsigned integer, got string \"0\"",
                j -> firstArg(j, 1).put("index", "0"));
        assertError("linux.seccomp.syscalls[1].args[0].value: must be an unsigned 64-bit integer, got -1",
                j -> firstArg(j, 1).put("value", -1L));
        assertError("linux.seccomp.syscalls[1].args[0].value: must be an unsigned 64-bit integer, got 18446744073709551616",
                j -> firstArg(j, 1).put("value", new BigInteger("18446744073709551616")));
        assertError("linux.seccomp.syscalls[1].args[0].value: expected an unsigned integer, got number 1.5",
                j -> firstArg(j, 1).put("value", 1.5));
        assertError("linux.seccomp.syscalls[1].args[0].value: required", j -> firstArg(j, 1).remove("value"));
        assertError("linux.seccomp.syscalls[1].args[0].op: required", j -> firstArg(j, 1).remove("op"));
        assertError("linux.seccomp.syscalls: expected an array, got an object", j -> j.put("syscalls", obj()));
        assertError("linux.seccomp.syscalls[2]: expected an object, got string \"clone\"",
                j -> ((List<Object>) j.get("syscalls")).set(2, "clone"));
        assertError("linux.seccomp.listenerMetadata: must not be set without listenerPath", j -> {
            j.remove("listenerPath");
            syscall(j, 4).put("action", "SCMP_ACT_ERRNO");
        });
        assertError("linux.seccomp.syscalls[4].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"
                + " (no agent would answer the notifications)", j -> {
            j.remove("listenerPath");
            j.remove("listenerMetadata");
        });
        assertError("linux.seccomp.architectures: expected an array, got string \"SCMP_ARCH_X86_64\"",
                j -> j.put("architectures", "SCMP_ARCH_X86_64"));
    }

    @Test
    void errorsBelowAnotherPath() {
        SeccompException e = assertThrows(SeccompException.class,
                () -> SeccompProfile.fromJson(obj(kv("defaultAction", 1L)), "profile"));
        assertEquals("profile.defaultAction", e.path());
        assertEquals("profile.defaultAction: expected a string, got number 1", e.getMessage());
    }

    @Test
    void recordsRefuseWhatTheSpecForbids() {
        assertThrows(SeccompException.class, () -> new ArgCondition(6, 0, 0, Operator.EQ));
        assertThrows(SeccompException.class, () -> new SyscallRule(List.of(), Action.ALLOW, null, List.of()));
        assertThrows(SeccompException.class, () -> new SyscallRule(List.of("read"), Action.LOG, 1, List.of()));
        assertThrows(SeccompException.class,
                () -> new SeccompProfile(Action.NOTIFY, null, List.of(), Set.of(), "/a", null, List.of()));
        assertThrows(SeccompException.class, () -> new SeccompProfile(Action.ALLOW, null, List.of(), Set.of(), null,
                null, List.of(new SyscallRule(List.of("read"), Action.NOTIFY, null, List.of()))));
    }
}
