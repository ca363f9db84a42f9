/*
 * lines.c - a scenario file's lines fed to a parser (the check's reading
 * and the run's, stream.c), read and lexed LINES_AHEAD lines ahead so
 * that what the names a line most likely uses lead to (their slots,
 * entries, bytes, and the runner's rows and the kernel's records behind
 * those) is on its way to the cache while the lines before it are parsed
 * and run. doc/performance.md says what that saves.
 */
#include <config.h>

#include "parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
 * Stage 0 of a line just read and lexed: its command found (kept for the
 * parse), and the slot of the name in the word that names the command's
 * thread on its way, its hash kept in its token (the parse finds it by
 * that hash, in any table). A name that is not there costs a useless
 * load, one that is the table's cache miss.
 */
static void ahead_words(struct parser *p, struct scn_lexed *lx,
			struct line_ahead *a)
{
	struct scn_token *tok;
	size_t w;

	*a = (struct line_ahead){ .entry = SCN_NONE };
	lx->cmd = scn_line_command(lx, &lx->first, &w);
	if (!w || w >= lx->count || w >= SCN_LINE_TOKENS ||
	    lx->toks[w].quoted)
		return;
	tok = &lx->toks[w];
	tok->hash = name_prefetch(&p->threads, tok->text, tok->len);
	tok->hashed = true;
	a->tok = tok;
}

/*
 * Stage 1, two lines before its line is parsed: the name's entry guessed
 * from its slot (in the cache now, found by stage 0's hash), the entry
 * and the runner's row on their way. Only where someone listens
 * (p->ahead): the check has no entries.
 */
static void ahead_entries(struct parser *p, struct line_ahead *a)
{
	const struct name_table *t = &p->threads;
	size_t i;

	if (!p->ahead || !a->tok)
		return;
	i = name_peek(t, a->tok->hash);
	a->entry = i;
	if (i == SCN_NONE)
		return;
	__builtin_prefetch(&t->v[i]);
	p->ahead(p->ahead_ctx, i, 0);
}

/*
 * Stage 2, a line before: the guessed entry's name bytes, and what the
 * runner's row points to, on their way. The entry may have changed since
 * its guess (the line between ran): still only a hint.
 */
static void ahead_bytes(struct parser *p, const struct line_ahead *a)
{
	const struct name_table *t = &p->threads;
	size_t i = a->entry;

	if (!p->ahead || i == SCN_NONE || i >= t->n)
		return;
	if (t->v[i].name)
		__builtin_prefetch(t->v[i].name);
	p->ahead(p->ahead_ctx, i, 1);
}

/* Bytes of a block at first; it doubles while a line does not fit. */
#define BLOCK_BYTES 65536

/*
 * The lexed lines [tail, head) of lr, pointing into bytes at from, now
 * point into the same bytes at to.
 */
static void rebase(struct line_reader *lr, size_t tail, size_t head,
		   const char *from, const char *to)
{
	for (size_t j = tail; j < head; j++) {
		struct scn_lexed *lx = &lr->lexed[j % LINES_RING];
		size_t n = lx->count < SCN_LINE_TOKENS ? lx->count
						       : SCN_LINE_TOKENS;

		lx->line = to + (lx->line - from);
		for (size_t i = 0; i < n; i++)
			lx->toks[i].text = to + (lx->toks[i].text - from);
	}
}

/*
 * Make room after lr's bytes and read f into it, keeping the bytes from
 * keep on, where the lines read ahead ([tail, head)) are: they go to the
 * block's start, to a block twice as large when they fill it. Returns 0
 * (lr->eof set at the end of f, or when it cannot be read), or -ENOMEM.
 */
static int refill(struct line_reader *lr, FILE *f, size_t keep,
		  size_t tail, size_t head)
{
	size_t got;

	if (keep) {
		memmove(lr->blk, lr->blk + keep, lr->end - keep);
		rebase(lr, tail, head, lr->blk + keep, lr->blk);
		lr->end -= keep;
		lr->pos -= keep;
	}
	if (lr->end == lr->cap) {
		size_t cap = lr->cap ? 2 * lr->cap : BLOCK_BYTES;
		char *blk = cap > lr->cap ? malloc(cap) : NULL;

		if (!blk)
			return -ENOMEM;
		if (lr->end) {
			memcpy(blk, lr->blk, lr->end);
			rebase(lr, tail, head, lr->blk, blk);
		}
		free(lr->blk);
		lr->blk = blk;
		lr->cap = cap;
	}
	got = fread(lr->blk + lr->end, 1, lr->cap - lr->end, f);
	lr->end += got;
	if (!got)
		lr->eof = true;
	return 0;
}

/*
 * The next line of f in lr (its newline too, if it has one): its start
 * in *line, its bytes in *got. Returns 1, 0 at the end, or -ENOMEM.
 */
static int next_line(struct line_reader *lr, FILE *f, size_t tail,
		     size_t head, char **line, size_t *got)
{
	for (;;) {
		size_t left = lr->end - lr->pos, keep;
		char *nl = left ? memchr(lr->blk + lr->pos, '\n', left) : NULL;
		int err;

		if (nl || (lr->eof && left)) {
			*line = lr->blk + lr->pos;
			*got = nl ? (size_t)(nl - *line) + 1 : left;
			lr->pos += *got;
			return 1;
		}
		if (lr->eof)
			return 0;
		keep = head > tail ? (size_t)(lr->lexed[tail % LINES_RING].line -
					      lr->blk) : lr->pos;
		err = refill(lr, f, keep, tail, head);
		if (err)
			return err;
	}
}

int scn_feed_lines(struct parser *p, FILE *f, size_t max,
		   struct line_reader *lr)
{
	size_t head = 0, tail = 0;	/* lines read: [tail, head) */
	bool end = false;

	p->bytes_read = 0;
	lr->end = lr->pos = 0;
	lr->eof = false;
	while (!p->stop) {
		size_t k, len;

		/* keep LINES_AHEAD lines read past the one to parse */
		while (!end && head - tail <= LINES_AHEAD) {
			char *line;
			int got;

			k = head % LINES_RING;
			got = next_line(lr, f, tail, head, &line, &lr->got[k]);
			if (got < 0)
				return got;
			if (!got) {
				end = true;
				break;
			}
			len = lr->got[k];
			if (line[len - 1] == '\n')
				len--;
			/* the first line of all: no line parsed, none waiting */
			scn_lex_prepare(line, len, p->lineno == 0 && head == tail,
					&lr->lexed[k]);
			ahead_words(p, &lr->lexed[k], &lr->ahead[k]);
			head++;
		}
		if (tail == head)
			break;
		if (head - tail > 2) {
			k = (tail + 2) % LINES_RING;
			ahead_entries(p, &lr->ahead[k]);
		}
		if (head - tail > 1)
			ahead_bytes(p, &lr->ahead[(tail + 1) % LINES_RING]);
		k = tail++ % LINES_RING;
		p->bytes_read += lr->got[k];
		if (p->bytes_read > max)
			return 0;
		parser_lexed(p, &lr->lexed[k]);
	}
	return ferror(f) ? -EIO : 0;
}

void line_reader_free(struct line_reader *lr)
{
	free(lr->blk);
	lr->blk = NULL;
	lr->cap = lr->end = lr->pos = 0;
}
