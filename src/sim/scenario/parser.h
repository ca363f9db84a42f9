/*
 * parser.h - inside the scenario language: the parser's state, its error
 * reporting and name tables (parse.c), the argument readers every command
 * uses (args.c), and the command table.
 *
 * A command is one struct scn_command binding its parsing and its
 * execution; the commands of one subject live in one file beside their
 * code (cmd_memory.c, cmd_thread.c, cmd_expect.c), each exporting only its
 * table. Adding a command is one entry and its two functions.
 */
#ifndef TLSSIM_PARSER_H
#define TLSSIM_PARSER_H

#include "index_list.h"
#include "numbered.h"
#include "scenario.h"
#include "wordkey.h"

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A slot of a name table's hash index: the name's index + 1 (0: empty) and
 * 32 bits of its hash, compared before the name itself (which is likely
 * not in the cache) and enough to rehash without reading the names.
 */
struct name_slot {
	uint32_t index1;
	uint32_t hash;
};

/* Size classes of a recycled name's bytes: 16, 32, ... 256 bytes. */
#define NAME_CLASS_BYTES 16
#define NAME_CLASSES 16


/*
 * A slot of a compact table (the check's thread names past
 * NAME_EXACT_MAX): the name itself when it has at most 8 bytes (packed,
 * zero-padded: names hold no NUL and are ASCII, so bit 63 is clear), else
 * a pointer to its bytes with bit 63 set; the line of its declaration (0:
 * empty slot; UINT32_MAX for any line from there on) and the occurrence
 * of its last use (UINT32_MAX: from there on, kept to the end). 16 bytes
 * a name, and a name of 8 bytes or less keeps no bytes elsewhere.
 */
struct name_cslot {
	uint64_t key;
	uint32_t line;
	uint32_t last;
};

/* Names a tracked table keeps exactly before it turns compact. */
#define NAME_EXACT_MAX 1000

/*
 * For tests: a mask applied to every hash of a name table, 0 sending all
 * names to the same first slot (UINT32_MAX otherwise).
 */
extern uint32_t name_hash_mask;

/*
 * A table of declared names with a hash index for O(1) lookups.
 *
 * Two modes serve a streamed run (scenario_open, then scn_stream_*). With
 * track (the check), each use of a name is an occurrence, counted in occ,
 * and the table records each name's last one (last[], or its compact
 * slot); past NAME_EXACT_MAX names, unless exact, it turns compact: the
 * entries, their index and last[] give way to one array of name_cslot,
 * and a name's index is its slot there (valid until the next name is
 * added). With retire (the run), the table reads the check's bits, one
 * per occurrence in the same order, set on each name's last one: that use
 * puts the name on used_up, and name_forget then takes it out of the
 * index and gives its entry and its bytes to the next name declared. An
 * entry's index is then a slot reused over time, not a declaration's
 * rank.
 */
struct name_table {
	const char *what;		/* "process", "thread", "region" */
	struct scn_name *v;
	size_t n;			/* entries in use or free; compact:
					 * names in cs */
	size_t cap;
	struct name_slot *slots;
	size_t slot_cap;		/* a power of two, at most 2^32 */
	bool track, retire, compact;
	bool exact;			/* track: never compact (the processes:
					 * threads and regions keep their
					 * process's index) */
	uint32_t *last;			/* track: by entry */
	struct name_cslot *cs;		/* compact: the names */
	size_t cs_cap;			/* a power of two */
	struct name_numbered *num;	/* compact: names like t17 */
	uint64_t occ;			/* track, retire: occurrences so far */
	const uint64_t *last_bits;	/* retire: the check's, by occurrence */
	uint64_t last_bits_n;
	struct index_list free;		/* retire: entries to reuse */
	struct index_list used_up;	/* retire: past their last use */
	char *free_bytes[NAME_CLASSES];	/* retire: blocks by size class */
	uint64_t *borrowed;		/* retire: bit i, entry i's name is
					 * another's bytes (name_borrow) */
	size_t borrowed_words;
};

