/* burk-front: what an engine runs as `burk` when burk's resident daemon is up.
 *
 * The daemon (a JVM that stays up, burk.daemon) decides; this program is the engine's process
 * for the duration of the command. It forwards the command line, its cwd and its stdout and
 * stderr to the daemon, then does what must happen in the caller's own process: fork the native
 * helper (so the container's init descends from the engine's process, as it would from a JVM per
 * call), become a child subreaper and wait for the init for a foreground `run`, forward signals
 * to it, and exit with the code the daemon says. When no daemon serves it (none running, another
 * build, another user, another mount namespace), it runs the per-call JVM instead: bin/burk with
 * BURK_NO_DAEMON=1. docs/performance.md describes the protocol; burk/daemon/Wire.java is the
 * other side.
 *
 * No dynamic allocation and no stdio buffering beyond error messages: it must start in well
 * under a millisecond, and it never decides anything itself. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROTOCOL 1
#define MAX_MESSAGE 65536
#define MAX_CALLER_FD 1040 /* burk's --preserve-fds is at most 1000: fds 3 .. 1002 */
#define MAX_HELPERS 16

enum { REQUEST = 1, FALLBACK = 2, SPAWN = 3, SUBREAPER = 4, FORWARD = 5, WAIT = 6,
       SPAWNED = 7, RESULT = 8, EXITED = 9, EXIT = 10 };
enum { FD_STDOUT = 1, FD_STDERR = 2 };

static unsigned char caller_fds[MAX_CALLER_FD / 8 + 1];
static char home[PATH_MAX];
static volatile sig_atomic_t forward_to;
static pid_t helpers[MAX_HELPERS];
static int nhelpers;

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
                                 SIGALRM, SIGCONT, SIGTSTP };

/* The caller's fds, recorded before this program opens any: only those may reach the helper.
 * An fd the front opened (its socket, an fd received from the daemon) could otherwise land in a
 * gap of the caller's table and be passed to a container as a "preserved" fd. */
static void record_caller_fds(void)
{
	/* One poll(2) over every candidate instead of an fcntl each: a closed fd comes back with
	 * POLLNVAL, an open one with anything else (a timeout of 0 never blocks). */
	static struct pollfd p[MAX_CALLER_FD];
	struct rlimit rl;
	int n = MAX_CALLER_FD; /* poll refuses more entries than RLIMIT_NOFILE; no fd lies beyond it */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n)
		n = (int)rl.rlim_cur;
	for (int fd = 0; fd < n; fd++)
		p[fd] = (struct pollfd){ .fd = fd, .events = 0 };
	if (poll(p, (nfds_t)n, 0) < 0) {
		for (int fd = 0; fd < n; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				caller_fds[fd / 8] |= (unsigned char)(1u << (fd % 8));
		return;
	}
	for (int fd = 0; fd < n; fd++)
		if (!(p[fd].revents & POLLNVAL))
			caller_fds[fd / 8] |= (unsigned char)(1u << (fd % 8));
}

static int is_caller_fd(int fd)
{
	return fd >= 0 && fd < MAX_CALLER_FD && (caller_fds[fd / 8] & (1u << (fd % 8)));
}

/* Runs the JVM per call instead. Only before the daemon did anything. */
static _Noreturn void fallback(char **argv)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/bin/burk", home);
	setenv("BURK_NO_DAEMON", "1", 1);
	argv[0] = path;
	execv(path, argv);
	fprintf(stderr, "burk: cannot run %s: %s\n", path, strerror(errno));
	exit(1);
}

/* home is two levels above this binary: HOME/target/burk-front */
static int find_home(void)
{
	ssize_t n = readlink("/proc/self/exe", home, sizeof home - 1);
	if (n <= 0)
		return -1;
	home[n] = 0;
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(home, '/');
		if (!slash || slash == home)
			return -1;
		*slash = 0;
	}
	return 0;
}

struct msg {
	uint8_t b[MAX_MESSAGE];
	size_t n;
	int overflow;
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (m->n + n > sizeof m->b) {
		m->overflow = 1;
		return;
	}
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put_u32(struct msg *m, uint32_t v)
{
	v = htole32(v);
	put(m, &v, 4);
}

static void put_u64(struct msg *m, uint64_t v)
{
	v = htole64(v);
	put(m, &v, 8);
}

static void put_str(struct msg *m, const char *s)
{
	size_t n = strlen(s);
	put_u32(m, (uint32_t)n);
	put(m, s, n);
}

static int send_fds(int sock, const void *data, size_t n, const int *fds, int nfds)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = n };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	ssize_t r;
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

static int reply(int sock, uint32_t type, int32_t value)
{
	uint32_t m[2] = { htole32(type), htole32((uint32_t)value) };
	return send_fds(sock, m, sizeof m, NULL, 0);
}

