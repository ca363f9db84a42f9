/*
 * scenario.h - the scenario language: its syntax tree and the parser that
 * builds it (doc/scenario-language.md is the reference).
 *
 * Parsing checks everything that can be checked without running: the
 * commands and their argument counts, numbers, strings, names (declared
 * before use, no duplicates), alignment, field lengths, and that every
 * `expect panic/error/fault` has a command to apply to. A scenario that
 * parses is well formed; what it does is the runner's business.
 */
#ifndef TLSSIM_SCENARIO_H
#define TLSSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "report/diag.h"
#include "kerror.h"
#include "tls_manager.h"
#include "kernel/memory.h"

/* Most errors one parse reports before it gives up. */
#define SCN_MAX_ERRORS 20

/* An index that refers to nothing (no region name, ...). */
#define SCN_NONE ((size_t)-1)

enum scn_cmd_kind {
	SCN_PROCESS,		/* process, size (user land bytes) */
	SCN_MAP,		/* process, offset, size, type, perms */
	SCN_UNMAP,		/* process, offset, size */
	SCN_SPAWN,		/* process, thread */
	SCN_EXIT,		/* thread */
	SCN_KILL,		/* process */
	SCN_SWITCH,		/* thread */
	SCN_WRITE,		/* thread, field, value */
	SCN_READ,		/* thread, field, len */
	SCN_TLS_ALLOC,		/* process, region (SCN_NONE without `as`) */
	SCN_TLS_FREE,		/* process, region, or offset when region is
				 * SCN_NONE */
	SCN_SHOW,		/* process */
	SCN_EXPECT_TLS,		/* thread, offset */
	SCN_EXPECT_PAGES,	/* process, count */
	SCN_EXPECT_USED,	/* process, count */
	SCN_EXPECT_READ,	/* thread, field, value (self: a number, the
				 * offset from the user land start) */
	SCN_EXPECT_MAP,		/* process, offset, type, perms if perms_given */
	SCN_PEEK,		/* thread, process, offset */
	SCN_POKE,		/* thread, process, offset, value */
	SCN_INJECT_MAP_FAIL,	/* count */
	SCN_CMD_COUNT
};

/* TLS fields user code reaches through the register. */
enum scn_field {
	SCN_FIELD_IPC,		/* the IPC buffer, from byte `off` on */
	SCN_FIELD_CONTEXT,	/* ptr_thread_context */
	SCN_FIELD_SELF,		/* ptr_self */
	SCN_FIELD_TLS,		/* the region itself, from byte `off` on */
	SCN_FIELD_COUNT
};

/* The fields' names as written: "ipc", "context", "self". */
extern const char *const scn_field_names[SCN_FIELD_COUNT];

struct scn_field_ref {
	enum scn_field id;
	size_t off;		/* ipc, tls: offset into the buffer, the region */
};

/*
 * How far tls+OFF reaches through the register: a page, past the region's
 * 0x200 bytes on purpose (a neighbour's region, or i386's segment limit).
 */
#define SCN_TLS_REACH ((size_t)0x1000)

/* Whether a field holds bytes (ipc, tls+OFF) rather than one pointer. */
static inline bool scn_field_is_bytes(enum scn_field id)
{
	return id == SCN_FIELD_IPC || id == SCN_FIELD_TLS;
}

/* Bytes a bytes field has room for from its offset (at most 0x100). */
size_t scn_field_room(const struct scn_field_ref *f);

/* A field as written in a scenario ("ipc+0x20"), into buf. Returns buf. */
const char *scn_field_text(const struct scn_field_ref *f, char *buf,
			   size_t size);

/* Bytes owned by the scenario; data is NULL when len is 0. */
struct scn_bytes {
	uint8_t *data;
	size_t len;
};

enum scn_value_kind {
	SCN_VALUE_NONE,
	SCN_VALUE_BYTES,	/* "text" or 0xHEX after ipc; "text" elsewhere */
	SCN_VALUE_NUMBER,	/* a number after context, self, or for poke */
};

struct scn_value {
	enum scn_value_kind kind;
	uint64_t number;
	struct scn_bytes bytes;
};

/* What the preceding `expect panic/error/fault` says about a command. */
enum scn_outcome {
	SCN_OUTCOME_NORMAL,	/* no expectation: the command must succeed */
	SCN_OUTCOME_PANIC,	/* panics; the message contains panic_text */
	SCN_OUTCOME_ERROR,	/* fails with KernelError error */
	SCN_OUTCOME_FAULT,	/* makes the running thread fault */
};

