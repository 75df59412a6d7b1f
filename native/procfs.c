/* WRITE_PROC: a write that must land in a file of the proc filesystem, never anywhere else.
 * sysctl and oom_score_adj are written after pivot_root through the container's /proc. Whatever
 * the container's image or its volumes put there (a symlink instead of /proc, a bind mount over
 * /proc/sys/... or over /proc/<pid>/...), the write must not be redirected to another file, least
 * of all to another procfs file such as the host's core_pattern (runc CVE-2025-52881). */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#define PROC_ROOT_INO 1

/* The root directory of a procfs mount at `path`, not reached through a symlink. */
static int open_proc_root(const char *path)
{
	struct statfs fs;
	struct stat s;
	int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &fs) < 0 || fstat(fd, &s) < 0) {
		int e = errno;
		close(fd);
		return errno = e, -1;
	}
	if (fs.f_type != PROC_SUPER_MAGIC || s.st_ino != PROC_ROOT_INO) {
		close(fd);
		return errno = EXDEV, -1;
	}
	return fd;
}

int op_write_proc(struct helper *h, const struct step *st, uint32_t index)
{
	/* BENEATH: no "..", no absolute symlink out of the procfs root. NO_XDEV: no mount crossed on
	 * the way, so nothing mounted over a procfs path can stand in for it. NO_MAGICLINKS: no
	 * /proc/<pid>/fd/N or ns link. procfs' own plain symlinks (self, thread-self) stay allowed. */
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	struct statfs fs;
	ssize_t r;
	int root = open_proc_root(st->s[0]);
	if (root < 0)
		return errno;
	long fd;
	do
		fd = syscall(SYS_openat2, root, st->s[1], &how, sizeof how);
	while (fd < 0 && errno == EINTR);
	int err = fd < 0 ? errno : 0;
	close(root);
	if (err)
		return err;
	if (fstatfs((int)fd, &fs) < 0)
		err = errno;
	else if (fs.f_type != PROC_SUPER_MAGIC)
		err = EXDEV;
	if (err) {
		close((int)fd);
		return err;
	}
	/* one write: procfs files take the whole value in one call */
	do
		r = write((int)fd, st->data, st->len);
	while (r < 0 && errno == EINTR);
	err = r < 0 ? errno : (size_t)r != st->len ? EIO : 0;
	close((int)fd);
	return err;
}