/* One message from the daemon into m, and up to 4 fds (close-on-exec); 0 at end of stream. */
static ssize_t receive(int sock, struct msg *m, int *fds, int *nfds)
{
	struct iovec iov = { .iov_base = m->b, .iov_len = sizeof m->b };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	ssize_t r;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	*nfds = 0;
	if (r < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + sizeof(int) * (size_t)i, sizeof fd);
			if (*nfds < 4)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		errno = EMSGSIZE;
		return -1;
	}
	m->n = (size_t)r;
	return r;
}

static int get_u32(const struct msg *m, size_t *off, uint32_t *v)
{
	if (*off + 4 > m->n)
		return -1;
	memcpy(v, m->b + *off, 4);
	*v = le32toh(*v);
	*off += 4;
	return 0;
}

static void on_signal(int sig)
{
	if (forward_to > 0)
		kill((pid_t)forward_to, sig);
}

static void forward_signals(pid_t pid)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	forward_to = pid;
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
}

static void forget_helper(pid_t pid)
{
	for (int i = 0; i < nhelpers; i++)
		if (helpers[i] == pid)
			helpers[i] = helpers[--nhelpers];
}

static void reap_helpers(void)
{
	while (nhelpers > 0) {
		pid_t p = helpers[--nhelpers];
		while (waitpid(p, NULL, 0) < 0 && errno == EINTR) {
		}
	}
}

/* In the forked child: the caller's fds child_fds[0..n-1] become 0..n-1, the sync socket n, then
 * exec the sealed helper memfd as `burk-helper n`. On failure the errno goes up errw. */
static _Noreturn void exec_helper(const int32_t *child_fds, uint32_t n, int exe, int sync, int errw)
{
	int e = 0;
	int high = (int)n + 1;
	int exe2 = fcntl(exe, F_DUPFD_CLOEXEC, high);
	int sync2 = fcntl(sync, F_DUPFD_CLOEXEC, high);
	int errw2 = fcntl(errw, F_DUPFD_CLOEXEC, high);
	if (exe2 < 0 || sync2 < 0 || errw2 < 0) {
		e = errno;
		goto out;
	}
	/* Two steps, so that no target clobbers a source still to be moved. */
	int tmp[MAX_CALLER_FD];
	for (uint32_t i = 0; i < n; i++) {
		if (!is_caller_fd(child_fds[i])) {
			e = EBADF;
			goto out;
		}
		tmp[i] = fcntl(child_fds[i], F_DUPFD_CLOEXEC, high);
		if (tmp[i] < 0) {
			e = errno;
			goto out;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (dup2(tmp[i], (int)i) < 0) { /* dup2 leaves the new fd without FD_CLOEXEC */
			e = errno;
			goto out;
		}
	}
	if (dup2(sync2, (int)n) < 0) {
		e = errno;
		goto out;
	}
	{
		char nbuf[16];
		snprintf(nbuf, sizeof nbuf, "%u", n);
		char *argv[] = { "burk-helper", nbuf, NULL };
		char *envp[] = { NULL };
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		syscall(SYS_execveat, exe2, "", argv, envp, AT_EMPTY_PATH);
		e = errno;
	}
out:
	if (write(errw2 >= 0 ? errw2 : errw, &e, sizeof e) < 0) {
		/* nothing left to tell */
	}
	_exit(127);
}

/* SPAWN: u32 n, i32 child_fds[n]; fds: the helper memfd, the helper's end of the sync socket. */
static int32_t spawn(const struct msg *m, const int *fds, int nfds)
{
	size_t off = 4;
	uint32_t n;
	static int32_t child_fds[MAX_CALLER_FD];
	if (nfds != 2 || get_u32(m, &off, &n) < 0 || n < 3 || n > MAX_CALLER_FD - 8)
		return -EPROTO;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v;
		if (get_u32(m, &off, &v) < 0)
			return -EPROTO;
		child_fds[i] = (int32_t)v;
	}
	if (nhelpers == MAX_HELPERS)
		return -EAGAIN;
	int errp[2];
	if (pipe2(errp, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(errp[0]);
		close(errp[1]);
		return -e;
	}
	if (pid == 0)
		exec_helper(child_fds, n, fds[0], fds[1], errp[1]);
	close(errp[1]);
	int e = 0;
	ssize_t r;
	do
		r = read(errp[0], &e, sizeof e);
	while (r < 0 && errno == EINTR);
	close(errp[0]);
	if (r == (ssize_t)sizeof e) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
		}
		return -(e ? e : EIO);
	}
	helpers[nhelpers++] = pid;
	return pid;
}

/* WAIT pid: forwards signals to it (FORWARD did that already), reaps every child meanwhile, and
 * returns its raw wait status, or -errno. */
static int32_t wait_for(pid_t pid)
{
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w == pid)
			return st;
		if (w > 0) {
			forget_helper(w);
			continue;
		}
		if (errno != EINTR)
			return -errno;
	}
}

