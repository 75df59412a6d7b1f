/* Files and mounts: every path a step gives is resolved inside a root fd, never outside it, and
 * mounts target the resolved fd rather than a path that could be swapped (runc CVE-2021-30465). */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where a path is resolved: inside slots[root], or as a plain path when root is -1. */
struct base {
	int fd;
	uint64_t resolve;
};

static struct base base_of(const struct helper *h, int root)
{
	if (root < 0)
		return (struct base){ AT_FDCWD, 0 };
	/* IN_ROOT: "..", absolute paths and symlinks stay inside the root. NO_MAGICLINKS: a
	 * /proc/<pid>/fd/N link met on the way cannot teleport the lookup out of it. */
	return (struct base){ h->slots[root], RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
}

static int open2(struct base b, const char *path, uint64_t flags)
{
	struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = b.resolve };
	long fd;
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = 0600;
	do
		fd = syscall(SYS_openat2, b.fd, path, &how, sizeof how);
	while (fd < 0 && errno == EINTR);
	return (int)fd;
}

int open_under(const struct helper *h, int root, const char *path, uint64_t flags)
{
	return open2(base_of(h, root), path, flags);
}

static void close_keep_errno(int fd)
{
	int e = errno;
	close(fd);
	errno = e;
}

/* Replaces buf[i..j) (all of buf[0..j) when the link is absolute) with the n bytes of link. */
static int splice_link(char *buf, size_t i, size_t j, const char *link, size_t n)
{
	size_t keep = link[0] == '/' ? 0 : i, rest = strlen(buf + j);
	if (keep + n + rest >= PATH_MAX)
		return errno = ENAMETOOLONG, -1;
	memmove(buf + keep + n, buf + j, rest + 1);
	memcpy(buf + keep, link, n);
	return 0;
}

/* Opens directory `path` O_PATH, creating missing components one by one: each is made with
 * mkdirat in its already-resolved parent (mkdirat never follows a symlink), then the prefix is
 * resolved again from the root, so a symlink on the way is followed only inside the root. A
 * dangling symlink is followed by hand (its target spliced into the path), as the kernel would. */
static int open_dirs(struct base b, const char *path)
{
	char buf[PATH_MAX], link[PATH_MAX];
	int links = 0;
	int fd = open2(b, path, O_PATH);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (strlen(path) >= sizeof buf)
		return errno = ENAMETOOLONG, -1;
	strcpy(buf, path);
	fd = open2(b, *buf == '/' ? "/" : ".", O_PATH);
	for (size_t i = 0, j; fd >= 0; i = j) {
		while (buf[i] == '/')
			i++;
		if (!buf[i])
			break;
		for (j = i; buf[j] && buf[j] != '/'; j++)
			;
		char save = buf[j];
		buf[j] = 0;
		int next = open2(b, buf, O_PATH);
		if (next < 0 && errno == ENOENT && mkdirat(fd, buf + i, 0755) == 0) {
			next = open2(b, buf, O_PATH);
		} else if (next < 0 && errno == EEXIST) {
			ssize_t n = readlinkat(fd, buf + i, link, sizeof link);
			buf[j] = save;
			if (n == (ssize_t)sizeof link) {
				errno = ENAMETOOLONG;
				n = -1;
			} else if (n >= 0 && ++links > 40) {
				errno = ELOOP;
				n = -1;
			}
			if (n >= 0 && splice_link(buf, i, j, link, (size_t)n) == 0) {
				j = link[0] == '/' ? 0 : i; /* go on from the link's target */
				if (link[0] == '/') {
					close(fd);
					fd = open2(b, "/", O_PATH);
				}
				continue;
			}
		}
		buf[j] = save;
		close_keep_errno(fd);
		fd = next;
	}
	return fd;
}

/* Splits path into its parent directory (returned) and last component (*name); both live in
 * buf or are constants. Trailing slashes are ignored; a path without a parent has ".". */
