/*
 * quiz_answer.c - the answers of `tlssim quiz` as text, and why the
 * kernel gave them, in the words of the policy's rule; and the lines of
 * the header that name the policies and the rules of the operations.
 *
 * Every answer and every reason is built from what the kernel model did
 * (quiz_gen.c and quiz_run.c note it as the problem runs): the offset a
 * spawn got and the pages before it, whether an exit's page is still
 * mapped, what the register held, the bytes a spy read. The policy's
 * rule only names what happened; where the kernel did something the rule
 * does not say, the reason says what the policy chose instead.
 */
#include <config.h>

#include "quiz_text.h"
#include "policy/policy.h"
#include "report/place.h"

#include <inttypes.h>
#include <string.h>

const char *const quiz_type_names[QT_COUNT] = {
	"land", "pages", "unmap", "register", "spy", "leak", "mix",
};

bool quiz_asks(const struct quiz_cfg *cfg, enum quiz_op_kind k)
{
	bool mix = cfg->type == QT_MIX;

	switch (k) {
	case QOP_SPAWN:
		return mix || cfg->type == QT_LAND;
	case QOP_EXIT:
		return mix || cfg->type == QT_UNMAP;
	case QOP_SWITCH:
		return mix || cfg->type == QT_REGISTER;
	case QOP_SPY:
		return mix || cfg->type == QT_SPY;
	default:
		return false;
	}
}

bool quiz_asks_pages(const struct quiz_cfg *cfg)
{
	return cfg->type == QT_PAGES || cfg->type == QT_MIX;
}

bool quiz_asks_leak(const struct quiz_cfg *cfg)
{
	return cfg->type == QT_LEAK || cfg->type == QT_MIX;
}

void quiz_wrap(FILE *out, const char *prefix, const char *text)
{
	size_t col = 0;

	while (*text) {
		size_t word = strcspn(text, " ");

		if (col && col + 1 + word > QUIZ_WRAP) {
			fputc('\n', out);
			col = 0;
		}
		if (col == 0) {
			fputs(prefix, out);
			col = strlen(prefix);
		} else {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, word, out);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	if (col)
		fputc('\n', out);
}

/*
 * Each policy of the problem and its rule; with mixed policies, which
 * process runs which. Returns nothing.
 */
void quiz_print_policies(FILE *out, const struct quiz *q, const char *prefix)
{
	const struct tls_manager_ops *seen[QUIZ_MAX_NAMES];
	unsigned nseen = 0;
	char text[512];

	for (unsigned i = 0; i < q->nprocs; i++) {
		const struct tls_manager_ops *pol = quiz_policy_of(q, i);
		size_t n = 0;
		bool dup = false;

		for (unsigned j = 0; j < nseen; j++)
			dup = dup || seen[j] == pol;
		if (dup)
			continue;
		seen[nseen++] = pol;
		n = (size_t)snprintf(text, sizeof(text), "Policy %s", pol->name);
		if (q->par.mixed) {
			for (unsigned j = i, first = 1; j < q->nprocs && n < sizeof(text); j++)
				if (quiz_policy_of(q, j) == pol) {
					n += (size_t)snprintf(text + n, sizeof(text) - n,
							      "%s%s", first ? " (process " : ", ",
							      q->procs[j].name);
					first = 0;
				}
			if (n < sizeof(text))
				n += (size_t)snprintf(text + n, sizeof(text) - n, ")");
		}
		if (n < sizeof(text))
			snprintf(text + n, sizeof(text) - n, ": %s.", pol->summary);
		quiz_wrap(out, prefix, text);
	}
}

/* What the type's operations do, beyond spawns and exits. */
void quiz_print_rules(FILE *out, const struct quiz_cfg *cfg,
		      const char *prefix)
{
	if (cfg->par.switches)
		quiz_wrap(out, prefix, cfg->par.no_tls_restore ?
			  "`switch T` schedules thread T, then T reads its ptr_self through the TLS register. This kernel runs with --no-tls-restore: only the first switch loads the register." :
			  "`switch T` schedules thread T, which loads T's TLS address into the register, then T reads its ptr_self through it.");
	if (cfg->par.spies)
		quiz_wrap(out, prefix, "`write T ipc` stores a secret in T's IPC buffer (at tls+0x10); `read T tls+OFF 8` reads 8 bytes at OFF past T's region, another region of the same page or the next. A thread's region is wiped when the thread first runs. (On i386, where the CPU enforces the segment limit, such a read faults: there run the scenario with --arch=mock.)");
}

/* How a policy picks a page with a free slot. */
enum page_rule { RULE_ORDER, RULE_LOWEST, RULE_OTHER };

/* The rule of policy ops (by what its summary promises). */
static enum page_rule rule_of(const struct tls_manager_ops *ops)
{
	if (strcmp(ops->name, "mesosphere") == 0)
		return RULE_LOWEST;
	if (strcmp(ops->name, "sunrise") == 0 ||
	    strcmp(ops->name, "indexed") == 0 ||
	    strcmp(ops->name, "seed") == 0)
		return RULE_ORDER;
	return RULE_OTHER;
}

/* The thread op's register or spy reached then, or NULL: a free slot. */
static const struct quiz_thread *holder(const struct quiz *q,
					const struct quiz_op *op)
{
	return op->holder < 0 ? NULL : &q->threads[op->holder];
}

/*
 * bytes as the scenario language writes them: a quoted string, with
 * \xHH for what is not printable. Returns buf.
 */
static const char *bytes_text(const uint8_t *bytes, size_t n, char *buf,
			      size_t size)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, size - o, "\"");
	for (size_t i = 0; i < n && o < size; i++)
		if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"' &&
		    bytes[i] != '\\')
			o += (size_t)snprintf(buf + o, size - o, "%c", bytes[i]);
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
					      bytes[i]);
	if (o < size)
		snprintf(buf + o, size - o, "\"");
	return buf;
}