struct parser {
	const char *file;
	struct diag *d;
	/*
	 * Told each command parsed (never a prefix), which it takes: it keeps
	 * it or releases it (scn_cmd_release). Returns false to stop parsing.
	 */
	bool (*emit)(struct parser *p, struct scn_cmd *c);
	void *ctx;			/* the emit's */
	struct progress *pg;		/* a progress line to erase before an
					 * error, or NULL */
	struct scenario *scn;		/* scenario_parse's, for its emit */
	size_t errors;
	bool stop;			/* too many errors */
	bool oom;
	/* The line being parsed. */
	const char *line;
	size_t line_len;
	size_t lineno;
	size_t cmd_cap;
	/*
	 * The input's bytes, when known before it is read (0: not known),
	 * and the bytes scn_feed_lines has fed, the line being parsed
	 * included: a table growing with its names sizes itself for the
	 * whole input from them.
	 */
	size_t input_bytes;
	size_t bytes_read;
	/* The `expect panic/error/fault` waiting for its command, and a copy
	 * of its line for the message when none comes. */
	struct scn_expect_outcome pending;
	char *pending_src;
	size_t pending_src_len;
	struct name_table procs;
	struct name_table threads;
	struct name_table regions;
	struct scn_chunk *names;	/* the bytes of the three tables' names */
	/*
	 * Told, a line or two before, of a thread entry a line read ahead
	 * likely names (stage 0 two lines before, 1 one line before): a
	 * hint to bring in what its command will touch, which changes
	 * nothing. NULL: none.
	 */
	void (*ahead)(void *ctx, size_t thread, int stage);
	void *ahead_ctx;
};

struct runner;
struct step;
struct progress;

/*
 * A parser fed line by line, as scenario_parse and the streaming runner
 * (stream.c) use it. parser_begin sets it up for file (its name in
 * messages) with its emit and the emit's context; parser_line parses one
 * line (no newline; a trailing CR is dropped) unless the parser stopped;
 * parser_end reports an `expect` prefix left without a command and returns
 * 0, -EINVAL when errors were reported, or -ENOMEM when memory ran out
 * (not reported: scn_parse_oom says it). parser_free releases the name
 * tables still in the parser.
 */
void parser_begin(struct parser *p, const char *file, struct diag *d,
		  bool (*emit)(struct parser *p, struct scn_cmd *c), void *ctx);
void parser_line(struct parser *p, const char *line, size_t len);
int parser_end(struct parser *p);
void parser_free(struct parser *p);

/* Tokens kept per line; longer lines are counted, never stored. */
#define SCN_LINE_TOKENS 16

/*
 * A line lexed before its parse (scn_lex_prepare): its text as the parser
 * reads it (a trailing CR gone, and a byte order mark on the first line),
 * its tokens, or what is wrong with it: a NUL byte (nul_col, 1-based; 0
 * for none), else the lexer's error (lex_failed, err).
 */
struct scn_lexed {
	const char *line;
	size_t len;
	struct scn_token toks[SCN_LINE_TOKENS];
	size_t count;			/* tokens, even past SCN_LINE_TOKENS */
	size_t nul_col;
	bool lex_failed;
	struct scn_lex_error err;
	const struct scn_command *cmd;	/* found when read ahead (lines.c),
					 * or NULL: the parse looks */
	size_t first;			/* with cmd: scn_line_command's */
};

/*
 * Lex line[0..len) (no newline; first: the file's first line) into lx,
 * which keeps pointers into line (parse.c).
 */
void scn_lex_prepare(const char *line, size_t len, bool first,
		     struct scn_lexed *lx);

/*
 * parser_line on a line lexed by scn_lex_prepare (its line must live
 * until the next one is parsed, as parser_line's must).
 */
void parser_lexed(struct parser *p, const struct scn_lexed *lx);

/*
 * Say on d that memory ran out parsing file (at line, 0 before the first).
 * Returns -ENOMEM.
 */
int scn_parse_oom(struct diag *d, const char *file, size_t line);

/* Release what a command owns (its bytes), not the command itself. */
void scn_cmd_release(struct scn_cmd *c);

/*
 * Lines read ahead (lines.c): the one being parsed and LINES_AHEAD after
 * it. Each line's likely thread names are worked on in stages while the
 * lines before it run, so that what its lookup and its command touch is
 * in the cache when its turn comes: three lines ahead the slot of each
 * name (name_prefetch), two ahead its entry (name_peek) and the runner's
 * row (parser.ahead, stage 0), one ahead the name's bytes and what the
 * row points to (stage 1). A line is lexed when it is read, and the
 * parse takes its tokens (parser_lexed).
 */
#define LINES_AHEAD 3
#define LINES_RING (LINES_AHEAD + 1)

/*
 * A line read ahead: the word that names its command's thread (a token of
 * its lexed line, which stays where it is while the line waits) and the
 * entry it guesses.
 */
struct line_ahead {
	const struct scn_token *tok;	/* NULL: none */
	size_t entry;		/* name_peek's guess, or SCN_NONE */
};

