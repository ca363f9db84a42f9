/*
 * render_change.c - what changed between two pages of a flip-book: a
 * digest of what a page shows (so that steps that change nothing are
 * listed on the page before them rather than given a page of their own),
 * the marks of a panel (new pages and slots, freed slots, unmapped
 * pages, the registers), the same told in lines for people, and the IPC
 * buffers the scenario wrote, as the simulated memory holds them.
 *
 * The state a page showed is kept as a snapshot of its own (struct snap):
 * the views borrow from the kernel, which changes at the next step.
 */
#include <config.h>

#include "escape.h"
#include "place.h"
#include "render_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FNV_SEED	0xcbf29ce484222325ull
#define FNV_PRIME	0x100000001b3ull
#define IPC_SHOWN	32	/* bytes of an IPC buffer a page shows */
#define CPU_LINES	8	/* CPUs told about on a page */

/* n bytes of p into the digest h. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

/* A number into the digest h. */
static uint64_t mix_u(uint64_t h, uint64_t v)
{
	return mix(h, &v, sizeof(v));
}

/* The digest of v's mappings. */
static uint64_t maps_hash(const struct process_view *v)
{
	uint64_t h = FNV_SEED;

	for (size_t i = 0; i < v->map_count; i++) {
		h = mix_u(h, v->maps[i].start);
		h = mix_u(h, v->maps[i].length);
		h = mix_u(h, (uint64_t)v->maps[i].type);
		h = mix_u(h, v->maps[i].rights);
	}
	return h;
}

uint64_t change_digest(const struct scene *sc, const struct kernel *k,
		       uint64_t ipc_gen)
{
	uint64_t h = mix_u(FNV_SEED, ipc_gen);
	/* the front's query takes the kernel to lock it; it only reads */
	struct kernel *kk = (struct kernel *)k;

	for (size_t i = 0; i < sc->built; i++) {
		const struct process_view *v = &sc->views[i];

		h = mix_u(h, (uintptr_t)v->p);
		h = mix_u(h, v->dead);
		h = mix_u(h, maps_hash(v));
		for (size_t j = 0; j < v->page_count; j++) {
			h = mix_u(h, v->pages[j].addr);
			h = mix_u(h, v->pages[j].used);
		}
		for (size_t j = 0; j < v->owner_count; j++) {
			h = mix_u(h, v->owners[j].tls);
			h = mix(h, v->owners[j].name, strlen(v->owners[j].name));
		}
	}
	for (unsigned c = 0; c < kernel_cpu_count(k); c++) {
		const struct thread *cur;
		uintptr_t reg;

		kernel_cpu_state(kk, c, &cur, &reg);
		h = mix_u(h, (uintptr_t)cur);
		h = mix_u(h, reg);
	}
	return h;
}

/* The snapshot of process p in sn, or NULL. */
static const struct snap_proc *snap_find(const struct snap *sn,
					 const struct process *p)
{
	for (size_t i = 0; i < sn->count; i++)
		if (sn->procs[i].p == p)
			return &sn->procs[i];
	return NULL;
}

/* The view of sc whose land holds addr, or NULL. */
static const struct process_view *view_at(const struct scene *sc,
					  uintptr_t addr)
{
	for (size_t i = 0; i < sc->built; i++)
		if (process_holds(sc->views[i].p, addr))
			return &sc->views[i];
	return NULL;
}

/* What CPU c holds, as a picture's register; false when it runs nothing. */
static bool cpu_reg(const struct kernel *k, unsigned c, struct picture_reg *r)
{
	const struct thread *cur;
	uintptr_t reg;

	kernel_cpu_state((struct kernel *)k, c, &cur, &reg);
	if (!cur)
		return false;
	*r = (struct picture_reg){
		.cpu = c, .thread = thread_name(cur), .reg = reg,
		.stale = !thread_dead(cur) && reg != thread_tls(cur),
	};
	return true;
}

size_t change_marks(const struct scene *sc, const struct snap *sn,
		    const struct kernel *k, struct picture_marks *marks,
		    struct picture_reg *regs)
{
	size_t n = 0;

	for (unsigned c = 0; c < kernel_cpu_count(k) && n < KERNEL_MAX_CPUS; c++)
		n += cpu_reg(k, c, &regs[n]);
	/* a panel draws the registers that point into its own pages */
	for (size_t i = 0; i < sc->built; i++) {
		const struct snap_proc *sp = snap_find(sn, sc->views[i].p);

		marks[i] = (struct picture_marks){
			.before = sp ? sp->pages : NULL,
			.before_count = sp ? sp->page_count : 0,
			.regs = regs, .reg_count = n,
		};
		sc->procs[i].marks = &marks[i];
	}
	return n;
}

