/*
 * render_none.c - render.h in a build without cairo: no pictures, and a
 * clear message saying so.
 */
#include <config.h>

#include "render.h"

#include <errno.h>

bool render_available(void)
{
	return false;
}

/* Always fails: -ENOTSUP, told on err. */
int render_open(const struct render_options *o, FILE *err,
		struct render **out)
{
	(void)o;
	*out = NULL;
	fprintf(err, "tlssim: this build has no cairo: pictures (render, --render, --render-steps) are not available\n");
	return -ENOTSUP;
}

/* A reporter that does nothing (render_open never succeeds here). */
static void none_step(void *ctx, const struct step_report *s)
{
	(void)ctx;
	(void)s;
}

/* Nothing either. */
static void none_summary(void *ctx, const struct run_summary *s)
{
	(void)ctx;
	(void)s;
}

struct reporter render_reporter(struct render *r)
{
	return (struct reporter){ none_step, none_summary, r };
}

/* Nothing to close: returns 0. */
int render_close(struct render *r)
{
	(void)r;
	return 0;
}
