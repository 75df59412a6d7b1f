/* Detached mount trees, for id-mapped bind mounts (mounts[].uidMappings, "idmap", "ridmap").
 *
 * The kernel idmaps only a mount that was never visible in a mount table (an OPEN_TREE_CLONE
 * copy), and only for a caller privileged over the filesystem's user namespace, usually the
 * host's. So the tree is cloned and idmapped while the helper still has the host's privileges,
 * before it enters the container's namespaces, held in a slot, and attached to its target inside
 * the rootfs later (MOVE_MOUNT), from the container's mount namespace. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* One write of all of s to /proc/<pid>/<name>: the kernel takes an id map in one call or not at all. */
static int write_proc_file(long pid, const char *name, const char *s)
{
	char path[64];
	ssize_t r;
	size_t n = strlen(s);
	snprintf(path, sizeof path, "/proc/%ld/%s", pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	do
		r = write(fd, s, n);
	while (r < 0 && errno == EINTR);
	int err = r < 0 ? errno : (size_t)r != n ? EIO : 0;
	close(fd);
	return err;
}

/* A user namespace is only reachable through a process in it (or a file that pins it). The child
 * exists for as long as it takes to write its maps and open /proc/<child>/ns/user: the open fd
 * keeps the namespace alive, so the child is released and reaped before this step ends. */
int op_userns(struct helper *h, const struct step *st, uint32_t index)
{
	int gate[2];
	char c;
	if (pipe2(gate, O_CLOEXEC) < 0)
		return errno;
	/* fork-like: the helper is single-threaded, and the child only waits and exits */
	long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, 0);
	if (pid < 0) {
		int e = errno;
		close(gate[0]);
		close(gate[1]);
		return e;
	}
	if (pid == 0) {
		/* EOF on the gate: the parent is done with us, or gone */
		close(gate[1]);
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(gate[0]);
	int err = write_proc_file(pid, "uid_map", st->s[0]);
	if (!err)
		err = write_proc_file(pid, "gid_map", st->s[1]);
	int fd = -1;
	if (!err) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%ld/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = errno;
	}
	close(gate[1]);
	while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (err)
		return err;
	set_slot(h, (int)st->u[0], fd);
	return 0;
}

int op_open_tree(struct helper *h, const struct step *st, uint32_t index)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, st->s[0], st->u[1] | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return errno;
	set_slot(h, (int)st->u[0], fd);
	return 0;
}

int op_setattr_tree(struct helper *h, const struct step *st, uint32_t index)
{
	int userns = (int32_t)st->u[2];
	struct mount_attr attr = {
		.attr_set = st->q[0], .attr_clr = st->q[1], .propagation = st->q[2],
		.userns_fd = userns >= 0 ? (uint64_t)h->slots[userns] : 0,
	};
	unsigned int at = AT_EMPTY_PATH | (st->u[1] ? AT_RECURSIVE : 0);
	return syscall(SYS_mount_setattr, h->slots[st->u[0]], "", at, &attr, sizeof attr) < 0 ? errno : 0;
}

int op_move_mount(struct helper *h, const struct step *st, uint32_t index)
{
	/* the target is resolved inside the root and held as an fd, as MOUNT does (CVE-2021-30465) */
	int fd = open_target(h, (int32_t)st->u[1], st->s[0], st->u[2]);
	if (fd < 0)
		return errno;
	int r = (int)syscall(SYS_move_mount, h->slots[st->u[0]], "", fd, "",
			     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	int err = r < 0 ? errno : 0;
	close(fd);
	return err;
}
