/*
 * seed.c - the policy "seed": the Sunrise kernel's own
 * thread_local_storage.rs, compiled unchanged by rustc (src/policy/seed/),
 * behind the manager interface.
 *
 * Where "sunrise" (src/tls.c) is a port of the seed, "seed" is the seed:
 * its TLSManager runs on stand-ins for the kernel types it uses, and its
 * ProcessMemory calls the struct tlsm_memory callbacks this file is given.
 * The Rust side (src/policy/seed/ffi.rs) catches every Rust panic and
 * hands back its message; this file raises the kernel panic with it, so
 * tlssim's jump to its panic catch starts in C, after the Rust frames
 * have returned. The pages come from the seed's own view of its state.
 * Its reasons (explain) are derived here: the seed's memory passes through
 * this file, so an allocate that mapped a page is known to have found no
 * page with room.
 *
 * Cost: the seed's (a linear scan of its pages on allocate and free), plus
 * a call across the language boundary and a panic catch per operation;
 * reading the pages formats and parses the manager's Debug text, which
 * only statistics and drawings do.
 *
 * Built only when configure found a usable rustc (TLSSIM_HAVE_SEED).
 */
#include <config.h>

#include "policy.h"
#include "kerror.h"

#include <stdio.h>
#include <stdlib.h>

/* The Rust side (src/policy/seed/ffi.rs): a manager is opaque here. */
struct tlssim_seed;

struct tlssim_seed *tlssim_seed_create(const struct tlsm_memory *mem);
int tlssim_seed_destroy(struct tlssim_seed *s, char *msg, size_t size);
int tlssim_seed_allocate(struct tlssim_seed *s, uintptr_t *out,
			 unsigned *err, char *msg, size_t size);
int tlssim_seed_free(struct tlssim_seed *s, uintptr_t tls, char *msg,
		     size_t size);
int tlssim_seed_pages(const struct tlssim_seed *s, struct tlsm_page **pages,
		      size_t *count, char *msg, size_t size);
void tlssim_seed_pages_free(struct tlsm_page *pages, size_t count);
size_t tlssim_seed_bookkeeping(size_t pages);

/*
 * A manager here: the seed's, and the kernel's memory the seed reaches
 * through this file, which so sees each page the seed maps. The seed keeps
 * its reasons to itself; this file derives them from what it saw.
 */
struct seed_mgr {
	struct tlssim_seed *s;
	struct tlsm_memory mem;		/* the kernel's */
	bool mapped;			/* the last allocate mapped a page */
	const char *why;		/* the last operation's reason */
};

static struct seed_mgr *seed(struct tlsm *m)
{
	return (struct seed_mgr *)m;
}

static const struct seed_mgr *seed_const(const struct tlsm *m)
{
	return (const struct seed_mgr *)m;
}

/* The seed's ProcessMemory calls, passed on to the kernel's memory. */
static enum kernel_error seed_mem_find(void *ctx, size_t length,
				       uintptr_t *addr)
{
	struct seed_mgr *w = ctx;

	return w->mem.find_available_space(w->mem.ctx, length, addr);
}

/* A map the seed asks for: noted for the reason of its allocate. */
static enum kernel_error seed_mem_map(void *ctx, uintptr_t addr,
				      size_t length)
{
	struct seed_mgr *w = ctx;
	enum kernel_error err = w->mem.map(w->mem.ctx, addr, length);

	if (!err)
		w->mapped = true;
	return err;
}

static enum kernel_error seed_mem_unmap(void *ctx, uintptr_t addr,
					size_t length)
{
	struct seed_mgr *w = ctx;

	return w->mem.unmap(w->mem.ctx, addr, length);
}

/* A new manager, or NULL when the host has no memory for it. */
static struct tlsm *seed_create(const struct tlsm_memory *mem)
{
	struct seed_mgr *w = calloc(1, sizeof(*w));
	struct tlsm_memory own = {
		.ctx = w, .find_available_space = seed_mem_find,
		.map = seed_mem_map, .unmap = seed_mem_unmap,
	};

	if (!w)
		return NULL;
	w->mem = *mem;
	w->s = tlssim_seed_create(&own);	/* the seed copies own */
	if (!w->s) {
		free(w);
		return NULL;
	}
	return (struct tlsm *)w;
}

