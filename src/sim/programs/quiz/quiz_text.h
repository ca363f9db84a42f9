/*
 * quiz_text.h - what quiz.c and quiz_answer.c share: the options of a
 * quiz, its question types, and the answers and reasons as text.
 * Private to src/sim/programs/quiz/.
 */
#ifndef TLSSIM_QUIZ_TEXT_H
#define TLSSIM_QUIZ_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "quiz_gen.h"

/* Text lines are wrapped before this column. */
#define QUIZ_WRAP 76

/* What a quiz asks. */
enum quiz_type {
	QT_LAND,		/* where each spawn's TLS lands */
	QT_PAGES,		/* TLS pages and mapped pages at the end */
	QT_UNMAP,		/* which exits unmap a TLS page */
	QT_REGISTER,		/* the register after each switch */
	QT_SPY,			/* what a spy reads of a freed slot */
	QT_LEAK,		/* bytes of TLS pages kept for no thread */
	QT_MIX,			/* all of them */
	QT_COUNT
};

extern const char *const quiz_type_names[QT_COUNT];

struct quiz_cfg {
	struct quiz_params par;
	enum quiz_type type;
	unsigned level;			/* -d: 1 .. 3, 0 when not given */
	bool compute;
	bool emit;
	bool emit_policy;		/* policy= in emitted process lines */
	bool ops_set, processes_set, maps_set, policy_set;
};

/* Whether the quiz asks about operations of kind k, or the end state. */
bool quiz_asks(const struct quiz_cfg *cfg, enum quiz_op_kind k);
bool quiz_asks_pages(const struct quiz_cfg *cfg);
bool quiz_asks_leak(const struct quiz_cfg *cfg);

/*
 * Write text to out as lines of at most QUIZ_WRAP columns, breaking at
 * spaces, each line starting with prefix (e.g. "# "). Returns nothing.
 */
void quiz_wrap(FILE *out, const char *prefix, const char *text);

/*
 * Each policy of the problem and its rule (with mixed policies, which
 * processes run it), each line starting with prefix. Returns nothing.
 */
void quiz_print_policies(FILE *out, const struct quiz *q, const char *prefix);

/* What the type's operations do, beyond spawns and exits. */
void quiz_print_rules(FILE *out, const struct quiz_cfg *cfg,
		      const char *prefix);

/*
 * What follows an operation, into buf: its question ("-> TLS at ?") or
 * with compute its answer, or "". Returns buf.
 */
const char *quiz_answer_text(const struct quiz_cfg *cfg, const struct quiz *q,
			     const struct quiz_op *op, char *buf, size_t size);

/*
 * Why the kernel answered op as it did, in the words of the policy, into
 * buf ("why: ..."), or "" when op asks nothing. Returns buf.
 */
const char *quiz_why_text(const struct quiz_cfg *cfg, const struct quiz *q,
			  const struct quiz_op *op, char *buf, size_t size);

/*
 * The end questions (pages, leak) with their answers when compute, for
 * every live process, and why. Returns nothing.
 */
void quiz_print_end(FILE *out, const struct quiz_cfg *cfg,
		    const struct quiz *q);

#endif
