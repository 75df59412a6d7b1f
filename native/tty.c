/* Session and terminal: the pty inside the container and the console socket. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int op_setsid(struct helper *h, const struct step *st, uint32_t index)
{
	return setsid() < 0 ? errno : 0;
}

int op_open_pty(struct helper *h, const struct step *st, uint32_t index)
{
	int root = (int32_t)st->u[1];
	int unlock = 0, peer = -1;
	struct stat s;
	char proc[32];
	/* Looked at before it is opened: a /dev/ptmx the container made a symlink to some other file
	 * (a FIFO, a procfs file) is never opened, only refused (CVE-2025-52565's kind). The ptmx of a
	 * devpts instance and the host's /dev/ptmx are both the character device 5:2. */
	int p = root >= 0 ? open_under(h, root, "/dev/ptmx", O_PATH) : open("/dev/ptmx", O_PATH | O_CLOEXEC);
	if (p < 0)
		return errno;
	int bad = fstat(p, &s) < 0 ? errno
		  : !S_ISCHR(s.st_mode) || major(s.st_rdev) != 5 || minor(s.st_rdev) != 2 ? ENOTTY : 0;
	if (bad) {
		close(p);
		return bad;
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", p);
	int m = open(proc, O_RDWR | O_NOCTTY | O_CLOEXEC);
	int open_err = errno;
	close(p);
	if (m < 0)
		return open_err;
	/* TIOCGPTPEER opens the peer from the master itself: no /dev/pts path lookup that a
	 * symlink could redirect (CVE-2025-52565) */
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
	    (peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		goto fail;
	/* TIOCSCTTY needs a session leader; a SETSID step may already have made us one */
	if (getsid(0) != getpid() && setsid() < 0)
		goto fail;
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		goto fail;
	for (int fd = 0; fd < 3; fd++)
		if ((fd == peer ? fcntl(fd, F_SETFD, 0) : dup2(peer, fd)) < 0)
			goto fail;
	if (peer > 2)
		close(peer);
	set_slot(h, (int)st->u[0], m);
	return 0;
fail:;
	int e = errno;
	close(m);
	if (peer > 2)
		close(peer);
	return e;
}

int op_send_fd(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = h->slots[st->u[1]];
	const char *payload = st->s[0];
	size_t n = strlen(payload);
	/* a stream socket carries ancillary data only along with at least one byte */
	ssize_t r = sendmsg_fd(h->slots[st->u[0]], n ? payload : "", n ? n : 1, fd);
	return r < 0 ? errno : 0;
}

int op_set_winsize(struct helper *h, const struct step *st, uint32_t index)
{
	struct winsize ws = { .ws_row = (unsigned short)st->u[1], .ws_col = (unsigned short)st->u[2] };
	return ioctl(h->slots[st->u[0]], TIOCSWINSZ, &ws) < 0 ? errno : 0;
}
