package burk.runtime;

import burk.linux.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static burk.runtime.LifecycleIT.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pause and resume through the cgroup freezer, and how kill, start and delete treat a paused container. */
class PauseResumeIT {
    private static final String TICKER = "echo up; i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done";

    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    private static String freezerState(String id) throws Exception {
        return Files.readString(Path.of("/sys/fs/cgroup/freezer/burk", id, "freezer.state")).trim();
    }

    /** The state letter of every process of the container, from the host's /proc. */
    private static List<Character> states(List<Long> pids) {
        return pids.stream().map(p -> ProcStat.read(p.intValue())).filter(s -> s != null).map(ProcStat::state).toList();
    }

    @Test
    void pauseStopsEveryProcessAndResumeLetsThemRunAgain() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("sleep 1000 & " + TICKER);
            b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.pause(b.id);
            assertEquals(ContainerStatus.PAUSED, b.runtime.state(b.id).status());
            assertEquals("FROZEN", freezerState(b.id));
            List<Long> pids = b.runtime.processes(b.id);
            assertTrue(pids.size() >= 2, "the shell, its sleep and the ticker's sleep: " + pids);
            for (char s : states(pids)) assertEquals('D', s, "a frozen task sleeps uninterruptibly: " + states(pids));
            Thread.sleep(100);
            String frozenOutput = b.output();
            Thread.sleep(400);
            assertEquals(frozenOutput, b.output(), "no line is written while the container is paused");

            b.runtime.resume(b.id);
            assertEquals(ContainerStatus.RUNNING, b.runtime.state(b.id).status());
            assertEquals("THAWED", freezerState(b.id));
            waitFor(() -> b.output().length() > frozenOutput.length() + 10);
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void invalidTransitionsFailWithRuncsMessages() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh(TICKER);
            ContainerInfo c = b.create();
            RuntimeError notPaused = assertThrows(RuntimeError.class, () -> b.runtime.resume(b.id));
            assertEquals("container not paused", notPaused.getMessage());

            // runc pauses a created container too; it stays created underneath.
            b.runtime.pause(b.id);
            assertEquals(ContainerStatus.PAUSED, b.runtime.state(b.id).status());
            RuntimeError twice = assertThrows(RuntimeError.class, () -> b.runtime.pause(b.id));
            assertEquals("container not running", twice.getMessage());
            RuntimeError start = assertThrows(RuntimeError.class, () -> b.runtime.start(b.id));
            assertEquals("cannot start a container in the paused state", start.getMessage());
            b.runtime.resume(b.id);
            assertEquals(ContainerStatus.CREATED, b.runtime.state(b.id).status());
            assertEquals("", b.output(), "the process did not run");

            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.kill(b.id, 9, false);
            Syscalls.waitPid(c.pid(), 0);
            RuntimeError stopped = assertThrows(RuntimeError.class, () -> b.runtime.pause(b.id));
            assertEquals("container not running", stopped.getMessage());
            RuntimeError stoppedResume = assertThrows(RuntimeError.class, () -> b.runtime.resume(b.id));
            assertEquals("container not paused", stoppedResume.getMessage());
            RuntimeError missing = assertThrows(RuntimeError.class, () -> b.runtime.pause("no-such-container"));
            assertEquals("container does not exist", missing.getMessage());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void sigkillStopsAPausedContainerAndOtherSignalsWaitForTheThaw() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("trap 'echo got TERM; exit 3' TERM; echo up; while true; do sleep 0.05; done");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.pause(b.id);
            b.runtime.kill(b.id, 15, false);
            Thread.sleep(300);
            assertEquals(ContainerStatus.PAUSED, b.runtime.state(b.id).status(), "TERM stays pending while frozen");
            assertFalse(b.output().contains("got TERM"));
            b.runtime.resume(b.id);
            assertEquals(3, Syscalls.waitPid(c.pid(), 0).shellStatus(), "the pending TERM arrived at the thaw");
            assertTrue(b.output().contains("got TERM"));
            b.runtime.delete(b.id, false);
        }
        try (TestBundle b = TestBundle.make()) {
            b.sh("echo up; " + TICKER);
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.pause(b.id);
            b.runtime.kill(b.id, 9, false);
            assertEquals(137, Syscalls.waitPid(c.pid(), 0).shellStatus(), "SIGKILL thaws the container, as with runc");
            assertEquals(ContainerStatus.STOPPED, b.runtime.state(b.id).status());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void killAllOfAPausedContainerSignalsEveryProcessAndThawsIt() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            // The sleep starts before the trap, so TERM kills it; the shell catches TERM and says so.
            b.sh("sleep 1000 & trap 'echo got-TERM' TERM; " + TICKER);
            ContainerInfo started = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            long sleeper = b.runtime.processes(b.id).stream()
                    .filter(p -> p != started.pid() && cmdline(p).contains("1000")).findFirst().orElseThrow();
            b.runtime.pause(b.id);
            String frozenOutput = b.output();
            b.runtime.kill(b.id, 15, true);
            // runc 1.1 freezes, signals and thaws for --all: the container runs again, the shell
            // reports the TERM it caught and the sleep is gone.
            assertEquals(ContainerStatus.RUNNING, b.runtime.state(b.id).status());
            waitFor(() -> b.output().substring(frozenOutput.length()).contains("got-TERM"));
            waitFor(() -> !b.runtime.processes(b.id).contains(sleeper));
            waitFor(() -> b.output().length() > frozenOutput.length() + 20);
            b.runtime.pause(b.id);
            ContainerInfo c = b.runtime.state(b.id);
            b.runtime.kill(b.id, 9, true);
            waitFor(() -> b.runtime.state(b.id).status() == ContainerStatus.STOPPED);
            Syscalls.waitPid(c.pid(), 0);
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void deleteForceRemovesAPausedContainer() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("sleep 1000 & " + TICKER);
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.pause(b.id);
            RuntimeError notStopped = assertThrows(RuntimeError.class, () -> b.runtime.delete(b.id, false));
            assertTrue(notStopped.getMessage().endsWith("that is not stopped: paused"), notStopped.getMessage());
            b.runtime.delete(b.id, true);
            ProcStat after = ProcStat.read(c.pid());
            assertTrue(after == null || after.state() == 'Z', "the frozen init was killed (and reaped) by delete");
            Leftovers.assertNone(b);
        }
    }
}
