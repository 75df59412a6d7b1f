/* Seccomp user notification: the listener fd of a NEW_LISTENER filter goes to the runtime, which
 * hands it to the seccomp agent at linux.seccomp.listenerPath (runtime-spec config-linux.md). */
#include "plan.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sends FD with slots[slot] attached on the sync socket, closes the slot, then waits for 'C'.
 *
 * The filter is already installed here, and until the runtime holds the fd nobody can answer a
 * notification: a notifying call made now would block forever. So the fd goes out in the first
 * syscall after seccomp(2), and the only one: sendmsg (Java refuses profiles that notify it).
 * Any later call (close, read) may notify; the agent has the fd by then or gets it meanwhile. */
int op_send_fd_sync(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = h->slots[st->u[0]];
	if (fd < 0)
		return EBADF;
	uint32_t head[4] = { htole32(MSG_FD), htole32(index), 0, htole32(st->op) };
	uint64_t v = htole64((uint64_t)st->u[0]);
	uint8_t m[24];
	memcpy(m, head, 16);
	memcpy(m + 16, &v, 8);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { .iov_base = m, .iov_len = sizeof m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	ssize_t r;
	do
		r = sendmsg(h->sync, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	/* the fd went with the first byte; a short send only leaves bytes to follow */
	for (size_t off = (size_t)r; off < sizeof m;) {
		r = send(h->sync, m + off, sizeof m - off, MSG_NOSIGNAL);
		if (r < 0 && errno != EINTR)
			return errno;
		if (r > 0)
			off += (size_t)r;
	}
	/* the runtime has its copy. The kernel made this one close-on-exec, but nothing here needs it
	 * any more, and no later step (a forked startContainer hook) should hold it even briefly. */
	set_slot(h, (int)st->u[0], -1);
	char ans;
	do
		r = read(h->sync, &ans, 1);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		_exit(1); /* Java is gone (it failed to reach the agent and kills us): nobody to report to */
	if (r < 0)
		return errno;
	return ans == 'C' ? 0 : EPROTO;
}