/* Whether all n bytes are zero. */
static bool all_zero(const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bytes[i])
			return false;
	return true;
}

/* The last secret written to region slot of process proc, or NULL. */
static const struct quiz_secret *last_secret(const struct quiz *q,
					     unsigned proc, uint64_t slot,
					     size_t before_op)
{
	const struct quiz_secret *found = NULL;
	size_t n = 0;

	/* secrets are noted in op order: count those before the op */
	for (size_t i = 0; i < before_op; i++)
		n += q->ops[i].kind == QOP_SECRET && !q->ops[i].faulted;
	for (size_t i = 0; i < n && i < q->nsecrets; i++)
		if (q->secrets[i].proc == proc && q->secrets[i].slot == slot)
			found = &q->secrets[i];
	return found;
}

const char *quiz_answer_text(const struct quiz_cfg *cfg, const struct quiz *q,
			     const struct quiz_op *op, char *buf, size_t size)
{
	bool c = cfg->compute, ask = quiz_asks(cfg, op->kind);
	const struct quiz_thread *qt = &q->threads[op->thread];
	const struct quiz_thread *h;
	char bytes[64], at[PLACE_TEXT];

	buf[0] = '\0';
	if (!c && ask && op->kind == QOP_SPAWN)
		snprintf(buf, size, "-> TLS at ?");
	else if (!c && ask && op->kind == QOP_EXIT)
		snprintf(buf, size, "-> unmaps ?");
	else if (!c && ask && op->kind == QOP_SWITCH)
		snprintf(buf, size, "-> reg = ?");
	else if (!c && ask && op->kind == QOP_SPY)
		snprintf(buf, size, "-> reads ?");
	else if (!c)
		;
	else if (op->kind == QOP_SPAWN && op->err)
		snprintf(buf, size, "-> no TLS: %s (no free page left)",
			 kernel_error_name(op->err));
	else if (op->kind == QOP_SPAWN)
		snprintf(buf, size, "-> TLS at 0x%" PRIx64 "%s", op->tls,
			 op->pages_after > op->pages_before ?
			 "  (a new TLS page)" : "");
	else if (op->kind == QOP_EXIT && op->unmapped)
		snprintf(buf, size, "-> its TLS page is unmapped (0x%" PRIx64 ")",
			 op->page);
	else if (op->kind == QOP_EXIT && ask)
		snprintf(buf, size, "-> nothing unmapped");
	else if (op->kind == QOP_SWITCH) {
		h = holder(q, op);
		place_named(q->procs[op->reg_proc].name, op->reg_offset, at,
			    sizeof(at));
		snprintf(buf, size, "-> %sreg = %s (%s%s)",
			 op->faulted ? "fault: " : "", at,
			 h == qt ? "its own region" : h ? h->name : "a free slot",
			 h && h != qt ? "'s region" : "");
	} else if ((op->kind == QOP_SPY || op->kind == QOP_SECRET) &&
		   op->faulted)
		snprintf(buf, size, "-> fault (%s dies)", qt->name);
	else if (op->kind == QOP_SPY)
		snprintf(buf, size, "-> reads %s",
			 bytes_text(op->bytes, QUIZ_SECRET_LEN, bytes,
				    sizeof(bytes)));
	return buf;
}

