/*
 * scenario_exec.c - what each scenario command does to the simulated
 * kernel. Commands that act "as T" (write, read, expect read, peek, poke)
 * switch the CPU to T first and then run on T's own stack, reaching its TLS
 * only through the register, as T's user code would.
 */
#include <config.h>

#include "scenario_exec.h"
#include "report/show.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- the runner's lifetime ---- */

static void trace_line_cb(void *ctx, size_t line)
{
	trace_out_set_line(ctx, line);
}

static void free_tables(struct runner *r)
{
	free(r->procs);
	free(r->th);
	free(r->reg);
}

int runner_init(struct runner *r, const struct scenario *scn,
		const struct run_options *opt)
{
	int err;

	memset(r, 0, sizeof(*r));
	kernel_inject_map_fail(0);
	r->scn = scn;
	r->opt = opt;
	r->procs = calloc(scn->process_count + 1, sizeof(*r->procs));
	r->th = calloc(scn->thread_count + 1, sizeof(*r->th));
	r->reg = calloc(scn->region_count + 1, sizeof(*r->reg));
	if (!r->procs || !r->th || !r->reg) {
		fprintf(opt->err, "tlssim: out of memory\n");
		err = RUN_HOST;
		goto out_free;
	}
	err = kernel_init(&r->k, opt->arch, opt->no_tls_restore);
	if (err == -ENOTSUP) {
		fprintf(opt->err, "tlssim: --arch=%s is not available on this host\n",
			arch_backend_name(opt->arch));
		err = RUN_MALFORMED;
		goto out_free;
	}
	if (err) {
		fprintf(opt->err, "tlssim: cannot bring up the simulated CPU: %s\n",
			strerror(-err));
		err = RUN_HOST;
		goto out_free;
	}
	if (opt->trace) {
		trace_out_init(&r->trace, opt->out, opt->trace_format,
			       scn->file_name);
		kernel_set_trace(&r->k, trace_out_event, &r->trace);
		r->trace_line = trace_line_cb;
		r->trace_ctx = &r->trace;
	}
	return 0;

out_free:
	free_tables(r);
	return err;
}

void runner_fini(struct runner *r)
{
	kernel_set_trace(&r->k, NULL, NULL);	/* the teardown is not traced */
	kernel_fini(&r->k);
	free_tables(r);
}

/* ---- small helpers ---- */

void set_error(struct outcome *o, enum kernel_error err)
{
	if (err == KERR_OK)
		return;
	if (err == KERR_HOST_REFUSED) {
		/* the simulator's own limit, never the simulated kernel's */
		o->kind = OUT_HOST;
		snprintf(o->message, sizeof(o->message), "%s",
			 kernel_host_error());
		return;
	}
	o->kind = OUT_ERROR;
	o->err = err;
}

void record_deaths(struct runner *r, const struct scn_cmd *c, const char *how)
{
	for (size_t i = 0; i < r->scn->thread_count; i++) {
		struct thread *t = r->th[i].t;

		if (t && t->state == THREAD_DEAD && !r->th[i].death_how) {
			r->th[i].death_how = how;
			r->th[i].death_line = c->line;
		}
	}
}

/* "t1 exited at line 7", for a command on a dead thread. */
static void note_death(const struct runner *r, size_t i, struct outcome *o)
{
	snprintf(o->message, sizeof(o->message), "%s %s at line %zu",
		 r->scn->threads[i].name,
		 r->th[i].death_how ? r->th[i].death_how : "is dead",
		 r->th[i].death_line);
}

/* ---- the commands ---- */

static void exec_process(struct runner *r, const struct scn_cmd *c,
			 struct outcome *o)
{
	const char *name = r->scn->processes[c->process].name;
	int err = process_create(&r->k, name, (size_t)c->size, NULL,
				 &r->procs[c->process]);

	if (err) {
		o->kind = OUT_HOST;
		snprintf(o->message, sizeof(o->message),
			 "cannot reserve a user land of 0x%" PRIx64 " bytes for %s: %s",
			 c->size, name, strerror(-err));
	}
}

static void exec_spawn(struct runner *r, const struct scn_cmd *c,
		       struct outcome *o)
{
	const char *name = r->scn->threads[c->thread].name;

	set_error(o, thread_create(&r->k, r->procs[c->process], name, NULL,
				   NULL, &r->th[c->thread].t));
}

/* The region a tls-free names: by region name or by offset. */
static uint64_t region_offset(struct runner *r, const struct scn_cmd *c)
{
	if (c->region == SCN_NONE)
		return c->offset;
	return r->reg[c->region].off;
}

static void exec_tls_alloc(struct runner *r, const struct scn_cmd *c,
			   struct outcome *o)
{
	uint64_t off;
	enum kernel_error err;

	err = process_tls_alloc(&r->k, r->procs[c->process], &off);
	set_error(o, err);
	if (err || c->region == SCN_NONE)
		return;
	r->reg[c->region].off = off;
	r->reg[c->region].live = true;
	r->reg[c->region].named = true;
}

static void exec_tls_free(struct runner *r, const struct scn_cmd *c,
			  struct outcome *o)
{
	if (c->region != SCN_NONE && !r->reg[c->region].named) {
		/* its tls-alloc failed: there is nothing to free */
		set_error(o, KERR_INVALID_STATE);
		return;
	}
	set_error(o, process_tls_free(&r->k, r->procs[c->process],
				      region_offset(r, c)));
	if (o->kind == OUT_DONE && c->region != SCN_NONE)
		r->reg[c->region].live = false;
}

