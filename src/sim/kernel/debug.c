/*
 * debug.c - the debugger's look into a user land (`peek` of tlssim step):
 * bytes read from the kernel's side, between commands, without running a
 * thread. No context switch, no register load, no fault and no event: the
 * simulation goes on exactly as if nobody had looked, so a step session
 * that peeks replays the same as one that does not.
 */
#include <config.h>

#include "pmem.h"
#include "process.h"

#include <string.h>

/*
 * Whether every byte of [start, start + len) lies in mappings of pm that
 * user code may read (a mapping without MAR_READABLE stops it).
 */
static bool readable_range(const struct pmem *pm, uintptr_t start, size_t len)
{
	uintptr_t at = start, end = start + len;

	while (at < end) {
		const struct mapping *m = pmem_query(pm, at);

		if (!m || !(m->rights & MAR_READABLE))
			return false;
		at = m->start + m->length;
	}
	return true;
}

/*
 * A land not shown to user code (isolation) is PROT_NONE on the host, or
 * closed by its key: it is shown for the copy and hidden again, under the
 * kernel's lock, so no CPU switches spaces meanwhile.
 */
enum kernel_error process_debug_read(struct kernel *k, struct process *p,
				     uint64_t offset, void *buf, size_t len)
{
	enum kernel_error err = KERR_OK;
	uintptr_t start;
	bool hidden, could;

	if (p->dead)
		return KERR_PROCESS_KILLED;
	if (len == 0 || offset > p->userland_size ||
	    len > p->userland_size - offset)
		return KERR_INVALID_ADDRESS;
	start = p->userland_start + (uintptr_t)offset;
	kernel_lock(k);
	pthread_mutex_lock(&p->lock);
	if (!readable_range(p->pm, start, len)) {
		err = KERR_INVALID_ADDRESS;
		goto out_unlock;
	}
	hidden = pmem_hidden(p->pm);
	if (hidden) {
		err = pmem_set_hidden(p->pm, false);
		if (err)
			goto out_unlock;
	}
	/* a keyed land another CPU shows is still closed to this one */
	could = pmem_thread_reach(p->pm, true);
	memcpy(buf, (const void *)start, len);
	pmem_thread_reach(p->pm, could);
	if (hidden)
		err = pmem_set_hidden(p->pm, true);
out_unlock:
	pthread_mutex_unlock(&p->lock);
	kernel_unlock(k);
	return err;
}
