/*
 * cmd_memory.c - the commands about processes and their memory: process,
 * map, unmap, kill, show, the raw TLS manager calls (tls-alloc, tls-free)
 * and inject map-fail. Each command's parsing sits beside its execution.
 */
#include <config.h>

#include "runner.h"
#include "hostmem.h"
#include "policy/policy.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- process P [userland=SIZE] [policy=NAME] ---- */

/* The value of a NAME=VALUE argument as its own token, or false. */
static bool option_value(const struct scn_token *t, const char *name,
			 struct scn_token *value)
{
	size_t n = strlen(name);

	if (t->quoted || t->len <= n || memcmp(t->text, name, n) != 0 ||
	    t->text[n] != '=')
		return false;
	*value = (struct scn_token){ .text = t->text + n + 1,
				     .len = t->len - n - 1,
				     .col = t->col + n + 1 };
	return true;
}

static bool parse_userland(struct parser *p, struct scn_cmd *c,
			   const struct scn_token *num)
{
	if (!arg_number(p, num, &c->size) ||
	    !arg_aligned(p, num, "user land size", c->size))
		return false;
	if (c->size < PAGE_SIZE)
		return perr(p, num->col,
			    "user land size must be at least one page (0x%zx)",
			    PAGE_SIZE);
	if (c->size > SIZE_MAX)
		return perr(p, num->col,
			    "user land size 0x%llx is too big for this host",
			    (unsigned long long)c->size);
	return true;
}

/*
 * policy=NAME of a process: a built-in policy of the table. False after
 * the error (unknown, with a did-you-mean, or not in this build).
 */
static bool parse_policy(struct parser *p, struct scn_cmd *c,
			 const struct scn_token *name)
{
	const char *cands[16], *why;
	char q[64], dym[96], known[160];
	size_t n = 0;

	for (const struct tls_manager_ops *ops;
	     n < ARRAY_SIZE(cands) && (ops = tls_policy_at(n)) != NULL; n++) {
		cands[n] = ops->name;
		if (!name->quoted && strlen(ops->name) == name->len &&
		    memcmp(ops->name, name->text, name->len) == 0) {
			c->policy = ops;
			return true;
		}
	}
	diag_quote(q, sizeof(q), name->text, name->len);
	why = name->quoted ? NULL : tls_policy_unbuilt(q);
	if (why)
		return perr(p, name->col, "policy '%s' is not in this build: %s",
			    q, why);
	tls_policy_names(known, sizeof(known));
	did_you_mean(dym, sizeof(dym), name, cands, n);
	return perr(p, name->col, "unknown policy '%s'%s (expected %s)", q,
		    dym, known);
}

/*
 * process NAME [userland=SIZE] [policy=NAME]: declares the process.
 * False after the error is reported.
 */
static bool parse_process(struct parser *p, struct scn_cmd *c,
			  const struct scn_token *a, size_t n)
{
	bool size_seen = false, policy_seen = false;
	struct scn_token v;
	char q[64];

	if (!arg_declare(p, &p->procs, &a[0], SCN_NONE, &c->process, false))
		return false;
	c->size = PMEM_DEFAULT_USERLAND;
	for (size_t i = 1; i < n; i++) {
		if (!size_seen && option_value(&a[i], "userland", &v)) {
			size_seen = true;
			if (!parse_userland(p, c, &v))
				return false;
		} else if (!policy_seen && option_value(&a[i], "policy", &v)) {
			policy_seen = true;
			if (!parse_policy(p, c, &v))
				return false;
		} else {
			diag_quote(q, sizeof(q), a[i].text, a[i].len);
			return perr(p, a[i].col,
				    "unknown option '%s' for 'process' (expected userland=SIZE or policy=NAME)",
				    q);
		}
	}
	return true;
}

/*
 * Warn on err when the file's policy=NAME for process name overrides the
 * policy the command line chose (--policy, or grade's manager): a file
 * made for one policy must not silently time another.
 */
static void warn_policy_override(const struct runner *r,
				 const struct scn_cmd *c, const char *name)
{
	const struct tls_manager_ops *cli = r->opt->policy;

	if (!c->policy || !cli || c->policy == cli)
		return;
	fflush(r->opt->out);
	fprintf(r->opt->err,
		"%s:%zu: warning: process %s: the file's policy=%s overrides --policy=%s\n",
		r->scn->file_name, c->line, name, c->policy->name, cli->name);
}

static void exec_process(struct runner *r, const struct scn_cmd *c,
			 struct step *s)
{
	const char *name = r->scn->processes[c->process].name;
	const struct tls_manager_ops *policy = c->policy ? c->policy
							 : r->opt->policy;
	int err;