/* Why a spawn landed where it did, into buf. Returns buf. */
static const char *why_spawn(const struct quiz *q, const struct quiz_op *op,
			     char *buf, size_t size)
{
	const struct tls_manager_ops *pol = quiz_policy_of(q, op->proc);
	enum page_rule rule = rule_of(pol);
	uint64_t want = rule == RULE_LOWEST ? op->lowest_room : op->first_room;
	size_t n;

	if (op->err) {
		snprintf(buf, size, "why: every TLS page is full and no page of the user land is free, so %s cannot map one.",
			 pol->name);
		return buf;
	}
	if (op->pages_after > op->pages_before) {
		snprintf(buf, size, "why: %s%zu TLS page%s, %zu slot%s used): %s maps a new page at the first free range of the user land, 0x%" PRIx64 " (first fit); its first slot.",
			 op->pages_before ? "no page has a free slot (" : "no TLS page yet (",
			 op->pages_before, op->pages_before == 1 ? "" : "s",
			 op->used_before, op->used_before == 1 ? "" : "s",
			 pol->name, op->page);
		/* "no TLS page yet (0 TLS pages, ...": say it once */
		if (!op->pages_before)
			snprintf(buf, size, "why: no TLS page yet: %s maps a new page at the first free range of the user land, 0x%" PRIx64 " (first fit); its first slot.",
				 pol->name, op->page);
		return buf;
	}
	if (rule != RULE_OTHER && op->has_room && want == op->page)
		n = (size_t)snprintf(buf, size, "why: %s takes %s: 0x%" PRIx64 "%s",
				     pol->name, rule == RULE_LOWEST ?
				     "the lowest-address page with a free slot" :
				     "the first page with a free slot, in the order the pages were made",
				     op->page,
				     rule == RULE_ORDER && op->lowest_room != op->page ?
				     " (not the lowest one with room)" : "");
	else
		n = (size_t)snprintf(buf, size, "why: %s chose page 0x%" PRIx64 " (the first page with room in its order is 0x%" PRIx64 ", the lowest 0x%" PRIx64 ")",
				     pol->name, op->page, op->first_room,
				     op->lowest_room);
	if (n < size)
		snprintf(buf + n, size - n, "; %s slot there, 0x%" PRIx64 ".",
			 op->lower_free ? "not its first free" : "its first free",
			 op->tls);
	return buf;
}

