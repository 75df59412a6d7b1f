/* burk-helper: executes an init plan (docs/plan-format.md) step by step.
 * This header is the C side of that document: op codes, message kinds and the decoded step. */
#ifndef BURK_PLAN_H
#define BURK_PLAN_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#define PLAN_VERSION 1
#define PLAN_MAX (16u << 20)   /* plans larger than 16 MiB are refused */
#define NSLOTS 64
#define STRV_MAX 4096
#define HEADER_STEP 0xFFFFFFFFu /* the "step" of an error in the header or the transport */

#define FLAG_IGNORE_ENOENT 0x1
#define FLAG_NOFOLLOW 0x2      /* MOUNT: the target's last component must not be a symlink */

enum op {
	OP_OPEN = 1, OP_OPEN_IN_ROOT, OP_SETNS, OP_UNSHARE, OP_CLONE, OP_SYNC, OP_WRITE_FILE,
	OP_MOUNT, OP_MKNOD, OP_SYMLINK, OP_PIVOT_ROOT, OP_CHROOT, OP_MASK, OP_SETHOSTNAME,
	OP_SETDOMAINNAME, OP_SETRLIMIT, OP_SETGROUPS, OP_SETRESGID, OP_SETRESUID, OP_CAP_BOUNDING,
	OP_CAPSET, OP_CAP_AMBIENT, OP_PRCTL, OP_SECCOMP, OP_UMASK, OP_CHDIR, OP_LISTEN,
	OP_WAIT_START, OP_FIND_EXEC, OP_EXEC, OP_SETSID, OP_PERSONALITY, OP_SEND_FD, OP_OPEN_PTY,
	OP_CLOSE,
	OP_CONNECT,
	OP_SET_WINSIZE = 40,
	OP_SCHED_SETATTR = 41, OP_IOPRIO_SET, OP_SET_AFFINITY, OP_MOUNT_SETATTR, OP_JOIN_KEYRING,
	/* Hooks (hook.c). Numbered apart from the ops above so that ops added meanwhile keep their
	 * numbers; an op number without a handler is refused like an unknown one. */
	OP_WRITE_PROC = 46, OP_MKDIRS = 47,
	OP_RECV_DATA = 48, OP_RUN_HOOK = 49,
	/* Detached mount trees (mounttree.c): id-mapped bind mounts: 50..54. */
	OP_USERNS = 50, OP_OPEN_TREE = 51, OP_SETATTR_TREE = 52, OP_MOVE_MOUNT = 53,
	/* NUMA memory policy (mempolicy.c): 55..59. */
	OP_SET_MEMPOLICY = 55,
	/* Seccomp user notification (notify.c): 60..64. */
	OP_SEND_FD_SYNC = 60,
	/* One past the highest op number of any range: 50..59 and 60..64 are each another concern's,
	 * so the table stays the same size whichever range gains ops first. */
	OP_MAX = 65
};

enum msg_kind { MSG_PID = 1, MSG_SYNC = 2, MSG_READY = 3, MSG_ERROR = 4, MSG_DATA = 5 };
/* Sent by SEND_FD_SYNC with an fd attached; numbered like its op, clear of kinds added elsewhere. */
#define MSG_FD 60

#define NBUFS 4                /* data buffers filled by RECV_DATA */
#define DATA_MAX (1u << 20)    /* the largest RECV_DATA buffer: a state document with annotations */

/* One step, decoded once before anything runs. Fields are stored in payload order per type:
 * i32/u32 in u[], u64 in q[], str in s[] (pointing into the plan buffer, NUL-terminated),
 * strv in v[] (NULL-terminated arrays). A `bytes` field (or SETGROUPS' gid list, or SECCOMP's
 * filter, copied to aligned memory) is data/len; len counts bytes, or gids for SETGROUPS. */
struct step {
	uint16_t op, flags;
	uint32_t u[4];
	uint64_t q[3];
	const char *s[4];
	char **v[2];
	const void *data;
	uint32_t len;
};

/* The executor's whole state. */
struct helper {
	int sync;               /* the sync socket to Java */
	int reply;              /* the accepted start connection after WAIT_START, else -1 */
	int slots[NSLOTS];      /* -1 = empty */
	const char *exec_path;  /* set by FIND_EXEC */
	const uint8_t *bufs[NBUFS]; /* set by RECV_DATA; NULL until then */
	uint32_t buflens[NBUFS];
	int64_t fail_value;     /* the `value` of an ERROR message; a step sets it before failing */
};

/* A step handler: returns 0, or the errno the step failed with. `index` is the step's index. */
typedef int step_fn(struct helper *h, const struct step *st, uint32_t index);

/* main.c */
/* main.c: the 24-byte message to Java (docs/plan-format.md); send_msg sends one */
#define MSG_SIZE 24
void encode_msg(uint8_t m[MSG_SIZE], uint32_t kind, uint32_t step, int32_t err, uint32_t aux, int64_t value);
int send_msg(int fd, uint32_t kind, uint32_t step, int32_t err, uint32_t aux, int64_t value);
/* main.c: one sendmsg of n bytes with fd attached (SCM_RIGHTS), EINTR retried: the count or -1 */
ssize_t sendmsg_fd(int sock, const void *buf, size_t n, int fd);
void set_slot(struct helper *h, int slot, int fd);
/* mount.c: openat2 of path inside slots[root] (RESOLVE_IN_ROOT), or a plain open when root is -1 */
int open_under(const struct helper *h, int root, const char *path, uint64_t flags);

/* mount.c: a MOUNT target resolved in root and created as mk says, opened O_PATH (-1 and errno on failure) */
int open_target(const struct helper *h, int root, const char *path, uint32_t mk);

/* mount.c: files, in-root resolution, mounts */
step_fn op_open, op_open_in_root, op_write_file, op_mount, op_mknod, op_symlink, op_pivot_root,
	op_chroot, op_mask, op_chdir, op_close, op_mount_setattr;
/* procfs.c: writes that must reach a file of the proc filesystem and nothing else */
step_fn op_write_proc;
/* ns.c: namespaces */
step_fn op_clone, op_setns, op_unshare, op_sethostname, op_setdomainname;
/* creds.c: ids, capabilities, limits, seccomp and other process attributes */
step_fn op_setgroups, op_setresgid, op_setresuid, op_cap_bounding, op_capset, op_cap_ambient,
	op_prctl, op_seccomp, op_setrlimit, op_umask, op_personality;
/* exec.c: the start handshake and the final execve */
step_fn op_listen, op_connect, op_wait_start, op_find_exec, op_exec;
/* tty.c: session and terminal */
step_fn op_setsid, op_open_pty, op_send_fd, op_set_winsize;
/* sched.c: scheduling and the session keyring */
step_fn op_sched_setattr, op_ioprio_set, op_set_affinity, op_join_keyring;
/* mount.c: mount_setattr */
step_fn op_mount_setattr, op_mkdirs;
/* mounttree.c: detached mount trees (id-mapped mounts) */
step_fn op_userns, op_open_tree, op_setattr_tree, op_move_mount;
/* hook.c: data from Java, and hooks run with a timeout */
step_fn op_recv_data, op_run_hook;
/* notify.c: an fd handed to the runtime over the sync socket (the seccomp notify fd) */
step_fn op_send_fd_sync;
/* mempolicy.c: set_mempolicy(2); the node mask is at most MEMPOLICY_MASK_MAX bytes */
#define MEMPOLICY_MASK_MAX 128
step_fn op_set_mempolicy;
/* main.c: read exactly n bytes (EINVAL at a premature EOF) */
int read_full(int fd, void *buf, size_t n);

#endif
