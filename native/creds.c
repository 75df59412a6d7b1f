/* Process attributes: ids, capabilities, limits, seccomp and the small prctl-like knobs. */
#include "plan.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Raw syscalls for ids: glibc's wrappers broadcast to a thread list that, after a raw clone,
 * still describes the parent. The kernel only needs to change this one thread. */
int op_setgroups(struct helper *h, const struct step *st, uint32_t index)
{
	return syscall(SYS_setgroups, (size_t)st->len, st->data) < 0 ? errno : 0;
}

int op_setresgid(struct helper *h, const struct step *st, uint32_t index)
{
	gid_t g = st->u[0];
	return syscall(SYS_setresgid, g, g, g) < 0 ? errno : 0;
}

int op_setresuid(struct helper *h, const struct step *st, uint32_t index)
{
	uid_t u = st->u[0];
	return syscall(SYS_setresuid, u, u, u) < 0 ? errno : 0;
}

int op_cap_bounding(struct helper *h, const struct step *st, uint32_t index)
{
	uint64_t keep = st->q[0];
	for (uint32_t cap = 0; cap <= st->u[0]; cap++)
		if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return errno;
	return 0;
}

int op_capset(struct helper *h, const struct step *st, uint32_t index)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	for (int w = 0; w < 2; w++) {
		d[w].effective = (uint32_t)(st->q[0] >> 32 * w);
		d[w].permitted = (uint32_t)(st->q[1] >> 32 * w);
		d[w].inheritable = (uint32_t)(st->q[2] >> 32 * w);
	}
	return syscall(SYS_capset, &hdr, d) < 0 ? errno : 0;
}

int op_cap_ambient(struct helper *h, const struct step *st, uint32_t index)
{
	uint64_t raise = st->q[0];
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return errno;
	for (uint32_t cap = 0; cap <= st->u[0]; cap++)
		if ((raise >> cap & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return errno;
	return 0;
}

int op_prctl(struct helper *h, const struct step *st, uint32_t index)
{
	return prctl((int)st->u[0], (unsigned long)st->q[0], 0, 0, 0) < 0 ? errno : 0;
}

int op_seccomp(struct helper *h, const struct step *st, uint32_t index)
{
	uint32_t flags = st->u[0];
	struct sock_fprog prog = {
		.len = (unsigned short)(st->len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)st->data,
	};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		return errno;
	/* the notification fd of a NEW_LISTENER filter goes to the last slot */
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		set_slot(h, NSLOTS - 1, (int)r);
	return 0;
}

int op_setrlimit(struct helper *h, const struct step *st, uint32_t index)
{
	struct rlimit rl = { .rlim_cur = st->q[0], .rlim_max = st->q[1] };
	return prlimit(0, st->u[0], &rl, NULL) < 0 ? errno : 0;
}

int op_umask(struct helper *h, const struct step *st, uint32_t index)
{
	umask(st->u[0] & 0777);
	return 0;
}

int op_personality(struct helper *h, const struct step *st, uint32_t index)
{
	return personality(st->u[0]) < 0 ? errno : 0;
}
