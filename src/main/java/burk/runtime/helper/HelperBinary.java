package burk.runtime.helper;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;

import java.io.IOException;
import java.io.InputStream;

/**
 * The native plan executor, shipped inside burk's jar as the resource {@code burk/native/burk-helper}
 * and executed from a sealed memfd copy. A container that can reach /proc/PID/exe of the helper
 * (while it is in the container's namespaces) then sees an immutable anonymous file, never the
 * binary on disk, which it could otherwise overwrite to run code as root on the host on the next
 * start (runc CVE-2019-5736).
 */
public final class HelperBinary {
    static final String RESOURCE = "/burk/native/burk-helper";

    private HelperBinary() {}

    /** The helper's bytes as built into this jar. */
    public static byte[] bytes() throws IOException {
        try (InputStream in = HelperBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the native helper " + RESOURCE + " is missing from burk's class path"
                        + " (build with `mvn package`, which compiles native/)");
            }
            return in.readAllBytes();
        }
    }

    /** A sealed memfd with the helper, ready to be executed as /proc/self/fd/N. */
    public static Fd sealedCopy() throws IOException {
        byte[] b = bytes();
        try {
            return Syscalls.sealedMemfd("burk-helper", b);
        } catch (LinuxException e) {
            throw new IOException("cannot make a sealed copy of the native helper: " + e.getMessage(), e);
        }
    }
}