/* Owner names of raw regions, for show. */
static const char *region_owner(void *ctx, const struct process *p,
				uintptr_t tls)
{
	struct runner *r = ctx;

	for (size_t i = 0; i < r->scn->region_count; i++)
		if (r->reg[i].live && r->procs[r->scn->regions[i].process] == p &&
		    p->userland_start + r->reg[i].off == tls)
			return r->scn->regions[i].name;
	return NULL;
}

static void exec_show(struct runner *r, const struct scn_cmd *c)
{
	struct show_options so = {
		.color = r->opt->color, .owner = region_owner, .owner_ctx = r,
	};

	if (r->opt->quiet)	/* --quiet prints failures only, as for read */
		return;
	show_process(r->opt->out, &r->k, r->procs[c->process], &so);
}

static void exec_expect_state(struct runner *r, const struct scn_cmd *c)
{
	struct process *p = c->process != SCN_NONE ? r->procs[c->process] : NULL;
	struct thread *t = c->thread != SCN_NONE ? r->th[c->thread].t : NULL;
	struct tlsm_stats st;
	struct mapping m;
	bool mapped;
	uint64_t got;
	char want[64], seen[64], rights[4];

	r->expectations++;
	switch (c->kind) {
	case SCN_EXPECT_TLS:
		if (t->tls_offset != c->offset)
			runner_fail(r, c, "expectation failed: expected %s's TLS at %s+0x%" PRIx64 ", got %s+0x%" PRIx64,
				    t->name, t->proc->name, c->offset,
				    t->proc->name, t->tls_offset);
		return;
	case SCN_EXPECT_PAGES:
	case SCN_EXPECT_USED:
		process_tls_stats(p, &st);
		got = c->kind == SCN_EXPECT_PAGES ? st.pages : st.used;
		if (got != c->count)
			runner_fail(r, c, "expectation failed: expected %" PRIu64 " TLS %s in %s, got %" PRIu64,
				    c->count, c->kind == SCN_EXPECT_PAGES ?
				    "pages" : "slots used", p->name, got);
		return;
	default:
		break;
	}
	/* expect map */
	mapped = process_mapping_at(p, c->offset, &m);
	snprintf(want, sizeof(want), "%s", memory_type_name(c->type));
	if (c->perms_given)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 " %s", mapping_rights_text(c->perms, rights));
	if (!mapped)
		snprintf(seen, sizeof(seen), "Unmapped");
	else
		snprintf(seen, sizeof(seen), "%s %s", memory_type_name(m.type),
			 mapping_rights_text(m.rights, rights));
	if (!mapped ? c->type != MEM_UNMAPPED :
	    m.type != c->type ||
	    (c->perms_given && (m.rights & 7u) != c->perms))
		runner_fail(r, c, "expectation failed: expected the mapping at %s+0x%" PRIx64 " to be %s, got %s",
			    p->name, c->offset, want, seen);
}

void exec_command(struct runner *r, const struct scn_cmd *c,
		  struct outcome *o)
{
	r->cmd = c;
	struct process *p = c->process != SCN_NONE ? r->procs[c->process] : NULL;
	struct thread *t = c->thread != SCN_NONE ? r->th[c->thread].t : NULL;

	/* A thread whose spawn failed does not exist: InvalidState. */
	if (c->thread != SCN_NONE && !t && c->kind != SCN_SPAWN) {
		set_error(o, KERR_INVALID_STATE);
		snprintf(o->message, sizeof(o->message),
			 "%s was never created", r->scn->threads[c->thread].name);
		return;
	}
	/* A dead thread does nothing (but its TLS offset stays known). */
	if (t && t->state == THREAD_DEAD && c->kind != SCN_EXPECT_TLS) {
		set_error(o, KERR_INVALID_STATE);
		note_death(r, c->thread, o);
		return;
	}
	switch (c->kind) {
	case SCN_PROCESS:
		exec_process(r, c, o);
		break;
	case SCN_MAP:
		set_error(o, process_map(&r->k, p, c->offset, c->size, c->type,
					 c->perms | MAR_USER_ACCESSIBLE));
		break;
	case SCN_UNMAP:
		set_error(o, process_unmap(&r->k, p, c->offset, c->size));
		break;
	case SCN_SPAWN:
		exec_spawn(r, c, o);
		break;
	case SCN_EXIT:
		set_error(o, thread_exit(&r->k, t));
		record_deaths(r, c, "exited");
		break;
	case SCN_KILL:
		set_error(o, process_kill(&r->k, p));
		record_deaths(r, c, "died with its process");
		break;
	case SCN_SWITCH:
		set_error(o, sched_switch_to(&r->k, t));
		break;
	case SCN_WRITE:
	case SCN_READ:
		exec_rw(r, c, o, false);
		break;
	case SCN_EXPECT_READ:
		exec_rw(r, c, o, true);
		break;
	case SCN_TLS_ALLOC:
		exec_tls_alloc(r, c, o);
		break;
	case SCN_TLS_FREE:
		exec_tls_free(r, c, o);
		break;
	case SCN_SHOW:
		exec_show(r, c);
		break;
	case SCN_EXPECT_TLS:
	case SCN_EXPECT_PAGES:
	case SCN_EXPECT_USED:
	case SCN_EXPECT_MAP:
		exec_expect_state(r, c);
		break;
	case SCN_PEEK:
	case SCN_POKE:
		exec_peek_poke(r, c, o);
		break;
	case SCN_INJECT_MAP_FAIL:
		kernel_inject_map_fail((unsigned)c->count);
		break;
	case SCN_CMD_COUNT:
		break;
	}
}