static const char *split(const char *path, char buf[PATH_MAX], const char **name)
{
	int n = snprintf(buf, PATH_MAX, "%s%s", *path == '/' ? "" : "./", path);
	if (n >= PATH_MAX)
		return errno = ENAMETOOLONG, NULL;
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	char *slash = strrchr(buf, '/');
	*name = slash + 1;
	if (!**name)
		return errno = EINVAL, NULL;
	if (slash == buf)
		return "/";
	*slash = 0;
	return buf;
}

/* The parent of path, created as needed, opened O_PATH; *name is the last component. */
static int open_parent(struct base b, const char *path, char buf[PATH_MAX], const char **name)
{
	const char *parent = split(path, buf, name);
	return parent ? open_dirs(b, parent) : -1;
}

/* Makes an empty file `name` in dir (a bind-mount target); an existing one is fine. */
static int make_file(int dir, const char *name)
{
	int f = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f < 0)
		return errno == EEXIST ? 0 : -1;
	close(f);
	return 0;
}

/* Like resolve, but the last component is opened O_NOFOLLOW from its resolved parent: a symlink
 * there fails with ELOOP instead of being followed (runc refuses to mount proc or sysfs on one:
 * CVE-2019-16884, CVE-2019-19921). Earlier components still resolve inside the root. */
static int resolve_nofollow(struct base b, const char *path, uint32_t mk)
{
	char buf[PATH_MAX];
	const char *name;
	struct stat s;
	const char *parent = split(path, buf, &name);
	if (!parent)
		return -1;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return errno = EINVAL, -1;
	int dir = mk ? open_dirs(b, parent) : open2(b, parent, O_PATH | O_DIRECTORY);
	if (dir < 0)
		return -1;
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mk) {
		if ((mk == 1 ? mkdirat(dir, name, 0755) < 0 && errno != EEXIST : make_file(dir, name) < 0)) {
			close_keep_errno(dir);
			return -1;
		}
		fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	close_keep_errno(dir);
	if (fd < 0)
		return -1;
	if (fstat(fd, &s) < 0 || S_ISLNK(s.st_mode)) {
		int e = S_ISLNK(s.st_mode) ? ELOOP : errno;
		close(fd);
		return errno = e, -1;
	}
	return fd;
}

/* Opens path O_PATH under root after creating it as mk says: 0 nothing, 1 a directory and its
 * parents, 2 an empty file (a bind-mount target) and its parents. */
static int resolve(const struct helper *h, int root, const char *path, uint32_t mk, int nofollow)
{
	struct base b = base_of(h, root);
	char buf[PATH_MAX];
	const char *name;
	if (nofollow)
		return resolve_nofollow(b, path, mk);
	if (mk == 1)
		return open_dirs(b, path);
	int fd = open2(b, path, O_PATH);
	if (fd >= 0 || errno != ENOENT || mk == 0)
		return fd;
	int dir = open_parent(b, path, buf, &name);
	if (dir < 0)
		return -1;
	int r = make_file(dir, name);
	close_keep_errno(dir);
	return r < 0 ? -1 : open2(b, path, O_PATH);
}

int open_target(const struct helper *h, int root, const char *path, uint32_t mk)
{
	return resolve(h, root, path, mk, 0);
}

/* mount(2) on the object fd refers to, through its /proc/self/fd magic link. */
static int mount_on_fd(const char *src, int fd, const char *fstype, unsigned long flags, const char *data)
{
	char target[32];
	snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
	return mount(src, target, fstype, flags, data);
}

static const char *opt(const char *s) { return *s ? s : NULL; }

/* The per-mount flags of the mount at fd (or at path when fd is -1) that the kernel locks when a
 * mount is copied into a less privileged user namespace: a bind remount there must repeat them. */
