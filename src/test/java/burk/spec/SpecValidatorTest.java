package burk.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One test per rule, each asserting the exact message. The specs under test are runc's default
 * spec (namespaces pid, network, ipc, uts, mount; seven mounts) with the given properties replaced.
 */
class SpecValidatorTest {

    /**
     * The default spec with each {@code path} set to the JSON {@code value} (pairs); a path is
     * dotted names with optional [index], e.g. {@code linux.namespaces[1].path}; "null" removes.
     */
    static RuntimeSpec spec(String... pathsAndValues) {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create(false));
        Object copy = Json.parse(Json.write(tree)); // mutable
        for (int i = 0; i < pathsAndValues.length; i += 2) {
            set(copy, pathsAndValues[i], Json.parse(pathsAndValues[i + 1]));
        }
        return SpecCodec.parse(Json.write(copy));
    }

    @SuppressWarnings("unchecked")
    private static void set(Object root, String path, Object value) {
        String[] parts = path.split("\\.");
        Object node = root;
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            boolean last = p == parts.length - 1;
            Map<String, Object> map = (Map<String, Object>) node;
            if (bracket < 0) {
                if (last) {
                    map.put(key, value);
                    return;
                }
                node = map.computeIfAbsent(key, k -> new java.util.LinkedHashMap<String, Object>());
                continue;
            }
            int index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
            List<Object> list = (List<Object>) map.computeIfAbsent(key, k -> new java.util.ArrayList<>());
            while (list.size() <= index) {
                list.add(new java.util.LinkedHashMap<String, Object>());
            }
            if (last) {
                list.set(index, value);
                return;
            }
            node = list.get(index);
        }
    }

    private static String error(String... pathsAndValues) {
        RuntimeSpec s = spec(pathsAndValues);
        return assertThrows(SpecException.class, () -> SpecValidator.validateForCreate(s)).getMessage();
    }

    private static void valid(String... pathsAndValues) {
        assertEquals(List.of(), SpecValidator.validateForCreate(spec(pathsAndValues)));
    }

    // --- the defaults ----------------------------------------------------------------------------

    @Test
    void defaultSpecsAreValid() {
        assertEquals(List.of(), SpecValidator.validateForCreate(DefaultSpec.create(false)));
        assertEquals(List.of(), SpecValidator.validateForCreate(DefaultSpec.create(true)));
        assertEquals(List.of(), SpecValidator.validateForCreate(DefaultSpec.rootless(1000, 1000)));
    }

    // --- ociVersion ------------------------------------------------------------------------------

    @Test
    void ociVersionIsRequired() {
        assertEquals("ociVersion: required", error("ociVersion", "null"));
        assertEquals("ociVersion: required", error("ociVersion", "\"\""));
    }

    @Test
    void ociVersionMustBeSemver() {
        assertEquals("ociVersion: \"1.0\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")",
                error("ociVersion", "\"1.0\""));
        assertEquals("ociVersion: \"01.0.0\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")",
                error("ociVersion", "\"01.0.0\""));
        assertEquals("ociVersion: \"1.0.0-\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")",
                error("ociVersion", "\"1.0.0-\""));
        assertEquals("ociVersion: \"1.0.0-01\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")",
                error("ociVersion", "\"1.0.0-01\""));
        assertEquals("ociVersion: \"v1.0.0\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")",
                error("ociVersion", "\"v1.0.0\""));
    }

    @Test
    void ociVersionMajorMustBeOne() {
        assertEquals("ociVersion: \"2.0.0\" is not supported: burk implements runtime-spec 1.x",
                error("ociVersion", "\"2.0.0\""));
        assertEquals("ociVersion: \"0.5.0\" is not supported: burk implements runtime-spec 1.x",
                error("ociVersion", "\"0.5.0\""));
    }

    @Test
    void acceptsEveryVersionOneRelease() {
        for (String v : List.of("1.0.0", "1.0.2-dev", "1.1.0-rc.3", "1.2.1", "1.3.0", "1.10.0+build.007", "1.0.0-x.7.z-9")) {
            valid("ociVersion", Json.quote(v));
        }
    }

    // --- root, process ---------------------------------------------------------------------------

    @Test
    void rootAndItsPathAreRequired() {
        assertEquals("root: required", error("root", "null"));
        assertEquals("root.path: required", error("root.path", "\"\""));
    }

    @Test
    void processIsRequiredOnlyToCreate() {
        RuntimeSpec s = spec("process", "null");
        assertEquals("process: required to create a container",
                assertThrows(SpecException.class, () -> SpecValidator.validateForCreate(s)).getMessage());
        assertEquals(List.of(), SpecValidator.validate(s));
    }

    @Test
    void argsMustNotBeEmpty() {
        assertEquals("process.args: must contain at least one entry", error("process.args", "[]"));
    }

    @Test
    void argsAndEnvMustNotContainNul() {
        assertEquals("process.args[1]: contains a NUL character", error("process.args", "[\"sh\",\"a\\u0000b\"]"));
        assertEquals("process.env[0]: contains a NUL character", error("process.env", "[\"A=\\u0000\"]"));
    }

    @Test
    void envEntriesAreNameEqualsValue() {
        assertEquals("process.env[1]: \"JUSTNAME\" is not in the form NAME=VALUE",
                error("process.env", "[\"A=1\",\"JUSTNAME\"]"));
        assertEquals("process.env[0]: \"=x\" has an empty name", error("process.env", "[\"=x\"]"));
    }

    @Test
    void cwdIsRequiredAndAbsolute() {
        assertEquals("process.cwd: required", error("process.cwd", "null"));
        assertEquals("process.cwd: \"tmp\" is not an absolute path", error("process.cwd", "\"tmp\""));
    }

    @Test
    void rlimitTypesMustBeKnown() {
        assertEquals("process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"",
                error("process.rlimits[0].type", "\"RLIMIT_FOO\""));
        assertEquals("process.rlimits[0].type: unknown rlimit \"nofile\"", error("process.rlimits[0].type", "\"nofile\""));
        assertEquals("process.rlimits[1].type: required", error("process.rlimits[1]", "{\"hard\":1,\"soft\":1}"));
    }

    @Test
    void rlimitTypesMustNotRepeat() {
        assertEquals("process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"",
                error("process.rlimits[1]", "{\"type\":\"RLIMIT_NOFILE\",\"hard\":10,\"soft\":10}"));
    }

    @Test
    void rlimitSoftMustNotExceedHard() {
        assertEquals("process.rlimits[0]: soft limit 2048 is greater than hard limit 1024",
                error("process.rlimits[0].soft", "2048"));
        assertEquals("process.rlimits[0]: soft limit 18446744073709551615 is greater than hard limit 1024",
                error("process.rlimits[0].soft", "18446744073709551615"));
        valid("process.rlimits[0].hard", "18446744073709551615"); // unsigned: infinity > 1024
    }

    @Test
    void oomScoreAdjIsInTheKernelsRange() {
        assertEquals("process.oomScoreAdj: must be from -1000 to 1000, got 1001", error("process.oomScoreAdj", "1001"));
        assertEquals("process.oomScoreAdj: must be from -1000 to 1000, got -1001", error("process.oomScoreAdj", "-1001"));
        valid("process.oomScoreAdj", "-1000");
    }

    @Test
    void schedulerNiceIsInRangeForNormalPolicies() {
        assertEquals("process.scheduler.nice: must be from -20 to 19, got 20",
                error("process.scheduler", "{\"policy\":\"SCHED_OTHER\",\"nice\":20}"));
        valid("process.scheduler", "{\"policy\":\"SCHED_BATCH\",\"nice\":-20}");
    }

    @Test
    void schedulerPriorityOnlyForRealtimePolicies() {
        assertEquals("process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, policy is SCHED_OTHER",
                error("process.scheduler", "{\"policy\":\"SCHED_OTHER\",\"priority\":5}"));
        valid("process.scheduler", "{\"policy\":\"SCHED_FIFO\",\"priority\":5}");
    }

    @Test
    void schedulerDeadlineParametersOnlyForSchedDeadline() {
        assertEquals("process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE, policy is SCHED_RR",
                error("process.scheduler", "{\"policy\":\"SCHED_RR\",\"runtime\":100}"));
        valid("process.scheduler", "{\"policy\":\"SCHED_DEADLINE\",\"runtime\":100,\"deadline\":200,\"period\":300}");
    }

    @Test
    void ioPriorityLevelIsZeroToSeven() {
        assertEquals("process.ioPriority.priority: must be from 0 to 7, got 8",
                error("process.ioPriority", "{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}"));
    }

    @Test
    void unknownCapabilitiesAreWarningsNotErrors() {
        RuntimeSpec s = spec("process.capabilities.ambient", "[\"CAP_KILL\",\"CAP_TIME_TRAVEL\"]");
        assertEquals(List.of("process.capabilities.ambient[1]: unknown capability \"CAP_TIME_TRAVEL\", ignored"),
                SpecValidator.validateForCreate(s));
    }

    @Test
    void execProcessPathsAreRelativeToTheProcessFile() {
        ProcessSpec p = SpecCodec.parseProcess("{\"args\":[],\"cwd\":\"/\"}");
        assertEquals("args: must contain at least one entry",
                assertThrows(SpecException.class, () -> SpecValidator.validateProcess(p)).getMessage());
        ProcessSpec q = SpecCodec.parseProcess("{\"args\":[\"ls\"],\"cwd\":\"rel\"}");
        assertEquals("cwd: \"rel\" is not an absolute path",
                assertThrows(SpecException.class, () -> SpecValidator.validateProcess(q)).getMessage());
        assertEquals(List.of(), SpecValidator.validateProcess(SpecCodec.parseProcess("{\"args\":[\"ls\"],\"cwd\":\"/\"}")));
    }

    // --- hostname --------------------------------------------------------------------------------

    @Test
    void hostnameNeedsAUtsNamespace() {
        assertEquals("hostname: set, but there is no uts namespace in linux.namespaces",
                error("linux.namespaces", "[{\"type\":\"pid\"},{\"type\":\"mount\"}]"));
        valid("hostname", "null", "linux.namespaces", "[{\"type\":\"mount\"}]");
    }

    @Test
    void domainnameNeedsAUtsNamespace() {
        assertEquals("domainname: set, but there is no uts namespace in linux.namespaces",
                error("hostname", "null", "domainname", "\"example.org\"", "linux.namespaces", "[{\"type\":\"mount\"}]"));
    }

    // --- mounts ----------------------------------------------------------------------------------

    @Test
    void mountDestinationIsRequired() {
        assertEquals("mounts[2].destination: required", error("mounts[2].destination", "null"));
    }

    @Test
    void mountDestinationMustBeAbsolute() {
        assertEquals("mounts[3].destination: \"tmp\" is not an absolute path", error("mounts[3].destination", "\"tmp\""));
    }

    @Test
    void mountFieldsMustNotContainNul() {
        assertEquals("mounts[0].source: contains a NUL character", error("mounts[0].source", "\"pr\\u0000oc\""));
        assertEquals("mounts[1].options[2]: contains a NUL character", error("mounts[1].options[2]", "\"mode=7\\u000055\""));
    }

    @Test
    void mountIdMappingsComeInPairs() {
        assertEquals("mounts[0].gidMappings: required when uidMappings is set",
                error("mounts[0].uidMappings", "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"));
        assertEquals("mounts[0].uidMappings: required when gidMappings is set",
                error("mounts[0].gidMappings", "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"));
    }

    @Test
    void idmapMountsNeedMappingsOrAUserNamespace() {
        assertEquals("mounts[7].options: \"ridmap\" needs uidMappings and gidMappings on the mount, or a user "
                        + "namespace in linux.namespaces",
                error("mounts[7]", "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ridmap\"]}"));
        valid("mounts[7]", "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"idmap\"],"
                + "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                + "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}");
        assertEquals(List.of(), SpecValidator.validateForCreate(DefaultSpec.toRootless(
                spec("mounts[7]", "{\"destination\":\"/data\",\"source\":\"/srv\",\"options\":[\"bind\",\"idmap\"]}"),
                1000, 1000)));
    }

    // --- hooks -----------------------------------------------------------------------------------

    @Test
    void hookPathIsRequiredAndAbsolute() {
        assertEquals("hooks.createRuntime[0].path: required", error("hooks.createRuntime[0]", "{\"args\":[\"x\"]}"));
        assertEquals("hooks.poststop[1].path: \"bin/cleanup\" is not an absolute path",
                error("hooks.poststop", "[{\"path\":\"/bin/a\"},{\"path\":\"bin/cleanup\"}]"));
    }

    @Test
    void hookTimeoutMustBePositive() {
        assertEquals("hooks.prestart[0].timeout: must be greater than zero, got 0",
                error("hooks.prestart[0]", "{\"path\":\"/bin/true\",\"timeout\":0}"));
        assertEquals("hooks.startContainer[0].timeout: must be greater than zero, got -3",
                error("hooks.startContainer[0]", "{\"path\":\"/bin/true\",\"timeout\":-3}"));
    }

    // --- namespaces ------------------------------------------------------------------------------

    @Test
    void namespaceTypesMustNotRepeat() {
        assertEquals("linux.namespaces[5].type: duplicate namespace \"pid\"",
                error("linux.namespaces[5]", "{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}"));
    }

    @Test
    void namespaceTypesMustBeKnown() {
        assertEquals("linux.namespaces[5].type: unknown namespace \"foo\"",
                assertThrows(SpecException.class, () -> spec("linux.namespaces[5]", "{\"type\":\"foo\"}")).getMessage());
    }

    @Test
    void namespacePathMustBeAbsolute() {
        assertEquals("linux.namespaces[1].path: \"run/netns/x\" is not an absolute path",
                error("linux.namespaces[1].path", "\"run/netns/x\""));
        valid("linux.namespaces[1].path", "\"/run/netns/x\"");
    }

    @Test
    void uidMappingsNeedAUserNamespace() {
        assertEquals("linux.uidMappings: set, but there is no user namespace in linux.namespaces",
                error("linux.uidMappings", "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"));
    }

    @Test
    void gidMappingsNeedAUserNamespace() {
        assertEquals("linux.gidMappings: set, but there is no user namespace in linux.namespaces",
                error("linux.gidMappings", "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"));
    }

    @Test
    void aNewUserNamespaceNeedsMappings() {
        assertEquals("linux.namespaces[5]: a new user namespace needs linux.uidMappings or linux.gidMappings",
                error("linux.namespaces[5]", "{\"type\":\"user\"}"));
        valid("linux.namespaces[5]", "{\"type\":\"user\",\"path\":\"/proc/42/ns/user\"}");
    }

    @Test
    void timeOffsetsNeedANewTimeNamespace() {
        assertEquals("linux.timeOffsets: set, but there is no time namespace in linux.namespaces",
                error("linux.timeOffsets", "{\"monotonic\":{\"secs\":10}}"));
        assertEquals("linux.timeOffsets: set, but linux.namespaces[5] joins an existing time namespace; offsets "
                        + "apply only to a new one",
                error("linux.timeOffsets", "{\"monotonic\":{\"secs\":10}}",
                        "linux.namespaces[5]", "{\"type\":\"time\",\"path\":\"/proc/9/ns/time\"}"));
        valid("linux.timeOffsets", "{\"monotonic\":{\"secs\":10},\"boottime\":{\"secs\":-5,\"nanosecs\":999999999}}",
                "linux.namespaces[5]", "{\"type\":\"time\"}");
    }

    @Test
    void timeOffsetsNameKnownClocksAndValidNanoseconds() {
        assertEquals("linux.timeOffsets[\"realtime\"]: unknown clock (expected \"monotonic\" or \"boottime\")",
                error("linux.timeOffsets", "{\"realtime\":{\"secs\":10}}", "linux.namespaces[5]", "{\"type\":\"time\"}"));
        assertEquals("linux.timeOffsets[\"boottime\"].nanosecs: must be less than 1000000000, got 1000000000",
                error("linux.timeOffsets", "{\"boottime\":{\"nanosecs\":1000000000}}",
                        "linux.namespaces[5]", "{\"type\":\"time\"}"));
    }

    // --- devices ---------------------------------------------------------------------------------

    @Test
    void deviceTypeIsOneOfCbup() {
        assertEquals("linux.devices[0].type: \"x\" is not a device type (expected c, b, u or p)",
                error("linux.devices[0]", "{\"type\":\"x\",\"path\":\"/dev/x\",\"major\":1,\"minor\":1}"));
        assertEquals("linux.devices[0].type: required",
                error("linux.devices[0]", "{\"path\":\"/dev/x\",\"major\":1,\"minor\":1}"));
    }

    @Test
    void devicePathIsRequiredAndAbsolute() {
        assertEquals("linux.devices[0].path: \"dev/fuse\" is not an absolute path",
                error("linux.devices[0]", "{\"type\":\"c\",\"path\":\"dev/fuse\",\"major\":10,\"minor\":229}"));
        assertEquals("linux.devices[0].path: required", error("linux.devices[0]", "{\"type\":\"c\",\"major\":10,\"minor\":229}"));
    }

    @Test
    void deviceNumbersAreRequiredExceptForFifos() {
        assertEquals("linux.devices[0].major: required for device type \"b\"",
                error("linux.devices[0]", "{\"type\":\"b\",\"path\":\"/dev/sda\",\"minor\":0}"));
        assertEquals("linux.devices[0].minor: required for device type \"u\"",
                error("linux.devices[0]", "{\"type\":\"u\",\"path\":\"/dev/x\",\"major\":1}"));
        valid("linux.devices[0]", "{\"type\":\"p\",\"path\":\"/dev/fifo\"}");
    }

    // --- sysctl ----------------------------------------------------------------------------------

    @Test
    void netSysctlsNeedANetworkNamespace() {
        assertEquals("linux.sysctl: \"net.ipv4.ip_forward\" needs a network namespace, but there is no network "
                        + "namespace in linux.namespaces",
                error("linux.sysctl", "{\"net.ipv4.ip_forward\":\"1\"}",
                        "linux.namespaces", "[{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"ipc\"}]"));
        valid("linux.sysctl", "{\"net.ipv4.ip_forward\":\"1\",\"net/ipv4/conf/eth0.100/rp_filter\":\"0\"}");
    }

    @Test
    void ipcSysctlsNeedAnIpcNamespace() {
        String noIpc = "[{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"network\"}]";
        assertEquals("linux.sysctl: \"kernel.shmmax\" needs an ipc namespace, but there is no ipc namespace in "
                + "linux.namespaces", error("linux.sysctl", "{\"kernel.shmmax\":\"1\"}", "linux.namespaces", noIpc));
        assertEquals("linux.sysctl: \"fs.mqueue.msg_max\" needs an ipc namespace, but there is no ipc namespace in "
                + "linux.namespaces", error("linux.sysctl", "{\"fs.mqueue.msg_max\":\"1\"}", "linux.namespaces", noIpc));
        assertEquals("linux.sysctl: \"kernel/msgmax\" needs an ipc namespace, but there is no ipc namespace in "
                + "linux.namespaces", error("linux.sysctl", "{\"kernel/msgmax\":\"1\"}", "linux.namespaces", noIpc));
        valid("linux.sysctl", "{\"kernel.sem\":\"1 2 3 4\",\"kernel.shm_rmid_forced\":\"1\",\"fs.mqueue.queues_max\":\"9\"}");
    }

    @Test
    void hostnameSysctlConflictsWithTheHostnameField() {
        assertEquals("linux.sysctl: \"kernel.hostname\" conflicts with the hostname field; set hostname instead",
                error("linux.sysctl", "{\"kernel.hostname\":\"x\"}"));
        valid("linux.sysctl", "{\"kernel.domainname\":\"example.org\"}");
    }

    @Test
    void userSysctlsNeedAUserNamespace() {
        assertEquals("linux.sysctl: \"user.max_user_namespaces\" needs a user namespace, but there is no user "
                + "namespace in linux.namespaces", error("linux.sysctl", "{\"user.max_user_namespaces\":\"0\"}"));
    }

    @Test
    void sysctlsThatAreNotNamespacedAreRejected() {
        assertEquals("linux.sysctl: \"vm.swappiness\" is not namespaced: setting it would change the host",
                error("linux.sysctl", "{\"vm.swappiness\":\"10\"}"));
        assertEquals("linux.sysctl: \"kernel.domainname\" is not namespaced: setting it would change the host",
                error("hostname", "null", "linux.sysctl", "{\"kernel.domainname\":\"x\"}",
                        "linux.namespaces", "[{\"type\":\"mount\"}]"));
    }

    @Test
    void sysctlSlashFormIsNormalised() {
        assertEquals("net.ipv4.conf.eno2/100.rp_filter", SpecValidator.dotted("net/ipv4/conf/eno2.100/rp_filter"));
        assertEquals("kernel.shmmax", SpecValidator.dotted("kernel.shmmax"));
        assertEquals("net.ipv4.ip_forward", SpecValidator.dotted("net/ipv4/ip_forward"));
    }

    // --- masked, readonly, propagation -----------------------------------------------------------

    @Test
    void maskedAndReadonlyPathsMustBeAbsolute() {
        assertEquals("linux.maskedPaths[1]: \"proc/kcore\" is not an absolute path",
                error("linux.maskedPaths[1]", "\"proc/kcore\""));
        assertEquals("linux.readonlyPaths[4]: \"\" is not an absolute path", error("linux.readonlyPaths[4]", "\"\""));
    }

    @Test
    void maskedAndReadonlyPathsNeedAMountNamespace() {
        String noMountNs = "[{\"type\":\"uts\"}]";
        assertEquals("linux.maskedPaths: set, but there is no mount namespace in linux.namespaces",
                error("linux.namespaces", noMountNs));
        assertEquals("linux.readonlyPaths: set, but there is no mount namespace in linux.namespaces",
                error("linux.namespaces", noMountNs, "linux.maskedPaths", "[]"));
    }

    @Test
    void rootfsPropagationIsAKnownMode() {
        assertEquals("linux.rootfsPropagation: \"rshared-ish\" is not a propagation mode (expected shared, slave, "
                + "private or unbindable, or their r- forms)", error("linux.rootfsPropagation", "\"rshared-ish\""));
        valid("linux.rootfsPropagation", "\"runbindable\"");
    }

    // --- resources -------------------------------------------------------------------------------

    @Test
    void deviceRuleTypeIsAllCharOrBlock() {
        assertEquals("linux.resources.devices[1].type: \"p\" is not a device type (expected a, b or c)",
                error("linux.resources.devices[1]", "{\"allow\":true,\"type\":\"p\",\"access\":\"r\"}"));
    }

    @Test
    void deviceRuleAccessIsRequiredAndRwm() {
        assertEquals("linux.resources.devices[0].access: required", error("linux.resources.devices[0]", "{\"allow\":false}"));
        assertEquals("linux.resources.devices[0].access: \"rwx\" may contain only r, w and m",
                error("linux.resources.devices[0].access", "\"rwx\""));
    }

    @Test
    void swappinessIsZeroToHundred() {
        assertEquals("linux.resources.memory.swappiness: must be from 0 to 100, got 101",
                error("linux.resources.memory", "{\"swappiness\":101}"));
        assertEquals("linux.resources.memory.swappiness: must be from 0 to 100, got 18446744073709551615",
                error("linux.resources.memory", "{\"swappiness\":18446744073709551615}"));
    }

    @Test
    void cpuBurstMustNotExceedQuota() {
        assertEquals("linux.resources.cpu.burst: 2000 is greater than quota 1000",
                error("linux.resources.cpu", "{\"quota\":1000,\"burst\":2000}"));
        valid("linux.resources.cpu", "{\"quota\":-1,\"burst\":2000}");
    }

    @Test
    void weightDevicesNeedAWeight() {
        assertEquals("linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight",
                error("linux.resources.blockIO", "{\"weightDevice\":[{\"major\":8,\"minor\":0}]}"));
    }

    @Test
    void rdmaEntriesNeedALimit() {
        assertEquals("linux.resources.rdma[\"mlx5_1\"]: needs hcaHandles or hcaObjects",
                error("linux.resources.rdma", "{\"mlx5_1\":{}}"));
    }

    @Test
    void hugepageLimitsNeedAPageSize() {
        assertEquals("linux.resources.hugepageLimits[0].pageSize: required",
                error("linux.resources.hugepageLimits", "[{\"limit\":1}]"));
    }

    // --- netDevices, intelRdt, memoryPolicy, seccomp ---------------------------------------------

    @Test
    void netDevicesNeedANetworkNamespaceAndValidNames() {
        assertEquals("linux.netDevices: set, but there is no network namespace in linux.namespaces",
                error("linux.netDevices", "{\"eth1\":{}}", "linux.namespaces", "[{\"type\":\"uts\"},{\"type\":\"mount\"}]"));
        assertEquals("linux.netDevices[\"eth/1\"]: not a valid network device name",
                error("linux.netDevices", "{\"eth/1\":{}}"));
        assertEquals("linux.netDevices[\"eth1\"].name: \"a-name-that-is-too-long\" is not a valid network device name",
                error("linux.netDevices", "{\"eth1\":{\"name\":\"a-name-that-is-too-long\"}}"));
        valid("linux.netDevices", "{\"eth1\":{\"name\":\"ctr%d\"},\"abcdefghijklmno\":{}}");
    }

    @Test
    void intelRdtRules() {
        assertEquals("linux.intelRdt.closID: \"a/b\" is not a valid resctrl group name",
                error("linux.intelRdt", "{\"closID\":\"a/b\"}"));
        assertEquals("linux.intelRdt.memBwSchema: must start with \"MB:\"",
                error("linux.intelRdt", "{\"memBwSchema\":\"L3:0=1\"}"));
        assertEquals("linux.intelRdt.schemata[1]: must not contain a newline",
                error("linux.intelRdt", "{\"schemata\":[\"L3:0=1\",\"MB:0=2\\nL2:0=1\"]}"));
        valid("linux.intelRdt", "{\"closID\":\"/\",\"memBwSchema\":\"MB:0=20\"}");
    }

    @Test
    void memoryPolicyRules() {
        assertEquals("linux.memoryPolicy.mode: required", error("linux.memoryPolicy", "{\"nodes\":\"0\"}"));
        assertEquals("linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FAST\"",
                error("linux.memoryPolicy", "{\"mode\":\"MPOL_FAST\"}"));
        assertEquals("linux.memoryPolicy.nodes: required for MPOL_BIND", error("linux.memoryPolicy", "{\"mode\":\"MPOL_BIND\"}"));
        assertEquals("linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL",
                error("linux.memoryPolicy", "{\"mode\":\"MPOL_LOCAL\",\"nodes\":\"0-1\"}"));
        assertEquals("linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\"",
                error("linux.memoryPolicy", "{\"mode\":\"MPOL_PREFERRED\",\"flags\":[\"MPOL_F_X\"]}"));
        assertEquals("linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other"
                        + " (set_mempolicy(2))", error("linux.memoryPolicy", "{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\","
                        + "\"flags\":[\"MPOL_F_STATIC_NODES\",\"MPOL_F_RELATIVE_NODES\"]}"));
        assertEquals("linux.memoryPolicy.nodes: \"0-\" is not a node list (such as \"0-3,7\")",
                error("linux.memoryPolicy", "{\"mode\":\"MPOL_BIND\",\"nodes\":\"0-\"}"));
        assertEquals("linux.memoryPolicy.nodes: no nodes in \",\"",
                error("linux.memoryPolicy", "{\"mode\":\"MPOL_PREFERRED_MANY\",\"nodes\":\",\"}"));
        valid("linux.memoryPolicy", "{\"mode\":\"MPOL_WEIGHTED_INTERLEAVE\",\"nodes\":\" 0-3 ,7,,\"}");
        valid("linux.memoryPolicy", "{\"mode\":\"MPOL_LOCAL\",\"nodes\":\"\"}");
        valid("linux.memoryPolicy", "{\"mode\":\"MPOL_PREFERRED\"}");
    }

    @Test
    void nodeListsParseAsTheKernelPrintsThem() {
        assertEquals(java.util.BitSet.valueOf(new long[] {0b1000_1111L}), MemoryPolicy.parseNodes("0-3,7"));
        assertEquals(java.util.BitSet.valueOf(new long[] {0, 0, 1L << 63}), MemoryPolicy.parseNodes("191"));
        assertEquals(new java.util.BitSet(), MemoryPolicy.parseNodes(""));
        assertEquals(1023, MemoryPolicy.parseNodes("1023").length() - 1);
        assertThrows(IllegalArgumentException.class, () -> MemoryPolicy.parseNodes("-1"));
        assertThrows(IllegalArgumentException.class, () -> MemoryPolicy.parseNodes("99999999999"));
    }

    @Test
    void seccompListenerMetadataNeedsAListenerPath() {
        assertEquals("linux.seccomp.listenerMetadata: set, but linux.seccomp.listenerPath is not",
                error("linux.seccomp", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"m\"}"));
        valid("linux.seccomp", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"m\",\"listenerPath\":\"/run/a.sock\"}");
    }

    @Test
    void seccompRulesNameAtLeastOneSyscall() {
        assertEquals("linux.seccomp.syscalls[1].names: must contain at least one entry",
                error("linux.seccomp", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                        + "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}]}"));
    }

    @Test
    void exceptionCarriesThePathSeparately() {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecValidator.validateForCreate(spec("mounts[3].destination", "\"tmp\"")));
        assertEquals("mounts[3].destination", e.path());
    }
}
