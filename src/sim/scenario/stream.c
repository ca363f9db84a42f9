/*
 * stream.c - scenario files: loading one whole (scenario_load_file, for the
 * grader and the tests), and opening one to run it streaming
 * (scenario_open, then the scn_stream_* of the runner): a first pass
 * parses the whole text and keeps no command, so a bad line near the end
 * is reported before anything runs; the run reads the text again and
 * parses each command just before it runs it, then lets it go. What stays
 * in memory is the names (commands refer to them until the end) and one
 * line.
 */
#include <config.h>

#include "parser.h"
#include "report/progress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report that name holds more than limit bytes. Returns -EFBIG. */
static int too_large(struct diag *d, const char *name, size_t limit)
{
	diag_error_at(d, name, 0, 0, NULL, 0,
		      "input larger than %zu bytes (--max-input=SIZE changes the limit)",
		      limit);
	return -EFBIG;
}

/* Say that name could not be read. Returns -EIO. */
static int read_error(struct diag *d, const char *name)
{
	diag_error_plain(d, "cannot read '%s': %s", name, strerror(errno));
	return -EIO;
}

/* Bytes copied at once when spooling input that cannot be read twice. */
#define SPOOL_CHUNK 65536

int scenario_load_file(const char *path, size_t max_input, struct diag *d,
		       struct scenario **out)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	size_t len = 0, cap = 0, limit = max_input ? max_input
						   : SCN_MAX_INPUT_DEFAULT;
	char *buf = NULL;
	int rc;

	*out = NULL;
	if (!f) {
		diag_error_plain(d, "cannot open '%s': %s", path,
				 strerror(errno));
		return -EIO;
	}
	/* read at most limit + 1 bytes: one more says the input is too big */
	for (;;) {
		size_t got, want;

		if (len == cap) {
			size_t ncap = cap ? 2 * cap : 65536;
			char *nbuf;

			if (ncap > limit + 1)
				ncap = limit + 1;
			nbuf = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!nbuf) {
				diag_error_plain(d, "out of memory reading '%s' (%zu bytes read)",
						 name, len);
				rc = -ENOMEM;
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		want = cap - len;
		got = fread(buf + len, 1, want, f);
		len += got;
		if (len > limit) {
			rc = too_large(d, name, limit);
			goto out;
		}
		if (got < want)
			break;
	}
	if (ferror(f)) {
		rc = read_error(d, name);
		goto out;
	}
	rc = scenario_parse(name, buf, len, d, out);
out:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return rc;
}

/*
 * An unlinked temporary file in $TMPDIR (else /tmp), open for reading and
 * writing. Returns it, or NULL with errno set.
 */
static FILE *temp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	FILE *f = NULL;
	int fd, saved;

	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(&path, "%s/tlssim-XXXXXX", dir) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	fd = mkstemp(path);
	if (fd < 0)
		goto out;
	unlink(path);
	f = fdopen(fd, "w+b");
	if (!f) {
		saved = errno;
		close(fd);
		errno = saved;
	}
out:
	free(path);
	return f;
}

/*
 * Copy f (named name) to an unlinked temporary file, at most limit bytes.
 * Returns 0 and sets *out to the copy, rewound, and *bytes to its size;
 * -EFBIG when f holds more (reading stops there); -EIO when f cannot be
 * read; -ENOMEM when the host gives no temporary file or no room in it.
 * Each failure reported.
 */
