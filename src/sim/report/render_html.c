/*
 * render_html.c - the flip-book as one self-contained HTML file (tlssim
 * render --out=FILE.html): a page per step that changes what is drawn,
 * each an inline SVG drawn by the same cairo code as the PDF, beside it
 * the scenario's source with the step's line highlighted, what changed,
 * the registers, and each step's command, outcome, narration and kernel
 * events. A slider, buttons and the arrow keys turn the pages.
 *
 * Nothing is fetched: no URL at all, and a Content-Security-Policy of
 * default-src 'none' with the inline style and script allowed, so a
 * teacher can put the file on a course page as it is. Without JavaScript
 * every page is shown, one below the other. Everything from the scenario
 * is escaped for HTML.
 */
#include <config.h>

#include "render_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The largest source shown: a longer one is cut, and says so. */
#define SOURCE_MAX	(4u << 20)

static const char style[] =
"body{font:15px/1.4 system-ui,sans-serif;margin:0 1.2em 2em;color:#222}\n"
"h1{font-size:1.4em;margin:.6em 0 .2em}h2{font-size:1.05em;margin:.2em 0 .4em}\n"
"nav{position:sticky;top:0;background:#fff;padding:.4em 0;z-index:1;"
"display:flex;gap:.6em;align-items:center;border-bottom:1px solid #ddd}\n"
"nav input{flex:1;max-width:40em}\n"
".book{display:grid;grid-template-columns:minmax(0,3fr) minmax(16em,2fr);"
"grid-template-areas:'pic src' 'pic info';gap:.4em 1.2em;margin-top:.6em;"
"align-items:start}\n"
".frame[hidden]{display:none}.frame:not([hidden]){display:contents}\n"
".pic{grid-area:pic;margin:0}.pic svg{width:100%;height:auto;display:block;"
"border:1px solid #ddd}\n"
".info{grid-area:info}.src{grid-area:src;max-height:45vh;overflow:auto;"
"position:relative;background:#f7f7f7;border:1px solid #ddd;padding:.4em 0;"
"margin:0;font-size:13px}\n"
".ln{display:block;padding:0 .6em;white-space:pre-wrap}"
".ln b{display:inline-block;width:3.2em;color:#999;font-weight:normal;"
"user-select:none}\n"
".ln.cur{background:#ffe58a}.ln.also{background:#fff4c7}\n"
".changes{margin:.2em 0 .6em;padding-left:1.2em;color:#1e5631}\n"
".step{border-left:3px solid #9c9;padding:.1em .6em;margin:.5em 0}"
".step.failed{border-color:#c0392b}.step p{margin:.15em 0}\n"
".failed .outcome,.note{color:#c0392b;font-weight:bold}"
".observed{color:#1f4e99;font-family:monospace}\n"
"pre.narr,pre.ev{margin:.2em 0;white-space:pre-wrap;font-size:13px}"
"pre.ev{color:#555}\n";

static const char script[] =
"(function () {\n"
"  var frames = [].slice.call(document.querySelectorAll('.frame'));\n"
"  var lines = [].slice.call(document.querySelectorAll('#src .ln'));\n"
"  var src = document.getElementById('src');\n"
"  var slider = document.getElementById('slider');\n"
"  var where = document.getElementById('where');\n"
"  var cur = 0;\n"
"  if (!frames.length) return;\n"
"  slider.max = frames.length;\n"
"  function show(i) {\n"
"    i = Math.max(0, Math.min(frames.length - 1, i));\n"
"    frames[cur].hidden = true;\n"
"    cur = i;\n"
"    frames[i].hidden = false;\n"
"    slider.value = i + 1;\n"
"    where.textContent = 'page ' + (i + 1) + ' of ' + frames.length;\n"
"    var main = frames[i].getAttribute('data-line');\n"
"    var also = (frames[i].getAttribute('data-lines') || '').split(' ');\n"
"    lines.forEach(function (l) {\n"
"      var n = l.getAttribute('data-line');\n"
"      l.classList.toggle('cur', n === main);\n"
"      l.classList.toggle('also', n !== main && also.indexOf(n) >= 0);\n"
"    });\n"
"    var el = src ? src.querySelector('.cur') : null;\n"
"    if (el) src.scrollTop = el.offsetTop - src.clientHeight / 3;\n"
"  }\n"
"  document.addEventListener('keydown', function (e) {\n"
"    if (e.target === slider) return;\n"
"    var to = { ArrowRight: cur + 1, ArrowLeft: cur - 1, PageDown: cur + 1,\n"
"               PageUp: cur - 1, Home: 0, End: frames.length - 1 }[e.key];\n"
"    if (to === undefined) return;\n"
"    e.preventDefault();\n"
"    show(to);\n"
"  });\n"
"  slider.addEventListener('input', function () { show(slider.value - 1); });\n"
"  document.getElementById('prev').addEventListener('click', function () { show(cur - 1); });\n"
"  document.getElementById('next').addEventListener('click', function () { show(cur + 1); });\n"
"  document.documentElement.classList.add('js');\n"
"  show(0);\n"
"})();\n";

