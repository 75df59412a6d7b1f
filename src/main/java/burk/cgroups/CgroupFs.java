package burk.cgroups;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Plain file I/O on cgroupfs, with the kernel's rules for it. Stateless. */
final class CgroupFs {
    private CgroupFs() {}

    /**
     * Writes {@code value} with exactly one write(2). cgroupfs parses each write as one request
     * (one pid, one device rule, one io.max line), so a value must never be split; and it must be
     * opened without O_CREAT/O_TRUNC: creating files in cgroupfs is not allowed and a missing file
     * means a missing controller, which should surface as ENOENT.
     */
    static void write(Path file, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            int written = channel.write(ByteBuffer.wrap(bytes));
            if (written != bytes.length) {
                throw CgroupException.write(file, value, "short write (" + written + " of " + bytes.length + " bytes)");
            }
        } catch (IOException e) {
            throw CgroupException.write(file, value, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CgroupException.io("read", file, e);
        }
    }

    static Optional<String> readIfExists(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CgroupException.io("read", file, e);
        }
    }

    static String readTrimmed(Path file) {
        return read(file).trim();
    }

    /** A single-number file; "max" (v2's unlimited) reads as {@link CgroupStats#UNLIMITED}. */
    static long readLong(Path file) {
        return parseLong(file, readTrimmed(file));
    }

    /** Like {@link #readLong} but 0 when the file does not exist (controller not enabled). */
    static long readLongOrZero(Path file) {
        return readIfExists(file).map(s -> parseLong(file, s.trim())).orElse(0L);
    }

    static long parseLong(Path file, String text) {
        if (text.equals("max")) {
            return CgroupStats.UNLIMITED;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            // v1 counters are u64 in the kernel; values past Long.MAX_VALUE mean "unlimited" there too.
            if (text.matches("[0-9]+")) {
                return CgroupStats.UNLIMITED;
            }
            throw CgroupException.io("parse", file, "not a number: " + CgroupException.quote(text));
        }
    }

    /** A "flat keyed" file ("key value" per line: cpu.stat, memory.stat, memory.events...). */
    static Map<String, Long> readFlatKeyed(Path file) {
        return readIfExists(file).map(text -> parseFlatKeyed(file, text)).orElse(Map.of());
    }

    static Map<String, Long> parseFlatKeyed(Path file, String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2) {
                values.put(fields[0], parseLong(file, fields[1]));
            }
        }
        return values;
    }

    /** The pids in one cgroup.procs file (not its children). */
    static List<Long> readProcs(Path dir) {
        List<Long> pids = new ArrayList<>();
        for (String line : read(dir.resolve("cgroup.procs")).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    /** The pids in {@code dir} and every cgroup below it, sorted, without duplicates. */
    static List<Long> readProcsRecursive(Path dir) {
        TreeSet<Long> pids = new TreeSet<>();
        for (Path cgroup : cgroupsBelow(dir, true)) {
            try {
                pids.addAll(readProcs(cgroup));
            } catch (CgroupException e) {
                // A child cgroup can disappear between listing and reading it.
                if (!e.isNoSuchFile()) {
                    throw e;
                }
            }
        }
        return List.copyOf(pids);
    }

    /** {@code dir} (if {@code includeSelf}) and all cgroup directories below it, parents first. */
    static List<Path> cgroupsBelow(Path dir, boolean includeSelf) {
        List<Path> result = new ArrayList<>();
        if (includeSelf) {
            result.add(dir);
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.filter(Files::isDirectory).sorted().toList()) {
                result.addAll(cgroupsBelow(child, true));
            }
        } catch (NoSuchFileException e) {
            return includeSelf ? List.of() : result;
        } catch (IOException e) {
            throw CgroupException.io("list", dir, e);
        }
        return result;
    }

    /**
     * mkdir -p of {@code dir} below {@code mountPoint}, returning the directories this call
     * created itself, outermost first. A directory that already existed is not ours to remove
     * later, so it is not returned.
     */
    static List<Path> mkdirs(Path mountPoint, Path dir) {
        if (!dir.startsWith(mountPoint)) {
            throw new CgroupException("cgroup: " + dir + " is not below the hierarchy " + mountPoint);
        }
        List<Path> created = new ArrayList<>();
        // Another container's destroy may remove an empty shared parent (the default /burk)
        // between our steps: the walk starts over then, a few times.
        for (int attempt = 0; ; attempt++) {
            Path current = mountPoint;
            try {
                for (Path name : mountPoint.relativize(dir)) {
                    current = current.resolve(name.toString());
                    try {
                        Files.createDirectory(current);
                        created.add(current);
                    } catch (FileAlreadyExistsException e) {
                        if (!Files.isDirectory(current)) {
                            throw CgroupException.io("mkdir", current, e);
                        }
                    }
                }
                return created;
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt >= 3) throw CgroupException.io("mkdir", current, e);
            } catch (IOException e) {
                throw CgroupException.io("mkdir", current, e);
            }
        }
    }

    /**
     * Removes a cgroup directory and every cgroup below it (cgroups the container made inside
     * its own), deepest first. rmdir fails with EBUSY while a dying task still counts as a
     * member, so it is retried with backoff until {@code deadline}. Returns normally when the
     * directory is gone.
     */
    static void removeTree(Path dir, Deadline deadline) {
        List<Path> all = cgroupsBelow(dir, true);
        for (int i = all.size() - 1; i >= 0; i--) {
            rmdirWithRetry(all.get(i), deadline);
        }
    }

    /**
     * Removes the created directories, deepest first, dropping each one removed from the list
     * (so a failed destroy can be retried with what is left).
     */
    static void removeCreated(List<Path> created, Deadline deadline) {
        List<Path> deepestFirst = new ArrayList<>(created);
        deepestFirst.sort(java.util.Comparator.comparingInt(Path::getNameCount).reversed());
        CgroupException failure = null;
        for (Path dir : deepestFirst) {
            boolean ancestor = false;
            for (Path other : deepestFirst) ancestor |= !other.equals(dir) && other.startsWith(dir);
            if (ancestor) {
                // A parent burk made for this container may hold other containers by now: it is
                // removed only when empty, never with what is below it.
                removeIfEmpty(dir);
                created.remove(dir);
                continue;
            }
            try {
                removeTree(dir, deadline);
                created.remove(dir);
            } catch (CgroupException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw new CgroupException("cgroup: destroy left " + created + ": " + failure.getMessage());
        }
    }

    /** One rmdir: succeeds on an empty cgroup, does nothing to one that still has children or tasks. */
    static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // ENOTEMPTY or EBUSY: still in use by another container
        }
    }

    private static void rmdirWithRetry(Path dir, Deadline deadline) {
        Backoff backoff = new Backoff();
        while (true) {
            try {
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                if (deadline.expired()) {
                    throw CgroupException.io("rmdir", dir, e);
                }
                backoff.pause();
            }
        }
    }

    /**
     * A v2 controller's files appear in a cgroup only when its parent lists the controller in
     * cgroup.subtree_control, all the way down from the root. Enable every available controller
     * in every ancestor, not in the container's own cgroup: a cgroup with processes may not
     * delegate domain controllers ("no internal processes"). One write first, one controller at
     * a time if that fails (a controller can be refused alone, e.g. cpu while a realtime task is
     * in the way); what stays disabled shows up as a clear error at the first write needing it.
     */
    static void enableControllers(Path mountPoint, Path dir) {
        Path ancestor = mountPoint;
        for (Path name : mountPoint.relativize(dir)) {
            Set<String> available = words(CgroupFs.read(ancestor.resolve("cgroup.controllers")));
            available.removeAll(words(CgroupFs.read(ancestor.resolve("cgroup.subtree_control"))));
            if (!available.isEmpty()) {
                Path control = ancestor.resolve("cgroup.subtree_control");
                try {
                    CgroupFs.write(control, String.join(" ", available.stream().map(c -> "+" + c).toList()));
                } catch (CgroupException all) {
                    for (String controller : available) {
                        try {
                            CgroupFs.write(control, "+" + controller);
                        } catch (CgroupException one) {
                            // Left disabled; see above.
                        }
                    }
                }
            }
            ancestor = ancestor.resolve(name.toString());
        }
    }

    static Set<String> words(String text) {
        Set<String> result = new LinkedHashSet<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                result.add(w);
            }
        }
        return result;
    }

    /** A point in time to stop retrying at. */
    record Deadline(long nanoTime) {
        static Deadline in(Duration duration) {
            return new Deadline(System.nanoTime() + duration.toNanos());
        }

        boolean expired() {
            return System.nanoTime() - nanoTime >= 0;
        }
    }

    /** Sleeps 1 ms, doubling up to a cap: fast for the common case, gentle for slow exits. */
    static final class Backoff {
        private final long capMillis;
        private long millis = 1;

        Backoff() {
            this(100);
        }

        Backoff(long capMillis) {
            this.capMillis = capMillis;
        }

        void pause() {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CgroupException("cgroup: interrupted while waiting");
            }
            millis = Math.min(capMillis, millis * 2);
        }
    }
}
