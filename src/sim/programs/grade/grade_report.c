/*
 * grade_report.c - the report of `tlssim grade`. The text report is
 * written as the tests run; JSON and Gradescope's results.json (its
 * fields: score, output, tests with name, score, max_score, status and
 * output) once they all ran. Every text in it is the grader's own or was
 * escaped before (grade_escape), so it is printable ASCII.
 */
#include <config.h>

#include "grade_report.h"
#include "hostmem.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

void grade_report_header(FILE *out, const struct grade_summary *s)
{
	fprintf(out, "tlssim grade: %s (%s): %s\n", s->m->name, s->spec,
		s->m->summary);
	if (s->m->loading_output[0])
		fprintf(out, "(while it was loading, the manager printed: "
			"%s)\n", s->m->loading_output);
	fprintf(out, "seed %" PRIu64 ", %u s a test, %zu scenario%s %s\n\n",
		s->seed, s->timeout, s->scenarios, s->scenarios == 1 ? "" : "s",
		s->from);
	fprintf(out, "%-26s %-6s %-7s %s\n", "test", "result", "points",
		"why");
}

void grade_report_line(FILE *out, const struct grade_item *t,
		       const struct grade_result *res)
{
	const char *reason = res->reason, *nl = strchr(reason, '\n');
	char line[sizeof(res->reason) + 64];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "%-26s %-6s %3u/%-3u %.*s",
			     t->name, res->rc ? "FAIL" : "PASS",
			     res->rc ? 0 : t->points, t->points,
			     nl ? (int)(nl - reason) : (int)strlen(reason),
			     reason);
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(out, "%s\n", line);
	while (nl) {
		reason = nl + 1;
		nl = strchr(reason, '\n');
		fprintf(out, "%42s%.*s\n", "",
			nl ? (int)(nl - reason) : (int)strlen(reason), reason);
	}
}

/* One test as JSON: ours, or Gradescope's fields. NULL on no memory. */
static json_t *test_json(enum grade_format format, const struct grade_item *t,
			 const struct grade_result *r)
{
	unsigned got = r->rc ? 0 : t->points;

	if (format == GRADE_GRADESCOPE)
		return json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", t->name,
				 "score", (json_int_t)got,
				 "max_score", (json_int_t)t->points,
				 "status", r->rc ? "failed" : "passed",
				 "output", r->reason);
	return json_pack("{s:s, s:b, s:I, s:I, s:s}", "name", t->name,
			 "passed", !r->rc, "points", (json_int_t)got,
			 "max_points", (json_int_t)t->points,
			 "reason", r->reason);
}

int grade_report_json(FILE *out, enum grade_format format,
		      const struct grade_summary *s,
		      const struct grade_item *items,
		      const struct grade_result *results, size_t n)
{
	json_t *tests = json_array(), *doc = NULL;
	unsigned score = 0, total = 0;
	char output[512];
	int status = 4;

	if (!tests) {
		host_say_no_memory(stderr);
		return 4;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *t = test_json(format, &items[i], &results[i]);

		if (!t || json_array_append_new(tests, t) < 0)
			goto out_free;
		total += items[i].points;
		score += results[i].rc ? 0 : items[i].points;
	}
	snprintf(output, sizeof(output), "tlssim grade: %s (%s): %s; seed %"
		 PRIu64 ", %zu scenario%s %s", s->m->name, s->spec,
		 s->m->summary, s->seed, s->scenarios,
		 s->scenarios == 1 ? "" : "s", s->from);
	if (format == GRADE_GRADESCOPE)
		doc = json_pack("{s:I, s:s, s:s, s:O}", "score",
				(json_int_t)score, "output", output,
				"visibility", "visible", "tests", tests);
	else
		doc = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:O}",
				"manager", s->m->name, "spec", s->spec,
				"summary", s->m->summary, "seed",
				(json_int_t)s->seed, "score", (json_int_t)score,
				"max_score", (json_int_t)total, "timeout",
				(json_int_t)s->timeout, "tests", tests);
	if (!doc || json_dumpf(doc, out, JSON_INDENT(2)) < 0)
		goto out_free;
	fputc('\n', out);
	status = 0;
out_free:
	json_decref(doc);
	json_decref(tests);
	return status;
}