static unsigned long locked_flags(int fd, const char *path)
{
	struct statvfs v;
	unsigned long f = 0;
	if ((fd >= 0 ? fstatvfs(fd, &v) : statvfs(path, &v)) < 0)
		return 0;
	static const struct { unsigned long st, ms; } map[] = {
		{ ST_RDONLY, MS_RDONLY }, { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (v.f_flag & map[i].st)
			f |= map[i].ms;
	return f;
}

int op_mount(struct helper *h, const struct step *st, uint32_t index)
{
	int root = (int32_t)st->u[0];
	uint32_t mk = st->u[1];
	unsigned long flags = st->q[0];
	const char *src = opt(st->s[0]), *target = st->s[1], *fstype = opt(st->s[2]), *data = opt(st->s[3]);
	int nofollow = st->flags & FLAG_NOFOLLOW;
	int fd = -1, r;
	if (root >= 0 || mk || nofollow) {
		/* with root == -1 and mk, the plain target is created first, then mounted by path */
		fd = resolve(h, root, target, mk, nofollow);
		if (fd < 0)
			return errno;
	}
	int by_fd = fd >= 0 && (root >= 0 || nofollow);
	r = by_fd ? mount_on_fd(src, fd, fstype, flags, data) : mount(src, target, fstype, flags, data);
	if (r < 0 && errno == EPERM && (flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND)) {
		/* in a user namespace, flags inherited from a more privileged mount are locked */
		flags |= locked_flags(by_fd ? fd : -1, target);
		r = by_fd ? mount_on_fd(src, fd, fstype, flags, data) : mount(src, target, fstype, flags, data);
	}
	int err = r < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return err;
}

int op_mount_setattr(struct helper *h, const struct step *st, uint32_t index)
{
	/* mount_setattr reaches every mount of a tree at once (AT_RECURSIVE): a read-only rbind must
	 * not leave the submounts under it writable (runc CVE-2023-25809, /sys/fs/cgroup under /sys) */
	struct mount_attr attr = { .attr_set = st->q[0], .attr_clr = st->q[1], .propagation = st->q[2] };
	int fd = resolve(h, (int32_t)st->u[0], st->s[0], 0, 0);
	if (fd < 0)
		return errno;
	unsigned int at = AT_EMPTY_PATH | (st->u[1] ? AT_RECURSIVE : 0);
	int r = (int)syscall(SYS_mount_setattr, fd, "", at, &attr, sizeof attr);
	int err = r < 0 ? errno : 0;
	close(fd);
	return err;
}

int op_mask(struct helper *h, const struct step *st, uint32_t index)
{
	const char *devnull = st->s[1];
	struct stat s;
	int fd = resolve(h, (int32_t)st->u[0], st->s[0], 0, 0);
	if (fd < 0)
		return errno;
	int r = fstat(fd, &s);
	if (r == 0 && S_ISDIR(s.st_mode))
		r = mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY, NULL);
	else if (r == 0)
		r = mount_on_fd(devnull, fd, NULL, MS_BIND, NULL);
	int err = r < 0 ? errno : 0;
	close(fd);
	return err;
}

static int make_node(int dir, const char *name, mode_t mode, dev_t dev, uid_t uid, gid_t gid)
{
	mode_t type = (mode & S_IFMT) ? (mode & S_IFMT) : S_IFREG;
	struct stat s;
	char proc[32];
	if (mknodat(dir, name, mode, dev) < 0 && errno != EEXIST)
		return errno;
	/* From here on the node is held by an fd, never looked up by name again: a symlink swapped in
	 * after mknodat cannot redirect the chown and chmod to a host file (CVE-2024-45310's kind) */
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = 0;
	if (fstat(fd, &s) < 0)
		err = errno;
	else if ((s.st_mode & S_IFMT) != type)
		err = EEXIST;
	/* mknod obeyed the umask, so the mode is set again; chmod cannot take an O_PATH fd, its
	 * /proc/self/fd link names exactly that inode */
	else if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		err = errno;
	else if (snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd) < 0 || chmod(proc, mode & 07777) < 0)
		err = errno;
	close(fd);
	return err;
}

int op_mknod(struct helper *h, const struct step *st, uint32_t index)
{
	char buf[PATH_MAX];
	const char *name;
	int dir = open_parent(base_of(h, (int32_t)st->u[0]), st->s[0], buf, &name);
	if (dir < 0)
		return errno;
	int err = make_node(dir, name, st->u[1], st->q[0], st->u[2], st->u[3]);
	close(dir);
	return err;
}