void html_escape(FILE *f, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\n':
		case '\t':
			fputc(c, f);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
		}
	}
}

/* s escaped onto f (nothing for NULL). */
static void esc(FILE *f, const char *s)
{
	if (s)
		html_escape(f, s, strlen(s));
}

int html_begin(struct render *r)
{
	FILE *f = r->book.f;
	const char *name = r->o.name ? r->o.name : "scenario";

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"tlssim " PACKAGE_VERSION "\">\n<title>", f);
	esc(f, name);
	fputs(": a flip-book of its run</title>\n<style>\n", f);
	fputs(style, f);
	fputs("</style>\n<noscript><style>.book{display:block}"
	      ".frame[hidden]{display:block}.frame{border-top:2px solid #ccc;"
	      "margin-bottom:1em}nav{display:none}</style></noscript>\n"
	      "</head>\n<body>\n<header>\n<h1>", f);
	esc(f, name);
	fputs("</h1>\n<p>A flip-book of the scenario's run on the simulated "
	      "kernel: a page per step that changes the address space or the "
	      "registers, what changed marked on it (new pages and slots in "
	      "green, freed ones in orange, unmapped pages as outlines), each "
	      "CPU's TLS register as an arrow into its slot (red when stale). "
	      "The steps that change nothing are listed on the page before them. "
	      "Turn the pages with the slider, the buttons or the &larr; and "
	      "&rarr; keys.</p>\n"
	      "<nav><button id=\"prev\" type=\"button\">&larr; back</button>"
	      "<input id=\"slider\" type=\"range\" min=\"1\" max=\"1\" value=\"1\" "
	      "aria-label=\"page\"><button id=\"next\" type=\"button\">next "
	      "&rarr;</button><span id=\"where\">page 1</span></nav>\n"
	      "</header>\n<main class=\"book\">\n", f);
	return ferror(f) ? -EIO : 0;
}

/* A glyph of a page: its id there, and its index among every page's. */
struct local_glyph {
	const char *id;
	size_t len;
	size_t global;
};

/*
 * The index of the glyph drawn by body (len bytes) among r's glyphs,
 * added if new; SIZE_MAX when the host refused the memory.
 */
static size_t glyph_index(struct render *r, const char *body, size_t len)
{
	for (size_t i = 0; i < r->glyph_count; i++)
		if (strlen(r->glyphs[i]) == len && !memcmp(r->glyphs[i], body, len))
			return i;
	if (r->glyph_count == r->glyph_cap) {
		size_t cap = r->glyph_cap ? r->glyph_cap * 2 : 256;
		char **g = realloc(r->glyphs, cap * sizeof(*g));

		if (!g)
			return SIZE_MAX;
		r->glyphs = g;
		r->glyph_cap = cap;
	}
	r->glyphs[r->glyph_count] = strndup(body, len);
	if (!r->glyphs[r->glyph_count])
		return SIZE_MAX;
	return r->glyph_count++;
}

#define SYMBOL_OPEN	"<symbol overflow=\"visible\" id=\""
#define SYMBOL_CLOSE	"</symbol>"

/*
 * The glyphs of an SVG (cairo draws text as <symbol>s, used by id) into
 * loc (room for max): each is kept once for the whole file, and the page
 * refers to it by its index there. Returns how many, or SIZE_MAX when
 * there were more than max or the host refused the memory (then the page
 * keeps its own).
 */
