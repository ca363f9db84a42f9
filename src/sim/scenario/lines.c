/*
 * lines.c - a scenario file's lines fed to a parser (the check's reading
 * and the run's, stream.c), read one line ahead so that the slots of the
 * names the next line most likely uses are on their way to the cache
 * while this one is parsed and run (name_prefetch). doc/performance.md
 * says what that saves: the first cache miss of each name.
 */
#include <config.h>

#include "parser.h"

#include <errno.h>
#include <stdlib.h>

bool scn_word_before(const char *s, size_t *start, size_t *end)
{
	size_t e = *end, b;

	while (e && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
		     s[e - 1] == '\n' || s[e - 1] == '\r'))
		e--;
	for (b = e; b && s[b - 1] != ' ' && s[b - 1] != '\t'; b--)
		;
	*start = b;
	*end = e;
	return e > b;
}

/*
 * A hint for the line s[0..len) about to be parsed: the slots of its
 * second and last words among p's thread names. A thread command names
 * its thread there (exit T, switch T, expect tls T ..., spawn P T); a
 * wrong guess costs a useless load, a right one the table's cache miss.
 */
static void prefetch_thread_names(struct parser *p, const char *s, size_t len)
{
	size_t second = 0, b, e;

	while (second < len && s[second] != ' ' && s[second] != '\t')
		second++;
	while (second < len && (s[second] == ' ' || s[second] == '\t'))
		second++;
	for (e = second; e < len && s[e] != ' ' && s[e] != '\t' &&
		    s[e] != '\n' && s[e] != '\r'; e++)
		;
	if (e > second)
		name_prefetch(&p->threads, s + second, e - second);
	e = len;
	/* the last word, unless it was the second */
	if (scn_word_before(s, &b, &e) && b != second)
		name_prefetch(&p->threads, s + b, e - b);
}

/*
 * Feed p the lines of f from where it stands, at most max bytes of them
 * (a line that would pass max stops it), until the end or until p stops,
 * each read one line ahead in lr. Returns the bytes fed (in *read) and 0,
 * or -EIO when f could not be read (not reported).
 */
int scn_feed_lines(struct parser *p, FILE *f, size_t max,
		      struct line_reader *lr, size_t *read)
{
	ssize_t got = getline(&lr->buf[0], &lr->cap[0], f), next;
	int cur = 0;

	*read = 0;
	while (!p->stop && got > 0) {
		size_t len = (size_t)got;

		/* the next line first, its names on their way */
		next = getline(&lr->buf[!cur], &lr->cap[!cur], f);
		if (next > 0)
			prefetch_thread_names(p, lr->buf[!cur], (size_t)next);
		*read += len;
		if (*read > max)
			return 0;
		if (lr->buf[cur][len - 1] == '\n')
			len--;
		parser_line(p, lr->buf[cur], len);
		cur = !cur;
		got = next;
	}
	return ferror(f) ? -EIO : 0;
}

void line_reader_free(struct line_reader *lr)
{
	for (int i = 0; i < 2; i++) {
		free(lr->buf[i]);
		lr->buf[i] = NULL;
		lr->cap[i] = 0;
	}
}