/* Append a line made of fmt to *lines (*n of them, NULL-ended). */
static int add_line(char ***lines, size_t *n, const char *fmt, ...)
{
	char **nl = realloc(*lines, (*n + 2) * sizeof(**lines));
	va_list ap;
	int len;

	if (!nl)
		return -ENOMEM;
	*lines = nl;
	va_start(ap, fmt);
	len = vasprintf(&nl[*n], fmt, ap);
	va_end(ap);
	if (len < 0) {
		nl[*n] = NULL;
		return -ENOMEM;
	}
	nl[++*n] = NULL;
	return 0;
}

/* "shell+0x3200" for addr of v (place.h). */
static const char *at(char *buf, size_t size, const struct process_view *v,
		      uintptr_t addr)
{
	return place_off(v->p, process_offset(v->p, addr), buf, size);
}

/* The owner of the used slot at tls of v, for people. */
static const char *slot_who(const struct process_view *v, uintptr_t tls,
			    show_owner_fn owner, void *owner_ctx)
{
	const char *name = process_view_owner(v, tls);

	if (!name && owner)
		name = owner(owner_ctx, v->p, tls);
	return name ? name : "a raw region";
}

/* Whether v holds a TLS page at addr. */
static const struct view_page *page_of(const struct view_page *pages,
				       size_t n, uintptr_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (pages[i].addr == addr)
			return &pages[i];
	return NULL;
}

/* Whether m is among maps (count of them) as it is. */
static bool has_map(const struct mapping *maps, size_t count,
		    const struct mapping *m)
{
	for (size_t i = 0; i < count; i++)
		if (maps[i].start == m->start && maps[i].length == m->length &&
		    maps[i].type == m->type && maps[i].rights == m->rights)
			return true;
	return false;
}

/*
 * The mappings of v that sp had not, and those it had that v has not;
 * a TLS page's own mapping is told as the page.
 */
static int map_lines(const struct process_view *v, const struct snap_proc *sp,
		     char ***lines, size_t *n)
{
	const char *name = process_name(v->p) ? process_name(v->p) : "?";
	char a[96], rights[4];
	int err = 0;

	for (size_t i = 0; !err && i < v->map_count; i++) {
		const struct mapping *m = &v->maps[i];

		if (has_map(sp->maps, sp->map_count, m) ||
		    (m->type == MEM_THREAD_LOCAL && m->length == PAGE_SIZE &&
		     page_of(v->pages, v->page_count, m->start)))
			continue;
		err = add_line(lines, n, "%s: mapped %s, 0x%zx bytes %s %s", name,
			       at(a, sizeof(a), v, m->start), m->length,
			       memory_type_name(m->type) ? memory_type_name(m->type) : "?",
			       mapping_rights_text(m->rights, rights));
	}
	for (size_t i = 0; !err && i < sp->map_count; i++) {
		const struct mapping *m = &sp->maps[i];

		if (has_map(v->maps, v->map_count, m) ||
		    (m->type == MEM_THREAD_LOCAL && m->length == PAGE_SIZE &&
		     page_of(sp->pages, sp->page_count, m->start)))
			continue;
		err = add_line(lines, n, "%s: unmapped %s, 0x%zx bytes", name,
			       at(a, sizeof(a), v, m->start), m->length);
	}
	return err;
}

/* The lines of what changed in v since sp (NULL: v is new here). */
static int proc_lines(const struct process_view *v, const struct snap_proc *sp,
		      show_owner_fn owner, void *owner_ctx, char ***lines,
		      size_t *n)
{
	const char *name = process_name(v->p) ? process_name(v->p) : "?";
	char a[96];
	int err = 0;

	if (v->dead)
		return sp && !sp->dead ?
		       add_line(lines, n, "process %s killed: its user land was released", name) : 0;
	if (!sp)
		err = add_line(lines, n, "process %s created", name);
	else if (sp->map_hash != maps_hash(v))
		err = map_lines(v, sp, lines, n);
	for (size_t i = 0; !err && i < v->page_count; i++) {
		const struct view_page *pg = &v->pages[i];
		const struct view_page *was = sp ? page_of(sp->pages, sp->page_count, pg->addr) : NULL;

		if (!was)
			err = add_line(lines, n, "%s: new TLS page at %s", name,
				       at(a, sizeof(a), v, pg->addr));
		for (size_t s = 0; !err && s < TLS_PER_PAGE; s++) {
			uintptr_t tls = pg->addr + s * TLS_SIZE;
			bool now = pg->used & (1u << s);
			bool then = was && (was->used & (1u << s));

			if (now && !then)
				err = add_line(lines, n, "slot %s taken by %s",
					       at(a, sizeof(a), v, tls),
					       slot_who(v, tls, owner, owner_ctx));
			else if (!now && then)
				err = add_line(lines, n, "slot %s freed",
					       at(a, sizeof(a), v, tls));
		}
	}
	for (size_t i = 0; !err && sp && i < sp->page_count; i++)
		if (!page_of(v->pages, v->page_count, sp->pages[i].addr))
			err = add_line(lines, n, "%s: TLS page at %s unmapped",
				       name, at(a, sizeof(a), v, sp->pages[i].addr));
	return err;
}

