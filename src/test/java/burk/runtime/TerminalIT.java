package burk.runtime;

import burk.linux.Fd;
import burk.linux.Syscalls;
import burk.linux.UnixSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * process.terminal: the pty is made inside the container's devpts, its master goes over the
 * console socket in one SCM_RIGHTS message with "/dev/ptmx" as payload (as runc sends it), and a
 * receiver written for the test talks to a shell in the container through it.
 */
class TerminalIT {
    @BeforeAll
    static void subreaper() throws Exception {
        ContainerRuntime.becomeSubreaper();
    }

    @Test
    void aShellInTheContainerTalksThroughTheMasterFromTheConsoleSocket() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sh")) {
            b.process().put("terminal", true);
            b.process().put("consoleSize", new LinkedHashMap<String, Object>(Map.of("height", 30L, "width", 100L)));
            b.write();
            Path sock = b.dir.resolve("console.sock");
            try (Fd listener = UnixSocket.listen(sock.toString())) {
                ContainerInfo c = b.runtime.create(b.request().withConsoleSocket(sock));
                UnixSocket.Received got;
                try (Fd conn = UnixSocket.accept(listener)) {
                    got = UnixSocket.receiveFd(conn);
                }
                assertEquals("/dev/ptmx", new String(got.payload(), StandardCharsets.UTF_8));
                try (Fd master = got.fd()) {
                    b.runtime.start(b.id);
                    byte[] typed = "echo hi-$((1+1)); tty; stty size; exit 5\n".getBytes(StandardCharsets.UTF_8);
                    Syscalls.writeAll(master.get(), typed, typed.length);
                    ByteArrayOutputStream seen = new ByteArrayOutputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = Syscalls.readSome(master.get(), buf)) > 0) seen.write(buf, 0, n);
                    String o = seen.toString(StandardCharsets.UTF_8).replace("\r", "");
                    assertTrue(o.contains("\nhi-2\n"), o);
                    assertTrue(o.contains("\n/dev/pts/0\n"), o);
                    assertTrue(o.contains("\n30 100\n"), o);
                    assertEquals(5, Syscalls.waitPid(c.pid(), 0).shellStatus());
                }
                b.runtime.delete(b.id, false);
                Leftovers.assertNone(b);
            }
        }
    }

    @Test
    void runWithATerminalAndNoConsoleSocketProxiesItItself() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sh", "-c", "tty; read line; echo got $line; exit 3")) {
            b.process().put("terminal", true);
            b.write();
            Path input = b.dir.resolve("input");
            Files.writeString(input, "hello\n");
            Path out = b.dir.resolve("out");
            int status;
            try (Fd in = Syscalls.open(input.toString(), Syscalls.O_RDONLY, 0);
                 Fd o = Syscalls.open(out.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT, 0644)) {
                status = b.runtime.run(b.request().withStdio(new int[] {in.get(), o.get(), o.get()}));
            }
            assertEquals(3, status);
            String text = Files.readString(out).replace("\r", "");
            assertTrue(text.contains("/dev/pts/0\n"), text);
            assertTrue(text.contains("got hello\n"), text);
            Leftovers.assertNone(b);
        }
    }

    @Test
    void aTerminalWithoutAConsoleSocketCannotBeCreatedDetached() throws Exception {
        try (TestBundle b = TestBundle.make("/bin/sh")) {
            b.process().put("terminal", true);
            b.write();
            RuntimeError e = assertThrows(RuntimeError.class, () -> b.runtime.create(b.request()));
            assertEquals("cannot allocate tty if burk will detach without setting console socket", e.getMessage());
            Leftovers.assertNone(b);
        }
        try (TestBundle b = TestBundle.make("/bin/true")) {
            b.write();
            RuntimeError e = assertThrows(RuntimeError.class,
                    () -> b.runtime.create(b.request().withConsoleSocket(b.dir.resolve("s"))));
            assertEquals("cannot use console socket if burk will not detach or allocate tty", e.getMessage());
        }
    }
}
