package burk.front;

import java.util.List;

/**
 * What {@code burk exec CONTAINER CMD...} was asked for, as Docker's flags name it.
 *
 * @param container   a container's name, id or unique id prefix
 * @param command     the argv to run
 * @param interactive pass stdin to the process (-i); without it stdin is /dev/null
 * @param tty         give the process a terminal (-t)
 * @param detach      return once the process runs (-d); its output is discarded
 * @param env         K=V, or K taken from this process's environment, over the container's env
 * @param user        USER[:GROUP] looked up in the container's /etc/passwd, or null: the container's
 * @param workdir     the process's cwd, or null: the container's
 */
public record ExecOptions(String container, List<String> command, boolean interactive, boolean tty, boolean detach,
                          List<String> env, String user, String workdir) {
    public ExecOptions {
        command = List.copyOf(command);
        env = List.copyOf(env);
    }

    /** No flags. */
    public static ExecOptions of(String container, List<String> command) {
        return new ExecOptions(container, command, false, false, false, List.of(), null, null);
    }
}