static const char *socket_path(void)
{
	static char p[sizeof((struct sockaddr_un *)0)->sun_path];
	const char *o = getenv("BURK_DAEMON_SOCKET");
	if (o && *o)
		return o;
	if (geteuid() == 0)
		return "/run/burk-daemon/socket";
	const char *x = getenv("XDG_RUNTIME_DIR");
	if (!x || !*x || (size_t)snprintf(p, sizeof p, "%s/burk-daemon/socket", x) >= sizeof p)
		return NULL;
	return p;
}

static struct msg m; /* 64 KiB: not on the stack */

int main(int argc, char **argv)
{
	record_caller_fds();
	if (find_home() < 0) {
		fprintf(stderr, "burk: cannot find burk's home from /proc/self/exe\n");
		return 1;
	}
	const char *path = socket_path();
	char jar[PATH_MAX + 32];
	snprintf(jar, sizeof jar, "%s/target/burk.jar", home);
	struct stat js;
	char cwd[PATH_MAX];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *no_daemon = getenv("BURK_NO_DAEMON"); /* as bin/burk reads it: set and not empty */
	if ((no_daemon && *no_daemon) || !path || strlen(path) >= sizeof sa.sun_path || stat(jar, &js) < 0
	    || !getcwd(cwd, sizeof cwd))
		fallback(argv);
	memcpy(sa.sun_path, path, strlen(path));
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof sa) < 0)
		fallback(argv);

	put_u32(&m, REQUEST);
	put_u32(&m, PROTOCOL);
	put_u64(&m, (uint64_t)js.st_dev);
	put_u64(&m, (uint64_t)js.st_ino);
	put_u64(&m, (uint64_t)js.st_size);
	put_u64(&m, (uint64_t)js.st_mtim.tv_sec);
	put_u64(&m, (uint64_t)js.st_mtim.tv_nsec);
	put_str(&m, cwd);
	put_u32(&m, (uint32_t)(argc - 1));
	for (int i = 1; i < argc; i++)
		put_str(&m, argv[i]);
	/* The variables burk's commands read; the daemon falls back when it cannot honour them. */
	static const char *const env_names[] = { "XDG_RUNTIME_DIR", "DBUS_SYSTEM_BUS_ADDRESS" };
	uint32_t nenv = 0;
	for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
		nenv += getenv(env_names[i]) != NULL;
	put_u32(&m, nenv);
	for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++) {
		const char *v = getenv(env_names[i]);
		if (!v)
			continue;
		put_u32(&m, (uint32_t)(strlen(env_names[i]) + 1 + strlen(v)));
		put(&m, env_names[i], strlen(env_names[i]));
		put(&m, "=", 1);
		put(&m, v, strlen(v));
	}
	int out_fds[2], nout = 0;
	uint32_t mask = 0;
	if (is_caller_fd(1)) {
		out_fds[nout++] = 1;
		mask |= FD_STDOUT;
	}
	if (is_caller_fd(2)) {
		out_fds[nout++] = 2;
		mask |= FD_STDERR;
	}
	put_u32(&m, mask);
	if (m.overflow || send_fds(sock, m.b, m.n, out_fds, nout) < 0)
		fallback(argv);

	int started = 0; /* after the first instruction, falling back could run the command twice */
	for (;;) {
		int fds[4], nfds;
		ssize_t r = receive(sock, &m, fds, &nfds);
		uint32_t type = 0;
		size_t off = 0;
		if (r <= 0 || get_u32(&m, &off, &type) < 0) {
			for (int i = 0; i < nfds; i++)
				close(fds[i]);
			/* Even before any instruction the daemon may have done part of the command (printed
			 * a state, made a state directory): running it again could do it twice. */
			fprintf(stderr, "burk: the burk daemon went away during the command\n");
			reap_helpers();
			return 1;
		}
		if (type == FALLBACK && !started) {
			close(sock);
			fallback(argv);
		}
		started = 1;
		uint32_t v = 0;
		switch (type) {
		case SPAWN:
			v = (uint32_t)spawn(&m, fds, nfds);
			break;
		case SUBREAPER:
			v = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? (uint32_t)-errno : 0;
			break;
		case FORWARD:
			if (get_u32(&m, &off, &v) == 0)
				forward_signals((pid_t)v);
			v = 0;
			break;
		case WAIT:
			if (get_u32(&m, &off, &v) == 0)
				v = (uint32_t)wait_for((pid_t)v);
			else
				v = (uint32_t)-EPROTO;
			break;
		case EXIT:
			if (get_u32(&m, &off, &v) < 0)
				v = 1;
			reap_helpers();
			return (int)v;
		default:
			fprintf(stderr, "burk: the burk daemon sent an unknown message %u\n", type);
			reap_helpers();
			return 1;
		}
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		uint32_t answer = type == SPAWN ? SPAWNED : type == WAIT ? EXITED : RESULT;
		if (reply(sock, answer, (int32_t)v) < 0) {
			fprintf(stderr, "burk: the burk daemon went away during the command\n");
			reap_helpers();
			return 1;
		}
	}
}
