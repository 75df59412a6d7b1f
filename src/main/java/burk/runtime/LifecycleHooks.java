package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import burk.runtime.helper.HelperMessage;
import burk.runtime.helper.HelperSession;
import burk.runtime.plan.HookOutcome;
import burk.runtime.plan.Plan;
import burk.runtime.plan.Step;
import burk.spec.ContainerState;
import burk.spec.Hook;
import burk.spec.Hooks;
import burk.spec.RuntimeSpec;
import burk.spec.SpecCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The runtime-spec's POSIX hooks (config.md "POSIX-platform Hooks"), run where and when the spec
 * says:
 *
 * <ul>
 * <li>{@code prestart}, {@code createRuntime}: in the runtime's namespaces, while the init waits
 *     in the plan's hook sync just before pivot_root (its mounts are done, as runc does it);</li>
 * <li>{@code createContainer}: by the init itself (RUN_HOOK steps) in the container's namespaces
 *     before pivot_root, so the path resolves on the host;</li>
 * <li>{@code startContainer}: by the init after {@code start} released it, just before the exec,
 *     so the path resolves in the container;</li>
 * <li>{@code poststart}: after {@code start} succeeded; {@code poststop}: at {@code delete}, after
 *     the container is gone.</li>
 * </ul>
 *
 * <p>Every hook, including those on the host, is run by the native helper's RUN_HOOK step: path
 * and argv exactly as given (args[0] is argv[0]; no args means argv is just the path), env as
 * the whole environment, the state JSON on stdin, no fd of burk's but stdio, and the timeout
 * enforced with SIGKILL. A failing prestart, createRuntime, createContainer or startContainer hook
 * stops the container (and a failed create leaves nothing behind); a failing poststart or
 * poststop hook is a warning and the remaining hooks still run, as the spec's lifecycle says.
 *
 * <p>The state's {@code pid} is the init's pid as the host sees it (runtime.md), also for the
 * hooks that run inside the container.
 */
final class LifecycleHooks {
    private LifecycleHooks() {}

    /** Data buffers of the plan: the state documents the in-container hooks read. */
    static final int BUF_CREATING = 0, BUF_CREATED = 1;
    /** In the state directory: the output of the last in-container hook (for the error message). */
    static final String OUTPUT = "hooks.out";
    /** In the state directory: the poststart and poststop hooks, fixed at create (config.json may change later). */
    static final String SAVED = "hooks.json";
    /** At most this much of a failed hook's output goes into the error message. */
    private static final int OUTPUT_LIMIT = 2048;

    /** A hook failed; the container must not go on. */
    static final class HookError extends RuntimeError {
        private static final long serialVersionUID = 1L;

        HookError(String message) {
            super(message);
        }

        HookError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static boolean any(List<?>... lists) {
        for (List<?> l : lists) if (!l.isEmpty()) return true;
        return false;
    }

    static Hooks of(RuntimeSpec spec) {
        return spec.hooks() == null ? new Hooks(null, null, null, null, null, null) : spec.hooks();
    }

    /** argv as the spec means it: args, or just the path when there are none (as runc runs it). */
    static List<String> argv(Hook h) {
        return h.args().isEmpty() ? List.of(h.path()) : h.args();
    }

    static int timeoutMs(Hook h) {
        return h.timeout() == null ? 0 : (int) Math.min((long) h.timeout() * 1000, Integer.MAX_VALUE);
    }

    static Step.RunHook step(String kind, int index, Hook h, int buf, int outSlot) {
        return new Step.RunHook(kind, index, h.path(), argv(h), h.env(), timeoutMs(h), buf, outSlot);
    }

    /** The state document a hook reads: the spec's state (pid omitted when 0). */
    static byte[] state(String ociVersion, String id, String status, int pid, String bundle, Map<String, String> annotations) {
        return new ContainerState(ociVersion, id, status, pid, bundle, annotations).toJson().getBytes(StandardCharsets.UTF_8);
    }

    /** An upper bound of the state document's size for this container, whatever its pid and status. */
    static int maxStateSize(RuntimeSpec spec, String id, Path bundle) {
        return state(spec.ociVersion(), id, ContainerState.CREATING, Integer.MAX_VALUE, bundle.toString(),
                spec.annotations()).length;
    }

