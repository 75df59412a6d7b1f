package burk.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which of exec's two forms (runc's, Docker's) a command line means. */
class ExecFormTest {
    @TempDir
    Path dir;

    private boolean runc(String... args) {
        return ExecForm.isRunc(List.of(args), dir.resolve("run"), () -> dir.resolve("containers"));
    }

    @Test
    void aFlagOnlyOneFormHasDecides() throws Exception {
        assertTrue(runc("--process", "/tmp/p.json", "web"));
        assertTrue(runc("-t", "--console-socket=/tmp/s", "web"));
        assertTrue(runc("--pid-file", "/x", "-d", "web"));
        assertTrue(runc("-pid-file", "/x", "web"), "runc's single-dash long flags");
        assertFalse(runc("-it", "web", "sh"));
        assertFalse(runc("-w", "/tmp", "web", "pwd"));
        assertFalse(runc("--interactive", "web", "--process"), "flags after the container are the command's");
    }

    @Test
    void otherwiseTheFrontUnlessTheIdIsARuntimeContainerTheFrontDidNotMake() throws Exception {
        assertFalse(runc("web", "sh"), "unknown to both: the front reports it");
        Files.createDirectories(dir.resolve("run/rc1"));
        assertTrue(runc("-e", "A=1", "rc1", "sh"), "a runc container");
        Files.createDirectories(dir.resolve("run/abc123"));
        Files.createDirectories(dir.resolve("containers/abc123"));
        assertFalse(runc("-u", "nobody", "abc123", "id"), "a front container (its runtime id is its id)");
    }
}
