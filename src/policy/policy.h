/*
 * policy.h - the TLS managers built into tlssim, by name. Each is a table
 * of operations of the manager interface (tls_manager.h).
 */
#ifndef TLSSIM_POLICY_H
#define TLSSIM_POLICY_H

#include <stddef.h>

#include "tls_manager.h"

/* The built-in managers besides the seed's (tls.h's tls_sunrise_ops). */
extern const struct tls_manager_ops tls_indexed_ops;
extern const struct tls_manager_ops tls_mesosphere_ops;
#ifdef TLSSIM_HAVE_SEED
/* The seed itself, compiled by rustc (seed.c); only in builds that have it. */
extern const struct tls_manager_ops tls_seed_ops;
#endif

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

/* The i-th built-in policy (0 is the default), or NULL past the end. */
const struct tls_manager_ops *tls_policy_at(size_t i);

#endif