/*
 * The lines of a file in blocks: blk[0..end) read, lines handed out from
 * pos on, each a place in blk (no copy); the lines read ahead are kept
 * when a block moves or grows (their tokens' pointers moved with them).
 */
struct line_reader {
	char *blk;
	size_t cap, end, pos;
	bool eof;
	size_t got[LINES_RING];		/* a line's bytes, its newline too */
	struct scn_lexed lexed[LINES_RING];
	struct line_ahead ahead[LINES_RING];
};

/*
 * Feed p the lines of f from where it stands, at most max bytes of them
 * (a line that would pass max stops it), until the end or until p stops,
 * each read LINES_AHEAD lines ahead in lr. Counts the bytes fed in
 * p->bytes_read (the line that passed max too). Returns 0, -EIO when f
 * could not be read, or -ENOMEM when a line found no room (neither
 * reported).
 */
int scn_feed_lines(struct parser *p, FILE *f, size_t max,
		   struct line_reader *lr);

/* Let go of lr's buffers; it is empty again. */
void line_reader_free(struct line_reader *lr);

/*
 * The bounds of the word before *end in s (spaces and the newline
 * skipped): [*start, *end). False when there is none.
 */
bool scn_word_before(const char *s, size_t *start, size_t *end);

/*
 * An opened scenario (scenario_open) read again, a command at a time
 * (stream.c). view is what the runner sees of the scenario: its name and
 * the names declared so far (no commands), valid while each runs and
 * until scn_stream_end.
 */
struct scn_stream {
	struct parser p;
	struct scenario view;
	const struct scenario *scn;
	bool (*each)(void *ctx, const struct scn_cmd *c);
	void *ctx;
	struct line_reader lines;
	/* Told the threads no later command names (scn_stream_recycle). */
	void (*forget)(void *ctx, const size_t *threads, size_t n);
	struct index_list ready;	/* to forget before the next command */
	/*
	 * Asked about each process no later command names
	 * (scn_stream_recycle_processes): true when its entry may go.
	 */
	bool (*forget_process)(void *ctx, size_t process);
	struct index_list proc_ready;	/* processes to forget next */
	/*
	 * By process entry: the thread entries that name it as theirs (a
	 * thread's entry keeps its process's, whose name a report of the
	 * thread may still say), and PROC_HOLD_DONE once past its last use:
	 * the entry goes when both allow. proc_hold_cap: entries of it.
	 */
	uint32_t *proc_hold;
	size_t proc_hold_cap;
};

/* proc_hold's bit of a process past its last use, waiting for threads. */
#define PROC_HOLD_DONE (1u << 31)

/* Set st up to read scn, an opened scenario; errors go to d. */
void scn_stream_begin(struct scn_stream *st, const struct scenario *scn,
		      struct diag *d);
/*
 * Read the scenario from its start, telling each(ctx, cmd) every command
 * in order (the command valid during the call only) until the end or each
 * returns false. Returns 0; -EINVAL when the text no longer parses (it
 * changed since it was checked), -EIO when it cannot be read again,
 * -ENOMEM: each reported.
 */
int scn_stream_run(struct scn_stream *st,
		   bool (*each)(void *ctx, const struct scn_cmd *c), void *ctx);
/*
 * Forget thread names once past their last use (the check's
 * scn->thread_last_bits): before each command, forget(ctx, threads, n) is told
 * the threads (entries of view.threads) that no command from this one on
 * names, and then their entries and bytes go to the threads declared
 * next. The view's thread_count is then the entries in use at once, not
 * the names declared. Call before scn_stream_run; without it (or without
 * the check's lines) every name is kept.
 */
void scn_stream_recycle(struct scn_stream *st,
			void (*forget)(void *ctx, const size_t *threads,
				       size_t n));
/*
 * Forget process names once past their last use (the check's
 * scn->process_last_bits), as scn_stream_recycle does thread names: before
 * each command, forget(ctx, process) is asked about each process (an
 * entry of view.processes) that no command from this one on names, once
 * no thread entry names it either; when it returns true the entry and its
 * bytes go to the processes declared next, else the name stays to the
 * end. Call before scn_stream_run, with scn_stream_recycle (the threads
 * are forgotten first, the processes they held after them); without it
 * (or without the check's lines) every process name is kept.
 */
void scn_stream_recycle_processes(struct scn_stream *st,
				  bool (*forget)(void *ctx, size_t process));
/* Release what the stream holds (its names, its line). */
void scn_stream_end(struct scn_stream *st);

