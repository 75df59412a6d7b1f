package burk.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who the daemon serves, beyond its own user: a peer whose paths mean what they mean to the
 * daemon. A command's paths (bundle, --root, --pid-file, --log) are the caller's; they resolve
 * alike only in the same mount namespace under the same root directory.
 *
 * @param uid   this process's effective uid, which a peer must have (SO_PEERCRED)
 * @param mntNs this process's mount namespace, as /proc/self/ns/mnt names it
 * @param root  this process's root directory, as /proc/self/root names it
 */
record PeerCheck(int uid, String mntNs, String root) {

    static PeerCheck ofThisProcess() throws IOException {
        return new PeerCheck(effectiveUid(), link("/proc/self/ns/mnt"), link("/proc/self/root"));
    }

    private static String link(String p) throws IOException {
        return Files.readSymbolicLink(Path.of(p)).toString();
    }

    private static int effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return Integer.parseInt(line.split("\\s+")[2]);
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    /** Why the peer with this pid cannot be served, or null if it can. */
    String mismatch(int pid) {
        try {
            if (!link("/proc/" + pid + "/ns/mnt").equals(mntNs)) return "the caller is in another mount namespace";
            if (!link("/proc/" + pid + "/root").equals(root)) return "the caller has another root directory";
            return null;
        } catch (IOException e) {
            return "cannot see the caller's namespaces: " + e.getMessage();
        }
    }
}
