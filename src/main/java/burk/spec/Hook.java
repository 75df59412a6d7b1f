package burk.spec;

import java.util.List;

/**
 * One hook command.
 *
 * @param path    absolute path of the executable
 * @param args    argv (including argv[0])
 * @param env     environment
 * @param timeout seconds before the hook is aborted, or null for none
 */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
    public Hook {
        args = Copies.list(args);
        env = Copies.list(env);
    }
}
