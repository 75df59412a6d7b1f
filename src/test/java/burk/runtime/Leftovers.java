package burk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a container may leave on the host: mounts, cgroup directories, state, processes. */
final class Leftovers {
    private Leftovers() {}

    /** Asserts that nothing named after {@code id} or under {@code bundle} is left on the host. */
    static void assertNone(TestBundle b) throws IOException {
        assertEquals(List.of(), mountsUnder(b.dir), "mounts left under the bundle");
        assertEquals(List.of(), cgroupDirs(b.id), "cgroup directories left");
        assertEquals(false, Files.exists(b.stateRoot.resolve(b.id)), "state directory left");
        assertEquals(List.of(), processesInCgroup(b.id), "processes left in a cgroup of the container");
    }

    static List<String> mountsUnder(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        String prefix = dir.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(prefix) || f[4].startsWith(prefix + "/")) out.add(line);
        }
        return out;
    }

    /** The container's cgroup under the default parent (/burk) or at the top, in any hierarchy. */
    static List<Path> cgroupDirs(String id) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : s.toList()) {
                for (Path c : List.of(h.resolve("burk").resolve(id), h.resolve(id))) {
                    if (Files.isDirectory(c)) out.add(c);
                }
            }
        }
        return out;
    }

    static List<Long> processesInCgroup(String id) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                try {
                    if (Files.readString(p.resolve("cgroup")).contains("/" + id + "\n")) out.add(Long.parseLong(n));
                } catch (IOException ignored) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
