/*
 * jsonl-check.c - reads the standard output of `tlssim run --trace=json`
 * on stdin and checks that every line is a JSON object with the fields
 * every event has (doc/trace-format.md): an "event" string, a "file"
 * string or null and a "line" integer (from 1) or null. Any other line
 * fails: with --trace=json, standard output is JSON Lines only. There must
 * be at least one event. Exits 0 when all is well, 1 with a message
 * otherwise.
 *
 * With --bench, stdin must instead be one JSON object, the output of
 * `tlssim bench --json`: a "results" array whose every entry has the
 * documented fields, and a "targets" array.
 */
#include <config.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * --bench: standard input is one `tlssim bench --json` object with its
 * results, each with its figures. 0 when it is, else 1 (said).
 */
static int check_bench(void)
{
	static const char *const strings[] = { "workload", "policy", "mode" };
	static const char *const numbers[] = {
		"n", "ns_per_op", "bookkeeping_bytes_per_tls", "peak_rss_bytes",
		"runs",
	};
	json_error_t err;
	json_t *root = json_loadf(stdin, 0, &err), *results, *r;
	size_t i;

	if (!root || !json_is_object(root)) {
		fprintf(stderr, "not one JSON object: %s\n",
			root ? "(other value)" : err.text);
		return 1;
	}
	results = json_object_get(root, "results");
	if (!json_is_array(results) || json_array_size(results) == 0 ||
	    !json_is_array(json_object_get(root, "targets"))) {
		fprintf(stderr, "no results or no targets array\n");
		return 1;
	}
	json_array_foreach(results, i, r) {
		for (size_t k = 0; k < sizeof(strings) / sizeof(*strings); k++)
			if (!json_is_string(json_object_get(r, strings[k]))) {
				fprintf(stderr, "result %zu: no string %s\n", i,
					strings[k]);
				return 1;
			}
		for (size_t k = 0; k < sizeof(numbers) / sizeof(*numbers); k++)
			if (!json_is_number(json_object_get(r, numbers[k]))) {
				fprintf(stderr, "result %zu: no number %s\n", i,
					numbers[k]);
				return 1;
			}
	}
	json_decref(root);
	return 0;
}

/* Whether v is a string or null. */
static bool string_or_null(const json_t *v)
{
	return json_is_string(v) || json_is_null(v);
}

/* Whether v is a scenario line (an integer from 1) or null. */
static bool line_or_null(const json_t *v)
{
	return json_is_null(v) ||
	       (json_is_integer(v) && json_integer_value(v) >= 1);
}

/*
 * Standard input is JSON Lines of trace events, each an object with an
 * event name and its file and line. 0 when it is, else 1 (said).
 */
static int check_trace(void)
{
	char line[65536];
	unsigned events = 0, lineno = 0;

	while (fgets(line, sizeof(line), stdin)) {
		json_error_t err;
		json_t *obj;

		lineno++;
		obj = json_loads(line, 0, &err);
		if (!obj || !json_is_object(obj)) {
			fprintf(stderr, "line %u: not a JSON object: %s\n",
				lineno, obj ? "(other value)" : err.text);
			return 1;
		}
		if (!json_is_string(json_object_get(obj, "event")) ||
		    !string_or_null(json_object_get(obj, "file")) ||
		    !line_or_null(json_object_get(obj, "line"))) {
			fprintf(stderr, "line %u: missing event/file/line\n",
				lineno);
			json_decref(obj);
			return 1;
		}
		events++;
		json_decref(obj);
	}
	if (events == 0) {
		fprintf(stderr, "no JSON events at all\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--bench") == 0)
		return check_bench();
	return check_trace();
}