/*
 * One command of the language. parse fills cmd from its n arguments (the
 * count already checked), reporting the first bad one and returning false.
 * exec runs it on the runner's kernel and fills the step with what
 * happened; it may panic (the runner catches it). Prefixes (`expect
 * panic/error/fault`) have no exec: they say what the next command does.
 */
struct scn_command {
	const char *name;		/* as written: "spawn", "expect tls" */
	enum scn_cmd_kind kind;
	bool prefix;			/* expect panic/error/fault */
	unsigned min, max;		/* argument counts */
	const char *usage;
	bool (*parse)(struct parser *p, struct scn_cmd *c,
		      const struct scn_token *a, size_t n);
	void (*exec)(struct runner *r, const struct scn_cmd *c,
		     struct step *s);
};

/*
 * Call fn(arg, cmd) for every command of the tables below, in order
 * (commands.c); stops when fn returns true and returns that command,
 * else NULL.
 */
const struct scn_command *
scn_each_command(bool (*fn)(void *arg, const struct scn_command *cmd),
		 void *arg);

/*
 * The command named group + " " + word[0..len) (group "": the word
 * alone), or NULL (commands.c).
 */
const struct scn_command *scn_find_command(const char *group,
					   const char *word, size_t len);

/*
 * The command a lexed line names, or NULL (none, or a bad line: the parse
 * says why). Then *first is the line's first word after the command's
 * name (2 after a group: "expect tls T OFF"), and *thread the word that
 * names the command's thread, as its usage has THREAD ("spawn PROCESS
 * THREAD": 2), or 0.
 */
const struct scn_command *scn_line_command(const struct scn_lexed *lx,
					   size_t *first, size_t *thread);

/* The group a line's first word opens ("expect", "inject"), or NULL. */
const char *scn_line_group(const struct scn_token *first);

/* The tables, one per subject, each in the file of its commands. */
extern const struct scn_command scn_memory_commands[];
extern const size_t scn_memory_command_count;
extern const struct scn_command scn_thread_commands[];
extern const size_t scn_thread_command_count;
extern const struct scn_command scn_expect_commands[];
extern const size_t scn_expect_command_count;

