/* The container's NUMA memory policy (linux.memoryPolicy). Java turns the mode, the flags and
 * the node list into numbers and a bit mask; this file only makes the call. */
#include "plan.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The ops table is indexed by op number: an op past OP_MAX would not compile, but say why. */
_Static_assert(OP_SET_MEMPOLICY < OP_MAX, "OP_MAX must stay above every op number");

int op_set_mempolicy(struct helper *h, const struct step *st, uint32_t index)
{
	/* The node mask as the kernel reads it: whole unsigned longs, copied to aligned memory. No
	 * kernel has more than 1024 nodes (NODES_SHIFT <= 10), so 128 bytes always suffice; the
	 * length was checked when the plan was decoded. */
	unsigned long mask[MEMPOLICY_MASK_MAX / sizeof(unsigned long)];
	memset(mask, 0, sizeof mask);
	memcpy(mask, st->data, st->len);
	/* get_nodes() in mm/mempolicy.c reads maxnode - 1 bits (a historical off-by-one every
	 * caller compensates for): pass one more than the bits given. */
	unsigned long maxnode = st->len ? (unsigned long)st->len * 8 + 1 : 0;
	return syscall(SYS_set_mempolicy, (int)st->u[0], st->len ? mask : NULL, maxnode) < 0 ? errno : 0;
}
