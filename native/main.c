/* burk-helper <syncfd>: reads one plan from the sync socket, checks all of it, then executes it
 * step by step and reports (step, errno). Transport, messages, decoding and dispatch live here. */
#include "plan.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TRY(x) do { int e_ = (x); if (e_) return e_; } while (0)

void encode_msg(uint8_t m[MSG_SIZE], uint32_t kind, uint32_t step, int32_t err, uint32_t aux, int64_t value)
{
	uint32_t head[4] = { htole32(kind), htole32(step), htole32((uint32_t)err), htole32(aux) };
	uint64_t v = htole64((uint64_t)value);
	memcpy(m, head, 16);
	memcpy(m + 16, &v, 8);
}

ssize_t sendmsg_fd(int sock, const void *buf, size_t n, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r;
}

int send_msg(int fd, uint32_t kind, uint32_t step, int32_t err, uint32_t aux, int64_t value)
{
	uint8_t m[MSG_SIZE];
	encode_msg(m, kind, step, err, aux, value);
	/* MSG_NOSIGNAL: a peer that went away must not kill us with SIGPIPE */
	for (size_t off = 0; off < sizeof m;) {
		ssize_t r = send(fd, m + off, sizeof m - off, MSG_NOSIGNAL);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			off += (size_t)r;
	}
	return 0;
}

/* Reports the failure where someone listens, then exits 1. Once a starter was accepted the
 * process that held the sync socket may be gone, so the reply fd comes first. */
static _Noreturn void fail(const struct helper *h, uint32_t step, uint32_t op, int err)
{
	if (h->reply >= 0)
		send_msg(h->reply, MSG_ERROR, step, err, op, h->fail_value);
	send_msg(h->sync, MSG_ERROR, step, err, op, h->fail_value);
	_exit(1);
}

void set_slot(struct helper *h, int slot, int fd)
{
	if (h->slots[slot] >= 0)
		close(h->slots[slot]);
	h->slots[slot] = fd;
}

static int op_sync(struct helper *h, const struct step *st, uint32_t index)
{
	char c;
	ssize_t r;
	if (send_msg(h->sync, MSG_SYNC, index, 0, st->op, 0) < 0)
		return errno;
	do
		r = read(h->sync, &c, 1);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		_exit(1); /* Java is gone: nobody to report to */
	if (r < 0)
		return errno;
	return c == 'C' ? 0 : EPROTO;
}

/* Payload signature per op, one letter per field in payload order:
 * f slot (0..63), o optional slot (-1 or 0..63), u i32/u32, q u64, s str, v strv, b bytes,
 * g SETGROUPS' `u32 n, u32 gid[n]`. Counts per type fit the arrays of struct step. */
