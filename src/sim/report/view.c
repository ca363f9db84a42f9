/*
 * view.c - snapshots of a process for the reporters, built from the kernel
 * front's queries only.
 */
#include <config.h>

#include "view.h"
#include "kernel/kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more items of size in *v (capacity *cap). 0 or -ENOMEM. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 16;
	void *nv;

	if (n < *cap)
		return 0;
	while (want <= n)
		want *= 2;
	nv = realloc(*v, want * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = want;
	return 0;
}

struct collect {
	struct process_view *v;
	size_t cap;
	int err;
};

static void add_mapping(void *arg, const struct mapping *m)
{
	struct collect *c = arg;
	struct process_view *v = c->v;

	if (c->err || (c->err = grow((void **)&v->maps, &c->cap,
				      v->map_count, sizeof(*m))))
		return;
	v->maps[v->map_count++] = *m;
}

static void add_page(void *arg, const struct tlsm_page *pg)
{
	struct collect *c = arg;
	struct process_view *v = c->v;

	if (c->err || (c->err = grow((void **)&v->pages, &c->cap,
				      v->page_count, sizeof(*v->pages))))
		return;
	v->pages[v->page_count] = (struct view_page){ pg->address, pg->used,
						      v->page_count };
	v->page_count++;
}

static void add_owner(void *arg, const struct thread *t)
{
	struct collect *c = arg;
	struct process_view *v = c->v;

	if (c->err || (c->err = grow((void **)&v->owners, &c->cap,
				      v->owner_count, sizeof(*v->owners))))
		return;
	v->owners[v->owner_count++] = (struct view_owner){
		thread_tls(t), thread_name(t) ? thread_name(t) : "?" };
}

static int cmp_owner(const void *a, const void *b)
{
	const struct view_owner *x = a, *y = b;

	return x->tls < y->tls ? -1 : x->tls > y->tls;
}

static int cmp_page(const void *a, const void *b)
{
	const struct view_page *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int process_view_build(struct process_view *v, const struct kernel *k,
		       const struct process *p)
{
	struct collect c = { v, 0, 0 };

	memset(v, 0, sizeof(*v));
	v->p = p;
	v->dead = process_dead(p);
	if (v->dead)
		return 0;
	process_tls_stats(p, &v->stats);
	process_for_each_mapping(p, add_mapping, &c);
	c.cap = 0;
	if (!c.err)
		process_for_each_tls_page(p, add_page, &c);
	c.cap = 0;
	if (!c.err)
		process_for_each_thread(k, p, add_owner, &c);
	if (c.err) {
		process_view_free(v);
		return c.err;
	}
	if (v->page_count)
		qsort(v->pages, v->page_count, sizeof(*v->pages), cmp_page);
	if (v->owner_count)
		qsort(v->owners, v->owner_count, sizeof(*v->owners),
		      cmp_owner);
	return 0;
}

void process_view_free(struct process_view *v)
{
	free(v->maps);
	free(v->pages);
	free(v->owners);
	memset(v, 0, sizeof(*v));
}

const char *process_view_owner(const struct process_view *v, uintptr_t tls)
{
	struct view_owner key = { tls, NULL }, *hit;

	if (!v->owner_count)
		return NULL;
	hit = bsearch(&key, v->owners, v->owner_count, sizeof(*v->owners),
		      cmp_owner);
	return hit ? hit->name : NULL;
}

size_t view_page_used(const struct view_page *pg)
{
	return (size_t)__builtin_popcount(pg->used);
}
