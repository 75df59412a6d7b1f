package burk.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls burk makes from Java, through the Foreign Function & Memory API.
 *
 * <p>Every handle is linked lazily in its own holder class: linking costs milliseconds at start-up
 * and a CLI call should pay only for the calls it makes (a {@code state} makes none). Calls that
 * can fail capture errno in the same downcall, because anything the JVM does between the call and
 * a later {@code errno} read may overwrite it.
 */
final class Libc {
    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... opts) {
        MemorySegment sym = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, opts);
    }

    static MethodHandle linkErrno(String name, FunctionDescriptor fd) {
        return link(name, fd, ERRNO_OPT);
    }

    static MethodHandle linkErrnoVariadic(String name, FunctionDescriptor fd, int firstVariadic) {
        return link(name, fd, ERRNO_OPT, Linker.Option.firstVariadicArg(firstVariadic));
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static MemorySegment newCapture(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    static final ValueLayout.OfInt INT = JAVA_INT;
    static final ValueLayout.OfLong LONG = JAVA_LONG;
    static final java.lang.foreign.AddressLayout PTR = ADDRESS;
}
