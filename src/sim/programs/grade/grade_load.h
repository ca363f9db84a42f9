/*
 * grade_load.h - the manager `tlssim grade` grades: a shared object
 * loaded with dlopen (where this build can), or a built-in policy named
 * builtin:NAME.
 */
#ifndef TLSSIM_GRADE_LOAD_H
#define TLSSIM_GRADE_LOAD_H

#include "tls_manager.h"

struct grade_handle;

/*
 * Load the manager spec names: "builtin:NAME" or the path of a shared
 * object exporting TLSM_SYMBOL. Checks its version and that every
 * operation is set. Returns 0 and sets *ops and *h (NULL for a built-in),
 * or an exit status after saying why on stderr: 2 when the file, the
 * symbol or the built-in is missing, or the table is wrong; 4 when this
 * build cannot load shared objects (a static link).
 */
int grade_load(const char *spec, const struct tls_manager_ops **ops,
	       struct grade_handle **h);

/* Unload what grade_load loaded. NULL is a no-op. */
void grade_unload(struct grade_handle *h);

#endif
