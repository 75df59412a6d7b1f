/* Seccomp user notification: the listener fd of a NEW_LISTENER filter goes to the runtime, which
 * hands it to the seccomp agent at linux.seccomp.listenerPath (runtime-spec config-linux.md). */
#include "plan.h"

#include <errno.h>
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
	uint8_t m[MSG_SIZE];
	encode_msg(m, MSG_FD, index, 0, st->op, (int64_t)st->u[0]);
	ssize_t r = sendmsg_fd(h->sync, m, sizeof m, fd);
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
