package burk.image;

import java.util.Map;

/**
 * One tar header, after GNU long names and PAX records have been folded in.
 *
 * @param name      the path as written in the archive (not yet cleaned)
 * @param mode      permission bits including set-id and sticky (07777)
 * @param mtimeNanos modification time, nanoseconds since the epoch (PAX gives sub-second precision)
 * @param linkName  the target of a symlink or hard link
 * @param xattrs    extended attributes from PAX {@code SCHILY.xattr.*} records
 */
public record TarEntry(String name, Type type, int mode, int uid, int gid, long size, long mtimeNanos,
                       String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs) {
    public TarEntry {
        xattrs = xattrs == null ? Map.of() : Map.copyOf(xattrs);
        if (linkName == null) linkName = "";
    }

    /** The entry types burk handles; anything else is rejected rather than guessed at. */
    public enum Type {
        FILE('0'), HARDLINK('1'), SYMLINK('2'), CHAR('3'), BLOCK('4'), DIRECTORY('5'), FIFO('6');

        final char flag;

        Type(char flag) {
            this.flag = flag;
        }
    }

    public static TarEntry directory(String name, int mode, long mtimeNanos) {
        return new TarEntry(name, Type.DIRECTORY, mode, 0, 0, 0, mtimeNanos, "", 0, 0, Map.of());
    }

    public static TarEntry file(String name, int mode, long size, long mtimeNanos) {
        return new TarEntry(name, Type.FILE, mode, 0, 0, size, mtimeNanos, "", 0, 0, Map.of());
    }

    public static TarEntry symlink(String name, String target, long mtimeNanos) {
        return new TarEntry(name, Type.SYMLINK, 0777, 0, 0, 0, mtimeNanos, target, 0, 0, Map.of());
    }

    public static TarEntry hardlink(String name, String target) {
        return new TarEntry(name, Type.HARDLINK, 0644, 0, 0, 0, 0, target, 0, 0, Map.of());
    }

    public TarEntry withOwner(int u, int g) {
        return new TarEntry(name, type, mode, u, g, size, mtimeNanos, linkName, devMajor, devMinor, xattrs);
    }

    public TarEntry withXattrs(Map<String, byte[]> x) {
        return new TarEntry(name, type, mode, uid, gid, size, mtimeNanos, linkName, devMajor, devMinor, x);
    }

    public TarEntry withName(String n) {
        return new TarEntry(n, type, mode, uid, gid, size, mtimeNanos, linkName, devMajor, devMinor, xattrs);
    }
}