static const struct opdef {
	const char *sig;
	step_fn *run;
} ops[OP_MAX] = {
	[OP_OPEN] = { "fus", op_open },
	[OP_OPEN_IN_ROOT] = { "ffus", op_open_in_root },
	[OP_SETNS] = { "fu", op_setns },
	[OP_UNSHARE] = { "u", op_unshare },
	[OP_CLONE] = { "q", op_clone },
	[OP_SYNC] = { "", op_sync },
	[OP_WRITE_FILE] = { "osb", op_write_file },
	[OP_MOUNT] = { "ouqssss", op_mount },
	[OP_MKNOD] = { "ouquus", op_mknod },
	[OP_SYMLINK] = { "oss", op_symlink },
	[OP_PIVOT_ROOT] = { "f", op_pivot_root },
	[OP_CHROOT] = { "fu", op_chroot },
	[OP_MASK] = { "oss", op_mask },
	[OP_SETHOSTNAME] = { "s", op_sethostname },
	[OP_SETDOMAINNAME] = { "s", op_setdomainname },
	[OP_SETRLIMIT] = { "uqq", op_setrlimit },
	[OP_SETGROUPS] = { "g", op_setgroups },
	[OP_SETRESGID] = { "u", op_setresgid },
	[OP_SETRESUID] = { "u", op_setresuid },
	[OP_CAP_BOUNDING] = { "qu", op_cap_bounding },
	[OP_CAPSET] = { "qqq", op_capset },
	[OP_CAP_AMBIENT] = { "qu", op_cap_ambient },
	[OP_PRCTL] = { "uq", op_prctl },
	[OP_SECCOMP] = { "ub", op_seccomp },
	[OP_UMASK] = { "u", op_umask },
	[OP_CHDIR] = { "s", op_chdir },
	[OP_LISTEN] = { "fos", op_listen },
	[OP_WAIT_START] = { "f", op_wait_start },
	[OP_FIND_EXEC] = { "v", op_find_exec },
	[OP_EXEC] = { "vv", op_exec },
	[OP_SETSID] = { "", op_setsid },
	[OP_PERSONALITY] = { "u", op_personality },
	[OP_SEND_FD] = { "ffs", op_send_fd },
	[OP_OPEN_PTY] = { "fo", op_open_pty },
	[OP_CLOSE] = { "f", op_close },
	[OP_CONNECT] = { "fos", op_connect },
	[OP_SET_WINSIZE] = { "fuu", op_set_winsize },
	[OP_SCHED_SETATTR] = { "b", op_sched_setattr },
	[OP_IOPRIO_SET] = { "uu", op_ioprio_set },
	[OP_SET_AFFINITY] = { "b", op_set_affinity },
	[OP_MOUNT_SETATTR] = { "ouqqqs", op_mount_setattr },
	[OP_JOIN_KEYRING] = { "s", op_join_keyring },
	[OP_RECV_DATA] = { "uu", op_recv_data },
	[OP_RUN_HOOK] = { "svvuuo", op_run_hook },
	[OP_WRITE_PROC] = { "ssb", op_write_proc },
	[OP_MKDIRS] = { "os", op_mkdirs },
	[OP_SEND_FD_SYNC] = { "f", op_send_fd_sync },
	[OP_USERNS] = { "fss", op_userns },
	[OP_OPEN_TREE] = { "fus", op_open_tree },
	[OP_SETATTR_TREE] = { "fuqqqo", op_setattr_tree },
	[OP_MOVE_MOUNT] = { "fous", op_move_mount },
	[OP_SET_MEMPOLICY] = { "ub", op_set_mempolicy },
};

struct cursor {
	const uint8_t *p, *end;
};

static size_t left(const struct cursor *c) { return (size_t)(c->end - c->p); }

static int take(struct cursor *c, void *out, size_t n)
{
	if (left(c) < n)
		return EINVAL;
	memcpy(out, c->p, n);
	c->p += n;
	return 0;
}

static int get_u32(struct cursor *c, uint32_t *v)
{
	TRY(take(c, v, 4));
	*v = le32toh(*v);
	return 0;
}

static int get_u64(struct cursor *c, uint64_t *v)
{
	TRY(take(c, v, 8));
	*v = le64toh(*v);
	return 0;
}

static int get_str(struct cursor *c, const char **s)
{
	uint32_t n;
	TRY(get_u32(c, &n));
	/* used in place as a C string: exactly one NUL, the last byte (no silent truncation) */
	if (n == 0 || left(c) < n || memchr(c->p, 0, n) != c->p + n - 1)
		return EINVAL;
	*s = (const char *)c->p;
	c->p += n;
	return 0;
}

static int get_strv(struct cursor *c, char ***out)
{
	uint32_t n;
	TRY(get_u32(c, &n));
	if (n > STRV_MAX)
		return EINVAL;
	char **v = calloc(n + 1, sizeof *v);
	if (!v)
		return ENOMEM;
	for (uint32_t k = 0; k < n; k++)
		TRY(get_str(c, (const char **)&v[k]));
	*out = v;
	return 0;
}

static int get_gids(struct cursor *c, struct step *st)
{
	uint32_t n;
	TRY(get_u32(c, &n));
	if (left(c) / 4 < n)
		return EINVAL;
	uint32_t *g = malloc(n ? n * sizeof *g : 1);
	if (!g)
		return ENOMEM;
	for (uint32_t k = 0; k < n; k++)
		TRY(get_u32(c, &g[k]));
	st->data = g;
	st->len = n;
	return 0;
}

