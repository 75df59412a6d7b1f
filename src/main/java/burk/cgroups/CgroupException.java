package burk.cgroups;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A cgroup operation failed. The message names the operation, the cgroupfs file and the value
 * written, and the kernel's reason, e.g.
 * {@code cgroup: write "100" to /sys/fs/cgroup/cpu/burk/x/cpu.cfs_period_us: invalid argument}.
 *
 * <p>Unchecked: callers rarely recover from a cgroup error other than by reporting it and
 * cleaning up, and the message already says everything a user needs.
 */
public final class CgroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String value;
    private final String reason;

    /** A failure not tied to one file (bad input, a controller that is not available, ...). */
    public CgroupException(String message) {
        super(message);
        this.file = null;
        this.value = null;
        this.reason = message;
    }

    private CgroupException(String message, Path file, String value, String reason, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.value = value;
        this.reason = reason;
    }

    static CgroupException write(Path file, String value, IOException cause) {
        String reason = reasonOf(cause);
        return new CgroupException("cgroup: write " + quote(value) + " to " + file + ": " + reason,
                file, value, reason, cause);
    }

    static CgroupException write(Path file, String value, String reason) {
        return new CgroupException("cgroup: write " + quote(value) + " to " + file + ": " + reason,
                file, value, reason, null);
    }

    static CgroupException io(String operation, Path file, IOException cause) {
        String reason = reasonOf(cause);
        return new CgroupException("cgroup: " + operation + " " + file + ": " + reason, file, null, reason, cause);
    }

    static CgroupException io(String operation, Path file, String reason) {
        return new CgroupException("cgroup: " + operation + " " + file + ": " + reason, file, null, reason, null);
    }

    /** The same failure with a hint appended to the message, e.g. which controller is missing. */
    CgroupException withHint(String hint) {
        return new CgroupException(getMessage() + " (" + hint + ")", file, value, reason, getCause());
    }

    /** The cgroupfs file or directory involved, when there is one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The value that was being written, when the failure is a write. */
    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    /** The kernel's reason in errno words ("invalid argument", "device or resource busy"), or the message. */
    public String reason() {
        return reason;
    }

    /** True when the kernel said the file does not exist (ENOENT). */
    public boolean isNoSuchFile() {
        return getCause() instanceof NoSuchFileException;
    }

    /**
     * Turns an NIO exception into the errno text the kernel gave. NIO puts the strerror text in
     * {@link FileSystemException#getReason()} for path operations and in the bare message for
     * channel writes; a few errnos get dedicated exception types without a reason.
     */
    static String reasonOf(IOException e) {
        String text = switch (e) {
            case NoSuchFileException x -> "no such file or directory";
            case AccessDeniedException x -> "permission denied";
            case FileAlreadyExistsException x -> "file exists";
            case DirectoryNotEmptyException x -> "directory not empty";
            case FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        if (text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))) {
            text = text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
        }
        return text;
    }

    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
    }
}
