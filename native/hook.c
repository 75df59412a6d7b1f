/* Hooks: RECV_DATA takes a document from Java (the container's state, which needs the init's pid
 * and so cannot be in the plan), RUN_HOOK runs one hook program with it on stdin and enforces the
 * hook's timeout. Java decides which hooks run where and renders the failure; this file only runs
 * a program and reports how it ended. */
#include "plan.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int op_recv_data(struct helper *h, const struct step *st, uint32_t index)
{
	uint32_t buf = st->u[0], max = st->u[1], n;
	uint8_t *data = (uint8_t *)st->data; /* allocated for this step when the plan was decoded */
	if (send_msg(h->sync, MSG_DATA, index, 0, st->op, buf) < 0)
		return errno;
	int err = read_full(h->sync, &n, sizeof n);
	if (err)
		return err;
	n = le32toh(n);
	if (n > max)
		return EMSGSIZE;
	err = read_full(h->sync, data, n);
	if (err)
		return err;
	h->bufs[buf] = data;
	h->buflens[buf] = n;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits for the hook; with a timeout, kills it with SIGKILL when the time is up and returns
 * ETIMEDOUT. A pidfd makes the wait pollable with a timeout, without signal handlers. */
static int wait_hook(pid_t pid, uint32_t timeout_ms, int *status)
{
	if (timeout_ms > 0) {
		int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pfd < 0) {
			int e = errno;
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return e;
		}
		int64_t deadline = now_ms() + timeout_ms;
		for (;;) {
			int64_t left = deadline - now_ms();
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			int r = left > 0 ? poll(&p, 1, (int)left) : 0;
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0) {
				kill(pid, SIGKILL);
				close(pfd);
				while (waitpid(pid, status, 0) < 0 && errno == EINTR)
					;
				return ETIMEDOUT;
			}
			break; /* exited (or poll failed: waitpid below tells) */
		}
		close(pfd);
	}
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return errno;
	}
	return 0;
}

/* In the forked child: stdin, stdout and stderr in place, every other fd closed, then execve.
 * On failure the errno goes to the parent over `report` (close-on-exec: EOF means exec worked). */
static _Noreturn void exec_hook(const struct step *st, int in, int out, int report)
{
	int e;
	/* above 2 first, so that dup2 onto 0..2 cannot clobber a source */
	if ((in = fcntl(in, F_DUPFD_CLOEXEC, 3)) < 0 || (out >= 0 && (out = fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0))
		goto fail;
	if (dup2(in, 0) < 0 || (out >= 0 && (dup2(out, 1) < 0 || dup2(out, 2) < 0)))
		goto fail;
	/* nothing of the helper's but stdio reaches the hook; the report pipe is close-on-exec */
	for (int fd = 3; fd < report; fd++)
		close(fd);
	if (syscall(SYS_close_range, report + 1, ~0u, 0) < 0 && errno != ENOSYS)
		goto fail;
	execve(st->s[0], st->v[0], st->v[1]);
fail:
	e = errno;
	if (write(report, &e, sizeof e) < 0)
		_exit(126);
	_exit(127);
}

int op_run_hook(struct helper *h, const struct step *st, uint32_t index)
{
	uint32_t timeout_ms = st->u[0], buf = st->u[1];
	int32_t out_slot = (int32_t)st->u[2];
	int out = out_slot >= 0 ? h->slots[out_slot] : -1;
	int err, status = 0, report[2];
	if (!h->bufs[buf])
		return ENODATA; /* no RECV_DATA filled the buffer */
	/* stdin is a memfd holding the whole document: the hook reads it at its own pace and a
	 * document larger than a pipe cannot block the helper */
	int in = memfd_create("burk-hook-stdin", MFD_CLOEXEC);
	if (in < 0)
		return errno;
	if ((err = write_all(in, h->bufs[buf], h->buflens[buf])) || (lseek(in, 0, SEEK_SET) < 0 && (err = errno))) {
		close(in);
		return err;
	}
	/* the output of the previous hook is dropped: the file holds this hook's, for Java's message */
	if (out >= 0 && ftruncate(out, 0) < 0 && errno != EINVAL) {
		err = errno;
		close(in);
		return err;
	}
	if (pipe2(report, O_CLOEXEC) < 0) {
		err = errno;
		close(in);
		return err;
	}
	pid_t pid = fork();
	if (pid < 0) {
		err = errno;
		close(in);
		close(report[0]);
		close(report[1]);
		return err;
	}
	if (pid == 0) {
		close(report[0]);
		exec_hook(st, in, out, report[1]);
	}
	close(in);
	close(report[1]);
	int exec_errno = 0;
	ssize_t r;
	do
		r = read(report[0], &exec_errno, sizeof exec_errno);
	while (r < 0 && errno == EINTR);
	close(report[0]);
	if (r == (ssize_t)sizeof exec_errno) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return exec_errno;
	}
	err = wait_hook(pid, timeout_ms, &status);
	if (err == ETIMEDOUT)
		h->fail_value = timeout_ms;
	if (err)
		return err;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	h->fail_value = status; /* ran and failed: Java renders the exit status or the signal */
	return ECHILD;
}