	warn_policy_override(r, c, name);
	err = process_create(r->k, name, (size_t)c->size, policy,
			     &r->procs[c->process]);
	if (err) {
		char hint[HOST_LIMIT_HINT_MAX] = "";

		if (err == -ENOMEM)
			host_limit_hint(hint, sizeof(hint));
		s->o.kind = OUT_HOST;
		snprintf(s->o.message, sizeof(s->o.message),
			 "cannot reserve a user land of 0x%" PRIx64 " bytes for %s: %s%s",
			 c->size, name, strerror(-err), hint);
	}
}

/* ---- map / unmap P OFFSET SIZE ---- */

/*
 * process OFFSET SIZE of map and unmap, both page aligned -- unless the
 * command is expected to fail with a KernelError: then the kernel, not the
 * parser, answers an unaligned value (InvalidAddress, InvalidSize), so that
 * labs can check the original's errors and their order.
 */
static bool region_args(struct parser *p, struct scn_cmd *c,
			const struct scn_token *a)
{
	bool kernel_judges = c->expect.kind == SCN_OUTCOME_ERROR;

	return arg_resolve(p, &p->procs, &a[0], &c->process) &&
	       arg_number(p, &a[1], &c->offset) &&
	       (kernel_judges || arg_aligned(p, &a[1], "offset", c->offset)) &&
	       arg_number(p, &a[2], &c->size) &&
	       (kernel_judges || arg_aligned(p, &a[2], "size", c->size));
}

/*
 * map P OFFSET SIZE [TYPE] [PERMS]: a region of pages, a memory type
 * (Normal by default) and rights (rw). False after the error.
 */
static bool parse_map(struct parser *p, struct scn_cmd *c,
		      const struct scn_token *a, size_t n)
{
	const char *cands[MEM_TYPE_COUNT + ARRAY_SIZE(scn_perms_names)];
	char q[64], dym[96], word[WORD_MAX + 1];

	c->type = MEM_NORMAL;
	c->perms = SCN_PERMS_DEFAULT;
	c->perms_given = true;
	if (!region_args(p, c, a))
		return false;
	if (n == 5)
		return arg_type(p, &a[3], &c->type) &&
		       arg_perms(p, &a[4], &c->perms);
	if (n < 4 || is_perms(&a[3], &c->perms))
		return true;
	if (!a[3].quoted && a[3].len <= WORD_MAX) {
		memcpy(word, a[3].text, a[3].len);
		word[a[3].len] = '\0';
		c->type = memory_type_from_name(word);
		if (c->type != MEM_TYPE_COUNT)
			return true;
	}
	for (int i = 0; i < MEM_TYPE_COUNT; i++)
		cands[i] = memory_type_name((enum memory_type)i);
	for (size_t i = 0; i < ARRAY_SIZE(scn_perms_names); i++)
		cands[MEM_TYPE_COUNT + i] = scn_perms_names[i];
	diag_quote(q, sizeof(q), a[3].text, a[3].len);
	return perr(p, a[3].col,
		    "unknown memory type or permissions '%s'%s", q,
		    did_you_mean(dym, sizeof(dym), &a[3], cands,
				 ARRAY_SIZE(cands)));
}

static void exec_map(struct runner *r, const struct scn_cmd *c,
		     struct step *s)
{
	step_error(s, process_map(r->k, r->procs[c->process], c->offset,
				  c->size, c->type,
				  c->perms | MAR_USER_ACCESSIBLE));
}

static bool parse_unmap(struct parser *p, struct scn_cmd *c,
			const struct scn_token *a, size_t n)
{
	(void)n;
	return region_args(p, c, a);
}

static void exec_unmap(struct runner *r, const struct scn_cmd *c,
		       struct step *s)
{
	step_error(s, process_unmap(r->k, r->procs[c->process], c->offset,
				    c->size));
}

/* ---- kill P, show P ---- */

static bool parse_process_only(struct parser *p, struct scn_cmd *c,
			       const struct scn_token *a, size_t n)
{
	(void)n;
	return arg_resolve(p, &p->procs, &a[0], &c->process);
}

static void exec_kill(struct runner *r, const struct scn_cmd *c,
		      struct step *s)
{
	r->death_how = DEATH_WITH_PROCESS;
	step_error(s, process_kill(r->k, r->procs[c->process]));
}

static void exec_show(struct runner *r, const struct scn_cmd *c,
		      struct step *s)
{
	s->show = r->procs[c->process];
}

/* ---- tls-alloc P [as NAME], tls-free P OFFSET|NAME ---- */

