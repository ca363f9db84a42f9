/*
 * scenario_int.h - what the parser's two halves share: the parser state,
 * error reporting and name tables (scenario_parse.c), and the argument and
 * command handlers (scenario_args.c). Not for use outside the parser.
 */
#ifndef TLSSIM_SCENARIO_INT_H
#define TLSSIM_SCENARIO_INT_H

#include "scenario.h"

/* A table of declared names with a hash index for O(1) lookups. */
struct name_table {
	const char *what;		/* "process", "thread", "region" */
	struct scn_name *v;
	size_t n;
	size_t cap;
	size_t *slots;			/* index + 1; 0 is empty */
	size_t slot_cap;
};

struct parser {
	const char *file;
	struct diag *d;
	struct scenario *scn;
	size_t errors;
	bool stop;			/* too many errors */
	bool oom;
	/* The line being parsed. */
	const char *line;
	size_t line_len;
	size_t lineno;
	size_t cmd_cap;
	struct name_table procs;
	struct name_table threads;
	struct name_table regions;
};

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

/*
 * Add a name; returns its index, or SCN_NONE when memory ran out (then
 * p->oom is set).
 */
size_t name_add(struct parser *p, struct name_table *t,
		const struct scn_token *tok, size_t process);

/* Handler for one command: fills cmd from its n arguments. */
typedef bool (*cmd_handler)(struct parser *p, struct scn_cmd *cmd,
			    const struct scn_token *a, size_t n);

bool h_process(struct parser *p, struct scn_cmd *c,
	       const struct scn_token *a, size_t n);
bool h_map(struct parser *p, struct scn_cmd *c,
	   const struct scn_token *a, size_t n);
bool h_unmap(struct parser *p, struct scn_cmd *c,
	     const struct scn_token *a, size_t n);
bool h_spawn(struct parser *p, struct scn_cmd *c,
	     const struct scn_token *a, size_t n);
bool h_thread_only(struct parser *p, struct scn_cmd *c,
		   const struct scn_token *a, size_t n);
bool h_process_only(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n);
bool h_write(struct parser *p, struct scn_cmd *c,
	     const struct scn_token *a, size_t n);
bool h_read(struct parser *p, struct scn_cmd *c,
	    const struct scn_token *a, size_t n);
bool h_tls_alloc(struct parser *p, struct scn_cmd *c,
		 const struct scn_token *a, size_t n);
bool h_tls_free(struct parser *p, struct scn_cmd *c,
		const struct scn_token *a, size_t n);
bool h_expect_tls(struct parser *p, struct scn_cmd *c,
		  const struct scn_token *a, size_t n);
bool h_expect_count(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n);
bool h_expect_read(struct parser *p, struct scn_cmd *c,
		   const struct scn_token *a, size_t n);
bool h_expect_map(struct parser *p, struct scn_cmd *c,
		  const struct scn_token *a, size_t n);
bool h_peek(struct parser *p, struct scn_cmd *c,
	    const struct scn_token *a, size_t n);
bool h_poke(struct parser *p, struct scn_cmd *c,
	    const struct scn_token *a, size_t n);
bool h_inject(struct parser *p, struct scn_cmd *c,
	      const struct scn_token *a, size_t n);
bool h_expect_panic(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n);
bool h_expect_error(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n);
bool h_expect_fault(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n);

#endif
