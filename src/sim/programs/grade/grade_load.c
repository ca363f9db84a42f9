/*
 * grade_load.c - loading the manager to grade. A student's shared object
 * is opened with dlopen(RTLD_NOW | RTLD_LOCAL), so that a symbol it lacks
 * is an error now, not a crash in the middle of a test; its one undefined
 * symbol, tlsm_panic, resolves to the one tlssim exports (the link gives
 * tlssim a dynamic symbol table with just that symbol, src/tlssim.dynlist).
 *
 * A statically linked tlssim (the emulated cross builds) has no dynamic
 * loader to speak of: it says so and grades built-in policies only.
 */
#include <config.h>

#include "grade_load.h"
#include "policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef TLSSIM_CAN_LOAD_MANAGERS
#include <dlfcn.h>
#endif

struct grade_handle {
	void *dl;
};

#ifdef TLSSIM_CAN_LOAD_MANAGERS
/* The first operation of ops that is not set, or NULL. */
static const char *missing_operation(const struct tls_manager_ops *ops)
{
	if (!ops->create)
		return "create";
	if (!ops->destroy)
		return "destroy";
	if (!ops->allocate)
		return "allocate";
	if (!ops->free)
		return "free";
	if (!ops->stats)
		return "stats";
	if (!ops->for_each_page)
		return "for_each_page";
	return NULL;
}

/*
 * dlopen path (one without a '/' is taken in the current directory) and
 * check its table. Returns 0, or the exit status after saying why.
 */
static int load_object(const char *path, const struct tls_manager_ops **out,
		       struct grade_handle **h)
{
	const struct tls_manager_ops *ops;
	const char *missing;
	char local[4096];
	void *dl;

	if (!strchr(path, '/')) {
		snprintf(local, sizeof(local), "./%s", path);
		path = local;
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "tlssim: grade: cannot load the manager: %s\n",
			dlerror());
		return 2;
	}
	dlerror();
	ops = dlsym(dl, TLSM_SYMBOL);
	if (!ops) {
		const char *why = dlerror();

		fprintf(stderr, "tlssim: grade: %s does not define '%s' (%s); "
			"it must define\n  const struct tls_manager_ops %s = "
			"{ .version = TLSM_VERSION, ... };\n", path,
			TLSM_SYMBOL, why ? why : "it is NULL", TLSM_SYMBOL);
		goto out_close;
	}
	if (ops->version != TLSM_VERSION) {
		fprintf(stderr, "tlssim: grade: %s: %s.version is %u; this "
			"tlssim expects %u (TLSM_VERSION): rebuild it against "
			"this tlssim's <tlssim/tls_manager.h>\n", path,
			TLSM_SYMBOL, ops->version, TLSM_VERSION);
		goto out_close;
	}
	missing = missing_operation(ops);
	if (missing) {
		fprintf(stderr, "tlssim: grade: %s: %s.%s is NULL; every "
			"operation must be set\n", path, TLSM_SYMBOL, missing);
		goto out_close;
	}
	*h = malloc(sizeof(**h));
	if (!*h) {
		fprintf(stderr, "tlssim: grade: out of memory\n");
		dlclose(dl);
		return 4;
	}
	(*h)->dl = dl;
	*out = ops;
	return 0;
out_close:
	dlclose(dl);
	return 2;
}
#else
/* This build cannot load path: say so. Returns the exit status, 4. */
static int load_object(const char *path, const struct tls_manager_ops **out,
		       struct grade_handle **h)
{
	(void)out;
	(void)h;
	fprintf(stderr, "tlssim: grade: cannot load '%s': this tlssim is "
		"linked statically and cannot load shared objects (dlopen). "
		"Build tlssim without LDFLAGS=-static to grade a manager, or "
		"grade a built-in policy with --manager=builtin:NAME.\n", path);
	return 4;
}
#endif

int grade_load(const char *spec, const struct tls_manager_ops **ops,
	       struct grade_handle **h)
{
	char names[160];

	*h = NULL;
	if (strncmp(spec, "builtin:", 8) == 0) {
		*ops = tls_policy_find(spec + 8);
		if (*ops)
			return 0;
		if (tls_policy_unbuilt(spec + 8)) {
			fprintf(stderr, "tlssim: grade: built-in manager '%s' "
				"is not in this build: %s\n", spec + 8,
				tls_policy_unbuilt(spec + 8));
			return 2;
		}
		fprintf(stderr, "tlssim: grade: no built-in manager '%s' "
			"(expected builtin: and one of %s)\n", spec + 8,
			tls_policy_names(names, sizeof(names)));
		return 2;
	}
	return load_object(spec, ops, h);
}

void grade_unload(struct grade_handle *h)
{
	if (!h)
		return;
#ifdef TLSSIM_CAN_LOAD_MANAGERS
	dlclose(h->dl);
#endif
	free(h);
}
