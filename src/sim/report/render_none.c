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

/* No trace: render_open never succeeds here. */
FILE *render_trace(struct render *r)
{
	(void)r;
	return NULL;
}

/* Nothing to report (render_open never succeeds here). */
struct reporter render_reporter(struct render *r)
{
	(void)r;
	return reporter_silent();
}

/* Nothing to close: returns 0. */
int render_close(struct render *r)
{
	(void)r;
	return 0;
}