/* Drops the seed's TLSManager (its pages stay mapped). NULL is a no-op. */
static void seed_destroy(struct tlsm *m)
{
	char msg[PANIC_MESSAGE_MAX];
	struct tlssim_seed *s;

	if (!m)
		return;
	s = seed(m)->s;
	free(m);
	if (tlssim_seed_destroy(s, msg, sizeof(msg)))
		tlsm_panic("%s", msg);
}

/*
 * The seed's allocate_tls. Returns KERR_OK and *out, or the KernelError
 * the seed passed back. Panics with the seed's message if it panicked.
 * Whether it mapped a page on the way gives its reason.
 */
static enum kernel_error seed_allocate(struct tlsm *m, uintptr_t *out)
{
	char msg[PANIC_MESSAGE_MAX];
	struct seed_mgr *w = seed(m);
	unsigned err;

	w->mapped = false;
	if (tlssim_seed_allocate(w->s, out, &err, msg, sizeof(msg)))
		tlsm_panic("%s", msg);
	w->why = w->mapped ?
		"no TLSPage of tls_pages had a free slot: TLSPage::new mapped "
		"one where find_available_space found room, first fit in the "
		"user land" :
		"the first TLSPage of tls_pages whose allocate_tls found a free "
		"slot: bit_array_first_zero gives its first free one";
	return (enum kernel_error)err;
}

/* The seed's free_tls. Panics with the seed's message if it panicked. */
static void seed_free(struct tlsm *m, uintptr_t tls)
{
	char msg[PANIC_MESSAGE_MAX];
	struct seed_mgr *w = seed(m);

	if (tlssim_seed_free(w->s, tls, msg, sizeof(msg)))
		tlsm_panic("%s", msg);
	w->why = "the TLSPage of tls_pages whose page_address is its floor(), "
		 "the slot's usage bit cleared; the seed never unmaps a page";
}

/* The reason seed_allocate or seed_free derived (the explain op). */
static int seed_explain(const struct tlsm *m, char *buf, size_t size)
{
	const struct seed_mgr *w = seed_const(m);

	return w->why ? snprintf(buf, size, "%s", w->why) : 0;
}

/*
 * The seed's pages into *pages and *count (free with
 * tlssim_seed_pages_free). Panics if they cannot be read: the stand-in
 * no longer understands the seed's Debug form.
 */
static void seed_pages(const struct tlsm *m, struct tlsm_page **pages,
		       size_t *count)
{
	char msg[PANIC_MESSAGE_MAX];

	if (tlssim_seed_pages(seed_const(m)->s, pages, count, msg, sizeof(msg)))
		tlsm_panic("%s", msg);
}

/* Pages, used slots and bookkeeping, from the seed's own state. */
static void seed_stats(const struct tlsm *m, struct tlsm_stats *out)
{
	struct tlsm_page *pages;
	size_t count;

	seed_pages(m, &pages, &count);
	out->pages = count;
	out->used = 0;
	for (size_t i = 0; i < count; i++)
		out->used += (size_t)__builtin_popcount(pages[i].used);
	out->bookkeeping_bytes = tlssim_seed_bookkeeping(count);
	tlssim_seed_pages_free(pages, count);
}

/* Pages in the seed's order (creation order), called from C. */
static void seed_for_each_page(const struct tlsm *m, tlsm_page_fn fn,
			       void *arg)
{
	struct tlsm_page *pages;
	size_t count;

	seed_pages(m, &pages, &count);
	for (size_t i = 0; i < count; i++)
		fn(arg, &pages[i]);
	tlssim_seed_pages_free(pages, count);
}

const struct tls_manager_ops tls_seed_ops = {
	.version = TLSM_VERSION,
	.name = "seed",
	.summary = "the Sunrise kernel's own thread_local_storage.rs, "
		   "compiled by rustc: what sunrise ports",
	.create = seed_create,
	.destroy = seed_destroy,
	.allocate = seed_allocate,
	.free = seed_free,
	.stats = seed_stats,
	.for_each_page = seed_for_each_page,
	.explain = seed_explain,
};