struct scn_expect_outcome {
	enum scn_outcome kind;
	struct scn_bytes panic_text;
	enum kernel_error error;
	/* Where the `expect` line is, for messages. */
	size_t line;
	size_t col;
};

/* Most bytes one `poke` stores. */
#define SCN_POKE_MAX 0x100u

/* Access rights in PERMS, as pmem.h's bits (MAR_USER_ACCESSIBLE not set). */
#define SCN_PERMS_DEFAULT (MAR_READABLE | MAR_WRITABLE)

/*
 * One command. Only the members its kind lists (see enum scn_cmd_kind) are
 * meaningful; unused indexes are SCN_NONE and unused numbers 0.
 */
struct scn_cmd {
	enum scn_cmd_kind kind;
	size_t line;			/* 1-based */
	size_t col;			/* of the command word, 1-based */
	const char *src;		/* its line: in scenario.text, or
					 * the streaming runner's line buffer
					 * while the command runs */
	size_t src_len;
	struct scn_expect_outcome expect;
	size_t process;			/* index into scenario.processes */
	size_t thread;			/* index into scenario.threads */
	size_t region;			/* index into scenario.regions */
	uint64_t offset;
	uint64_t size;
	uint64_t count;
	uint64_t len;			/* read: bytes to read */
	bool len_given;			/* read: LEN was written */
	enum memory_type type;
	unsigned perms;
	bool perms_given;
	struct scn_field_ref field;
	struct scn_value value;
	const struct tls_manager_ops *policy;	/* process: policy=NAME */
	const struct scn_command *spec;		/* its entry in the table */
};

/*
 * A declared name. For a thread, process is the process it was spawned in;
 * for a region (tls-alloc ... as NAME), the process it was allocated in.
 */
struct scn_command;

struct scn_name {
	char *name;
	uint32_t line;		/* UINT32_MAX: that line or later */
	uint32_t process;	/* UINT32_MAX: none (a process's own) */
};

/*
 * A scenario is either loaded (scenario_parse, scenario_load_file: its
 * text and every command in memory) or opened (scenario_open: checked, then
 * read again and run one command at a time; cmds and text are NULL, the
 * threads and regions are not kept, nor the processes but one asked for
 * (scenario_open_for), stream is the file).
 */
struct scn_chunk;

struct scenario {
	char *file_name;
	char *text;			/* a copy of the source, NUL terminated */
	size_t text_len;		/* opened: the bytes the check read */
	struct scn_cmd *cmds;
	size_t cmd_count;		/* opened: the commands it holds */
	FILE *stream;			/* opened: the file, or its spool */
	off_t stream_start;		/* where its text starts in stream */
	struct scn_name *processes;
	size_t process_count;
	struct scn_name *threads;
	size_t thread_count;
	struct scn_name *regions;
	size_t region_count;
	struct scn_chunk *names;	/* the bytes of the names above */
	/*
	 * Opened: a bit per occurrence of a thread name (a declaration or a
	 * use, in the order of the text), set on each name's last one, so
	 * that a run forgets a name once no later line can name it.
	 * Occurrences past the count keep their names to the end.
	 */
	uint64_t *thread_last_bits;
	uint64_t thread_occurrences;
	/* Opened: the same of the process names. */
	uint64_t *process_last_bits;
	uint64_t process_occurrences;
};

/*
 * Parse text[0..len) (any bytes) named file_name in messages. Returns 0 and
 * sets *out to a scenario to release with scenario_free; -EINVAL when the
 * text is malformed, after reporting every error to d (at most
 * SCN_MAX_ERRORS, then one "too many errors"); -ENOMEM when memory ran out.
 * *out is NULL on failure. For `tlssim run`, -EINVAL (and scenario_load_file's
 * -EIO and -EFBIG) mean exit status 2, -ENOMEM exit status 4.
 */
int scenario_parse(const char *file_name, const char *text, size_t len,
		   struct diag *d, struct scenario **out);

/* The largest input scenario_load_file reads by default (64 MiB). */
#define SCN_MAX_INPUT_DEFAULT ((size_t)64 << 20)

/*
 * The length of the UTF-8 byte-order mark that text (len bytes, a file's
 * start) begins with, as some editors write it: 3, or 0 for none. The
 * parser and the tools that show source lines skip it.
 */
size_t scn_bom_len(const char *text, size_t len);