static int decode(struct cursor *c, const char *sig, struct step *st)
{
	unsigned nu = 0, nq = 0, ns = 0, nv = 0;
	for (; *sig; sig++) {
		uint32_t u;
		switch (*sig) {
		case 'f':
		case 'o':
		case 'u':
			TRY(get_u32(c, &u));
			if ((*sig == 'f' && u >= NSLOTS) || (*sig == 'o' && (int32_t)u != -1 && u >= NSLOTS))
				return EINVAL;
			st->u[nu++] = u;
			break;
		case 'q':
			TRY(get_u64(c, &st->q[nq++]));
			break;
		case 's':
			TRY(get_str(c, &st->s[ns++]));
			break;
		case 'v':
			TRY(get_strv(c, &st->v[nv++]));
			break;
		case 'b':
			TRY(get_u32(c, &u));
			if (left(c) < u)
				return EINVAL;
			st->data = c->p;
			st->len = u;
			c->p += u;
			break;
		case 'g':
			TRY(get_gids(c, st));
			break;
		}
	}
	return left(c) == 0 ? 0 : EINVAL; /* a step is exactly its fields */
}

/* Checks that only make sense per op; anything the kernel would misread is refused here. */
static int check(struct step *st)
{
	switch (st->op) {
	case OP_CLONE:
		/* clone(2) takes 32 flag bits and reads the low byte as the exit signal */
		return st->q[0] & 0xffffffff000000ffull ? EINVAL : 0;
	case OP_MOUNT:
		return st->u[1] > 2 ? EINVAL : 0;
	case OP_MOUNT_SETATTR:
	case OP_CHROOT:
		return st->u[1] > 1 ? EINVAL : 0;
	case OP_OPEN_TREE:
		/* a clone, so the tree is detached and private to its fd; nothing else is asked of open_tree */
		return (st->u[1] & ~(uint32_t)(OPEN_TREE_CLONE | AT_RECURSIVE)) || !(st->u[1] & OPEN_TREE_CLONE) ? EINVAL : 0;
	case OP_SETATTR_TREE:
		/* an idmap needs the user namespace that carries the mapping */
		return st->u[1] > 1 || ((st->q[0] & MOUNT_ATTR_IDMAP) && (int32_t)st->u[2] < 0) ? EINVAL : 0;
	case OP_MOVE_MOUNT:
		return st->u[2] > 2 ? EINVAL : 0;
	case OP_CAP_BOUNDING:
	case OP_CAP_AMBIENT:
		return st->u[0] > 63 ? EINVAL : 0;
	case OP_EXEC:
		return st->v[0][0] ? 0 : EINVAL;
	case OP_RECV_DATA: {
		/* the buffer is allocated now: nothing is allocated once the plan runs */
		if (st->u[0] >= NBUFS || st->u[1] > DATA_MAX)
			return EINVAL;
		void *b = malloc(st->u[1] ? st->u[1] : 1);
		if (!b)
			return ENOMEM;
		st->data = b;
		st->len = st->u[1];
		return 0;
	}
	case OP_RUN_HOOK:
		return st->v[0][0] && st->u[1] < NBUFS ? 0 : EINVAL;
	case OP_SET_MEMPOLICY:
		/* whole unsigned longs of node bits, 1024 nodes at most */
		return st->len % sizeof(unsigned long) || st->len > MEMPOLICY_MASK_MAX ? EINVAL : 0;
	case OP_SECCOMP: {
		/* the kernel wants whole, aligned struct sock_filter and at most 65535 of them */
		if (st->len == 0 || st->len % sizeof(struct sock_filter) || st->len / sizeof(struct sock_filter) > 0xffff)
			return EINVAL;
		void *f = malloc(st->len);
		if (!f)
			return ENOMEM;
		memcpy(f, st->data, st->len);
		st->data = f;
		return 0;
	}
	}
	return 0;
}

