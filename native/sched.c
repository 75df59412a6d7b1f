/* Scheduling of the container's process: policy, I/O priority, CPU affinity. Java lays out the
 * kernel structures; this file only makes the calls. */
#include "plan.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int op_sched_setattr(struct helper *h, const struct step *st, uint32_t index)
{
	/* struct sched_attr, SCHED_ATTR_SIZE_VER0 (48 bytes), copied to aligned memory */
	uint64_t attr[8];
	if (st->len != 48)
		return EINVAL;
	memset(attr, 0, sizeof attr);
	memcpy(attr, st->data, st->len);
	return syscall(SYS_sched_setattr, 0, attr, 0) < 0 ? errno : 0;
}

int op_ioprio_set(struct helper *h, const struct step *st, uint32_t index)
{
	/* IOPRIO_WHO_PROCESS = 1; the value is (class << 13) | level */
	return syscall(SYS_ioprio_set, 1, 0, (int)((st->u[0] << 13) | (st->u[1] & 0x1fff))) < 0 ? errno : 0;
}

int op_set_affinity(struct helper *h, const struct step *st, uint32_t index)
{
	cpu_set_t set;
	if (st->len == 0 || st->len > sizeof set)
		return EINVAL;
	memset(&set, 0, sizeof set);
	memcpy(&set, st->data, st->len);
	return sched_setaffinity(0, sizeof set, &set) < 0 ? errno : 0;
}

int op_join_keyring(struct helper *h, const struct step *st, uint32_t index)
{
	/* KEYCTL_JOIN_SESSION_KEYRING = 1: a new session keyring, so the container does not share the
	 * caller's keys; ENOSYS (no keyring support) is the kernel saying there is nothing to share */
	long r = syscall(SYS_keyctl, 1, *st->s[0] ? st->s[0] : NULL);
	return r < 0 && errno != ENOSYS ? errno : 0;
}
