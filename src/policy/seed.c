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

static struct tlssim_seed *seed(struct tlsm *m)
{
	return (struct tlssim_seed *)m;
}

static const struct tlssim_seed *seed_const(const struct tlsm *m)
{
	return (const struct tlssim_seed *)m;
}

/* A new manager, or NULL when the host has no memory for it. */
static struct tlsm *seed_create(const struct tlsm_memory *mem)
{
	return (struct tlsm *)tlssim_seed_create(mem);
}

/* Drops the seed's TLSManager (its pages stay mapped). NULL is a no-op. */
static void seed_destroy(struct tlsm *m)
{
	char msg[PANIC_MESSAGE_MAX];

	if (tlssim_seed_destroy(seed(m), msg, sizeof(msg)))
		tlsm_panic("%s", msg);
}

/*
 * The seed's allocate_tls. Returns KERR_OK and *out, or the KernelError
 * the seed passed back. Panics with the seed's message if it panicked.
 */
static enum kernel_error seed_allocate(struct tlsm *m, uintptr_t *out)
{
	char msg[PANIC_MESSAGE_MAX];
	unsigned err;

	if (tlssim_seed_allocate(seed(m), out, &err, msg, sizeof(msg)))
		tlsm_panic("%s", msg);
	return (enum kernel_error)err;
}

/* The seed's free_tls. Panics with the seed's message if it panicked. */
static void seed_free(struct tlsm *m, uintptr_t tls)
{
	char msg[PANIC_MESSAGE_MAX];

	if (tlssim_seed_free(seed(m), tls, msg, sizeof(msg)))
		tlsm_panic("%s", msg);
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

	if (tlssim_seed_pages(seed_const(m), pages, count, msg, sizeof(msg)))
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
};
