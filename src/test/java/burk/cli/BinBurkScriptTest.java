package burk.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/burk's choice of JVM options, seen through a stand-in {@code java} that prints its
 * arguments: a copy of the script in a home of its own, with a jar and AOT caches of chosen ages.
 */
class BinBurkScriptTest {
    private static final Path HOME = Path.of(System.getProperty("burk.home", ".")).toAbsolutePath().normalize();

    private Path home;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createTempDirectory("burk-script-");
        Files.createDirectories(home.resolve("bin"));
        Files.copy(HOME.resolve("bin/burk"), home.resolve("bin/burk"));
        Path java = Files.createDirectories(home.resolve("build/jdk/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(home.resolve("target"));
        Files.writeString(home.resolve("target/burk.jar"), "jar");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(home)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private String jvmArgs(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = home.resolve("bin/burk").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("BURK_CLASSPATH");
        pb.environment().remove("BURK_NO_AOT");
        pb.environment().put("BURK_NO_DAEMON", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private void age(String file, long secondsAgo) throws IOException {
        Files.setLastModifiedTime(home.resolve(file), FileTime.fromMillis(System.currentTimeMillis() - secondsAgo * 1000));
    }

    @Test
    void anAotCacheNewerThanTheJarIsUsedTheLightOneForTheHotCommands() throws Exception {
        Files.writeString(home.resolve("target/burk.aot"), "full");
        Files.writeString(home.resolve("target/burk-light.aot"), "light");
        age("target/burk.jar", 60);
        assertTrue(jvmArgs("state", "x").contains("-XX:AOTCache=" + home.resolve("target/burk-light.aot")));
        assertTrue(jvmArgs("create", "x").contains("-XX:AOTCache=" + home.resolve("target/burk.aot")));
    }

    @Test
    void anAotCacheOlderThanTheJarIsNotUsed() throws Exception {
        // JDK 25 maps a cache trained on an older jar all the same: its classes would shadow the
        // jar's (seen as a NoSuchFieldError for an enum constant added since).
        Files.writeString(home.resolve("target/burk.aot"), "full");
        Files.writeString(home.resolve("target/burk-light.aot"), "light");
        age("target/burk.aot", 60);
        age("target/burk-light.aot", 60);
        String state = jvmArgs("state", "x");
        assertFalse(state.contains("AOTCache"), state);
        assertTrue(state.contains("burk.cli.Main state x"), state);
        assertFalse(jvmArgs("create", "x").contains("AOTCache"));
    }
}