/* The line of what CPU c's register points at. */
static int reg_line(const struct scene *sc, const struct picture_reg *r,
		    show_owner_fn owner, void *owner_ctx, char ***lines,
		    size_t *n)
{
	const struct process_view *v = view_at(sc, r->reg);
	char a[96], who[128] = "";

	if (v) {
		const char *o = process_view_owner(v, r->reg);

		if (!o && owner)
			o = owner(owner_ctx, v->p, r->reg);
		if (o)
			snprintf(who, sizeof(who), " (%s's slot)", o);
		at(a, sizeof(a), v, r->reg);
	} else {
		snprintf(a, sizeof(a), "%s", r->reg ? "outside the processes drawn" : "0");
	}
	return add_line(lines, n, "CPU%u runs %s; its TLS register points at %s%s%s",
			r->cpu, r->thread, a, who,
			r->stale ? ": STALE, not its own TLS (the switch did not load it)" : "");
}

int change_lines(const struct scene *sc, const struct snap *sn,
		 const struct kernel *k, show_owner_fn owner, void *owner_ctx,
		 char ***lines)
{
	size_t n = 0, cpus = 0;
	int err = 0;

	*lines = NULL;
	for (size_t i = 0; !err && i < sc->built; i++)
		err = proc_lines(&sc->views[i], snap_find(sn, sc->views[i].p),
				 owner, owner_ctx, lines, &n);
	for (unsigned c = 0; !err && c < kernel_cpu_count(k); c++) {
		struct picture_reg r;

		if (!cpu_reg(k, c, &r))
			continue;
		if (++cpus > CPU_LINES)
			continue;
		err = reg_line(sc, &r, owner, owner_ctx, lines, &n);
	}
	if (!err && cpus > CPU_LINES)
		err = add_line(lines, &n, "... and %zu more CPUs running",
			       cpus - CPU_LINES);
	if (!err && !*lines)
		err = add_line(lines, &n, "%s", "");
	return err;
}

void change_lines_free(char **lines)
{
	for (size_t i = 0; lines && lines[i]; i++)
		free(lines[i]);
	free(lines);
}

int snap_take(struct snap *sn, const struct scene *sc, uint64_t digest)
{
	struct snap_proc *procs = calloc(sc->built ? sc->built : 1,
					 sizeof(*procs));

	if (!procs)
		return -ENOMEM;
	for (size_t i = 0; i < sc->built; i++) {
		const struct process_view *v = &sc->views[i];

		procs[i] = (struct snap_proc){
			.p = v->p, .dead = v->dead, .page_count = v->page_count,
			.map_count = v->map_count, .map_hash = maps_hash(v),
		};
		procs[i].maps = malloc((v->map_count ? v->map_count : 1) *
				       sizeof(*v->maps));
		procs[i].pages = malloc((v->page_count ? v->page_count : 1) *
					sizeof(*v->pages));
		if (!procs[i].pages || !procs[i].maps) {
			struct snap tmp = { procs, i + 1, false, 0 };

			snap_free(&tmp);
			return -ENOMEM;
		}
		/* a view with nothing holds no array (memcpy wants one) */
		if (v->page_count)
			memcpy(procs[i].pages, v->pages,
			       v->page_count * sizeof(*v->pages));
		if (v->map_count)
			memcpy(procs[i].maps, v->maps,
			       v->map_count * sizeof(*v->maps));
	}
	snap_free(sn);
	*sn = (struct snap){ procs, sc->built, true, digest };
	return 0;
}

void snap_free(struct snap *sn)
{
	for (size_t i = 0; i < sn->count; i++) {
		free(sn->procs[i].pages);
		free(sn->procs[i].maps);
	}
	free(sn->procs);
	memset(sn, 0, sizeof(*sn));
}

/*
 * What e's bytes hold now in the simulated memory, as text into *text
 * (to free): its field, then at most IPC_SHOWN bytes escaped, "..." when
 * it stored more: `ipc+0x10 = "<A"`. Read with the debugger's read,
 * which changes nothing. Returns 0, -EFAULT when they cannot be read
 * (their process is gone), or -ENOMEM.
 */
