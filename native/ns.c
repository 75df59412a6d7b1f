/* Namespaces: the clone that makes the container init, joining and unsharing. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int op_clone(struct helper *h, const struct step *st, uint32_t index)
{
	int gate[2];
	char c;
	if (pipe2(gate, O_CLOEXEC) < 0)
		return errno;
	/* fork-like: no new stack, the child goes on with a copy of ours */
	long pid = syscall(SYS_clone, (unsigned long)st->q[0] | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		int e = errno;
		close(gate[0]);
		close(gate[1]);
		return e;
	}
	if (pid > 0) {
		if (send_msg(h->sync, MSG_PID, index, 0, st->op, pid) < 0)
			return errno;
		_exit(0); /* closes gate[1]: the child may go on */
	}
	/* Java must see PID before anything the child sends, so the child waits for the parent's
	 * exit (EOF on the gate) before its next step. */
	close(gate[1]);
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	close(gate[0]);
	return 0;
}

int op_setns(struct helper *h, const struct step *st, uint32_t index)
{
	return setns(h->slots[st->u[0]], (int)st->u[1]) < 0 ? errno : 0;
}

int op_unshare(struct helper *h, const struct step *st, uint32_t index)
{
	return unshare((int)st->u[0]) < 0 ? errno : 0;
}

int op_sethostname(struct helper *h, const struct step *st, uint32_t index)
{
	return sethostname(st->s[0], strlen(st->s[0])) < 0 ? errno : 0;
}

int op_setdomainname(struct helper *h, const struct step *st, uint32_t index)
{
	return setdomainname(st->s[0], strlen(st->s[0])) < 0 ? errno : 0;
}
