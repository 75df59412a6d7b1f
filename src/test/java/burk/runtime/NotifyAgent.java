package burk.runtime;

import burk.linux.Fd;
import burk.linux.LinuxException;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import burk.spec.Json;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A seccomp agent for tests: listens at a unix socket, takes one connection's notify fd and
 * container process state, then answers the notifications it receives with the given replies, in
 * order (the kernel's SECCOMP_IOCTL_NOTIF_RECV / SEND on the real fd).
 */
final class NotifyAgent implements AutoCloseable {
    /** How to answer one notification: an errno, a faked return value, or let the kernel run the call. */
    sealed interface Reply {
        record Error(int errno) implements Reply {}
        record Value(long value) implements Reply {}
        record Continue() implements Reply {}
    }

    /** One connection: the process state document and what the notifications were. */
    record Session(Map<String, Object> state, String fdTarget, List<Integer> syscalls) {}

    private static final long NOTIF_RECV = 0xc0502100L, NOTIF_SEND = 0xc0182101L;
    private static final int USER_NOTIF_FLAG_CONTINUE = 1, POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = LINKER.downcallHandle(LINKER.defaultLookup().find("poll").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    final Path socket;
    private final Fd listener;
    private final List<Thread> threads = new ArrayList<>();

    private NotifyAgent(Path socket, Fd listener) {
        this.socket = socket;
        this.listener = listener;
    }

    static NotifyAgent listen(Path socket) throws LinuxException {
        return new NotifyAgent(socket, UnixSocket.listen(socket.toString()));
    }

    /**
     * Serves the next connection in a thread: the state comes first (completing {@code state}),
     * then one notification per reply. The returned future fails if anything goes wrong, or when
     * a notification does not come within 10 s.
     */
    CompletableFuture<Session> serve(List<Reply> replies, CompletableFuture<Map<String, Object>> state) {
        CompletableFuture<Session> done = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try (Fd conn = UnixSocket.accept(listener)) {
                UnixSocket.Received first = UnixSocket.receive(conn, 65536);
                try (Fd notify = first.fd()) {
                    if (notify == null) throw new AssertionError("no fd came with the container process state");
                    ByteArrayOutputStream doc = new ByteArrayOutputStream();
                    doc.write(first.payload());
                    for (byte[] more; (more = Syscalls.readFully(conn, 4096)).length > 0; ) doc.write(more);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> s = (Map<String, Object>) Json.parse(doc.toString(StandardCharsets.UTF_8));
                    state.complete(s);
                    String target = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/" + notify.get())).toString();
                    List<Integer> nrs = new ArrayList<>();
                    for (Reply r : replies) nrs.add(answer(notify, r));
                    done.complete(new Session(s, target, nrs));
                }
            } catch (Throwable e) {
                state.completeExceptionally(e);
                done.completeExceptionally(e);
            }
        });
        threads.add(t);
        return done;
    }

    /** Receives one notification and sends {@code reply}; returns the syscall number it was for. */
    private static int answer(Fd notify, Reply reply) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(ValueLayout.JAVA_INT, 0, notify.get());
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) POLLIN);
            if ((int) POLL.invokeExact(pfd, 1L, 10_000) != 1) throw new AssertionError("no notification within 10 s");
            MemorySegment notif = a.allocate(80, 8); // zeroed, as NOTIF_RECV requires
            MemorySegment cap = a.allocate(CAPTURE);
            if ((int) IOCTL.invokeExact(cap, notify.get(), NOTIF_RECV, notif) < 0) {
                throw new AssertionError("SECCOMP_IOCTL_NOTIF_RECV: errno " + (int) ERRNO.get(cap, 0L));
            }
            MemorySegment resp = a.allocate(24, 8);
            resp.set(ValueLayout.JAVA_LONG, 0, notif.get(ValueLayout.JAVA_LONG, 0));
            switch (reply) {
                case Reply.Error e -> resp.set(ValueLayout.JAVA_INT, 16, -e.errno());
                case Reply.Value v -> resp.set(ValueLayout.JAVA_LONG, 8, v.value());
                case Reply.Continue c -> resp.set(ValueLayout.JAVA_INT, 20, USER_NOTIF_FLAG_CONTINUE);
            }
            if ((int) IOCTL.invokeExact(cap, notify.get(), NOTIF_SEND, resp) < 0) {
                throw new AssertionError("SECCOMP_IOCTL_NOTIF_SEND: errno " + (int) ERRNO.get(cap, 0L));
            }
            return notif.get(ValueLayout.JAVA_INT, 16);
        }
    }

    static <T> T within10s(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        // shutdown wakes an accept that never got its connection (a failed test)
        try (Arena a = Arena.ofConfined()) {
            MethodHandle shutdown = LINKER.downcallHandle(LINKER.defaultLookup().find("shutdown").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int ignored = (int) shutdown.invokeExact(listener.get(), 2);
        } catch (Throwable ignored) {
            // closing is all that is left
        }
        for (Thread t : threads) t.join(12_000);
        listener.close();
    }
}
