package burk.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecCodecTest {

    static String resource(String name) throws IOException {
        try (InputStream in = SpecCodecTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every property of the model set, most to non-default values. */
    static final String KITCHEN_SINK = """
            {
              "ociVersion": "1.3.0",
              "process": {
                "terminal": true,
                "consoleSize": {"height": 25, "width": 80},
                "user": {"uid": 1000, "gid": 4294967295, "umask": 18, "additionalGids": [5, 6], "username": "u"},
                "args": ["/bin/app", "--flag"],
                "commandLine": "app --flag",
                "env": ["A=1", "B="],
                "cwd": "/work",
                "capabilities": {
                  "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "inheritable": ["CAP_CHOWN"],
                  "permitted": ["CAP_KILL"], "ambient": ["CAP_NET_RAW"]
                },
                "rlimits": [
                  {"type": "RLIMIT_NOFILE", "hard": 18446744073709551615, "soft": 1024},
                  {"type": "RLIMIT_CORE", "hard": 0, "soft": 0}
                ],
                "noNewPrivileges": true,
                "apparmorProfile": "burk-default",
                "oomScoreAdj": -500,
                "scheduler": {"policy": "SCHED_DEADLINE", "nice": -3, "priority": 2,
                              "flags": ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"],
                              "runtime": 10000, "deadline": 20000, "period": 18446744073709551615},
                "selinuxLabel": "system_u:system_r:container_t:s0",
                "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 4},
                "execCPUAffinity": {"initial": "0-3,7", "final": "1"}
              },
              "root": {"path": "rootfs", "readonly": true},
              "hostname": "box",
              "domainname": "example.org",
              "mounts": [
                {"destination": "/data", "type": "none", "source": "/srv/data", "options": ["rbind", "idmap"],
                 "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                 "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]},
                {"destination": "/tmp"}
              ],
              "hooks": {
                "prestart": [{"path": "/bin/pre"}],
                "createRuntime": [{"path": "/bin/cr", "args": ["cr", "-x"], "env": ["X=1"], "timeout": 5}],
                "createContainer": [{"path": "/bin/cc"}],
                "startContainer": [{"path": "/bin/sc"}],
                "poststart": [{"path": "/bin/ps"}],
                "poststop": [{"path": "/bin/stop"}, {"path": "/bin/stop2", "timeout": 1}]
              },
              "annotations": {"z.last": "1", "a.first": "2"},
              "linux": {
                "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1000"},
                "resources": {
                  "devices": [{"allow": false, "access": "rwm"},
                              {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
                  "memory": {"limit": 536870912, "reservation": 1, "swap": -1, "kernel": -1, "kernelTCP": 2,
                             "swappiness": 60, "disableOOMKiller": true, "useHierarchy": false,
                             "checkBeforeUpdate": true},
                  "cpu": {"shares": 1024, "quota": 1000000, "burst": 1000, "period": 500000,
                          "realtimeRuntime": 950000, "realtimePeriod": 1000000, "cpus": "2-3", "mems": "0-7",
                          "idle": 1},
                  "pids": {"limit": 0},
                  "blockIO": {"weight": 10, "leafWeight": 20,
                              "weightDevice": [{"major": 8, "minor": 0, "weight": 500, "leafWeight": 300},
                                               {"major": 8, "minor": 16, "leafWeight": 65535}],
                              "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                              "throttleWriteBpsDevice": [{"major": 8, "minor": 1, "rate": 18446744073709551615}],
                              "throttleReadIOPSDevice": [{"major": 8, "minor": 2, "rate": 1}],
                              "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 300}]},
                  "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}, {"pageSize": "1GB", "limit": 0}],
                  "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
                  "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "mlx4_0": {"hcaObjects": 1000}},
                  "unified": {"io.max": "259:0 rbps=2097152", "memory.high": "max"}
                },
                "cgroupsPath": "/burk/box",
                "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/a"}, {"type": "mount"},
                               {"type": "ipc"}, {"type": "uts"}, {"type": "user"}, {"type": "cgroup"},
                               {"type": "time"}],
                "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438,
                             "uid": 0, "gid": 0},
                            {"path": "/dev/fifo", "type": "p"}],
                "netDevices": {"eth1": {"name": "ctr1"}, "eth2": {}},
                "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                            "architectures": ["SCMP_ARCH_X86_64"],
                            "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                                          "args": [{"index": 0, "value": 2114060288, "valueTwo": 0,
                                                    "op": "SCMP_CMP_MASKED_EQ"}]}]},
                "rootfsPropagation": "rslave",
                "maskedPaths": ["/proc/kcore"],
                "readonlyPaths": ["/proc/sys"],
                "mountLabel": "system_u:object_r:container_file_t:s0",
                "intelRdt": {"closID": "guaranteed", "schemata": ["L3:0=7f0"], "l3CacheSchema": "L3:0=ff",
                             "memBwSchema": "MB:0=20", "enableMonitoring": true},
                "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "2-3", "flags": ["MPOL_F_STATIC_NODES"]},
                "personality": {"domain": "LINUX32"},
                "timeOffsets": {"monotonic": {"secs": -86400, "nanosecs": 500}, "boottime": {"secs": 3}}
              }
            }
            """;

    // --- reading ---------------------------------------------------------------------------------

    @Test
    void readsEveryPropertyOfTheModel() {
        RuntimeSpec s = SpecCodec.parse(KITCHEN_SINK);
        assertEquals("1.3.0", s.ociVersion());
        ProcessSpec p = s.process();
        assertTrue(p.terminal());
        assertEquals(new ConsoleSize(25, 80), p.consoleSize());
        assertEquals(new User(1000, 4294967295L, 18L, List.of(5L, 6L), "u"), p.user());
        assertEquals(List.of("/bin/app", "--flag"), p.args());
        assertEquals("app --flag", p.commandLine());
        assertEquals(List.of("A=1", "B="), p.env());
        assertEquals("/work", p.cwd());
        assertEquals(new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_CHOWN"),
                List.of("CAP_KILL"), List.of("CAP_NET_RAW")), p.capabilities());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", -1L, 1024), new Rlimit("RLIMIT_CORE", 0, 0)), p.rlimits());
        assertTrue(p.noNewPrivileges());
        assertEquals("burk-default", p.apparmorProfile());
        assertEquals(-500, p.oomScoreAdj());
        assertEquals(new Scheduler(SchedulerPolicy.SCHED_DEADLINE, -3, 2,
                List.of(SchedulerFlag.SCHED_FLAG_RESET_ON_FORK, SchedulerFlag.SCHED_FLAG_RECLAIM),
                10000, 20000, -1L), p.scheduler());
        assertEquals("system_u:system_r:container_t:s0", p.selinuxLabel());
        assertEquals(new IoPriority(IoPriorityClass.IOPRIO_CLASS_IDLE, 4), p.ioPriority());
        assertEquals(new ExecCpuAffinity("0-3,7", "1"), p.execCPUAffinity());

        assertEquals(new Root("rootfs", true), s.root());
        assertEquals("box", s.hostname());
        assertEquals("example.org", s.domainname());
        assertEquals(new Mount("/data", "none", "/srv/data", List.of("rbind", "idmap"),
                List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 200000, 65536))), s.mounts().get(0));
        assertEquals(new Mount("/tmp", null, null, List.of()), s.mounts().get(1));

        Hooks h = s.hooks();
        assertEquals(List.of(new Hook("/bin/pre", null, null, null)), h.prestart());
        assertEquals(List.of(new Hook("/bin/cr", List.of("cr", "-x"), List.of("X=1"), 5)), h.createRuntime());
        assertEquals("/bin/cc", h.createContainer().get(0).path());
        assertEquals("/bin/sc", h.startContainer().get(0).path());
        assertEquals("/bin/ps", h.poststart().get(0).path());
        assertEquals(2, h.poststop().size());
        assertEquals(1, h.poststop().get(1).timeout());
        assertEquals(List.of("z.last", "a.first"), new ArrayList<>(s.annotations().keySet()));

        Linux l = s.linux();
        assertEquals(List.of(new IdMapping(0, 1000, 1)), l.uidMappings());
        assertEquals(List.of(new IdMapping(0, 1000, 1)), l.gidMappings());
        assertEquals(List.of("net.ipv4.ip_forward", "kernel.shmmax"), new ArrayList<>(l.sysctl().keySet()));
        assertEquals("/burk/box", l.cgroupsPath());
        assertEquals(8, l.namespaces().size());
        assertEquals(new LinuxNamespace(NamespaceType.NETWORK, "/var/run/netns/a"), l.namespace(NamespaceType.NETWORK));
        assertEquals(NamespaceType.TIME, l.namespaces().get(7).type());
        assertEquals(new LinuxDevice("c", "/dev/fuse", 10L, 229L, 438L, 0L, 0L), l.devices().get(0));
        assertEquals(new LinuxDevice("p", "/dev/fifo", null, null, null, null, null), l.devices().get(1));
        assertEquals(Map.of("eth1", new NetDevice("ctr1"), "eth2", new NetDevice(null)), l.netDevices());
        assertEquals("SCMP_ACT_ERRNO", l.seccomp().json().get("defaultAction"));
        assertEquals(1L, l.seccomp().json().get("defaultErrnoRet"));
        assertEquals("rslave", l.rootfsPropagation());
        assertEquals(List.of("/proc/kcore"), l.maskedPaths());
        assertEquals(List.of("/proc/sys"), l.readonlyPaths());
        assertEquals("system_u:object_r:container_file_t:s0", l.mountLabel());
        assertEquals(new IntelRdt("guaranteed", List.of("L3:0=7f0"), "L3:0=ff", "MB:0=20", true), l.intelRdt());
        assertEquals(new MemoryPolicy("MPOL_INTERLEAVE", "2-3", List.of("MPOL_F_STATIC_NODES")), l.memoryPolicy());
        assertEquals(new Personality(PersonalityDomain.LINUX32, List.of()), l.personality());
        assertEquals(new TimeOffset(-86400, 500), l.timeOffsets().get("monotonic"));
        assertEquals(new TimeOffset(3, 0), l.timeOffsets().get("boottime"));

        LinuxResources r = l.resources();
        assertEquals(List.of(new DeviceRule(false, null, null, null, "rwm"), new DeviceRule(true, "c", 10L, 229L, "rw")),
                r.devices());
        assertEquals(new MemoryResources(536870912L, 1L, -1L, -1L, 2L, 60L, true, false, true), r.memory());
        assertEquals(new CpuResources(1024L, 1000000L, 1000L, 500000L, 950000L, 1000000L, "2-3", "0-7", 1L), r.cpu());
        assertEquals(new PidsResources(0L), r.pids());
        BlockIoResources b = r.blockIO();
        assertEquals(10, b.weight());
        assertEquals(20, b.leafWeight());
        assertEquals(List.of(new WeightDevice(8, 0, 500, 300), new WeightDevice(8, 16, null, 65535)), b.weightDevice());
        assertEquals(List.of(new ThrottleDevice(8, 0, 600)), b.throttleReadBpsDevice());
        assertEquals(List.of(new ThrottleDevice(8, 1, -1L)), b.throttleWriteBpsDevice());
        assertEquals(List.of(new ThrottleDevice(8, 2, 1)), b.throttleReadIOPSDevice());
        assertEquals(List.of(new ThrottleDevice(8, 16, 300)), b.throttleWriteIOPSDevice());
        assertEquals(List.of(new HugepageLimit("2MB", 209715200), new HugepageLimit("1GB", 0)), r.hugepageLimits());
        assertEquals(new NetworkResources(1048577L, List.of(new InterfacePriority("eth0", 500))), r.network());
        assertEquals(new RdmaLimit(3L, 10000L), r.rdma().get("mlx5_1"));
        assertEquals(new RdmaLimit(null, 1000L), r.rdma().get("mlx4_0"));
        assertEquals(List.of("io.max", "memory.high"), new ArrayList<>(r.unified().keySet()));
    }

    @Test
    void absentFieldsAreNullOrEmptyNeverMissingLists() {
        RuntimeSpec s = SpecCodec.parse("{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\"},\"linux\":{}}");
        assertNull(s.root());
        assertNull(s.hooks());
        assertEquals(List.of(), s.mounts());
        assertEquals(Map.of(), s.annotations());
        ProcessSpec p = s.process();
        assertFalse(p.terminal());
        assertEquals(User.ROOT, p.user());
        assertEquals(List.of(), p.args());
        assertEquals(List.of(), p.env());
        assertNull(p.capabilities());
        assertNull(p.oomScoreAdj());
        Linux l = s.linux();
        assertEquals(List.of(), l.namespaces());
        assertEquals(Map.of(), l.sysctl());
        assertNull(l.resources());
        assertNull(l.seccomp());
    }

    @Test
    void jsonNullReadsAsAbsentLikeGosDecoder() {
        RuntimeSpec s = SpecCodec.parse("{\"ociVersion\":\"1.0.0\",\"hostname\":null,\"mounts\":null,"
                + "\"process\":{\"oomScoreAdj\":null,\"args\":null}}");
        assertNull(s.hostname());
        assertEquals(List.of(), s.mounts());
        assertNull(s.process().oomScoreAdj());
        assertEquals(List.of(), s.process().args());
    }

    @Test
    void zeroIsNotAbsentForOptionalNumbers() {
        RuntimeSpec s = SpecCodec.parse("{\"process\":{\"oomScoreAdj\":0,\"user\":{\"uid\":0,\"gid\":0,\"umask\":0}},"
                + "\"linux\":{\"resources\":{\"pids\":{\"limit\":0},\"memory\":{\"swappiness\":0}}}}");
        assertEquals(0, s.process().oomScoreAdj());
        assertEquals(0L, s.process().user().umask());
        assertEquals(0L, s.linux().resources().pids().limit());
        assertEquals(0L, s.linux().resources().memory().swappiness());
    }

    @Test
    void ignoresUnknownPropertiesAtEveryLevel() {
        RuntimeSpec s = SpecCodec.parse("{\"ociVersion\":\"1.2.0\",\"future\":[1,{\"x\":2}],\"windows\":{\"layerFolders\":[]},"
                + "\"process\":{\"cwd\":\"/\",\"newThing\":true},\"root\":{\"path\":\"r\",\"extra\":1}}");
        assertEquals(new Root("r", false), s.root());
        assertEquals("/", s.process().cwd());
    }

    @Test
    void parsesARealisticDockerGeneratedConfigWithASeccompProfile() throws IOException {
        String text = resource("docker-config.json");
        RuntimeSpec s = SpecCodec.parse(text, "config.json");

        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 6L, 10L, 11L, 20L, 26L, 27L), s.process().user().additionalGids());
        assertEquals(List.of("sh", "-c", "echo \"hello\" && sleep 1"), s.process().args());
        assertEquals(14, s.process().capabilities().bounding().size());
        assertEquals(new Rlimit("RLIMIT_CORE", -1L, -1L), s.process().rlimits().get(1));
        assertEquals(0, s.process().oomScoreAdj());
        assertEquals(10, s.mounts().size());
        assertEquals(new Mount("/etc/hosts", "bind",
                "/var/lib/docker/containers/3f4e9a7c1b2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7/hosts",
                List.of("rbind", "rprivate")), s.mounts().get(9));
        assertEquals("libnetwork-setkey", s.hooks().createRuntime().get(0).args().get(0));
        assertEquals("line1\nline2 \u2028 \"quoted\"", s.annotations().get("com.example.note"));
        LinuxResources r = s.linux().resources();
        assertEquals(8, r.devices().size());
        assertEquals(new DeviceRule(true, "c", 1L, 5L, "rwm"), r.devices().get(1));
        assertEquals(Boolean.FALSE, r.memory().disableOOMKiller());
        assertEquals(150000L, r.cpu().quota());
        assertEquals("/var/run/docker/netns/4c1d2e3f4a5b", s.linux().namespace(NamespaceType.NETWORK).path());
        assertEquals(12, s.linux().maskedPaths().size());

        Map<String, Object> seccomp = s.linux().seccomp().json();
        List<?> syscalls = (List<?>) seccomp.get("syscalls");
        assertEquals(12, syscalls.size());
        assertTrue(((List<?>) ((Map<?, ?>) syscalls.get(0)).get("names")).size() > 300);
        Map<?, ?> lastPersonality = (Map<?, ?>) syscalls.get(5);
        assertEquals(4294967295L, ((Map<?, ?>) ((List<?>) lastPersonality.get("args")).get(0)).get("value"));

        assertEquals(List.of(), SpecValidator.validateForCreate(s));

        // Writing gives the same document minus the properties burk does not know.
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) Json.parse(text);
        tree.remove("vm");
        ((Map<?, ?>) tree.get("linux")).remove("someFutureProperty");
        assertEquals(Json.write(tree), SpecCodec.toJson(s, false));
    }

    @Test
    void syntaxErrorsNameTheSourceLineAndColumn() {
        JsonException e = assertThrows(JsonException.class,
                () -> SpecCodec.parse("{\n  \"ociVersion\": \"1.2.0\"\n  \"root\": {}\n}", "config.json"));
        assertEquals("config.json: line 3, column 3: expected ',' or '}', found '\"'", e.getMessage());
    }

    // --- type errors -----------------------------------------------------------------------------

    private static String typeError(String json) {
        return assertThrows(SpecException.class, () -> SpecCodec.parse(json)).getMessage();
    }

    @Test
    void wrongTypesAreReportedWithTheirJsonPath() {
        assertEquals("process.user.uid: expected a number, got \"abc\"",
                typeError("{\"process\":{\"user\":{\"uid\":\"abc\"}}}"));
        assertEquals("process.user.uid: expected an integer from 0 to 4294967295 (uint32), got -1",
                typeError("{\"process\":{\"user\":{\"uid\":-1}}}"));
        assertEquals("process.user.gid: expected an integer from 0 to 4294967295 (uint32), got 4294967296",
                typeError("{\"process\":{\"user\":{\"gid\":4294967296}}}"));
        assertEquals("process.user.uid: expected an integer, got 1.5",
                typeError("{\"process\":{\"user\":{\"uid\":1.5}}}"));
        assertEquals("process.user.additionalGids[1]: expected a number, got true",
                typeError("{\"process\":{\"user\":{\"additionalGids\":[1,true]}}}"));
        assertEquals("process: expected an object, got \"x\"", typeError("{\"process\":\"x\"}"));
        assertEquals("process.args[0]: expected a string, got 1", typeError("{\"process\":{\"args\":[1]}}"));
        assertEquals("process.args[1]: expected a string, got null",
                typeError("{\"process\":{\"args\":[\"a\",null]}}"));
        assertEquals("process.terminal: expected a boolean, got \"yes\"",
                typeError("{\"process\":{\"terminal\":\"yes\"}}"));
        assertEquals("process.oomScoreAdj: expected an integer from -2147483648 to 2147483647 (int32), got 2147483648",
                typeError("{\"process\":{\"oomScoreAdj\":2147483648}}"));
        assertEquals("mounts: expected an array, got an object", typeError("{\"mounts\":{}}"));
        assertEquals("mounts[1]: expected an object, got an array", typeError("{\"mounts\":[{},[]]}"));
        assertEquals("mounts[0].options[0]: expected a string, got an object",
                typeError("{\"mounts\":[{\"options\":[{}]}]}"));
        assertEquals("annotations[\"a.b\"]: expected a string, got 1", typeError("{\"annotations\":{\"a.b\":1}}"));
        assertEquals("ociVersion: expected a string, got 1", typeError("{\"ociVersion\":1}"));
        assertEquals("expected an object, got an array", typeError("[]"));
    }

    @Test
    void longStringsAreShortenedInMessages() {
        assertEquals("process.user.uid: expected a number, got \"" + "x".repeat(61) + "...\"",
                typeError("{\"process\":{\"user\":{\"uid\":\"" + "x".repeat(100) + "\"}}}"));
    }

    @Test
    void numbersAreRangeCheckedForTheirSpecType() {
        assertEquals("process.rlimits[0].hard: expected an integer from 0 to 18446744073709551615 (uint64), "
                        + "got 18446744073709551616",
                typeError("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551616}]}}"));
        assertEquals("process.rlimits[0].soft: expected an integer from 0 to 18446744073709551615 (uint64), got -1",
                typeError("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":-1}]}}"));
        assertEquals("linux.resources.memory.limit: expected an integer from -9223372036854775808 to "
                        + "9223372036854775807 (int64), got 9223372036854775808",
                typeError("{\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}"));
        assertEquals("linux.resources.blockIO.weight: expected an integer from 0 to 65535 (uint16), got 65536",
                typeError("{\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}"));
        assertEquals("linux.resources.cpu.shares: expected an integer, got 1000.0",
                typeError("{\"linux\":{\"resources\":{\"cpu\":{\"shares\":1e3}}}}"));
        assertEquals("linux.resources.rdma[\"mlx5_1\"]: expected an object, got 3",
                typeError("{\"linux\":{\"resources\":{\"rdma\":{\"mlx5_1\":3}}}}"));
        assertEquals("linux.timeOffsets[\"monotonic\"].nanosecs: expected an integer from 0 to 4294967295 (uint32), got -5",
                typeError("{\"linux\":{\"timeOffsets\":{\"monotonic\":{\"nanosecs\":-5}}}}"));
    }

    @Test
    void closedSetsRejectUnknownValues() {
        assertEquals("linux.namespaces[2].type: unknown namespace \"foo\"",
                typeError("{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"uts\"},{\"type\":\"foo\"}]}}"));
        assertEquals("linux.namespaces[0].type: required", typeError("{\"linux\":{\"namespaces\":[{\"path\":\"/x\"}]}}"));
        assertEquals("process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"",
                typeError("{\"process\":{\"scheduler\":{\"policy\":\"SCHED_FAST\"}}}"));
        assertEquals("process.scheduler.policy: required", typeError("{\"process\":{\"scheduler\":{\"nice\":1}}}"));
        assertEquals("process.scheduler.flags[1]: unknown scheduler flag \"SCHED_FLAG_X\"",
                typeError("{\"process\":{\"scheduler\":{\"policy\":\"SCHED_RR\","
                        + "\"flags\":[\"SCHED_FLAG_RECLAIM\",\"SCHED_FLAG_X\"]}}}"));
        assertEquals("process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"",
                typeError("{\"process\":{\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\"}}}"));
        assertEquals("linux.personality.domain: unknown personality domain \"LINUX64\"",
                typeError("{\"linux\":{\"personality\":{\"domain\":\"LINUX64\"}}}"));
    }

    // --- writing ---------------------------------------------------------------------------------

    @Test
    void roundTripsEveryProperty() {
        RuntimeSpec first = SpecCodec.parse(KITCHEN_SINK);
        String compact = SpecCodec.toJson(first, false);
        RuntimeSpec second = SpecCodec.parse(compact);
        assertEquals(first, second);
        assertEquals(compact, SpecCodec.toJson(second, false));
        assertEquals(first, SpecCodec.parse(SpecCodec.toJson(first, true)));
        // Every property of the input survives (the input has no unknown ones).
        assertEquals(Json.parse(KITCHEN_SINK), Json.parse(compact));
    }

    @Test
    void writesUint64ValuesAboveLongMaxUnsigned() {
        RuntimeSpec s = SpecCodec.parse(KITCHEN_SINK);
        String json = SpecCodec.toJson(s, false);
        assertTrue(json.contains("{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":1024}"), json);
        assertTrue(json.contains("\"period\":18446744073709551615}"), json);
    }

    @Test
    void omitsAbsentAndZeroValuedOptionalFieldsLikeTheGoBindings() {
        ProcessSpec p = ProcessSpec.of(List.of("sh"), List.of(), "/");
        assertEquals("{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}", SpecCodec.toJson(p, false));
        RuntimeSpec s = new RuntimeSpec("1.2.0", null, new Root("rootfs", false), null, null, null, null, null, null);
        assertEquals("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}}", SpecCodec.toJson(s, false));
    }

    @Test
    void writesTheJsonPropertyNamesThatAreJavaKeywords() {
        RuntimeSpec s = SpecCodec.parse(KITCHEN_SINK);
        String json = SpecCodec.toJson(s.process(), false);
        assertTrue(json.contains("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":4}"), json);
        assertTrue(json.contains("\"execCPUAffinity\":{\"initial\":\"0-3,7\",\"final\":\"1\"}"), json);
    }

    // --- process files ---------------------------------------------------------------------------

    @Test
    void parsesAProcessFileForExec() {
        ProcessSpec p = SpecCodec.parseProcess("{\"terminal\":false,\"user\":{\"uid\":33,\"gid\":33},"
                + "\"args\":[\"ps\",\"aux\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/srv\",\"noNewPrivileges\":true}");
        assertEquals(List.of("ps", "aux"), p.args());
        assertEquals(33, p.user().uid());
        assertEquals("/srv", p.cwd());
        assertTrue(p.noNewPrivileges());
        assertEquals(p, SpecCodec.parseProcess(SpecCodec.toJson(p, false)));
    }

    @Test
    void processFileErrorsArePathsRelativeToTheProcessObject() {
        assertEquals("user.uid: expected a number, got \"0\"",
                assertThrows(SpecException.class, () -> SpecCodec.parseProcess("{\"user\":{\"uid\":\"0\"}}")).getMessage());
        assertEquals("expected an object, got an array",
                assertThrows(SpecException.class, () -> SpecCodec.parseProcess("[]")).getMessage());
    }

    // --- state -----------------------------------------------------------------------------------

    @Test
    void stateJsonHasTheSpecsShape() {
        ContainerState st = new ContainerState("1.2.0", "web", ContainerState.RUNNING, 4422, "/containers/web",
                Map.of("k", "v"));
        assertEquals("{\"ociVersion\":\"1.2.0\",\"id\":\"web\",\"status\":\"running\",\"pid\":4422,"
                + "\"bundle\":\"/containers/web\",\"annotations\":{\"k\":\"v\"}}", st.toJson());
        assertEquals(st, ContainerState.parse(st.toJson()));
    }

    @Test
    void stateOmitsAZeroPidAndEmptyAnnotations() {
        ContainerState st = new ContainerState("1.2.0", "web", ContainerState.STOPPED, 0, "/b", null);
        assertEquals("{\"ociVersion\":\"1.2.0\",\"id\":\"web\",\"status\":\"stopped\",\"bundle\":\"/b\"}", st.toJson());
        assertEquals(st, ContainerState.parse(st.toJson()));
    }

    @Test
    void stateParsingIgnoresUnknownPropertiesAndRequiresTheSpecOnes() {
        ContainerState st = ContainerState.parse("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"status\":\"paused\","
                + "\"pid\":7,\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":\"2024-01-01T00:00:00Z\"}");
        assertEquals(new ContainerState("1.0.2", "a", "paused", 7, "/b", Map.of()), st);
        assertEquals("id: required", assertThrows(SpecException.class,
                () -> ContainerState.parse("{\"ociVersion\":\"1.0.2\",\"status\":\"created\",\"bundle\":\"/b\"}"))
                .getMessage());
        assertEquals("pid: expected a number, got \"7\"", assertThrows(SpecException.class,
                () -> ContainerState.parse("{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"created\",\"pid\":\"7\","
                        + "\"bundle\":\"/b\"}")).getMessage());
    }
}
