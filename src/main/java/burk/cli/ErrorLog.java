package burk.cli;

import burk.spec.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where burk reports what went wrong: stderr, and with {@code --log FILE} that file too, as text
 * or, with {@code --log-format json}, as JSON lines {@code {"level","msg","time"}}. containerd,
 * Docker and Podman read the last error line of that file and show its msg to the user
 * ("OCI runtime create failed: ..."), so msg must say what failed and why.
 */
final class ErrorLog {
    private final Path file;
    private final boolean json;
    private final boolean debug;
    private final PrintStream err;

    ErrorLog(Path file, boolean json, boolean debug, PrintStream err) {
        this.file = file;
        this.json = json;
        this.debug = debug;
        this.err = err;
    }

    void error(String msg) {
        err.println("burk: " + msg);
        append("error", msg);
    }

    void warn(String msg) {
        err.println("burk: warning: " + msg);
        append("warning", msg);
    }

    void debug(String msg) {
        if (!debug) return;
        err.println("burk: debug: " + msg);
        append("debug", msg);
    }

    private void append(String level, String msg) {
        if (file == null) return;
        String line;
        String time = Instant.now().toString();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("level", level);
            m.put("msg", msg);
            m.put("time", time);
            line = Json.write(m) + "\n";
        } else {
            line = "time=\"" + time + "\" level=" + level + " msg=" + Json.quote(msg) + "\n";
        }
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            err.println("burk: cannot write the log " + file + ": " + e.getMessage());
        }
    }
}
