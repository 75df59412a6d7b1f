package burk.linux;

/**
 * Linux errno values and their text. The text is lowercase, as runc and the Go runtime print it,
 * because engines show burk's message to users next to runc's and people compare them.
 * Kept as a table (not strerror(3) through FFM) so rendering an error costs no downcall.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14,
            EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29,
            EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38,
            ENOTEMPTY = 39, ELOOP = 40, EMSGSIZE = 90, EOPNOTSUPP = 95, EADDRINUSE = 98, ECONNABORTED = 103,
            ECONNREFUSED = 111;

    private static final String[] TEXT = new String[134];
    static {
        String[][] t = {
            {"1", "operation not permitted"}, {"2", "no such file or directory"}, {"3", "no such process"},
            {"4", "interrupted system call"}, {"5", "input/output error"}, {"6", "no such device or address"},
            {"7", "argument list too long"}, {"8", "exec format error"}, {"9", "bad file descriptor"},
            {"10", "no child processes"}, {"11", "resource temporarily unavailable"}, {"12", "cannot allocate memory"},
            {"13", "permission denied"}, {"14", "bad address"}, {"15", "block device required"},
            {"16", "device or resource busy"}, {"17", "file exists"}, {"18", "invalid cross-device link"},
            {"19", "no such device"}, {"20", "not a directory"}, {"21", "is a directory"}, {"22", "invalid argument"},
            {"23", "too many open files in system"}, {"24", "too many open files"},
            {"25", "inappropriate ioctl for device"}, {"26", "text file busy"}, {"27", "file too large"},
            {"28", "no space left on device"}, {"29", "illegal seek"}, {"30", "read-only file system"},
            {"31", "too many links"}, {"32", "broken pipe"}, {"33", "numerical argument out of domain"},
            {"34", "numerical result out of range"}, {"35", "resource deadlock avoided"},
            {"36", "file name too long"}, {"37", "no locks available"}, {"38", "function not implemented"},
            {"39", "directory not empty"}, {"40", "too many levels of symbolic links"},
            {"61", "no data available"}, {"62", "timer expired"}, {"75", "value too large for defined data type"},
            {"84", "invalid or incomplete multibyte or wide character"}, {"88", "socket operation on non-socket"},
            {"95", "operation not supported"}, {"97", "address family not supported by protocol"},
            {"98", "address already in use"}, {"104", "connection reset by peer"}, {"110", "connection timed out"},
            {"111", "connection refused"}, {"122", "disk quota exceeded"}, {"125", "operation canceled"},
        };
        for (String[] e : t) TEXT[Integer.parseInt(e[0])] = e[1];
    }

    /** The text for {@code errno}, e.g. {@code "operation not permitted"}. */
    public static String text(int errno) {
        if (errno > 0 && errno < TEXT.length && TEXT[errno] != null) return TEXT[errno];
        return "errno " + errno;
    }
}