/*
 * Read and parse a whole file, or standard input for "-" (named "<stdin>"),
 * of at most max_input bytes (0: SCN_MAX_INPUT_DEFAULT). Returns 0 and sets
 * *out; -EIO when the file cannot be opened or read, reported as "tlssim:
 * cannot open 'FILE': REASON"; -EFBIG when it holds more than max_input
 * bytes, reported as "FILE: error: input larger than ..." (reading stops
 * there: /dev/zero is refused, not read to the end); -ENOMEM when memory
 * ran out (reported); otherwise as scenario_parse.
 */
int scenario_load_file(const char *path, size_t max_input, struct diag *d,
		       struct scenario **out);

/*
 * Open a scenario to run it streaming: the file, or standard input for "-"
 * (named "<stdin>"), of at most max_input bytes (0: the default). Input that
 * cannot be read twice (a pipe, a terminal) is first copied to an unlinked
 * temporary file in $TMPDIR. The whole text is parsed once, every error
 * reported as scenario_parse does, and no command kept: *out has the
 * number of commands, and each name's last use for the run to forget it
 * there; of the processes' names, none. A check that lasts over the
 * progress delay shows its progress on progress when that is a terminal
 * (NULL: never). Returns as scenario_load_file, and -ENOMEM (reported)
 * when the host refuses: no temporary file, or the host's limit on open
 * files (the file stays open until scenario_free, to be read again).
 */
int scenario_open(const char *path, size_t max_input, FILE *progress,
		  struct diag *d, struct scenario **out);

/*
 * scenario_open, and *out's processes hold the process named process
 * (--process) when the scenario declares it: no name else, however many
 * processes the scenario has. process NULL: as scenario_open.
 */
int scenario_open_for(const char *path, size_t max_input, FILE *progress,
		      const char *process, struct diag *d,
		      struct scenario **out);

/* Release a scenario and everything it owns. NULL is a no-op. */
void scenario_free(struct scenario *scn);

/* The command's name as written ("expect tls", "tls-alloc"). */
const char *scn_cmd_name(enum scn_cmd_kind kind);

/* The source line of a command, for messages (not NUL terminated). */
const char *scn_cmd_source(const struct scenario *scn,
			   const struct scn_cmd *cmd, size_t *len);

/*
 * The lexer, used by the parser and by tests. A line is split into tokens:
 * a quoted string (with its quotes) or a bare word (a run of bytes up to
 * whitespace, '"' or '#'). '#' outside a string ends the line.
 */
struct scn_token {
	const char *text;
	size_t len;
	size_t col;			/* 1-based */
	bool quoted;
	bool name;			/* the lexer found a name's bytes
					 * (scn_lex_is_name); false: not
					 * looked at, or not a name */
	bool hashed;			/* hash holds the name's (lines.c) */
	uint32_t hash;
};

struct scn_lex_error {
	size_t col;
	char msg[160];
};

/*
 * Split line[0..len) (no newline) into tokens. Stores at most max tokens in
 * toks, sets *count to the number found (which may exceed max). Returns 1
 * when the line is names and blanks alone (no string, no comment, so no
 * NUL byte either), 0 for any other line, or -1 with *err set (an
 * unterminated string, two tokens without whitespace between them).
 */
int scn_lex_line(const char *line, size_t len, struct scn_token *toks,
		 size_t max, size_t *count, struct scn_lex_error *err);

/*
 * A number: decimal or 0x hex, '_' between two digits, an optional K, M or
 * G suffix (times 1024, 1024^2, 1024^3). Returns 0 and sets *out, or -1
 * with *err set (not a number, misplaced '_', too big for 64 bits).
 */
int scn_lex_number(const struct scn_token *tok, uint64_t *out,
		   struct scn_lex_error *err);

/*
 * Decode a quoted string token (escapes \n \t \\ \" \0 \xHH). Returns 0 and
 * sets *out (malloc'd, NULL for "") and *len, or -1 with *err set (unknown
 * or short escape), or -2 when memory runs out.
 */
int scn_lex_string(const struct scn_token *tok, uint8_t **out, size_t *len,
		   struct scn_lex_error *err);

/*
 * Decode 0xHEX bytes: pairs of hex digits, '_' allowed between digits.
 * Returns 0 and sets *out (malloc'd) and *len, -1 with *err set (no digits,
 * odd digit count, bad digit), or -2 when memory runs out.
 */
int scn_lex_hex_bytes(const struct scn_token *tok, uint8_t **out, size_t *len,
		      struct scn_lex_error *err);

/* Whether s[0..len) is a name: [A-Za-z_][A-Za-z0-9_.-]*. */
bool scn_lex_is_name(const char *s, size_t len);

#endif