static int spool(FILE *f, const char *name, size_t limit, struct diag *d,
		 FILE **out, size_t *bytes)
{
	char *buf = malloc(SPOOL_CHUNK);
	FILE *tmp = temp_file();
	size_t total = 0, got;
	int rc = 0;

	if (!buf || !tmp) {
		diag_error_plain(d, "cannot make a temporary copy of '%s': %s",
				 name, buf ? strerror(errno) : "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	while ((got = fread(buf, 1, SPOOL_CHUNK, f)) > 0) {
		total += got;
		if (total > limit) {
			rc = too_large(d, name, limit);
			goto out;
		}
		if (fwrite(buf, 1, got, tmp) != got)
			break;
	}
	if (ferror(f)) {
		rc = read_error(d, name);
		goto out;
	}
	if (ferror(tmp) || fflush(tmp) || fseeko(tmp, 0, SEEK_SET)) {
		diag_error_plain(d, "cannot write a temporary copy of '%s': %s",
				 name, strerror(errno));
		rc = -ENOMEM;
		goto out;
	}
	*out = tmp;
	*bytes = total;
	tmp = NULL;
out:
	if (tmp)
		fclose(tmp);
	free(buf);
	return rc;
}

/*
 * Open path ("-": standard input) for two readings into scn->stream and
 * scn->stream_start, its size as it is now in *bytes: a regular file as
 * it is, after checking its size, anything else through a spool. Returns
 * 0 or as spool (-ENOMEM: the host refused), -ENOMEM too when the host's
 * limit on open files refuses it (each file stays open from its check to
 * its run), and -EIO when the file does not open otherwise (each
 * reported).
 */
static int open_twice(const char *path, size_t limit, struct diag *d,
		      struct scenario *scn, size_t *bytes)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	struct stat st;
	off_t start;
	int rc;

	if (!f && (errno == EMFILE || errno == ENFILE)) {
		diag_error_plain(d, "cannot open '%s': %s: the host's limit on "
				 "open files (each scenario file stays open "
				 "from its check to its run; ulimit -n shows "
				 "the limit)", path, strerror(errno));
		return -ENOMEM;
	}
	if (!f) {
		diag_error_plain(d, "cannot open '%s': %s", path,
				 strerror(errno));
		return -EIO;
	}
	start = ftello(f);
	if (start >= 0 && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size > start && (uintmax_t)(st.st_size - start) > limit) {
			if (!is_stdin)
				fclose(f);
			return too_large(d, scn->file_name, limit);
		}
		scn->stream = f;
		scn->stream_start = start;
		*bytes = st.st_size > start ? (size_t)(st.st_size - start) : 0;
		return 0;
	}
	rc = spool(f, scn->file_name, limit, d, &scn->stream, bytes);
	if (!is_stdin)
		fclose(f);
	return rc;
}

/* The emit of the check: count the command, keep nothing of it. */
static bool count_cmd(struct parser *p, struct scn_cmd *c)
{
	p->scn->cmd_count++;
	scn_cmd_release(c);
	progress_tick(p->ctx, p->scn->cmd_count);
	return true;
}

/*
 * Keep in scn->processes the process named name, if the check's table t
 * declares it (its bytes in scn's chunks); nothing when name is NULL.
 * False when memory ran out.
 */
static bool keep_process(struct scenario *scn, const struct name_table *t,
			 const char *name)
{
	size_t i = name ? name_find(t, name, strlen(name)) : SCN_NONE;

	if (i == SCN_NONE)
		return true;
	scn->processes = calloc(1, sizeof(*scn->processes));
	if (!scn->processes)
		return false;
	scn->processes[0] = t->v[i];
	scn->processes[0].name = scn_chunks_strdup(&scn->names, name);
	if (!scn->processes[0].name)
		return false;
	scn->process_count = 1;
	return true;
}

int scenario_open(const char *path, size_t max_input, FILE *progress,
		  struct diag *d, struct scenario **out)
{
	return scenario_open_for(path, max_input, progress, NULL, d, out);
}

int scenario_open_for(const char *path, size_t max_input, FILE *progress,
		      const char *process, struct diag *d,
		      struct scenario **out)
{
	size_t limit = max_input ? max_input : SCN_MAX_INPUT_DEFAULT;
	struct scenario *scn;
	struct progress pg;
	struct parser p;
	struct line_reader lines = { 0 };
	size_t bytes = 0;
	int err;

