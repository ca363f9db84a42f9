/*
 * jsonl-check.c - reads tlssim output on stdin and checks that every line
 * of the JSON trace parses as an object with the documented fields: an
 * "event" string, a "file" string and a "line" number. Lines that are not
 * JSON (a summary, a diagnostic) are skipped, but there must be at least one
 * event. Exits 0 when all is well, 1 with a message otherwise.
 */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[65536];
	unsigned events = 0, lineno = 0;

	while (fgets(line, sizeof(line), stdin)) {
		json_error_t err;
		json_t *obj;

		lineno++;
		if (line[0] != '{')
			continue;
		obj = json_loads(line, 0, &err);
		if (!obj || !json_is_object(obj)) {
			fprintf(stderr, "line %u: not a JSON object: %s\n",
				lineno, obj ? "(other value)" : err.text);
			return 1;
		}
		if (!json_is_string(json_object_get(obj, "event")) ||
		    !json_is_string(json_object_get(obj, "file")) ||
		    !json_is_integer(json_object_get(obj, "line"))) {
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
