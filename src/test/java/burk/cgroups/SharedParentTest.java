package burk.cgroups;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A parent directory one container created (the default /burk) may hold other containers by the
 * time that container is destroyed: destroy must remove only its own cgroup, and the parent only
 * once it is empty. Plain directories stand in for cgroupfs here: the removal logic is the same.
 */
class SharedParentTest {
    @Test
    void aCreatedParentIsRemovedOnlyWhenEmpty() throws Exception {
        Path root = Files.createTempDirectory("burk-shared-parent-");
        try {
            Path parent = root.resolve("burk");
            List<Path> firstCreated = new ArrayList<>(CgroupFs.mkdirs(root, parent.resolve("first")));
            List<Path> secondCreated = new ArrayList<>(CgroupFs.mkdirs(root, parent.resolve("second")));
            assertTrue(firstCreated.contains(parent), "the first container made the parent");
            assertFalse(secondCreated.contains(parent), "the second found it");
            CgroupFs.removeCreated(firstCreated, CgroupFs.Deadline.in(Duration.ofSeconds(2)));
            assertFalse(Files.exists(parent.resolve("first")));
            assertTrue(Files.isDirectory(parent.resolve("second")), "another container's cgroup must survive");
            CgroupFs.removeIfEmpty(parent);
            assertTrue(Files.isDirectory(parent), "a parent in use is kept");
            CgroupFs.removeCreated(secondCreated, CgroupFs.Deadline.in(Duration.ofSeconds(2)));
            CgroupFs.removeIfEmpty(parent);
            assertFalse(Files.exists(parent), "the empty parent goes with the last container");
        } finally {
            try (var s = Files.walk(root)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
