/* Sockets (LISTEN, CONNECT), the start handshake (WAIT_START) and the final execve. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A unix stream socket in slot st->u[0], bound (LISTEN) or connected (CONNECT) to name, a path
 * relative to slots[dir]: fchdir first keeps sun_path short whatever the directory. */
static int unix_socket(struct helper *h, const struct step *st, int listening)
{
	int dir = (int32_t)st->u[1];
	const char *name = st->s[0];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	if (n == 0)
		return EINVAL;
	if (n >= sizeof a.sun_path)
		return ENAMETOOLONG;
	memcpy(a.sun_path, name, n);
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	if (dir >= 0 && fchdir(h->slots[dir]) < 0)
		return errno;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int r;
	if (listening)
		r = bind(fd, (struct sockaddr *)&a, alen) < 0 ? -1 : listen(fd, 4);
	else
		do
			r = connect(fd, (struct sockaddr *)&a, alen);
		while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		close(fd);
		return e;
	}
	set_slot(h, (int)st->u[0], fd);
	return 0;
}

int op_listen(struct helper *h, const struct step *st, uint32_t index)
{
	return unix_socket(h, st, 1);
}

int op_connect(struct helper *h, const struct step *st, uint32_t index)
{
	return unix_socket(h, st, 0);
}

int op_wait_start(struct helper *h, const struct step *st, uint32_t index)
{
	int lfd = h->slots[st->u[0]];
	if (send_msg(h->sync, MSG_READY, index, 0, st->op, 0) < 0)
		return errno;
	for (;;) {
		char b;
		ssize_t r;
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (c < 0)
			return errno;
		do
			r = read(c, &b, 1);
		while (r < 0 && errno == EINTR);
		if (r == 1 && b == 'S') {
			/* close-on-exec: the starter sees EOF exactly when execve succeeded */
			h->reply = c;
			return 0;
		}
		close(c); /* a probe, not a start */
	}
}

int op_find_exec(struct helper *h, const struct step *st, uint32_t index)
{
	int err = ENOENT;
	for (char **c = st->v[0]; *c; c++) {
		struct stat s;
		if (stat(*c, &s) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				err = errno;
			continue;
		}
		if (!S_ISREG(s.st_mode)) {
			err = EACCES; /* what execve would say */
			continue;
		}
		/* The original faccessat, not glibc's faccessat2 (a profile newer than it but without
		 * it answers EPERM once the seccomp filter is in); the ids are the process's final ones
		 * here, real and effective alike, so this is the AT_EACCESS check. */
		if (syscall(SYS_faccessat, AT_FDCWD, *c, X_OK) < 0) {
			err = errno;
			continue;
		}
		h->exec_path = *c;
		return 0;
	}
	return err;
}

int op_exec(struct helper *h, const struct step *st, uint32_t index)
{
	char **argv = st->v[0];
	execve(h->exec_path ? h->exec_path : argv[0], argv, st->v[1]);
	return errno;
}
