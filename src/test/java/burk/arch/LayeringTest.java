package burk.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dependencies between burk's packages point one way (direction.md §4): the spec model and the
 * Linux bindings depend on nothing, the CLI sits on top, and nothing depends on the CLI.
 */
class LayeringTest {
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "spec", Set.of(),
            "linux", Set.of(),
            "cgroups", Set.of("linux"),
            "seccomp", Set.of("spec"),
            "runtime", Set.of("spec", "linux", "cgroups", "seccomp"),
            "image", Set.of("spec", "linux"),
            "front", Set.of("spec", "linux", "runtime", "image", "cgroups", "seccomp"),
            "daemon", Set.of("spec", "linux", "runtime", "cgroups", "seccomp"),
            "cli", Set.of("spec", "linux", "runtime", "image", "front", "daemon", "cgroups", "seccomp"));
    private static final Pattern REF = Pattern.compile("\\bburk\\.([a-z]+)\\.");

    @Test
    void packagesOnlyUseWhatTheyMayDependOn() throws IOException {
        Path src = Path.of(System.getProperty("burk.home", "."), "src/main/java/burk");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = src.relativize(f).getName(0).toString();
                Set<String> allowed = ALLOWED.get(pkg);
                if (allowed == null) {
                    violations.add(pkg + ": a package not in the layering table");
                    continue;
                }
                Matcher m = REF.matcher(Files.readString(f));
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && !allowed.contains(used)) {
                        violations.add(src.relativize(f) + " uses burk." + used);
                    }
                }
            }
        }
        assertEquals(List.of(), violations.stream().distinct().toList());
    }
}
