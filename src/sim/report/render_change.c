/*
 * render_change.c - what changed between two pages of a flip-book: a
 * digest of what a page shows (so that steps that change nothing are
 * listed on the page before them rather than given a page of their own),
 * the marks of a panel (new pages and slots, freed slots, unmapped
 * pages, the registers), the same told in lines for people, and the IPC
 * buffers the scenario wrote.
 *
 * The state a page showed is kept as a snapshot of its own (struct snap):
 * the views borrow from the kernel, which changes at the next step.
 */
#include <config.h>

#include "escape.h"
#include "place.h"
#include "render_priv.h"

#include <ctype.h>
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

/* The next word of *s (spaces skipped), its length in *len. */
static const char *word(const char **s, size_t *len)
{
	const char *w = *s + strspn(*s, " \t");

	*len = strcspn(w, " \t");
	*s = w + *len;
	return w;
}

/*
 * What a `write T ipc VALUE` put there, as text: a "string" as the
 * scenario wrote it, 0xHEX as its bytes, escaped; at most IPC_SHOWN bytes.
 */
static char *ipc_text(const char *field, size_t flen, const char *value)
{
	/* the field (at most 32 bytes), IPC_SHOWN bytes escaped, "...\"" */
	char out[32 + 4 + IPC_SHOWN * 4 + 8], esc[5];
	size_t o = 0, vlen = strcspn(value, "\r\n");

	o = (size_t)snprintf(out, sizeof(out), "%.*s = \"",
			     (int)(flen > 32 ? 32 : flen), field);
	if (value[0] == '"') {
		/* already escaped in the scenario's own way: as written */
		size_t n = 1;

		/* the command may be cut ("..."): then up to its end */
		while (n < vlen && value[n] != '"')
			n += value[n] == '\\' && n + 1 < vlen ? 2 : 1;
		n = (n > vlen ? vlen : n) - 1;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s%s",
				      (int)(n > IPC_SHOWN ? IPC_SHOWN : n),
				      value + 1, n > IPC_SHOWN ? "..." : "");
	} else if (value[0] == '0' && (value[1] == 'x' || value[1] == 'X')) {
		size_t shown = 0;

		for (size_t i = 2; i + 1 < vlen && shown < IPC_SHOWN; i += 2) {
			unsigned b;
			char hex[3] = { value[i], value[i + 1], 0 };

			if (value[i] == '_') {
				i--;
				continue;
			}
			/* the command may be cut ("..."): its digits so far */
			if (!isxdigit((unsigned char)value[i]) ||
			    !isxdigit((unsigned char)value[i + 1]))
				break;
			b = (unsigned)strtoul(hex, NULL, 16);
			size_t e = escape_byte((unsigned char)b, ESCAPE_VALUE, esc);

			memcpy(out + o, esc, e);
			o += e;
			shown++;
		}
		out[o] = '\0';
	} else {
		return NULL;
	}
	snprintf(out + o, sizeof(out) - o, "\"");
	return strdup(out);
}

/* The region CPU register of the CPU running the thread named name. */
static uintptr_t writer_region(const struct kernel *k, const char *name,
			       size_t len)
{
	for (unsigned c = 0; c < kernel_cpu_count(k); c++) {
		struct picture_reg r;

		if (cpu_reg(k, c, &r) && strlen(r.thread) == len &&
		    !strncmp(r.thread, name, len))
			return r.reg;
	}
	return 0;
}

int ipc_note(struct ipc_entry **ents, size_t *count, const char *command,
	     const struct kernel *k)
{
	const char *s = command, *t, *f, *v;
	size_t tl, fl, vl, i;
	struct ipc_entry *ne;
	uintptr_t addr;
	char *text, *name;

	if (!command)
		return 0;
	v = word(&s, &vl);
	if (vl != 5 || strncmp(v, "write", 5))
		return 0;
	t = word(&s, &tl);
	f = word(&s, &fl);
	if (fl < 3 || strncmp(f, "ipc", 3) || (fl > 3 && f[3] != '+'))
		return 0;
	s += strspn(s, " \t");
	text = ipc_text(f, fl, s);
	if (!text)
		return 0;
	addr = writer_region(k, t, tl);
	for (i = 0; i < *count; i++)
		if (addr ? (*ents)[i].addr == addr :
		    (strlen((*ents)[i].thread) == tl &&
		     !strncmp((*ents)[i].thread, t, tl)))
			break;
	name = strndup(t, tl);
	if (!name) {
		free(text);
		return -ENOMEM;
	}
	if (i < *count) {
		bool same = !strcmp((*ents)[i].text, text) &&
			    !strcmp((*ents)[i].thread, name);

		free((*ents)[i].text);
		free((*ents)[i].thread);
		(*ents)[i].text = text;
		(*ents)[i].thread = name;
		return !same;
	}
	ne = realloc(*ents, (*count + 1) * sizeof(**ents));
	if (!ne) {
		free(name);
		free(text);
		return -ENOMEM;
	}
	*ents = ne;
	ne[(*count)++] = (struct ipc_entry){ name, addr, text };
	return 1;
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
		bool live = false;

		if (ents[i].addr) {
			live = region_owner(sc, ents[i].addr) != NULL;
		} else {
			for (size_t j = 0; !live && j < sc->built; j++)
				for (size_t o = 0; !live && o < sc->views[j].owner_count; o++)
					live = !strcmp(sc->views[j].owners[o].name,
						       ents[i].thread);
		}
		if (live) {
			ents[kept++] = ents[i];
		} else {
			free(ents[i].thread);
			free(ents[i].text);
		}
	}
	*count = kept;
}

char *ipc_line(const struct ipc_entry *e, const struct scene *sc)
{
	const char *owner = e->addr ? region_owner(sc, e->addr) : NULL;
	const struct process_view *v = e->addr ? view_at(sc, e->addr) : NULL;
	char a[96], *line;
	int n;

	if (!owner || !strcmp(owner, e->thread))
		n = asprintf(&line, "IPC of %s: %s", e->thread, e->text);
	else
		n = asprintf(&line, "IPC of %s (region %s), written by %s through a stale register: %s",
			     owner, at(a, sizeof(a), v, e->addr), e->thread,
			     e->text);
	return n < 0 ? NULL : line;
}

void ipc_free(struct ipc_entry *ents, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(ents[i].thread);
		free(ents[i].text);
	}
	free(ents);
}
