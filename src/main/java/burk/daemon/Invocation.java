package burk.daemon;

import burk.runtime.ProcessHost;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One command line a front asked the daemon to run.
 *
 * @param args the arguments after the program name, as the engine gave them
 * @param cwd  the caller's working directory: relative paths in {@code args} are relative to it
 * @param env  the caller's environment, as far as burk reads it (XDG_RUNTIME_DIR)
 * @param out  the caller's stdout
 * @param err  the caller's stderr
 * @param host the caller's process, for the helper, the subreaper and the wait
 */
public record Invocation(List<String> args, Path cwd, Map<String, String> env, PrintStream out, PrintStream err,
                         ProcessHost host) {
}