/* Report an error at col of the current line. Always returns false. */
bool perr(struct parser *p, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record that memory ran out. Always returns false. */
bool poom(struct parser *p);

/*
 * Index of the name in the token, or SCN_NONE (nothing reported). The
 * token must be a valid name.
 */
size_t name_find(const struct name_table *t, const char *s, size_t len);
/* name_find of the name in tok, by the hash it may carry. */
size_t name_find_token(const struct name_table *t,
		       const struct scn_token *tok);
/*
 * Start bringing into the cache the slot where the name s[0..len) is
 * looked for in t (a hint: nothing else changes, and a name that is not
 * there costs one useless load). In a table larger than the cache the
 * lookup's first miss is then paid while other work runs. Returns the
 * name's hash, for name_peek.
 */
uint32_t name_prefetch(const struct name_table *t, const char *s,
		       size_t len);

/*
 * A guess at the entry of the name whose hash name_prefetch returned, in
 * t, from its slot's hash alone (no bytes compared): an entry of that
 * hash, or SCN_NONE (none, or a compact table, which has no entries). A
 * hint for what to bring into the cache; name_find says what the name is.
 */
size_t name_peek(const struct name_table *t, uint32_t h);

/*
 * Add the name in tok (its bytes in p->names) unless t has it; returns its
 * index. SCN_NONE when t has it already (*old is then its index; a retire
 * table, checked whole, is not looked in) or memory ran out (*old is
 * SCN_NONE, p->oom is set).
 */
size_t name_add(struct parser *p, struct name_table *t,
		const struct scn_token *tok, size_t process, size_t *old);

/*
 * Name i of t was used on the current line, an occurrence: recorded as
 * its last so far (track), or put on t->used_up when the check marked it
 * its last (retire). Never fails (a name that cannot be listed is kept).
 * Inline: every name of every line passes here.
 */
static inline void name_used(struct name_table *t, size_t i)
{
	uint64_t o = t->occ++;
	uint32_t last = o < UINT32_MAX ? (uint32_t)o : UINT32_MAX;

	if (t->compact && (i & NAME_NUMBERED))
		numbered_slot(t->num, i)->last = last;
	else if (t->compact)
		t->cs[i].last = last;
	else if (t->track)
		t->last[i] = last;
	if (t->retire && o < t->last_bits_n &&
	    (t->last_bits[o / 64] >> (o % 64) & 1))
		index_push(&t->used_up, i);
}

/*
 * Take name i of a retire table out of its index, and give its entry and
 * its bytes to the names declared next.
 */
void name_forget(struct name_table *t, size_t i);

/*
 * The bytes of names (namebytes.c), for names.c: a copy of s[0..len) and
 * a NUL in the chunks at *head (name_bytes_arena), or for a retire table
 * in a block of its size class, reused from t's free list (a malloc'd
 * block for a long name: name_bytes_class); both NULL when memory ran
 * out. name_bytes_free gives a class block back to t; name_bytes_end
 * frees a long name's own block when t goes (class blocks go with the
 * chunks). name_is_borrowed: whether name i of t is borrowed bytes.
 */
char *name_bytes_arena(struct scn_chunk **head, const char *s, size_t len);
char *name_bytes_class(struct name_table *t, struct scn_chunk **head,
		       const char *s, size_t len);
void name_bytes_free(struct name_table *t, char *name);
void name_bytes_end(char *name);
bool name_is_borrowed(const struct name_table *t, size_t i);

/*
 * Name i of a retire table is now the bytes at name, a copy that the
 * caller keeps unchanged until name_own or name_forget (the kernel's
 * record of the spawned thread): its own block goes to the next names.
 * Nothing happens when t is not a retire table, or when memory for the
 * bit ran out (it keeps its bytes).
 */
void name_borrow(struct name_table *t, size_t i, const char *name);

/*
 * Name i of t owns its bytes again: a copy of the borrowed ones in a
 * block of its own, from the chunks at *head. True when it owns them (or
 * borrowed nothing); false when memory ran out (still borrowed).
 */
bool name_own(struct name_table *t, struct scn_chunk **head, size_t i);

/*
 * The line that declared name i of t (UINT32_MAX for any line from there
 * on in a compact table).
 */
size_t name_line(const struct name_table *t, size_t i);

/*
 * The last uses a track table recorded: a bit per occurrence, set on each
 * name's last one, in *bits (malloc'd, NULL when no name) and their
 * count in *n. False when memory ran out.
 */
bool name_last_bits(const struct name_table *t, uint64_t **bits,
		    uint64_t *n);

/* Hand t's names over to *v and *n, and empty t (its index freed). */
void name_table_move(struct name_table *t, struct scn_name **v, size_t *n);
/* Free t's array and index (the names' bytes are the chunks'). */
void name_table_free(struct name_table *t);
/* Free a list of chunks of names. NULL is a no-op. */
void scn_chunks_free(struct scn_chunk *head);
/* A copy of s in the chunks at *head; NULL when memory ran out. */
char *scn_chunks_strdup(struct scn_chunk **head, const char *s);

/* ---- argument readers (args.c): each reports what it refuses ---- */

/* Longest word looked up in a table of names (types, errors). */
#define WORD_MAX 64

/* The PERMS words, and the rights each stands for. */
extern const char *const scn_perms_names[4];

/* Whether t is the bare word `word`. */
bool tok_is(const struct scn_token *t, const char *word);
/* " (did you mean 'X'?)" for the closest candidate, or "". Returns buf. */
const char *did_you_mean(char *buf, size_t size, const struct scn_token *t,
			 const char *const *cands, size_t n);
/* Forward a lexer error (rc -2: out of memory) to the diagnostics. */
bool lex_failed(struct parser *p, int rc, const struct scn_lex_error *e);

bool arg_number(struct parser *p, const struct scn_token *t, uint64_t *out);
/* v (read from t) is page aligned; what names it in the message. */
bool arg_aligned(struct parser *p, const struct scn_token *t,
		 const char *what, uint64_t v);
/* A declared name of table t. */
bool arg_resolve(struct parser *p, struct name_table *t,
		 const struct scn_token *tok, size_t *out);
/* A new name of table t; quiet: report nothing. */
bool arg_declare(struct parser *p, struct name_table *t,
		 const struct scn_token *tok, size_t process, size_t *out,
		 bool quiet);
bool arg_type(struct parser *p, const struct scn_token *t,
	      enum memory_type *out);
/* Whether t is a PERMS word; its rights in *out. Reports nothing. */
bool is_perms(const struct scn_token *t, unsigned *out);
bool arg_perms(struct parser *p, const struct scn_token *t, unsigned *out);
bool arg_field(struct parser *p, const struct scn_token *t,
	       struct scn_field_ref *f);
/*
 * A value for field f. For `expect read T self`, offset_only: a number
 * that is an offset into the user land, no text.
 */
bool arg_value(struct parser *p, const struct scn_token *t,
	       const struct scn_field_ref *f, bool offset_only,
	       struct scn_value *v);

#endif
