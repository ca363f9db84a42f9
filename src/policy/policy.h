/*
 * policy.h - the TLS managers built into tlssim, by name. Each is a table
 * of operations of the manager interface (tls_manager.h).
 */
#ifndef TLSSIM_POLICY_H
#define TLSSIM_POLICY_H

#include <stddef.h>

#include "tls_manager.h"

/*
 * The order in which a manager's for_each_page lists its pages, when the
 * manager is known to keep one: the narration then numbers a new page
 * without walking them all (src/sim/scenario/narrate_pages.c).
 *   TLS_ORDER_UNKNOWN  nothing promised (a manager loaded by the grader)
 *   TLS_ORDER_CREATED  the order the pages were mapped in
 *   TLS_ORDER_ADDRESS  ascending address
 */
enum tls_page_order {
	TLS_ORDER_UNKNOWN,
	TLS_ORDER_CREATED,
	TLS_ORDER_ADDRESS,
};

/*
 * The built-in policies, in the order of their table (the first is the
 * default): X(NAME, ORDER) for each, whose ops are tls_NAME_ops and whose
 * pages are listed in TLS_ORDER_ORDER. Adding a policy is a file in
 * src/policy/ that defines its ops, that file in policy.am, and a row here.
 */
#ifdef TLSSIM_HAVE_SEED
#define TLS_POLICY_SEED(X) X(seed, CREATED)	/* the seed itself, by rustc */
#else
#define TLS_POLICY_SEED(X)
#endif
#define TLS_POLICIES(X) X(sunrise, CREATED) X(indexed, CREATED) \
	X(mesosphere, ADDRESS) TLS_POLICY_SEED(X)

#define TLS_POLICY_DECLARE(name, order) \
	extern const struct tls_manager_ops tls_##name##_ops;
TLS_POLICIES(TLS_POLICY_DECLARE)
#undef TLS_POLICY_DECLARE

/* The policy a process gets when nothing names one. */
#define TLS_POLICY_DEFAULT "sunrise"

/* The policy called name, or NULL when there is none. */
const struct tls_manager_ops *tls_policy_find(const char *name);

/*
 * The built-in policies' names, "sunrise, indexed, mesosphere, seed", into
 * buf of size bytes (cut to fit). Returns buf. The list is the same in
 * every build: it names the policies this build lacks too.
 */
const char *tls_policy_names(char *buf, size_t size);

/*
 * Why this build lacks the built-in policy called name ("seed" without
 * rustc), or NULL when it has it or no such policy exists.
 */
const char *tls_policy_unbuilt(const char *name);

/*
 * The order ops lists its pages in: its row's when ops is a built-in
 * policy's own table, else TLS_ORDER_UNKNOWN (a copy of one included).
 */
enum tls_page_order tls_policy_page_order(const struct tls_manager_ops *ops);

/* The number of built-in policies in this build. */
size_t tls_policy_count(void);

/* The i-th built-in policy (0 is the default), or NULL past the end. */
const struct tls_manager_ops *tls_policy_at(size_t i);

#endif