/* Why an exit did or did not unmap its page, into buf. Returns buf. */
static const char *why_exit(const struct quiz *q, const struct quiz_op *op,
			    char *buf, size_t size)
{
	const struct tls_manager_ops *pol = quiz_policy_of(q, op->proc);
	const char *name = q->threads[op->thread].name;

	if (op->unmapped)
		snprintf(buf, size, "why: %s was the last thread on page 0x%" PRIx64 ": %s unmaps the emptied page.",
			 name, op->page, pol->name);
	else if (op->left_on_page == 0)
		snprintf(buf, size, "why: %s was the last thread on page 0x%" PRIx64 ", but %s keeps an emptied page mapped.",
			 name, op->page, pol->name);
	else
		snprintf(buf, size, "why: page 0x%" PRIx64 " still holds %zu thread%s: nothing to unmap.",
			 op->page, op->left_on_page,
			 op->left_on_page == 1 ? "" : "s");
	return buf;
}

/* Whether no thread ran before op (a switch, a secret, a spy run one). */
static bool first_run(const struct quiz *q, const struct quiz_op *op)
{
	for (const struct quiz_op *o = q->ops; o < op; o++)
		if (o->kind == QOP_SWITCH || o->kind == QOP_SECRET ||
		    o->kind == QOP_SPY)
			return false;
	return true;
}

/* Why the register held what it did after a switch, into buf. */
static const char *why_switch(const struct quiz_cfg *cfg,
			      const struct quiz *q, const struct quiz_op *op,
			      char *buf, size_t size)
{
	const char *name = q->threads[op->thread].name;
	const char *reg = q->procs[op->reg_proc].name;
	char at[PLACE_TEXT];
	size_t n;

	if (!cfg->par.no_tls_restore)
		n = (size_t)snprintf(buf, size, "why: the switch loads %s's TLS address into the register.",
				     name);
	else if (first_run(q, op))
		n = (size_t)snprintf(buf, size, "why: the first thread to run on the CPU loads the register, even with --no-tls-restore, which stops only the later loads.");
	else
		n = (size_t)snprintf(buf, size, "why: with --no-tls-restore this switch does not load the register: it still holds %s, loaded when the first thread ran.",
				     place_named(reg, op->reg_offset, at,
						 sizeof(at)));
	if (op->faulted && n < size)
		snprintf(buf + n, size - n, " %s reads through it outside what it may reach (%s's land or an unmapped page): a fault, and %s dies.",
			 name, reg, name);
	return buf;
}

/* Why a spy read what it did, into buf. Returns buf. */
static const char *why_spy(const struct quiz *q, const struct quiz_op *op,
			   size_t index, char *buf, size_t size)
{
	const struct quiz_secret *s = last_secret(q, op->proc, op->slot, index);
	const struct quiz_thread *h = holder(q, op);
	const char *spy = q->threads[op->thread].name;
	const char *who = s ? q->threads[s->thread].name : NULL;
	char at[PLACE_TEXT];
	size_t n;

	n = (size_t)snprintf(buf, size, "why: tls+0x%" PRIx64 " is the ipc of the region at %s%s%s",
			     op->offset,
			     place_named(q->procs[op->proc].name, op->slot, at,
					 sizeof(at)),
			     h ? ", now " : "", h ? h->name : "");
	if (n >= size)
		return buf;
	if (op->faulted)
		snprintf(buf + n, size - n, "; that page is not mapped (or not %s's): a fault.",
			 spy);
	else if (s && h && h == &q->threads[s->thread] &&
		 memcmp(s->bytes, op->bytes, QUIZ_SECRET_LEN) == 0)
		snprintf(buf + n, size - n, "; %s is alive and wrote its secret there: a thread reads its neighbours' regions freely.",
			 who);
	else if (s && memcmp(s->bytes, op->bytes, QUIZ_SECRET_LEN) == 0)
		snprintf(buf + n, size - n, "; %s wrote its secret there and no new owner has run there since: a freed slot keeps its bytes.",
			 who);
	else if (s && all_zero(op->bytes, QUIZ_SECRET_LEN))
		snprintf(buf + n, size - n, "; %s wrote its secret there, but a new owner's first run wiped the region.",
			 who);
	else if (all_zero(op->bytes, QUIZ_SECRET_LEN))
		snprintf(buf + n, size - n, "; no secret was ever written there: zeros.");
	else
		snprintf(buf + n, size - n, "; the bytes its owner left there.");
	return buf;
}