static size_t page_glyphs(struct render *r, const struct membuf *svg,
			  struct local_glyph *loc, size_t max)
{
	const char *p = svg->p, *end = svg->p + svg->len;
	size_t n = 0;

	while ((p = strstr(p, SYMBOL_OPEN)) != NULL) {
		const char *id = p + strlen(SYMBOL_OPEN);
		const char *q = memchr(id, '"', (size_t)(end - id));
		const char *body, *close;

		if (!q || q[1] != '>')
			return SIZE_MAX;
		body = q + 2;
		close = strstr(body, SYMBOL_CLOSE);
		if (!close || n == max)
			return SIZE_MAX;
		loc[n] = (struct local_glyph){ id, (size_t)(q - id),
			glyph_index(r, body, (size_t)(close - body)) };
		if (loc[n].global == SIZE_MAX)
			return SIZE_MAX;
		n++;
		p = close + strlen(SYMBOL_CLOSE);
	}
	return n;
}

/* The glyph among loc (n of them) whose id starts at p, or NULL. */
static const struct local_glyph *find_glyph(const struct local_glyph *loc,
					    size_t n, const char *p,
					    const char *end)
{
	const char *q = memchr(p, '"', (size_t)(end - p));

	for (size_t i = 0; q && i < n; i++)
		if (loc[i].len == (size_t)(q - p) && !memcmp(loc[i].id, p, loc[i].len))
			return &loc[i];
	return NULL;
}

/*
 * Copy an SVG drawn by cairo into f, fit for inline use in HTML: without
 * its XML declaration and namespace URLs; its glyphs are the file's
 * (written once, by html_end) and its other ids (clips) made its own
 * with a prefix, as every page has the same ones.
 */
static void put_svg(struct render *r, const struct membuf *svg, size_t page)
{
	static const char *const drop[] = {
		" xmlns=\"http://www.w3.org/2000/svg\"",
		" xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
	};
	static const char *const refs[] = { "id=\"", "href=\"#", "url(#" };
	const char *p = svg->p, *end = svg->p + svg->len;
	struct local_glyph loc[1024];
	size_t nloc = page_glyphs(r, svg, loc, sizeof(loc) / sizeof(loc[0]));
	FILE *f = r->book.f;
	char prefix[32];

	if (nloc == SIZE_MAX)
		nloc = 0;	/* the page keeps its own glyphs */
	snprintf(prefix, sizeof(prefix), "p%zu-", page);
	if (svg->len > 5 && !strncmp(p, "<?xml", 5)) {
		const char *e = strstr(p, "?>");

		if (e)
			p = e + 2 + (e[2] == '\n');
	}
	while (p < end) {
		bool done = false;

		if (nloc && !strncmp(p, SYMBOL_OPEN, strlen(SYMBOL_OPEN))) {
			const char *close = strstr(p, SYMBOL_CLOSE);

			p = close + strlen(SYMBOL_CLOSE);
			p += p < end && *p == '\n';
			continue;
		}
		for (size_t i = 0; !done && i < 2; i++) {
			size_t n = strlen(drop[i]);

			if ((size_t)(end - p) >= n && !memcmp(p, drop[i], n)) {
				p += n;
				done = true;
			}
		}
		for (size_t i = 0; !done && i < 3; i++) {
			size_t n = strlen(refs[i]);
			const struct local_glyph *g;

			if ((size_t)(end - p) < n || memcmp(p, refs[i], n))
				continue;
			fwrite(p, 1, n, f);
			p += n;
			done = true;
			g = i == 1 ? find_glyph(loc, nloc, p, end) : NULL;
			if (g) {
				fprintf(f, "g%zu", g->global);
				p += g->len;
			} else {
				fputs(prefix, f);
			}
		}
		if (!done)
			fputc(*p++, f);
	}
}