/* Decodes the whole plan; on error *bad is the index of the bad step or HEADER_STEP. */
static int parse(const uint8_t *buf, uint32_t len, struct step **out, uint32_t *count, uint32_t *bad)
{
	struct cursor c = { buf, buf + len };
	uint32_t version, n, reserved;
	*bad = HEADER_STEP;
	if (len < 16 || memcmp(buf, "BKPL", 4) != 0)
		return EINVAL;
	c.p += 4;
	TRY(get_u32(&c, &version));
	TRY(get_u32(&c, &n));
	TRY(get_u32(&c, &reserved));
	if (version != PLAN_VERSION || reserved != 0 || n > left(&c) / 8)
		return EINVAL;
	struct step *steps = calloc(n ? n : 1, sizeof *steps);
	if (!steps)
		return ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct step *st = &steps[i];
		uint16_t hdr[2];
		uint32_t size;
		*bad = i;
		TRY(take(&c, hdr, 4));
		TRY(get_u32(&c, &size));
		st->op = le16toh(hdr[0]);
		st->flags = le16toh(hdr[1]);
		if (size > left(&c) || st->op == 0 || st->op >= OP_MAX || !ops[st->op].run ||
		    (st->flags & ~(FLAG_IGNORE_ENOENT | FLAG_NOFOLLOW)) ||
		    ((st->flags & FLAG_NOFOLLOW) && st->op != OP_MOUNT))
			return EINVAL;
		struct cursor payload = { c.p, c.p + size };
		c.p += size;
		TRY(decode(&payload, ops[st->op].sig, st));
		TRY(check(st));
	}
	*bad = HEADER_STEP;
	if (left(&c) != 0)
		return EINVAL;
	*out = steps;
	*count = n;
	return 0;
}

/* 0, the errno of a failed read, or EINVAL when the stream ends early. */
int read_full(int fd, void *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t r = read(fd, (char *)buf + off, n - off);
		if (r < 0 && errno != EINTR)
			return errno;
		if (r == 0)
			return EINVAL;
		if (r > 0)
			off += (size_t)r;
	}
	return 0;
}

/* The plan: u32 length, then that many bytes (at most PLAN_MAX). */
static int read_plan(int fd, uint8_t **plan, uint32_t *len)
{
	TRY(read_full(fd, len, 4));
	*len = le32toh(*len);
	if (*len > PLAN_MAX)
		return EINVAL;
	*plan = malloc(*len ? *len : 1);
	if (!*plan)
		return ENOMEM;
	return read_full(fd, *plan, *len);
}

/* The JVM leaves some signals blocked or ignored; both survive execve and would reach the
 * container. SIGKILL, SIGSTOP and glibc's two internal signals refuse the call: fine. */
static void reset_signals(void)
{
	sigset_t none;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
}

/* No fd of the JVM or the engine may reach the container (runc CVE-2024-21626). */
static int close_fds_above(int fd)
{
	if (syscall(SYS_close_range, fd + 1, ~0u, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));) {
		int n = atoi(e->d_name); /* "." and ".." give 0 */
		if (n > fd && n != dirfd(d))
			close(n);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	struct helper h = { .sync = -1, .reply = -1 };
	char *end = NULL;
	long fd = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (fd < 0 || fd > INT_MAX || *end || end == argv[1] || fcntl((int)fd, F_GETFD) < 0) {
		static const char usage[] = "usage: burk-helper <syncfd>\n";
		ssize_t ignored = write(2, usage, sizeof usage - 1);
		(void)ignored; /* no one else to tell */
		return 1;
	}
	h.sync = (int)fd;
	for (int i = 0; i < NSLOTS; i++)
		h.slots[i] = -1;

	/* Not dumpable: nothing in the container can open /proc/<helper>/fd or /proc/<helper>/exe
	 * (runc CVE-2016-9962, CVE-2019-5736). execve resets it for the container process. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(&h, HEADER_STEP, 0, errno);
	reset_signals();
	if (close_fds_above(h.sync) < 0 || fcntl(h.sync, F_SETFD, FD_CLOEXEC) < 0)
		fail(&h, HEADER_STEP, 0, errno);

	uint8_t *plan;
	uint32_t len;
	int err = read_plan(h.sync, &plan, &len);
	if (err)
		fail(&h, HEADER_STEP, 0, err);

	/* Everything is decoded and allocated here, before any CLONE; nothing is allocated after. */
	struct step *steps;
	uint32_t n, bad;
	err = parse(plan, len, &steps, &n, &bad);
	if (err)
		fail(&h, bad, 0, err);

	for (uint32_t i = 0; i < n; i++) {
		h.fail_value = 0;
		err = ops[steps[i].op].run(&h, &steps[i], i);
		if (err == ENOENT && (steps[i].flags & FLAG_IGNORE_ENOENT))
			continue;
		if (err)
			fail(&h, i, steps[i].op, err);
	}
	_exit(0);
}
