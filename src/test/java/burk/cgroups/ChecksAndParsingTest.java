package burk.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksAndParsingTest {
    @Test
    void deviceLines() {
        assertEquals("a *:* rwm", Checks.deviceLine(CgroupResources.DeviceRule.denyAll()));
        assertEquals("c 1:3 rw", Checks.deviceLine(CgroupResources.DeviceRule.allowChar(1, 3, "rw")));
        assertEquals("b 8:* m", Checks.deviceLine(new CgroupResources.DeviceRule(true, "b", 8L, null, "m")));
        assertEquals("a *:* rwm", Checks.deviceLine(new CgroupResources.DeviceRule(true, null, null, null, null)));
    }

    @Test
    void badInputIsRefusedBeforeAnyWrite() {
        List<CgroupResources> bad = List.of(
                CgroupResources.none().withDevices(List.of(new CgroupResources.DeviceRule(true, "x", 1L, 3L, "rwm"))),
                CgroupResources.none().withDevices(List.of(new CgroupResources.DeviceRule(true, "c", 1L, 3L, "rwx"))),
                CgroupResources.none().withDevices(List.of(new CgroupResources.DeviceRule(true, "c", -1L, 3L, "r"))),
                CgroupResources.none().withHugepageLimits(List.of(new CgroupResources.HugepageLimit("2MB/../../x", 1))),
                CgroupResources.none().withHugepageLimits(List.of(new CgroupResources.HugepageLimit("2mb", 1))),
                CgroupResources.none().withRdma(Map.of("mlx 4", new CgroupResources.RdmaLimit(1L, 1L))),
                CgroupResources.none().withCpu(CgroupResources.Cpu.ofCpuset("0\n1", null)));
        for (CgroupResources r : bad) {
            assertThrows(CgroupException.class, () -> Checks.checkResources(r), r.toString());
        }
        Checks.checkResources(CgroupResources.none().withHugepageLimits(List.of(new CgroupResources.HugepageLimit("1GB", 0))));
    }

    @Test
    void blkioV1Parsing() {
        String text = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\nTotal 12288\n";
        List<CgroupStats.BlkioEntry> entries = CgroupV1.parseBlkio(text);
        assertEquals(4, entries.size());
        assertEquals(new CgroupStats.BlkioEntry(8, 0, "Write", 8192), entries.get(1));
    }

    @Test
    void ioStatParsing() {
        CgroupStats.Blkio b = CgroupV2.parseIoStat("254:0 rbytes=4096 wbytes=512 rios=1 wios=2 dbytes=0 dios=0\n");
        assertEquals(List.of(new CgroupStats.BlkioEntry(254, 0, "Read", 4096), new CgroupStats.BlkioEntry(254, 0, "Write", 512)),
                b.ioServiceBytesRecursive());
        assertEquals(List.of(new CgroupStats.BlkioEntry(254, 0, "Read", 1), new CgroupStats.BlkioEntry(254, 0, "Write", 2)),
                b.ioServicedRecursive());
    }

    @Test
    void flatKeyedParsingReadsMaxAsUnlimited() {
        Map<String, Long> m = CgroupFs.parseFlatKeyed(Path.of("x"), "low 0\nhigh 3\nmax max\noom_kill 2\n");
        assertEquals(3L, m.get("high"));
        assertEquals(CgroupStats.UNLIMITED, m.get("max"));
        assertEquals(2L, m.get("oom_kill"));
        assertEquals(CgroupStats.UNLIMITED, CgroupFs.parseLong(Path.of("x"), "18446744073709551615"));
    }

    @Test
    void errorMessagesNameFileValueAndErrno() {
        Path file = Path.of("/sys/fs/cgroup/memory/burk/x/memory.limit_in_bytes");
        CgroupException e = CgroupException.write(file, "9999999999999", new IOException("Invalid argument"));
        assertEquals("cgroup: write \"9999999999999\" to " + file + ": invalid argument", e.getMessage());
        assertEquals("invalid argument", e.reason());
        assertEquals(file, e.file().orElseThrow());
        assertEquals("9999999999999", e.value().orElseThrow());
        assertEquals("device or resource busy",
                CgroupException.reasonOf(new FileSystemException("/x", null, "Device or resource busy")));
        assertEquals("no such file or directory", CgroupException.reasonOf(new NoSuchFileException("/x")));
        assertTrue(CgroupException.io("rmdir", file, new NoSuchFileException(file.toString())).isNoSuchFile());
        assertEquals("cgroup: write \"a\\nb\" to /f: x", CgroupException.write(Path.of("/f"), "a\nb", "x").getMessage());
    }
}