static int ipc_text(const struct ipc_entry *e, const struct kernel *k,
		    char **text)
{
	/* the field (at most 32 bytes), IPC_SHOWN bytes escaped, "...\"" */
	char out[32 + 4 + IPC_SHOWN * 4 + 8], esc[5];
	unsigned char b[IPC_SHOWN];
	size_t n = e->len < IPC_SHOWN ? e->len : IPC_SHOWN, o;
	struct process *p = kernel_process_at(k, e->at);

	/* the front's read takes the kernel to lock it; it only reads */
	if (n && (!p || process_debug_read((struct kernel *)k, p,
					   process_offset(p, e->at), b, n)))
		return -EFAULT;
	o = (size_t)snprintf(out, sizeof(out), "%.32s = \"", e->field);
	for (size_t i = 0; i < n; i++) {
		size_t len = escape_byte(b[i], ESCAPE_VALUE, esc);

		memcpy(out + o, esc, len);
		o += len;
	}
	snprintf(out + o, sizeof(out) - o, "%s\"",
		 e->len > IPC_SHOWN ? "..." : "");
	*text = strdup(out);
	return *text ? 0 : -ENOMEM;
}

int ipc_note(struct ipc_entry **ents, size_t *count,
	     const struct step_store *w)
{
	struct ipc_entry *e, *ne;
	char *thread, *field;
	size_t i;

	if (!w)
		return 0;
	for (i = 0; i < *count; i++)
		if ((*ents)[i].addr == w->region)
			break;
	e = i < *count ? &(*ents)[i] : NULL;
	if (e && !strcmp(e->thread, w->thread) && !strcmp(e->field, w->field) &&
	    e->at == w->addr && e->len == w->len)
		return 0;
	thread = strdup(w->thread);
	field = strdup(w->field);
	if (!thread || !field)
		goto out_nomem;
	if (!e) {
		ne = realloc(*ents, (*count + 1) * sizeof(**ents));
		if (!ne)
			goto out_nomem;
		*ents = ne;
		e = &ne[(*count)++];
		*e = (struct ipc_entry){ .addr = w->region };
	}
	free(e->thread);
	free(e->field);
	e->thread = thread;
	e->field = field;
	e->at = w->addr;
	e->len = w->len;
	return 1;

out_nomem:
	free(thread);
	free(field);
	return -ENOMEM;
}

/* Free what entry e holds. */
static void ipc_entry_free(struct ipc_entry *e)
{
	free(e->thread);
	free(e->field);
	free(e->text);
}

int ipc_refresh(struct ipc_entry *ents, size_t *count, const struct kernel *k)
{
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < *count; i++) {
		char *text;
		int err = ipc_text(&ents[i], k, &text);

		if (err == -EFAULT) {
			ipc_entry_free(&ents[i]);
			ret = ret < 0 ? ret : 1;
			continue;
		}
		if (err) {		/* kept as it was: the book stops */
			ret = err;
		} else if (ents[i].text && !strcmp(ents[i].text, text)) {
			free(text);
		} else {
			free(ents[i].text);
			ents[i].text = text;
			ret = ret < 0 ? ret : 1;
		}
		ents[kept++] = ents[i];
	}
	*count = kept;
	return ret;
}

/* The live thread of sc owning the region at addr, or NULL. */
static const char *region_owner(const struct scene *sc, uintptr_t addr)
{
	const struct process_view *v = view_at(sc, addr);

	return v ? process_view_owner(v, addr) : NULL;
}

void ipc_prune(struct ipc_entry *ents, size_t *count, const struct scene *sc)
{
	size_t kept = 0;

	for (size_t i = 0; i < *count; i++) {
		if (region_owner(sc, ents[i].addr))
			ents[kept++] = ents[i];
		else
			ipc_entry_free(&ents[i]);
	}
	*count = kept;
}

char *ipc_line(const struct ipc_entry *e, const struct scene *sc)
{
	const char *owner = region_owner(sc, e->addr);
	const struct process_view *v = view_at(sc, e->addr);
	const char *text = e->text ? e->text : "?";	/* not read yet */
	char a[PLACE_TEXT], *line;
	int n;

	if (!owner || !strcmp(owner, e->thread))
		n = asprintf(&line, "IPC of %s: %s", e->thread, text);
	else
		n = asprintf(&line, "IPC of %s (region %s), written by %s through a stale register: %s",
			     owner, at(a, sizeof(a), v, e->addr), e->thread,
			     text);
	return n < 0 ? NULL : line;
}

void ipc_free(struct ipc_entry *ents, size_t count)
{
	for (size_t i = 0; i < count; i++)
		ipc_entry_free(&ents[i]);
	free(ents);
}