int op_symlink(struct helper *h, const struct step *st, uint32_t index)
{
	char buf[PATH_MAX];
	const char *name;
	int dir = open_parent(base_of(h, (int32_t)st->u[0]), st->s[1], buf, &name);
	if (dir < 0)
		return errno;
	int err = symlinkat(st->s[0], dir, name) < 0 && errno != EEXIST ? errno : 0;
	close(dir);
	return err;
}

int op_pivot_root(struct helper *h, const struct step *st, uint32_t index)
{
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
	 * only the new root, without needing a directory for the old one inside the rootfs */
	if (fchdir(h->slots[st->u[0]]) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return errno;
	return 0;
}

/* u[1] == 1 (--no-pivot, in the container's own mount namespace): the rootfs is moved onto "/"
 * first, so the container's mount table has it as its root. u[1] == 0 (no mount namespace of the
 * container's own): a plain chroot, because the mount namespace is the host's and a move onto "/"
 * there would put the container's rootfs over the host's root. */
int op_chroot(struct helper *h, const struct step *st, uint32_t index)
{
	if (fchdir(h->slots[st->u[0]]) < 0)
		return errno;
	if (st->u[1] && mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return errno;
	if (chroot(".") < 0 || chdir("/") < 0)
		return errno;
	return 0;
}

int op_open(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = open(st->s[0], (int)st->u[1] | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	set_slot(h, (int)st->u[0], fd);
	return 0;
}

int op_open_in_root(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = open_under(h, (int)st->u[1], st->s[0], st->u[2]);
	if (fd < 0)
		return errno;
	set_slot(h, (int)st->u[0], fd);
	return 0;
}

int op_write_file(struct helper *h, const struct step *st, uint32_t index)
{
	int dir = (int32_t)st->u[0];
	int fd = openat(dir >= 0 ? h->slots[dir] : AT_FDCWD, st->s[0], O_WRONLY | O_CLOEXEC);
	ssize_t r;
	if (fd < 0)
		return errno;
	/* one write: files like uid_map take the whole content in one call or not at all */
	do
		r = write(fd, st->data, st->len);
	while (r < 0 && errno == EINTR);
	int err = r < 0 ? errno : (size_t)r != st->len ? EIO : 0;
	close(fd);
	return err;
}

/* mkdir -p inside root: each component resolved in root, so no symlink leads the creation out */
int op_mkdirs(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = resolve(h, (int32_t)st->u[0], st->s[0], 1, 0);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int chdir_checked(const char *path)
{
	char cwd[4096];
	if (chdir(path) < 0)
		return errno;
	long n = syscall(SYS_getcwd, cwd, sizeof cwd);
	if (n < 0)
		return errno == ERANGE ? 0 : errno; /* too long to print, but reachable */
	return cwd[0] == '/' ? 0 : ENOENT;
}

int op_chdir(struct helper *h, const struct step *st, uint32_t index)
{
	/* IN_ROOT: the cwd stays inside the process's root however the path is spelled. NO_MAGICLINKS:
	 * process.cwd = /proc/self/fd/N cannot reach a directory an fd refers to (runc CVE-2024-21626) */
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return errno;
	long fd;
	do
		fd = syscall(SYS_openat2, root, st->s[0], &how, sizeof how);
	while (fd < 0 && errno == EINTR);
	int err = fd < 0 ? errno : fchdir((int)fd) < 0 ? errno : 0;
	close(root);
	if (fd >= 0)
		close((int)fd);
	/* Without noNewPrivileges the seccomp filter is already in place here, and a profile that
	 * names syscalls newer than openat2 (landlock, in Docker's) answers it EPERM, not ENOSYS.
	 * Then do what runc does: a plain chdir, refused when the new cwd is not below the process's
	 * root (the kernel's getcwd says "(unreachable)" for a directory outside it). */
	if (fd < 0 && (err == ENOSYS || err == EPERM))
		err = chdir_checked(st->s[0]);
	return err;
}

int op_close(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = h->slots[st->u[0]];
	h->slots[st->u[0]] = -1;
	return close(fd) < 0 ? errno : 0;
}