/* One step of a page: its command, outcome, what it read, its story. */
static void put_step(FILE *f, const struct html_step *st, bool first)
{
	fprintf(f, "<div class=\"step%s\" data-line=\"%zu\"><p>%s<b>line %zu</b> "
		"(step %zu): <code>", st->failed ? " failed" : "", st->line,
		first ? "" : "then ", st->line, st->number);
	esc(f, st->command);
	fputs("</code> &rarr; <span class=\"outcome\">", f);
	esc(f, st->outcome);
	fputs("</span></p>\n", f);
	if (st->observed) {
		fputs("<p class=\"observed\">", f);
		esc(f, st->observed);
		fputs("</p>\n", f);
	}
	if (st->note) {
		fputs("<p class=\"note\">", f);
		esc(f, st->note);
		fputs("</p>\n", f);
	}
	if (st->narration) {
		fputs("<pre class=\"narr\">", f);
		esc(f, st->narration);
		fputs("</pre>\n", f);
	}
	fputs("<details open><summary>kernel events</summary><pre class=\"ev\">", f);
	if (st->events && st->events[0])
		esc(f, st->events);
	else
		fputs("(none)", f);
	fputs("</pre></details></div>\n", f);
}

void html_page(struct render *r, size_t number, const struct membuf *svg,
	       const struct html_step *steps, size_t count,
	       char *const *lines)
{
	FILE *f = r->book.f;
	size_t line = count ? steps[0].line : 0;

	if (number == 1)
		r->first_line = line;
	fprintf(f, "<section class=\"frame\" id=\"page-%zu\" data-line=\"%zu\" data-lines=\"",
		number, line);
	for (size_t i = 0; i < count; i++)
		fprintf(f, "%s%zu", i ? " " : "", steps[i].line);
	fprintf(f, "\"%s>\n<figure class=\"pic\">\n", number == 1 ? "" : " hidden");
	put_svg(r, svg, number);
	fprintf(f, "</figure>\n<div class=\"info\">\n<h2>Page %zu", number);
	if (count)
		fprintf(f, ": step %zu%s%zu", steps[0].number,
			r->o.commands ? " of " : "", r->o.commands);
	fputs("</h2>\n<ul class=\"changes\">\n", f);
	for (size_t i = 0; lines && lines[i]; i++) {
		if (!lines[i][0])
			continue;
		fputs("<li>", f);
		esc(f, lines[i]);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
	for (size_t i = 0; i < count; i++)
		put_step(f, &steps[i], i == 0);
	fputs("</div>\n</section>\n", f);
}

/* The scenario's source, a span a line; the first page's line marked. */
static void put_source(struct render *r)
{
	FILE *f = r->book.f, *in;
	char *buf = NULL;
	size_t n = 0, line = 1;

	fputs("<pre class=\"src\" id=\"src\">", f);
	in = r->o.source ? fopen(r->o.source, "rb") : NULL;
	if (in) {
		buf = malloc(SOURCE_MAX + 1);
		n = buf ? fread(buf, 1, SOURCE_MAX, in) : 0;
		fclose(in);
	}
	if (!buf) {
		fputs("<span class=\"ln\">(the source is not shown: read "
		      "from the standard input, or unreadable now)</span>", f);
		fputs("</pre>\n", f);
		return;
	}
	for (size_t i = 0; i < n; line++) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;

		if (len && buf[i + len - 1] == '\r')
			len--;
		fprintf(f, "<span class=\"ln%s\" data-line=\"%zu\"><b>%zu</b>",
			line == r->first_line ? " cur" : "", line, line);
		html_escape(f, buf + i, len);
		fputs("\n</span>", f);
		i = nl ? (size_t)(nl - buf) + 1 : n;
	}
	if (n == SOURCE_MAX)
		fputs("<span class=\"ln\">(cut here: the source is longer)</span>", f);
	fputs("</pre>\n", f);
	free(buf);
}

void html_end(struct render *r)
{
	FILE *f = r->book.f;

	put_source(r);
	fputs("</main>\n", f);
	/* every page's glyphs, once: the pages use them by id */
	fputs("<svg class=\"glyphs\" width=\"0\" height=\"0\" aria-hidden=\"true\" "
	      "style=\"position:absolute\"><defs>\n", f);
	for (size_t i = 0; i < r->glyph_count; i++)
		fprintf(f, "<symbol overflow=\"visible\" id=\"g%zu\">%s</symbol>\n",
			i, r->glyphs[i]);
	fputs("</defs></svg>\n<script>\n", f);
	fputs(script, f);
	fputs("</script>\n</body>\n</html>\n", f);
}
