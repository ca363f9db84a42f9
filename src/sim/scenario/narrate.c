/*
 * narrate.c - the story of a step: the kernel's events of one command,
 * kept as they come (the kernel may hold a process's lock while it tells
 * them) and told as lines once the step is over, when the kernel can be
 * asked which page a region is in.
 *
 *   process A: a user land of 0x10000 bytes, TLS policy sunrise
 *   new TLS page mapped at A+0x3000
 *   t1 -> A+0x3000: page 1, slot 0 (no page in tls_pages had a free ...)
 *   A+0x3000 (t1's TLS) freed: page 1, slot 0 (its page in tls_pages ...)
 *
 * The reason in parentheses is the policy's (the event's why); a policy
 * that gives none (a version 1 manager, or no explain op) is said to give
 * none. Pages are numbered from 1 in the manager's order, as `show` does;
 * slots from 0. Positions are PROCESS+0xOFF, never host addresses.
 */
#include <config.h>

#include "narrate.h"
#include "report/place.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void narration_begin(struct narration *n)
{
	n->count = 0;
	membuf_reset(&n->text);
	membuf_reset(&n->names);
	n->broken = false;
}

void narration_free(struct narration *n)
{
	narr_pages_free(n);
	free(n->facts);
	membuf_free(&n->names);
	membuf_free(&n->text);
	memset(n, 0, sizeof(*n));
}

/* Keep s among the names; its offset in *at. Returns false without memory. */
static bool keep(struct narration *n, const char *s, size_t *at)
{
	*at = n->names.len;
	return membuf_add(&n->names, s, strlen(s) + 1);
}

/* Append a formatted piece of the story. Returns false without memory. */
#define put(n, ...) membuf_printf(&(n)->text, __VA_ARGS__)

/* Whether an event of this kind is told (reads and writes are not). */
static bool told(enum trace_kind kind)
{
	switch (kind) {
	case EV_PROCESS_CREATE:
	case EV_PROCESS_KILL:
	case EV_MAP:
	case EV_UNMAP:
	case EV_TLS_PAGE:
	case EV_TLS_PAGE_UNMAP:
	case EV_TLS_ALLOC:
	case EV_TLS_FREE:
	case EV_THREAD_EXIT:
	case EV_FIRST_SCHEDULE:
	case EV_SWITCH:
	case EV_FAULT:
		return true;
	default:
		return false;
	}
}

void narration_event(struct narration *n, const struct trace_event *ev,
		     const char *who, const char *note)
{
	struct narr_fact f = {
		.kind = ev->kind, .proc = ev->proc, .offset = ev->offset,
		.length = ev->length, .reg = ev->reg,
		.mem_type = ev->mem_type, .rights = ev->rights,
		.raw = !ev->thread,
	};
	const char *why = note ? note : ev->why;

	if (ev->kind == EV_TLS_PAGE || ev->kind == EV_TLS_PAGE_UNMAP)
		narr_pages_moved(n, ev->proc, ev->offset,
				 ev->kind == EV_TLS_PAGE);
	else if (ev->kind == EV_PROCESS_KILL)
		narr_pages_changed(n, ev->proc);
	if (n->broken || !told(ev->kind))
		return;
	if (ev->kind == EV_FAULT)
		why = ev->detail;
	if (!who && ev->thread)
		who = thread_name(ev->thread);
	if (!f.proc && ev->thread)
		f.proc = thread_process(ev->thread);
	if (ev->kind == EV_SWITCH && ev->thread) {
		/* where the register points: a live land (0 is in none) */
		f.proc = place_owner(thread_kernel(ev->thread), ev->reg, false);
		f.offset = f.proc ? process_offset(f.proc, ev->reg) : 0;
	}
	if (who && !(f.has_who = keep(n, who, &f.who)))
		goto broken;
	if (why && !(f.has_why = keep(n, why, &f.why)))
		goto broken;
	if (n->count == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 16;
		struct narr_fact *nf = realloc(n->facts, cap * sizeof(*nf));

		if (!nf)
			goto broken;
		n->facts = nf;
		n->cap = cap;
	}
	n->facts[n->count++] = f;
	return;

broken:
	n->broken = true;
}

/*
 * ": page N, slot S" of the region at offset in p; once its page is gone,
 * ": slot S of the page at P+0xOFF".
 */
static bool put_place(struct narration *n, const struct process *p,
		      uint64_t offset)
{
	uint64_t page = offset & ~(uint64_t)(TLSM_PAGE_SIZE - 1);
	unsigned slot = (unsigned)((offset % TLSM_PAGE_SIZE) / TLS_SIZE);
	size_t k = narr_page_number(n, p, page);
	char at[PLACE_TEXT];

	if (k)
		return put(n, ": page %zu, slot %u", k, slot);
	return put(n, ": slot %u of the page at %s", slot,
		   place_off(p, page, at, sizeof(at)));
}