    /**
     * Runs {@code hooks} on the host in order; the first failure stops them with a {@link HookError}.
     * Each runs under a helper that {@code host} spawns: under the daemon that is the engine's
     * front, so the hooks run in the engine's process tree and cgroup, as a runc child's would.
     */
    static void runOnHost(String kind, List<Hook> hooks, byte[] state, ProcessHost host) throws HookError {
        for (int i = 0; i < hooks.size(); i++) runOne(kind, i, hooks.get(i), state, host);
    }

    /** Runs every one of {@code hooks} on the host; each failure is a warning. */
    static void runOnHostWarning(String kind, List<Hook> hooks, byte[] state, Consumer<String> warnings,
                                 ProcessHost host) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                runOne(kind, i, hooks.get(i), state, host);
            } catch (HookError e) {
                warnings.accept(e.getMessage());
            }
        }
    }

    /** The helper's slot for the file the hook's stdout and stderr go to. */
    private static final int SLOT_OUTPUT = 1;

    private static void runOne(String kind, int index, Hook h, byte[] state, ProcessHost host) throws HookError {
        Step.RunHook step = step(kind, index, h, 0, SLOT_OUTPUT);
        Path out = null;
        try {
            out = Files.createTempFile("burk-hook-", ".out");
            // The helper opens the output file itself: it may be another process's child (the
            // daemon's front), which has none of this JVM's fds.
            Plan plan = new Plan.Builder()
                    .add(new Step.Open(SLOT_OUTPUT, Syscalls.O_WRONLY, out.toString()), "the hook's stdout and stderr")
                    .add(new Step.RecvData(0, state.length, "the container state"), "the hook reads the state on stdin")
                    .add(step, "a " + kind + " hook, in the runtime's namespaces")
                    .build();
            try (HelperSession s = host.spawnHelper(plan, new int[] {0, 1, 2})) {
                for (HelperMessage m; (m = s.next()) != null; ) {
                    switch (m.kind()) {
                        case DATA -> s.sendData(state);
                        case ERROR -> throw new HookError(withOutput(s.failure(m).getMessage(), out));
                        default -> throw new HookError(step.action() + ": unexpected message from the native helper " + m);
                    }
                }
                Syscalls.WaitStatus ws = s.reapHelper();
                if (ws != null && !(ws.exited() && ws.exitCode() == 0)) {
                    throw new HookError(step.action() + ": the hook runner ended with " + HookOutcome.waitStatus(ws.raw()));
                }
            }
        } catch (IOException e) {
            throw new HookError(step.action() + ": " + e.getMessage(), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file left in /tmp is not worth hiding the hook's own result
                }
            }
        }
    }

    /** {@code message}, then what the hook printed (its tail, if long), when it printed anything. */
    static String withOutput(String message, Path output) {
        try {
            byte[] b = Files.readAllBytes(output);
            String s = new String(b, Math.max(0, b.length - OUTPUT_LIMIT), Math.min(b.length, OUTPUT_LIMIT),
                    StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? message : message + ": output: " + s;
        } catch (IOException e) {
            return message;
        }
    }

    /** Keeps the poststart and poststop hooks in the state directory for {@code start} and {@code delete}. */
    static void save(Path stateDir, Hooks hooks) throws IOException {
        if (hooks.poststart().isEmpty() && hooks.poststop().isEmpty()) return;
        Hooks late = new Hooks(null, null, null, null, hooks.poststart(), hooks.poststop());
        RuntimeSpec doc = new RuntimeSpec(RuntimeSpec.OCI_VERSION, null, null, null, null, null, late, null, null);
        ContainerStore.writeAtomically(stateDir.resolve(SAVED), SpecCodec.toJson(doc, false));
    }

    /** The saved poststart and poststop hooks; none when nothing was saved. */
    static Hooks load(Path stateDir) throws IOException {
        try {
            Hooks h = SpecCodec.parse(Files.readString(stateDir.resolve(SAVED)), SAVED).hooks();
            return h == null ? new Hooks(null, null, null, null, null, null) : h;
        } catch (NoSuchFileException e) {
            return new Hooks(null, null, null, null, null, null);
        } catch (RuntimeException e) {
            throw new IOException(stateDir.resolve(SAVED) + ": " + e.getMessage(), e);
        }
    }

    /** The steps that run createContainer hooks, or startContainer hooks, in the init. */
    static List<Step.RunHook> steps(String kind, List<Hook> hooks, int buf, int outSlot) {
        List<Step.RunHook> out = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) out.add(step(kind, i, hooks.get(i), buf, outSlot));
        return out;
    }
}