const char *quiz_why_text(const struct quiz_cfg *cfg, const struct quiz *q,
			  const struct quiz_op *op, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!cfg->compute || !quiz_asks(cfg, op->kind))
		return buf;
	switch (op->kind) {
	case QOP_SPAWN:
		return why_spawn(q, op, buf, size);
	case QOP_EXIT:
		return why_exit(q, op, buf, size);
	case QOP_SWITCH:
		return why_switch(cfg, q, op, buf, size);
	case QOP_SPY:
		return why_spy(q, op, (size_t)(op - q->ops), buf, size);
	default:
		return buf;
	}
}

/* Pages mapped in all of a process's user land (add to the total). */
static void count_mapped(void *arg, const struct mapping *m)
{
	size_t *pages = arg;

	*pages += (m->length + PAGE_SIZE - 1) / PAGE_SIZE;
}

void quiz_print_end(FILE *out, const struct quiz_cfg *cfg,
		    const struct quiz *q)
{
	char text[400];

	if (!quiz_asks_pages(cfg) && !quiz_asks_leak(cfg))
		return;
	if (!cfg->compute) {
		if (quiz_asks_pages(cfg))
			quiz_wrap(out, "", "At the end, how many TLS pages does each live process hold, and how many pages of its user land are mapped in all?");
		if (quiz_asks_leak(cfg))
			quiz_wrap(out, "", "At the end, how many bytes of its TLS pages does each live process keep mapped for no live thread?");
		fputc('\n', out);
		return;
	}
	for (unsigned i = 0; i < q->nprocs; i++) {
		const struct process *p = quiz_process(q, i);
		const struct tls_manager_ops *pol = quiz_policy_of(q, i);
		struct tlsm_stats st;
		size_t mapped = 0, made = 0, gone = 0, kept;

		if (!quiz_proc_alive(q, i))
			continue;
		process_tls_stats(p, &st);
		process_for_each_mapping(p, count_mapped, &mapped);
		for (size_t j = 0; j < q->nops; j++) {
			const struct quiz_op *op = &q->ops[j];

			if (op->proc != i)
				continue;
			made += op->kind == QOP_SPAWN &&
				op->pages_after > op->pages_before;
			gone += op->kind == QOP_EXIT && op->unmapped;
		}
		kept = st.pages * TLSM_PAGE_SIZE - st.used * TLS_SIZE;
		if (quiz_asks_pages(cfg)) {
			snprintf(text, sizeof(text), "%s: %zu TLS page%s, %zu page%s mapped in all. why: spawns mapped %zu new TLS page%s, exits unmapped %zu (%s), and %zu page%s %s other memory.",
				 q->procs[i].name, st.pages,
				 st.pages == 1 ? "" : "s", mapped,
				 mapped == 1 ? "" : "s", made,
				 made == 1 ? "" : "s", gone, pol->name,
				 mapped - st.pages, mapped - st.pages == 1 ? "" : "s",
				 mapped - st.pages == 1 ? "is" : "are");
			quiz_wrap(out, "", text);
		}
		if (quiz_asks_leak(cfg)) {
			snprintf(text, sizeof(text), "%s: 0x%zx bytes kept for no thread. why: %zu TLS page%s of 0x%zx bytes is 0x%zx; %zu live thread%s use%s 0x%zx bytes each, 0x%zx; %s keeps the rest mapped.",
				 q->procs[i].name, kept, st.pages,
				 st.pages == 1 ? "" : "s", TLSM_PAGE_SIZE,
				 st.pages * TLSM_PAGE_SIZE, st.used,
				 st.used == 1 ? "" : "s",
				 st.used == 1 ? "s" : "", TLS_SIZE,
				 st.used * TLS_SIZE, pol->name);
			quiz_wrap(out, "", text);
		}
	}
	fputc('\n', out);
}
