/*
 * quiz_run.h - the operations quiz_run.c runs or explains for
 * quiz_gen.c. Private to src/sim/programs/quiz/.
 */
#ifndef TLSSIM_QUIZ_RUN_H
#define TLSSIM_QUIZ_RUN_H

#include "quiz_gen.h"

/* A process's TLS pages in the manager's order, as it reports them. */
struct page_list {
	struct tlsm_page page[QUIZ_MAX_TLS_PAGES];
	unsigned n;
};

/* The TLS pages of the i-th process in the shown world into l. */
void quiz_list_pages(const struct quiz *q, unsigned i, struct page_list *l);

/*
 * Why the spawn op landed where it did, from the pages before it
 * (before) and the kernel's answer: op's page_rank, first_room,
 * lowest_room, has_room, used_before and lower_free. Never fails.
 */
void quiz_explain_spawn(const struct quiz *q, struct quiz_op *op,
			const struct page_list *before);

/*
 * What the exit op did to its page (op->page, set before the exit),
 * asked of the kernel after it: unmapped, or left_on_page. Never fails.
 */
void quiz_explain_exit(const struct quiz *q, struct quiz_op *op);

/*
 * A secret (store) or a spy's read, as the op's thread, in the shown
 * world (a fault ends the thread in every world).
 * Returns KERR_OK, KERR_HOST_REFUSED or KERR_INVALID_STATE.
 */
enum kernel_error quiz_run_access(struct quiz *q, struct quiz_op *op);

/*
 * Switch to the op's thread in the shown world and read its ptr_self
 * (a fault ends the thread in every world).
 * Returns KERR_OK, KERR_HOST_REFUSED, or the switch's error.
 */
enum kernel_error quiz_run_switch(struct quiz *q, struct quiz_op *op);

#endif
