/*
 * step_look.c - looking at the kernel between two steps of `tlssim step`,
 * through kernel.h's queries only: a process's map and slots (show, the
 * drawing of `tlssim run`'s show), each CPU's running thread and TLS
 * register (regs), the bytes at an address (peek, read as a debugger
 * reads: no thread runs, nothing changes). Addresses are PROCESS+0xOFF,
 * never the host's.
 */
#include <config.h>

#include "step_int.h"
#include "report/place.h"
#include "report/show.h"

#include <inttypes.h>
#include <string.h>

/*
 * The index of the process named name in the scenario, or SCN_NONE after
 * telling that there is none (cmd names the command).
 */
static size_t process_index(struct stepper *st, const char *cmd,
			    const char *name)
{
	const struct scenario *scn = st->scn;

	for (size_t i = 0; i < scn->process_count; i++)
		if (strcmp(scn->processes[i].name, name) == 0)
			return i;
	step_complain(st, "%s: %s declares no process '%s'", cmd,
		      scn->file_name, name);
	return SCN_NONE;
}

/*
 * The live kernel process of the scenario's index-th, or NULL after
 * saying that it is not created yet.
 */
static struct process *created(struct stepper *st, size_t index)
{
	struct process *p = scn_session_process(st->s, index);
	const struct scn_name *n = &st->scn->processes[index];

	if (!p)
		fprintf(st->out, "%s is not created yet (%s:%" PRIu32 ")\n", n->name,
			st->scn->file_name, n->line);
	return p;
}

/* show P's drawing, with the names of the raw regions. */
static void draw(struct stepper *st, const struct process *p)
{
	struct run_summary sum;
	struct show_options so = { .color = st->opt->color };

	scn_session_summary(st->s, st->pos, &sum);
	so.owner = sum.owner;
	so.owner_ctx = sum.owner_ctx;
	show_process(st->out, scn_session_kernel(st->s), p, &so);
}

int step_show(struct stepper *st, const char *args)
{
	char name[128];
	size_t i, shown = 0;
	struct process *p;

	if (step_word(&args, name, sizeof(name))) {
		if (*args)
			return step_complain(st, "show takes one process, not '%s %s'",
					     name, args);
		i = process_index(st, "show", name);
		if (i == SCN_NONE)
			return -1;
		p = created(st, i);
		if (p)
			draw(st, p);
		return 0;
	}
	for (i = 0; i < st->scn->process_count; i++) {
		p = scn_session_process(st->s, i);
		if (p) {
			draw(st, p);
			shown++;
		}
	}
	if (!shown)
		fputs("no process is created yet\n", st->out);
	return 0;
}

/*
 * addr as people read it into buf: PROCESS+0xOFF (a dead process's land
 * says so), "0" for a register never loaded, or that it is in no land.
 */
static void addr_text(const struct kernel *k, uintptr_t addr, char *buf,
		      size_t size)
{
	if (addr == 0)
		snprintf(buf, size, "0 (never loaded)");
	else if (!place_addr(k, addr, true, buf, size))
		snprintf(buf, size, "outside every user land");
}

/* The live thread whose TLS starts at tls. */
struct tls_search {
	uintptr_t tls;
	const struct thread *t;
};

static void find_tls_owner(void *arg, const struct thread *t)
{
	struct tls_search *ts = arg;

	if (thread_tls(t) == ts->tls)
		ts->t = t;
}

/*
 * Who holds the slot at addr, into buf: a live thread ("w1's TLS"), a raw
 * region's name, or nobody.
 */
static void slot_owner(struct stepper *st, uintptr_t addr, char *buf,
		       size_t size)
{
	const struct kernel *k = scn_session_kernel(st->s);
	const struct process *p = kernel_process_at(k, addr);
	struct tls_search ts = { addr, NULL };
	struct run_summary sum;
	const char *region;

	if (!p) {
		snprintf(buf, size, "no live user land");
		return;
	}
	process_for_each_thread(k, p, find_tls_owner, &ts);
	if (ts.t) {
		snprintf(buf, size, "%s's TLS", thread_name(ts.t));
		return;
	}
	scn_session_summary(st->s, st->pos, &sum);
	region = sum.owner(sum.owner_ctx, p, addr);
	if (region)
		snprintf(buf, size, "the region %s", region);
	else
		snprintf(buf, size, "no live thread's TLS");
}