static bool parse_tls_alloc(struct parser *p, struct scn_cmd *c,
			    const struct scn_token *a, size_t n)
{
	char q[64];

	if (!arg_resolve(p, &p->procs, &a[0], &c->process))
		return false;
	if (n == 1)
		return true;
	if (!tok_is(&a[1], "as")) {
		size_t name;

		/* NAME is still declared, in its place (one mistake, one
		 * message: the lines naming it are not reported too) */
		arg_declare(p, &p->regions, &a[2], c->process, &name, true);
		diag_quote(q, sizeof(q), a[1].text, a[1].len);
		return perr(p, a[1].col, "expected 'as NAME', found '%s'", q);
	}
	return arg_declare(p, &p->regions, &a[2], c->process, &c->region,
			   false);
}

static void exec_tls_alloc(struct runner *r, const struct scn_cmd *c,
			   struct step *s)
{
	uint64_t off;
	enum kernel_error err;

	err = process_tls_alloc(r->k, r->procs[c->process], &off);
	step_error(s, err);
	if (err || c->region == SCN_NONE)
		return;
	r->reg[c->region].off = off;
	r->reg[c->region].pid = process_pid(r->procs[c->process]);
	r->reg[c->region].live = true;
	r->reg[c->region].named = true;
}

/*
 * tls-free P REGION|OFFSET: a region named by tls-alloc ... as, or a raw
 * offset (which may be any number: a bad free panics). False after
 * the error.
 */
static bool parse_tls_free(struct parser *p, struct scn_cmd *c,
			   const struct scn_token *a, size_t n)
{
	const struct scn_name *reg;

	(void)n;
	if (!arg_resolve(p, &p->procs, &a[0], &c->process))
		return false;
	if (!a[1].quoted && a[1].len && a[1].text[0] >= '0' &&
	    a[1].text[0] <= '9')
		return arg_number(p, &a[1], &c->offset);
	if (!arg_resolve(p, &p->regions, &a[1], &c->region))
		return false;
	reg = &p->regions.v[c->region];
	if (reg->process != c->process)
		return perr(p, a[1].col,
			    "region '%s' was allocated in process '%s', not '%s'",
			    reg->name, p->procs.v[reg->process].name,
			    p->procs.v[c->process].name);
	return true;
}

static void exec_tls_free(struct runner *r, const struct scn_cmd *c,
			  struct step *s)
{
	uint64_t off = c->offset;

	if (c->region != SCN_NONE) {
		if (!r->reg[c->region].named) {
			/* its tls-alloc failed: there is nothing to free */
			step_error(s, KERR_INVALID_STATE);
			return;
		}
		off = r->reg[c->region].off;
	}
	step_error(s, process_tls_free(r->k, r->procs[c->process], off));
	if (s->o.kind == OUT_DONE && c->region != SCN_NONE)
		r->reg[c->region].live = false;
}

/* ---- inject map-fail N ---- */

static bool parse_inject(struct parser *p, struct scn_cmd *c,
			 const struct scn_token *a, size_t n)
{
	(void)n;
	if (!arg_number(p, &a[0], &c->count))
		return false;
	if (c->count > UINT_MAX)
		return perr(p, a[0].col, "count %llu is too big (at most %u)",
			    (unsigned long long)c->count, UINT_MAX);
	return true;
}

static void exec_inject(struct runner *r, const struct scn_cmd *c,
			struct step *s)
{
	(void)r;
	(void)s;
	kernel_inject_map_fail((unsigned)c->count);
}

const struct scn_command scn_memory_commands[] = {
	{ "process", SCN_PROCESS, false, 1, 3,
	  "process PROCESS [userland=SIZE] [policy=NAME]",
	  parse_process, exec_process },
	{ "map", SCN_MAP, false, 3, 5,
	  "map PROCESS OFFSET SIZE [TYPE] [PERMS]", parse_map, exec_map },
	{ "unmap", SCN_UNMAP, false, 3, 3, "unmap PROCESS OFFSET SIZE",
	  parse_unmap, exec_unmap },
	{ "kill", SCN_KILL, false, 1, 1, "kill PROCESS", parse_process_only,
	  exec_kill },
	{ "show", SCN_SHOW, false, 1, 1, "show PROCESS", parse_process_only,
	  exec_show },
	{ "tls-alloc", SCN_TLS_ALLOC, false, 1, 3,
	  "tls-alloc PROCESS [as NAME]", parse_tls_alloc, exec_tls_alloc },
	{ "tls-free", SCN_TLS_FREE, false, 2, 2,
	  "tls-free PROCESS OFFSET|NAME", parse_tls_free, exec_tls_free },
	{ "inject map-fail", SCN_INJECT_MAP_FAIL, false, 1, 1,
	  "inject map-fail N", parse_inject, exec_inject },
};
const size_t scn_memory_command_count = ARRAY_SIZE(scn_memory_commands);
