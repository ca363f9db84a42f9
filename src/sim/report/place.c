/*
 * place.c - a place in a user land as people read it (place.h).
 */
#include <config.h>

#include "place.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *place_named(const char *name, uint64_t off, char *buf,
			size_t size)
{
	snprintf(buf, size, "%s+0x%" PRIx64, name ? name : "?", off);
	return buf;
}

const char *place_off(const struct process *p, uint64_t off, char *buf,
		      size_t size)
{
	return place_named(p ? process_name(p) : NULL, off, buf, size);
}

/* A killed process whose user land held addr: the last one met. */
struct dead_search {
	uintptr_t addr;
	const struct process *found;
};

static void find_dead(void *arg, const struct process *p)
{
	struct dead_search *ds = arg;
	uintptr_t start = process_userland_start(p);

	if (process_dead(p) && ds->addr >= start &&
	    ds->addr - start < process_userland_size(p))
		ds->found = p;
}

const struct process *place_owner(const struct kernel *k, uintptr_t addr,
				  bool dead)
{
	const struct process *p = kernel_process_at(k, addr);
	struct dead_search ds = { addr, NULL };

	if (p || !dead)
		return p;
	kernel_for_each_process(k, find_dead, &ds);
	return ds.found;
}

const struct process *place_addr(const struct kernel *k, uintptr_t addr,
				 bool dead, char *buf, size_t size)
{
	const struct process *p = place_owner(k, addr, dead);
	const char *name;
	int n;

	if (!p)
		return NULL;
	place_off(p, (uint64_t)(addr - process_userland_start(p)), buf, size);
	name = process_name(p);
	if (process_dead(p) && size) {
		n = (int)strlen(buf);
		snprintf(buf + n, size - (size_t)n, " (%s is dead)",
			 name ? name : "?");
	}
	return p;
}
