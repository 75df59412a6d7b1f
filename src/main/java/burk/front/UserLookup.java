package burk.front;

import burk.linux.Fd;
import burk.linux.FileOps;
import burk.linux.LinuxException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves Docker's {@code --user} forms ({@code name}, {@code uid}, {@code name:group},
 * {@code uid:gid}) against the image's own /etc/passwd and /etc/group, as Docker does: the
 * container's names, not the host's. The files are opened inside the rootfs with
 * RESOLVE_IN_ROOT, so an image whose /etc/passwd is a symlink to the host's reads its own tree.
 */
final class UserLookup {
    private UserLookup() {}

    /** uid, gid and the supplementary groups the user is a member of. */
    record Resolved(int uid, int gid, List<Integer> additionalGids) {}

    static Resolved resolve(Path rootfs, String spec) throws FrontException {
        if (spec == null || spec.isEmpty()) spec = "0";
        String user = spec, group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        List<String[]> passwd = read(rootfs, "etc/passwd");
        List<String[]> groups = read(rootfs, "etc/group");
        int uid = -1, gid = -1;
        String userName = null;
        if (user.matches("\\d+")) {
            uid = Integer.parseInt(user);
            for (String[] p : passwd) {
                if (p.length > 3 && p[2].equals(user)) {
                    userName = p[0];
                    gid = parse(p[3]);
                    break;
                }
            }
            if (gid < 0) gid = 0;
        } else {
            for (String[] p : passwd) {
                if (p.length > 3 && p[0].equals(user)) {
                    userName = user;
                    uid = parse(p[2]);
                    gid = parse(p[3]);
                    break;
                }
            }
            if (uid < 0) throw new FrontException("unable to find user " + user + ": no matching entries in passwd file");
        }
        if (group != null && !group.isEmpty()) {
            if (group.matches("\\d+")) {
                gid = Integer.parseInt(group);
            } else {
                int g = -1;
                for (String[] p : groups) if (p.length > 2 && p[0].equals(group)) g = parse(p[2]);
                if (g < 0) throw new FrontException("unable to find group " + group + ": no matching entries in group file");
                gid = g;
            }
        }
        List<Integer> extra = new ArrayList<>();
        if (userName != null && (group == null || group.isEmpty())) {
            for (String[] p : groups) {
                if (p.length > 3 && List.of(p[3].split(",")).contains(userName)) {
                    int g = parse(p[2]);
                    if (g >= 0 && g != gid && !extra.contains(g)) extra.add(g);
                }
            }
        }
        return new Resolved(uid, gid, extra);
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String[]> read(Path rootfs, String file) throws FrontException {
        List<String[]> out = new ArrayList<>();
        try (Fd root = FileOps.openDirectory(rootfs.toString());
             Fd f = FileOps.openat2(root, file, 0, 0, FileOps.RESOLVE_IN_ROOT | FileOps.RESOLVE_NO_MAGICLINKS)) {
            String text = new String(Files.readAllBytes(Path.of("/proc/self/fd/" + f.get())), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                out.add(line.split(":", -1));
            }
        } catch (LinuxException e) {
            // no such file: only numeric ids work, as in Docker
        } catch (IOException e) {
            throw new FrontException("read the image's /" + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