/* One CPU's line of regs. */
static void cpu_line(struct stepper *st, unsigned cpu)
{
	struct kernel *k = scn_session_kernel(st->s);
	const struct thread *cur;
	uintptr_t reg;
	char where[128], own[128], holder[128];

	kernel_cpu_state(k, cpu, &cur, &reg);
	addr_text(k, reg, where, sizeof(where));
	fprintf(st->out, "cpu%u: ", cpu);
	if (!cur) {
		fprintf(st->out, "idle, register %s%s\n", where,
			reg ? ", as last loaded" : "");
		return;
	}
	if (thread_dead(cur)) {
		fprintf(st->out, "%s (%s, dead), register %s\n", thread_name(cur),
			process_name(thread_process(cur)), where);
		return;
	}
	fprintf(st->out, "%s (%s), register %s: ", thread_name(cur),
		process_name(thread_process(cur)), where);
	if (reg == thread_tls(cur)) {
		fprintf(st->out, "its own TLS\n");
		return;
	}
	addr_text(k, thread_tls(cur), own, sizeof(own));
	slot_owner(st, reg, holder, sizeof(holder));
	fprintf(st->out, "STALE: %s's TLS is %s; the register points at %s\n",
		thread_name(cur), own, holder);
}

int step_regs(struct stepper *st, const char *args)
{
	unsigned n = kernel_cpu_count(scn_session_kernel(st->s));

	if (*args)
		return step_complain(st, "regs takes no argument, not '%s'",
				     args);
	for (unsigned cpu = 0; cpu < n; cpu++)
		cpu_line(st, cpu);
	return 0;
}

/* A number of the scenario language (0x.., _, K/M/G) into *out. */
static bool number_arg(struct stepper *st, const char *text, uint64_t *out)
{
	struct scn_token tok = { .text = text, .len = strlen(text), .col = 1 };
	struct scn_lex_error e;

	if (tok.len && scn_lex_number(&tok, out, &e) == 0)
		return true;
	step_complain(st, "peek: '%s' is not an offset: %s", text,
		      tok.len ? e.msg : "none given");
	return false;
}

/* 8 bytes as peek prints them: a pointer as P+0xOFF, else the word. */
static void value_text(const struct kernel *k, const uint8_t b[8], char *buf,
		       size_t size)
{
	uint64_t v;
	const struct process *p;
	char ascii[11], where[96];

	memcpy(&v, b, sizeof(v));
	if ((uint64_t)(uintptr_t)v == v &&
	    (p = place_addr(k, (uintptr_t)v, false, where, sizeof(where)))) {
		snprintf(buf, size, "%s (a pointer into %s)", where,
			 process_name(p));
		return;
	}
	ascii[0] = '|';
	for (int i = 0; i < 8; i++)
		ascii[i + 1] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
	ascii[9] = '|';
	ascii[10] = '\0';
	snprintf(buf, size, "0x%016" PRIx64 " %s", v, ascii);
}

int step_peek(struct stepper *st, const char *args)
{
	char name[128], off_text[64], value[128], at[PLACE_TEXT];
	uint64_t off;
	uint8_t b[8];
	struct process *p;
	size_t i;
	char *plus;

	step_word(&args, name, sizeof(name));
	plus = strchr(name, '+');
	if (plus) {
		*plus = '\0';
		snprintf(off_text, sizeof(off_text), "%s", plus + 1);
	} else {
		step_word(&args, off_text, sizeof(off_text));
	}
	if (!name[0])
		return step_complain(st, "peek wants PROCESS OFFSET (or PROCESS+OFFSET)");
	if (*args)
		return step_complain(st, "peek takes PROCESS OFFSET, not more ('%s')",
				     args);
	i = process_index(st, "peek", name);
	if (i == SCN_NONE || !number_arg(st, off_text, &off))
		return -1;
	p = created(st, i);
	if (!p)
		return 0;
	place_off(p, off, at, sizeof(at));
	switch (process_debug_read(scn_session_kernel(st->s), p, off, b,
				   sizeof(b))) {
	case KERR_OK:
		value_text(scn_session_kernel(st->s), b, value, sizeof(value));
		fprintf(st->out, "%s = %s\n", at, value);
		return 0;
	case KERR_PROCESS_KILLED:
		fprintf(st->out, "%s is dead: its user land is gone\n", name);
		return 0;
	case KERR_INVALID_ADDRESS:
		if (off > process_userland_size(p) ||
		    sizeof(b) > process_userland_size(p) - off)
			fprintf(st->out, "%s is past %s's user land (0x%zx bytes)\n",
				at, name, process_userland_size(p));
		else
			fprintf(st->out, "%s: not mapped (user code reading it would fault)\n",
				at);
		return 0;
	default:
		return step_complain(st, "peek: the host refused: %s",
				     kernel_host_error());
	}
}
