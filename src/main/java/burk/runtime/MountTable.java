package burk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A mount table as /proc/PID/mountinfo shows it (proc(5)), as much of it as burk reads: mount IDs,
 * parents, mount points and the optional (propagation) fields.
 */
record MountTable(List<Entry> entries) {

    /** One line of mountinfo; {@code optional} is the propagation fields ("shared:1 master:2"), or "". */
    record Entry(int id, int parent, String mountPoint, String optional) {}

    MountTable {
        entries = List.copyOf(entries);
    }

    /** The mount table of this process's mount namespace. */
    static MountTable ofThisProcess() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    static MountTable parse(List<String> lines) {
        List<Entry> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 7) continue;
            StringBuilder opt = new StringBuilder();
            for (int i = 6; i < f.length && !f[i].equals("-"); i++) {
                if (!opt.isEmpty()) opt.append(' ');
                opt.append(f[i]);
            }
            out.add(new Entry(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[4]), opt.toString()));
        }
        return new MountTable(out);
    }

    /** mountinfo writes a space, tab, newline and backslash in a path as an octal escape (\040). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        return true;
    }

    /**
     * The mounts at exactly {@code path}, bottom first: each one after the first is mounted on the
     * one before (its parent). The last is the one a lookup of the path reaches. Empty when no
     * mount has this mount point.
     */
    List<Entry> stackAt(String path) {
        List<Entry> at = new ArrayList<>();
        for (Entry e : entries) if (e.mountPoint().equals(path)) at.add(e);
        List<Entry> stack = new ArrayList<>();
        Entry next = null;
        for (Entry e : at) {
            if (at.stream().noneMatch(o -> o.id() == e.parent())) {
                next = e; // the bottom: its parent is the mount that holds the path
                break;
            }
        }
        while (next != null) {
            stack.add(next);
            Entry below = next;
            next = null;
            for (Entry e : at) {
                if (e.parent() == below.id() && !stack.contains(e)) next = e; // the last in table order if several
            }
        }
        return stack;
    }

    /** The mount that a lookup of {@code path} reaches, if one is mounted exactly there. */
    Entry topAt(String path) {
        List<Entry> s = stackAt(path);
        return s.isEmpty() ? null : s.get(s.size() - 1);
    }
}