	*out = NULL;
	scn = calloc(1, sizeof(*scn));
	if (!scn)
		return scn_parse_oom(d, path, 0);
	scn->file_name = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	if (!scn->file_name) {
		free(scn);
		return scn_parse_oom(d, path, 0);
	}
	err = open_twice(path, limit, d, scn, &bytes);
	if (err)
		goto fail;
	progress_begin(&pg, progress, !progress, "commands checked", 0);
	parser_begin(&p, scn->file_name, d, count_cmd, &pg);
	p.input_bytes = bytes;
	p.pg = &pg;
	p.scn = scn;
	p.threads.track = true;
	/* exact: a thread's and a region's process is its entry's index */
	p.procs.track = p.procs.exact = true;
	err = scn_feed_lines(&p, scn->stream, limit, &lines);
	scn->text_len = p.bytes_read;
	progress_end(&pg);
	line_reader_free(&lines);
	if (err) {
		if (err == -ENOMEM)
			scn_parse_oom(d, scn->file_name, p.lineno);
		else
			read_error(d, scn->file_name);
		parser_free(&p);
		goto fail;
	}
	if (scn->text_len > limit) {
		/* it grew since its size was checked */
		parser_free(&p);
		err = too_large(d, scn->file_name, limit);
		goto fail;
	}
	err = parser_end(&p);
	/* each name's last use stays, for the run to forget it there */
	if (!err && (!name_last_bits(&p.threads, &scn->thread_last_bits,
				     &scn->thread_occurrences) ||
		     !name_last_bits(&p.procs, &scn->process_last_bits,
				     &scn->process_occurrences)))
		err = -ENOMEM;
	/* of the processes, the one --process looks for */
	if (!err && !keep_process(scn, &p.procs, process))
		err = -ENOMEM;
	parser_free(&p);
	if (err == -ENOMEM)
		err = scn_parse_oom(d, scn->file_name, p.lineno);
	if (err)
		goto fail;
	*out = scn;
	return 0;
fail:
	scenario_free(scn);
	return err;
}

/* Point the stream's view at the parser's names as they are now. */
static void sync_view(struct scn_stream *st)
{
	st->view.processes = st->p.procs.v;
	st->view.process_count = st->p.procs.n;
	st->view.threads = st->p.threads.v;
	st->view.thread_count = st->p.threads.n;
	st->view.regions = st->p.regions.v;
	st->view.region_count = st->p.regions.n;
}

/*
 * Process entry i is named by one more thread entry. Out of memory for
 * the counts, no process is forgotten from then on: their names stay, as
 * without scn_stream_recycle_processes.
 */
static void hold_process(struct scn_stream *st, size_t i)
{
	size_t cap = st->proc_hold_cap ? st->proc_hold_cap : 16;
	uint32_t *h = st->proc_hold;

	if (!st->forget_process || i == SCN_NONE)
		return;
	while (cap <= i)
		cap *= 2;
	if (cap > st->proc_hold_cap) {
		h = realloc(h, cap * sizeof(*h));
		if (!h)
			goto keep_all;
		memset(h + st->proc_hold_cap, 0,
		       (cap - st->proc_hold_cap) * sizeof(*h));
		st->proc_hold = h;
		st->proc_hold_cap = cap;
	}
	if ((h[i] & ~PROC_HOLD_DONE) == ~PROC_HOLD_DONE)
		goto keep_all;
	h[i]++;
	return;
keep_all:
	st->forget_process = NULL;
	st->p.procs.last_bits_n = 0;	/* name_used lists none */
	st->p.procs.used_up.n = 0;
	st->proc_ready.n = 0;
}

/*
 * Process entry i is named by one thread entry fewer: once none names it
 * and it is past its last use, it goes on the processes to forget now.
 */
static void release_process(struct scn_stream *st, size_t i)
{
	if (!st->forget_process || i >= st->proc_hold_cap ||
	    !(st->proc_hold[i] & ~PROC_HOLD_DONE))
		return;
	/* one that cannot be listed is kept */
	if (--st->proc_hold[i] == PROC_HOLD_DONE)
		index_push(&st->proc_ready, i);
}

/*
 * Forget the processes on the ready list (past their last use, or their
 * threads' since): one still named by a thread entry waits for it; the
 * runner says of each other whether it lets it go (a live one stays).
 */
static void forget_processes(struct scn_stream *st)
{
	struct name_table *t = &st->p.procs;

	for (size_t j = 0; j < st->proc_ready.n && st->forget_process; j++) {
		size_t i = st->proc_ready.v[j];
		bool held = i < st->proc_hold_cap &&
			    st->proc_hold[i] & ~PROC_HOLD_DONE;

		if (held) {
			st->proc_hold[i] |= PROC_HOLD_DONE;
			continue;
		}
		if (i < st->proc_hold_cap)
			st->proc_hold[i] = PROC_HOLD_DONE;	/* done with */
		if (st->forget_process(st->ctx, i)) {
			name_forget(t, i);
			if (i < st->proc_hold_cap)
				st->proc_hold[i] = 0;
		}
	}
	st->proc_ready.n = 0;
}