/* " (REASON)", or what stands for a policy that gives none. */
static bool put_why(struct narration *n, const struct narr_fact *f)
{
	if (f->has_why)
		return put(n, " (%s)", n->names.p + f->why);
	if (!process_policy_explains(f->proc))
		return put(n, " (%s gives no reasons)",
			   process_policy(f->proc)->name ?
			   process_policy(f->proc)->name : "the policy");
	return true;
}

/* The line of one fact, without its newline. */
static bool put_fact(struct narration *n, const struct narr_fact *f)
{
	const char *who = f->has_who ? n->names.p + f->who : NULL;
	const char *why = f->has_why ? n->names.p + f->why : NULL;
	const char *pn = f->proc ? process_name(f->proc) : "?";
	char rights[4], at[PLACE_TEXT];

	place_off(f->proc, f->offset, at, sizeof(at));

	switch (f->kind) {
	case EV_PROCESS_CREATE:
		return put(n, "process %s: a user land of 0x%" PRIx64
			   " bytes, TLS policy %s", pn, f->length,
			   process_policy(f->proc)->name);
	case EV_PROCESS_KILL:
		return put(n, "process %s killed: its threads die, its TLS "
			   "pages go with its user land", pn);
	case EV_MAP:
		return put(n, "%s: 0x%" PRIx64 " bytes mapped %s %s", at,
			   f->length,
			   f->mem_type >= 0 && f->mem_type < MEM_TYPE_COUNT ?
			   memory_type_name((enum memory_type)f->mem_type) :
			   "?", mapping_rights_text(f->rights, rights));
	case EV_UNMAP:
		return put(n, "%s: 0x%" PRIx64 " bytes unmapped", at,
			   f->length);
	case EV_TLS_PAGE:
		return put(n, "new TLS page mapped at %s", at);
	case EV_TLS_PAGE_UNMAP:
		return put(n, "TLS page at %s unmapped", at);
	case EV_TLS_ALLOC:
		return put(n, "%s -> %s", who ? who : "a region", at) &&
		       put_place(n, f->proc, f->offset) && put_why(n, f);
	case EV_TLS_FREE:
		return put(n, "%s%s%s%s freed", at,
			   who ? " (" : "", who ? who : "",
			   !who ? "" : f->raw ? ")" : "'s TLS)") &&
		       put_place(n, f->proc, f->offset) && put_why(n, f);
	case EV_THREAD_EXIT:
		if (why && !strcmp(why, "faulted"))
			return put(n, "%s is dead: its fault killed it",
				   who ? who : "a thread");
		return put(n, "%s %s", who ? who : "a thread",
			   why ? why : "is dead");
	case EV_FIRST_SCHEDULE:
		return put(n, "%s runs for the first time: its TLS %s zeroed, "
			   "ptr_self set to it", who ? who : "a thread", at);
	case EV_SWITCH:
		if (!f->proc)
			return put(n, "switch to %s: the TLS register holds "
				   "%s", who ? who : "no thread",
				   f->reg ? "an address in no user land" :
				   "0");
		return put(n, "switch to %s: the TLS register holds %s",
			   who ? who : "no thread", at);
	case EV_FAULT:
		return put(n, "%s faulted: %s", who ? who : "a thread",
			   why ? why : "a fault");
	default:
		return true;
	}
}

/*
 * Whether fact a, a TLS page unmapped, is the page of b, a free: the free
 * is told first, as its cause.
 */
static bool unmap_of_free(const struct narr_fact *a, const struct narr_fact *b)
{
	return a->kind == EV_TLS_PAGE_UNMAP && b->kind == EV_TLS_FREE &&
	       a->proc == b->proc &&
	       a->offset == (b->offset & ~(uint64_t)(TLSM_PAGE_SIZE - 1));
}

const char *narration_end(struct narration *n)
{
	if (n->broken || n->count == 0)
		return NULL;
	for (size_t i = 0; i < n->count; i++) {
		if (i + 1 < n->count &&
		    unmap_of_free(&n->facts[i], &n->facts[i + 1])) {
			struct narr_fact unmap = n->facts[i];

			n->facts[i] = n->facts[i + 1];
			n->facts[i + 1] = unmap;
		}
		if (!put_fact(n, &n->facts[i]) || !put(n, "\n"))
			return NULL;
	}
	return n->text.p;
}
