package burk.runtime;

import burk.linux.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** create, start, state, kill, delete and run, against the real kernel, through the Java API. */
class LifecycleIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    @Test
    void runReturnsTheProcessExitCodeAndItsOutput() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("echo hello from the container; exit 7");
            TestBundle.Ran r = b.run();
            assertEquals(7, r.status());
            assertEquals("hello from the container\n", r.output());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aProcessKilledBySignalGives128PlusTheSignal() throws Exception {
        // Without its own PID namespace the shell is not an init, so the kernel delivers the signal.
        try (TestBundle b = TestBundle.make()) {
            b.removeNamespace("pid").sh("kill -9 $$");
            assertEquals(137, b.run().status());
        }
        try (TestBundle b = TestBundle.make()) {
            b.removeNamespace("pid").sh("kill -TERM $$");
            assertEquals(143, b.run().status());
        }
    }

    @Test
    void aSignalFromTheHostKillsTheContainerInit() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("echo up; sleep 60");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.kill(b.id, 9, false);
            assertEquals(137, Syscalls.waitPid(c.pid(), 0).shellStatus());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void createWaitsAtTheBarrierThenStartRunsTheProcess() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("echo started; sleep 30");
            ContainerInfo c = b.create();
            assertEquals(ContainerStatus.CREATED, b.runtime.state(b.id).status());
            assertEquals("", b.output(), "the process must not run before start");
            assertTrue(c.pid() > 0);
            b.runtime.start(b.id);
            assertEquals(ContainerStatus.RUNNING, b.runtime.state(b.id).status());
            waitFor(() -> b.output().contains("started"));
            RuntimeError again = assertThrows(RuntimeError.class, () -> b.runtime.start(b.id));
            assertEquals("cannot start an already running container", again.getMessage());
            RuntimeError notStopped = assertThrows(RuntimeError.class, () -> b.runtime.delete(b.id, false));
            assertTrue(notStopped.getMessage().contains("that is not stopped: running"), notStopped.getMessage());
            b.runtime.kill(b.id, 9, false);
            Syscalls.waitPid(c.pid(), 0);
            assertEquals(ContainerStatus.STOPPED, b.runtime.state(b.id).status());
            assertEquals(0, b.runtime.state(b.id).pid());
            RuntimeError stopped = assertThrows(RuntimeError.class, () -> b.runtime.start(b.id));
            assertEquals("cannot start a container that has stopped", stopped.getMessage());
            RuntimeError notRunning = assertThrows(RuntimeError.class, () -> b.runtime.kill(b.id, 15, false));
            assertEquals("container not running", notRunning.getMessage());
            b.runtime.delete(b.id, false);
            RuntimeError gone = assertThrows(RuntimeError.class, () -> b.runtime.state(b.id));
            assertEquals("container does not exist", gone.getMessage());
            Leftovers.assertNone(b);
        }
    }

    @Test
    void deletingACreatedContainerKillsTheWaitingInit() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/true")) {
            ContainerInfo c = b.create();
            assertTrue(ProcStat.read(c.pid()) != null);
            b.runtime.delete(b.id, false);
            waitFor(() -> {
                ProcStat p = ProcStat.read(c.pid());
                return p == null || p.state() == 'Z';
            });
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aSecondContainerWithTheSameIdFailsAndLeavesTheFirstAlone() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "30")) {
            ContainerInfo c = b.create();
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.create(b.request()));
            assertEquals("container with id exists: " + b.id, e.getMessage());
            assertEquals(ContainerStatus.CREATED, b.runtime.state(b.id).status());
            assertEquals(c.pid(), b.runtime.state(b.id).pid());
            b.runtime.delete(b.id, true);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void deleteForceOfAMissingContainerSucceedsAndWithoutForceFails() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.runtime.delete("no-such-container", true);
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.delete("no-such-container", false));
            assertEquals("container does not exist", e.getMessage());
        }
    }

    @Test
    void pidFileHoldsTheDecimalPidWithoutNewline() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "30")) {
            b.write();
            var pidFile = b.dir.resolve("init.pid");
            ContainerInfo c = b.runtime.create(b.request().withPidFile(pidFile)
                    .withStdio(new int[] {0, 1, 2}));
            assertEquals(Integer.toString(c.pid()), Files.readString(pidFile));
            b.runtime.delete(b.id, true);
        }
    }

    @Test
    void killAllSignalsEveryProcessOfTheContainer() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("sleep 60 & sleep 60 & echo up; wait");
            ContainerInfo c = b.create();
            b.runtime.start(b.id);
            waitFor(() -> b.output().contains("up"));
            b.runtime.kill(b.id, 9, true);
            Syscalls.WaitStatus ws = Syscalls.waitPid(c.pid(), 0);
            assertEquals(137, ws.shellStatus());
            b.runtime.delete(b.id, false);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void listShowsContainersWithTheirStatus() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sleep", "30")) {
            b.create();
            List<ContainerInfo> all = b.runtime.list();
            assertEquals(1, all.size());
            assertEquals(b.id, all.get(0).id());
            assertEquals(ContainerStatus.CREATED, all.get(0).status());
            assertEquals(b.dir.toString(), all.get(0).bundle());
            b.runtime.delete(b.id, true);
            assertEquals(List.of(), b.runtime.list());
        }
    }

    @Test
    void theJavaApiRunsAContainerFromARunningJvm() throws Exception {
        try (TestBundle b = TestBundle.make()) {
            b.sh("echo $$ $(hostname)");
            b.config.put("hostname", "from-java");
            b.resources("pids", Map.of("limit", 32L));
            TestBundle.Ran r = b.run();
            assertEquals(0, r.status());
            assertEquals("1 from-java\n", r.output());
        }
    }

    interface Check { boolean ok() throws Exception; }

    static void waitFor(Check c) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(20);
        }
    }
}
