package burk.cgroups;

import static burk.cgroups.DeviceRules.MKNOD;
import static burk.cgroups.DeviceRules.READ;
import static burk.cgroups.DeviceRules.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import burk.cgroups.CgroupResources.DeviceRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device rule emulator: what a rule list means, and the v1 writes that get there. */
class DeviceRulesTest {
    private static DeviceRule allow(String type, Long major, Long minor, String access) {
        return new DeviceRule(true, type, major, minor, access);
    }

    private static DeviceRule deny(String type, Long major, Long minor, String access) {
        return new DeviceRule(false, type, major, minor, access);
    }

    private static List<String> lines(List<DeviceRule> rules) {
        return rules.stream().map(r -> (r.allow() ? "allow " : "deny ") + Checks.deviceLine(r)).toList();
    }

    @Test
    void theOciAllowlistDeniesWhatItDoesNotName() {
        DeviceRules rules = DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rwm"),
                DeviceRule.allowChar(1, 5, "r"), allow("c", 136L, null, "rw")));
        assertFalse(rules.defaultAllow());
        assertTrue(rules.allows('c', 1, 3, WRITE));
        assertTrue(rules.allows('c', 1, 5, READ));
        assertFalse(rules.allows('c', 1, 5, READ | WRITE), "an O_RDWR open needs both bits from one rule");
        assertFalse(rules.allows('c', 1, 5, WRITE));
        assertTrue(rules.allows('c', 136, 7, READ | WRITE));
        assertFalse(rules.allows('c', 136, 7, MKNOD));
        assertFalse(rules.allows('b', 1, 3, READ), "type matters");
        assertFalse(rules.allows('c', 10, 200, READ));
    }

    @Test
    void anEmptyListDeniesEverythingAsRuncsEmulatorDoes() {
        DeviceRules rules = DeviceRules.of(List.of());
        assertFalse(rules.defaultAllow());
        assertTrue(rules.exceptions().isEmpty());
        assertFalse(rules.allows('c', 1, 3, READ));
    }

    @Test
    void aLeadingAllowAllMakesTheRestDenyExceptions() {
        DeviceRules rules = DeviceRules.of(List.of(allow("a", null, null, "rwm"), deny("c", 1L, 3L, "w")));
        assertTrue(rules.defaultAllow());
        assertTrue(rules.allows('c', 1, 3, READ));
        assertFalse(rules.allows('c', 1, 3, WRITE));
        assertFalse(rules.allows('c', 1, 3, READ | WRITE), "a deny exception refuses any request sharing a bit");
        assertTrue(rules.allows('b', 8, 0, READ | WRITE | MKNOD));
    }

    @Test
    void theLastRuleForAPatternWins() {
        DeviceRules rules = DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rwm"),
                deny("c", 1L, 3L, "w")));
        assertTrue(rules.allows('c', 1, 3, READ | MKNOD));
        assertFalse(rules.allows('c', 1, 3, WRITE));
        DeviceRules again = DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rwm"),
                deny("c", 1L, 3L, "rwm"), DeviceRule.allowChar(1, 3, "w")));
        assertEquals("deny all, allow c 1:3 w", again.toString());
    }

    @Test
    void anARuleResetsEverythingWhateverItsNumbersAndAccess() {
        DeviceRules rules = DeviceRules.of(List.of(DeviceRule.allowChar(1, 3, "rwm"), allow("a", 1L, 3L, "r"),
                deny("c", 1L, 5L, "w"), new DeviceRule(false, null, null, null, "m")));
        assertFalse(rules.defaultAllow());
        assertTrue(rules.exceptions().isEmpty());
        DeviceRules allowAll = DeviceRules.of(List.of(DeviceRule.denyAll(), allow("a", 1L, 3L, "r")));
        assertTrue(allowAll.defaultAllow());
        assertTrue(allowAll.allows('b', 8, 1, WRITE));
    }

    @Test
    void punchingAHoleInAWildcardIsRefused() {
        CgroupException e = assertThrows(CgroupException.class, () -> DeviceRules.of(List.of(DeviceRule.denyAll(),
                allow("c", null, null, "rwm"), deny("c", 1L, 3L, "w"))));
        assertTrue(e.getMessage().contains("punch a hole in the wildcard rule \"c *:* rwm\""), e.getMessage());
        assertThrows(CgroupException.class, () -> DeviceRules.of(List.of(DeviceRule.denyAll(),
                allow("c", 1L, null, "r"), deny("c", 1L, 3L, "rw"))));
        // No overlap of access bits, no hole: allowed.
        DeviceRules ok = DeviceRules.of(List.of(DeviceRule.denyAll(), allow("c", null, null, "m"), deny("c", 1L, 3L, "w")));
        assertEquals("deny all, allow c *:* m", ok.toString());
    }

    @Test
    void devicesListIsParsed() {
        assertEquals("allow all", DeviceRules.parseDevicesList("a *:* rwm\n").toString());
        assertEquals("deny all, allow b *:* m, allow c *:* m, allow c 1:3 rwm, allow c 136:* rw",
                DeviceRules.parseDevicesList("c 1:3 rwm\nc *:* m\nb *:* m\nc 136:* rw\n").toString());
        assertEquals("deny all", DeviceRules.parseDevicesList("").toString());
        assertThrows(CgroupException.class, () -> DeviceRules.parseDevicesList("c 1 rwm\n"));
    }

    @Test
    void aFreshCgroupGetsTheDisruptiveRuleFirst() {
        DeviceRules target = DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rwm"), DeviceRule.allowChar(1, 5, "r")));
        assertEquals(List.of("deny a *:* rwm", "allow c 1:3 rwm", "allow c 1:5 r"),
                lines(target.transitionFrom(DeviceRules.parseDevicesList("a *:* rwm"))));
    }

    @Test
    void anUnchangedAllowlistWritesNothing() {
        List<DeviceRule> rules = List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rwm"), DeviceRule.allowChar(1, 5, "r"));
        DeviceRules target = DeviceRules.of(rules);
        assertEquals(List.of(), target.transitionFrom(DeviceRules.parseDevicesList("c 1:3 rwm\nc 1:5 r\n")));
    }

    @Test
    void anUpdatedAllowlistRevokesFirstThenGrantsAndNeverResets() {
        DeviceRules current = DeviceRules.parseDevicesList("c 1:3 rwm\nc 1:5 r\nc 1:7 rw\n");
        DeviceRules target = DeviceRules.of(List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3, "rw"),
                DeviceRule.allowChar(1, 5, "rw"), DeviceRule.allowChar(1, 9, "r")));
        assertEquals(List.of("deny c 1:3 m", "deny c 1:7 rw", "allow c 1:5 w", "allow c 1:9 r"),
                lines(target.transitionFrom(current)));
    }

    @Test
    void switchingToAllowAllNeedsTheAllowAllRule() {
        DeviceRules target = DeviceRules.of(List.of(allow("a", null, null, "rwm"), deny("b", 8L, null, "w")));
        assertEquals(List.of("allow a *:* rwm", "deny b 8:* w"),
                lines(target.transitionFrom(DeviceRules.parseDevicesList("c 1:3 rwm\n"))));
        // devices.list hides deny exceptions in allow-all mode: the disruptive rule is needed again.
        assertEquals(List.of("allow a *:* rwm", "deny b 8:* w"),
                lines(target.transitionFrom(DeviceRules.parseDevicesList("a *:* rwm\n"))));
    }
}