/*
 * Forget the names past their last use before the command now parsed
 * (the ready lists): the runner is told, then their entries go to the
 * next names, the threads' first (the processes they held may go then
 * too). A name borrowed from the kernel's record (name_borrow) is still
 * readable then: the runner gave a dead thread's name bytes of its own
 * before letting its record go, and a live one's record stays until the
 * thread dies. The names used last by the command now parsed wait for
 * the next one: their last step, and its reporters, still see them.
 */
static void forget_ready(struct scn_stream *st)
{
	struct name_table *t = &st->p.threads;
	struct index_list done;

	if (st->forget && st->ready.n) {
		st->forget(st->ctx, st->ready.v, st->ready.n);
		for (size_t i = 0; i < st->ready.n; i++) {
			size_t proc = t->v[st->ready.v[i]].process;

			if (proc != UINT32_MAX)
				release_process(st, proc);
			name_forget(t, st->ready.v[i]);
		}
	}
	st->ready.n = 0;
	forget_processes(st);
	/* swap: what the command now parsed used last is next */
	done = st->ready;
	st->ready = t->used_up;
	t->used_up = done;
	done = st->proc_ready;
	st->proc_ready = st->p.procs.used_up;
	st->p.procs.used_up = done;
}

/* The emit of a stream: the view up to date, the command told, let go. */
static bool stream_emit(struct parser *p, struct scn_cmd *c)
{
	struct scn_stream *st = p->ctx;
	bool go_on;

	/* a thread's entry holds its process's (declared by spawn only) */
	if (c->kind == SCN_SPAWN)
		hold_process(st, c->process);
	if (st->forget || st->forget_process)
		forget_ready(st);
	sync_view(st);
	go_on = st->each(st->ctx, c);
	scn_cmd_release(c);
	return go_on;
}

/*
 * Make t a retire table reading the check's bits (n occurrences), if the
 * check left any. Returns whether it did.
 */
static bool retire(struct name_table *t, const uint64_t *bits, uint64_t n)
{
	if (!bits)
		return false;
	t->retire = true;
	t->last_bits = bits;
	t->last_bits_n = n;
	return true;
}

void scn_stream_recycle(struct scn_stream *st,
			void (*forget)(void *ctx, const size_t *threads,
				       size_t n))
{
	if (retire(&st->p.threads, st->scn->thread_last_bits,
		   st->scn->thread_occurrences))
		st->forget = forget;
}

void scn_stream_recycle_processes(struct scn_stream *st,
				  bool (*forget)(void *ctx, size_t process))
{
	if (retire(&st->p.procs, st->scn->process_last_bits,
		   st->scn->process_occurrences))
		st->forget_process = forget;
}

void scn_stream_begin(struct scn_stream *st, const struct scenario *scn,
		      struct diag *d)
{
	memset(st, 0, sizeof(*st));
	st->scn = scn;
	st->view.file_name = scn->file_name;
	st->view.cmd_count = scn->cmd_count;
	parser_begin(&st->p, scn->file_name, d, stream_emit, st);
}

int scn_stream_run(struct scn_stream *st,
		   bool (*each)(void *ctx, const struct scn_cmd *c), void *ctx)
{
	const struct scenario *scn = st->scn;
	int err;

	st->each = each;
	st->ctx = ctx;
	if (fseeko(scn->stream, scn->stream_start, SEEK_SET)) {
		diag_error_plain(st->p.d, "cannot read '%s' again: %s",
				 scn->file_name, strerror(errno));
		return -EIO;
	}
	err = scn_feed_lines(&st->p, scn->stream, scn->text_len, &st->lines);
	sync_view(st);
	if (err == -ENOMEM)
		return scn_parse_oom(st->p.d, scn->file_name, st->p.lineno);
	if (err) {
		diag_error_plain(st->p.d, "cannot read '%s' again: %s",
				 scn->file_name, strerror(errno));
		return err;
	}
	/* Stopped by the run: what follows is not looked at. */
	if (st->p.stop && !st->p.oom && !st->p.errors)
		return 0;
	err = parser_end(&st->p);
	if (err == -ENOMEM)
		return scn_parse_oom(st->p.d, scn->file_name, st->p.lineno);
	return err;
}

void scn_stream_end(struct scn_stream *st)
{
	parser_free(&st->p);
	free(st->ready.v);
	st->ready = (struct index_list){ 0 };
	free(st->proc_ready.v);
	st->proc_ready = (struct index_list){ 0 };
	free(st->proc_hold);
	st->proc_hold = NULL;
	st->proc_hold_cap = 0;
	line_reader_free(&st->lines);
}
