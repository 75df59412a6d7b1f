package burk.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static burk.linux.Libc.INT;
import static burk.linux.Libc.PTR;

/** Terminal control: raw mode and window sizes, for proxying a container's terminal. */
public final class Tty {
    private Tty() {}

    private static final int TCSANOW = 0, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TERMIOS_SIZE = 64;

    private static final class IsATty { static final MethodHandle H =
            Libc.link("isatty", FunctionDescriptor.of(INT, INT)); }
    private static final class TcGetAttr { static final MethodHandle H =
            Libc.linkErrno("tcgetattr", FunctionDescriptor.of(INT, INT, PTR)); }
    private static final class TcSetAttr { static final MethodHandle H =
            Libc.linkErrno("tcsetattr", FunctionDescriptor.of(INT, INT, INT, PTR)); }
    private static final class CfMakeRaw { static final MethodHandle H =
            Libc.link("cfmakeraw", FunctionDescriptor.ofVoid(PTR)); }
    private static final class Ioctl { static final MethodHandle H = Libc.linkErrnoVariadic("ioctl",
            FunctionDescriptor.of(INT, INT, Libc.LONG, PTR), 2); }

    public static boolean isTerminal(int fd) {
        try {
            return (int) IsATty.H.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The terminal's settings, to restore later. */
    public record Mode(int fd, byte[] termios) {}

    /** Puts {@code fd} in raw mode (no echo, no line editing, no signals from keys); returns the old mode. */
    public static Mode makeRaw(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 8);
            MemorySegment cap = Libc.newCapture(a);
            if ((int) TcGetAttr.H.invokeExact(cap, fd, t) < 0) throw new LinuxException("tcgetattr", "", Libc.errno(cap));
            byte[] saved = t.toArray(ValueLayout.JAVA_BYTE);
            CfMakeRaw.H.invokeExact(t);
            if ((int) TcSetAttr.H.invokeExact(cap, fd, TCSANOW, t) < 0) {
                throw new LinuxException("tcsetattr", "", Libc.errno(cap));
            }
            return new Mode(fd, saved);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void restore(Mode m) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 8);
            MemorySegment.copy(m.termios(), 0, t, ValueLayout.JAVA_BYTE, 0, m.termios().length);
            MemorySegment cap = Libc.newCapture(a);
            if ((int) TcSetAttr.H.invokeExact(cap, m.fd(), TCSANOW, t) < 0) {
                throw new LinuxException("tcsetattr", "", Libc.errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Rows and columns of a terminal. */
    public record Size(int rows, int cols) {}

    public static Size size(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            MemorySegment cap = Libc.newCapture(a);
            if ((int) Ioctl.H.invokeExact(cap, fd, (long) TIOCGWINSZ, ws) < 0) {
                throw new LinuxException("ioctl TIOCGWINSZ", "", Libc.errno(cap));
            }
            return new Size(Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 0)),
                    Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 2)));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void resize(int fd, Size s) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) s.rows());
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) s.cols());
            MemorySegment cap = Libc.newCapture(a);
            if ((int) Ioctl.H.invokeExact(cap, fd, (long) TIOCSWINSZ, ws) < 0) {
                throw new LinuxException("ioctl TIOCSWINSZ", "", Libc.errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
