/* burk-init: a container's PID 1 for `burk run --init`, bind-mounted read-only at /dev/init.
 *
 * PID 1 of a PID namespace has two jobs a normal program does not do: the kernel delivers it no
 * signal it has not installed a handler for (so a plain program as PID 1 ignores SIGTERM), and
 * orphaned processes are re-parented to it (so it must reap them or they stay zombies). This
 * program forks the command, forwards every signal it receives to it, reaps every child, and
 * exits with the command's status (128 + N when a signal N killed it), as Docker's tini does.
 *
 * Usage: burk-init [--] COMMAND [ARG...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals raised by a fault of the process itself: blocking them would hang or kill burk-init
 * in a way nobody could report, so they keep their default action. */
static const int synchronous[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

static int status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (first >= argc) {
		fprintf(stderr, "usage: %s [--] COMMAND [ARG...]\n", argv[0]);
		return 2;
	}

	sigset_t all, saved;
	sigfillset(&all);
	for (size_t i = 0; i < sizeof synchronous / sizeof synchronous[0]; i++)
		sigdelset(&all, synchronous[i]);
	if (sigprocmask(SIG_SETMASK, &all, &saved) < 0) {
		perror("burk-init: sigprocmask");
		return 1;
	}

	pid_t child = fork();
	if (child < 0) {
		perror("burk-init: fork");
		return 1;
	}
	if (child == 0) {
		/* Its own process group, in the foreground of the terminal if there is one, so that
		 * a shell run as the command has job control and Ctrl-C reaches it. */
		setpgid(0, 0);
		if (isatty(STDIN_FILENO)) {
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(STDIN_FILENO, getpgrp());
			signal(SIGTTOU, SIG_DFL);
		}
		sigprocmask(SIG_SETMASK, &saved, NULL);
		execvp(argv[first], &argv[first]);
		fprintf(stderr, "burk-init: exec %s: %s\n", argv[first], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&all, &info);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			perror("burk-init: sigwaitinfo");
			return 1;
		}
		if (sig != SIGCHLD) {
			/* the child may have exited already: then there is nobody to tell */
			if (kill(child, sig) < 0 && errno != ESRCH)
				perror("burk-init: kill");
			continue;
		}
		/* One SIGCHLD may stand for several exits: reap until none is left. */
		for (;;) {
			int st;
			pid_t pid = waitpid(-1, &st, WNOHANG);
			if (pid <= 0)
				break;
			if (pid == child)
				return status_of(st);
		}
	}
}
