package burk.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.Flag;
import burk.seccomp.SeccompProfile.Operator;
import burk.seccomp.SeccompProfile.SyscallRule;
import burk.spec.Json;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SeccompProfile → linux.seccomp JSON → SeccompProfile gives the same profile and the same filter. */
class SeccompProfileToJsonTest {

    @SuppressWarnings("unchecked")
    private static SeccompProfile throughText(SeccompProfile p) {
        String text = Json.write(p.toJson(), "  ");
        return SeccompProfile.fromJson((Map<String, Object>) Json.parse(text, "test"));
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        SeccompProfile p = SeccompProfile.fromJson(SeccompProfileJsonTest.sample());
        assertEquals(p, SeccompProfile.fromJson(p.toJson()));
        assertEquals(p, throughText(p));
    }

    @Test
    void unsignedValuesAboveLongMaxAreWrittenAsUnsigned() {
        SeccompProfile p = new SeccompProfile(Action.ALLOW, null, List.of(Arch.X86_64), Set.of(Flag.LOG), null, null,
                List.of(new SyscallRule(List.of("ioctl"), Action.ERRNO, 25,
                        List.of(new ArgCondition(1, -1L, 0x8000_0000_0000_0000L, Operator.MASKED_EQ)))));
        String text = Json.write(p.toJson());
        assertTrue(text.contains("\"value\":18446744073709551615"), text);
        assertTrue(text.contains("\"valueTwo\":9223372036854775808"), text);
        assertFalse(text.contains("-"), "no negative numbers: " + text);
        assertEquals(p, throughText(p));
        Map<String, Object> tree = p.toJson();
        assertFalse(tree.containsKey("defaultErrnoRet"), "absent optional fields are left out");
        assertFalse(tree.containsKey("listenerPath"));
        Object value = ((Map<?, ?>) ((List<?>) ((Map<?, ?>) ((List<?>) tree.get("syscalls")).get(0)).get("args")).get(0)).get("value");
        assertEquals(new BigInteger("18446744073709551615"), value);
    }

    @Test
    void dockersDefaultProfileRoundTripsAndCompilesToTheSameFilter() {
        Set<String> all = new HashSet<>(DefaultProfiles.DOCKER_DEFAULT_CAPABILITIES);
        all.addAll(List.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME", "CAP_BPF"));
        for (Arch kernel : List.of(Arch.X86_64, Arch.AARCH64, Arch.S390X, Arch.PPC64LE, Arch.RISCV64)) {
            for (Set<String> caps : List.of(DefaultProfiles.DOCKER_DEFAULT_CAPABILITIES, all)) {
                SeccompProfile p = DefaultProfiles.docker(kernel, caps);
                SeccompProfile back = throughText(p);
                assertEquals(p, back, kernel + " " + caps);
                SeccompProgram a = SeccompCompiler.compile(p, kernel);
                SeccompProgram b = SeccompCompiler.compile(back, kernel);
                assertEquals(a.flags(), b.flags());
                assertArrayEquals(a.filter(), b.filter(), kernel + ": the same BPF program");
            }
        }
    }
}
