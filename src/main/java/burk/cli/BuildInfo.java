package burk.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts recorded at build time (the git commit), read from the jar's burk/build.properties. */
final class BuildInfo {
    private BuildInfo() {}

    static String commit() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/burk/build.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("commit", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
