/*
 * fuzz_commands.c - the structure-aware libFuzzer entry: the fuzz bytes
 * are choices (which command, which of a few processes, threads and
 * regions, which of a few interesting offsets, sizes and values) turned
 * into a well-formed scenario, which is then parsed and run like any
 * other (fuzz_run.c). Names are declared before their use, so nearly
 * every input reaches the kernel model.
 *
 * One command fills a small user land (one to three pages) to its last
 * TLS slot with raw allocations, then spawns a thread there: its tls+OFF
 * accesses then reach past the end of the land, which must be a simulated
 * fault, never an access to the simulator's own memory.
 *
 * The first byte picks run options (--no-tls-restore, --policy, --trace,
 * --verbose, --fail-fast, and --quiet, without which each step's story is
 * told, as `tlssim run` does by default). Every generated scenario must parse: one that
 * does not is a bug of this generator or of the parser, and aborts.
 *
 * With TLSSIM_FUZZ_PRINT set in the environment, each scenario is also
 * written to standard output, with its options as a `#! args:` line: a
 * crash input replayed that way is a golden test (tests/scenario-test).
 */
#include <config.h>

#include "fuzz.h"
#include "fuzz_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "report/diag.h"
#include "scenario/scenario.h"
#include "scenario/scenario_run.h"

/* Name slots the commands choose among. */
#define PROCS 3
#define THREADS 8
#define REGIONS 4

/* Most commands one scenario gets. */
#define GEN_MAX_COMMANDS 1024

/* A name slot: its current name is "<prefix><slot>", "<prefix><slot>_<gen>". */
struct slot {
	unsigned gen;
	bool declared;
	unsigned proc, proc_gen;	/* threads, regions: their process */
};

struct gen {
	struct chooser c;
	char text[FUZZ_MAX_INPUT];
	size_t len;
	unsigned commands;
	unsigned thread_names;		/* threads declared so far */
	struct slot procs[PROCS];
	struct slot threads[THREADS];
	struct slot regions[REGIONS];
};

static const char *const policies[] = { "sunrise", "indexed", "mesosphere" };

static const char *const mem_types[] = {
	"Unmapped", "Io", "Normal", "CodeStatic", "CodeMutable", "Heap",
	"SharedMemory", "Alias", "ModuleCodeStatic", "ModuleCodeMutable",
	"Ipc", "Stack", "ThreadLocal", "TransferMemoryIsolated",
	"TransferMemory", "ProcessMemory", "Reserved", "NonSecureIpc",
	"NonDeviceIpc", "KernelStack", "CodeReadOnly", "CodeWritable",
};

static const char *const perms[] = { "r", "rw", "rx", "rwx" };

static const char *const errors[] = {
	"PhysicalMemoryExhaustion", "VirtualMemoryExhaustion",
	"InvalidAddress", "InvalidSize", "InvalidMemState", "ProcessKilled",
	"InvalidState",
};

static const char *const panics[] = {
	"", "free", "not marked occupied", "TLS", "aligned", "page",
};

static const uint64_t userlands[] = {
	0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x100000, 0x1000000,
};

/* Page-aligned offsets in a user land. */
static const uint64_t page_offs[] = {
	0, 0x1000, 0x2000, 0x3000, 0x4000, 0x8000, 0xf000, 0xff000, 0x100000,
};

/* Append a whole line to the scenario (the caller checked the room). */
static void emit(struct gen *g, const char *line, size_t len)
{
	memcpy(g->text + g->len, line, len);
	g->len += len;
	g->text[g->len++] = '\n';
	g->commands++;
}

/* A slot's current name: prefix, slot, and a generation after the first. */
static void slot_name(char *line, size_t *len, char prefix, unsigned slot,
		      unsigned gen)
{
	if (gen)
		fz_put(line, len, " %c%u_%u", prefix, slot, gen);
	else
		fz_put(line, len, " %c%u", prefix, slot);
}

/* Build `process` for slot i, anew, with some of its options. */
static void put_process(struct gen *g, unsigned i, char *line, size_t *len)
{
	struct slot *s = &g->procs[i];
	unsigned opts = fz_pick(&g->c, 8);
	const char *policy = FZ_PICK(&g->c, policies);
	uint64_t land = FZ_PICK(&g->c, userlands);

	if (s->declared)
		s->gen++;
	s->declared = true;
	fz_put(line, len, "process");
	slot_name(line, len, 'p', i, s->gen);
	if ((opts & 3) == 1)
		fz_put(line, len, " policy=%s", policy);
	if (opts & 4)
		fz_put(line, len, " userland=0x%llx", (unsigned long long)land);
	if ((opts & 3) == 2)
		fz_put(line, len, " policy=%s", policy);
}

/* Declare process slot i on a line of its own. */
static void declare_process(struct gen *g, unsigned i)
{
	char line[LINE_MAX_LEN];
	size_t len = 0;

	put_process(g, i, line, &len);
	emit(g, line, len);
}

/* Process slot i's name, declared first when it is not yet. */
static void use_process(struct gen *g, char *line, size_t *len, unsigned i)
{
	if (!g->procs[i].declared)
		declare_process(g, i);
	slot_name(line, len, 'p', i, g->procs[i].gen);
}

/* Build `spawn` of thread slot i, anew, in process slot p. */
static void put_spawn(struct gen *g, unsigned i, unsigned p, char *line,
		      size_t *len)
{
	struct slot *s = &g->threads[i];

	fz_put(line, len, "spawn");
	use_process(g, line, len, p);
	if (s->declared)
		s->gen++;
	s->declared = true;
	g->thread_names++;
	slot_name(line, len, 't', i, s->gen);
}

/* Declare thread slot i on a line of its own. */
static void declare_thread(struct gen *g, unsigned i, unsigned p)
{
	char line[LINE_MAX_LEN];
	size_t len = 0;

	put_spawn(g, i, p, line, &len);
	emit(g, line, len);
}

/* Thread slot i's name, spawned first when it is not yet. */
static void use_thread(struct gen *g, char *line, size_t *len, unsigned i)
{
	if (!g->threads[i].declared)
		declare_thread(g, i, fz_pick(&g->c, PROCS));
	slot_name(line, len, 't', i, g->threads[i].gen);
}

/* `tls-alloc P`, naming the region in slot r when r < REGIONS. */
static void put_tls_alloc(struct gen *g, char *line, size_t *len,
			  unsigned p, unsigned r)
{
	fz_put(line, len, "tls-alloc");
	use_process(g, line, len, p);
	if (r >= REGIONS)
		return;
	if (g->regions[r].declared)
		g->regions[r].gen++;
	g->regions[r] = (struct slot){
		.gen = g->regions[r].gen, .declared = true,
		.proc = p, .proc_gen = g->procs[p].gen,
	};
	fz_put(line, len, " as");
	slot_name(line, len, 'r', r, g->regions[r].gen);
}

enum gen_kind {
	G_PROCESS, G_MAP, G_UNMAP, G_SPAWN, G_EXIT, G_KILL, G_SWITCH, G_WRITE,
	G_READ, G_TLS_ALLOC, G_TLS_FREE, G_SHOW, G_EXPECT_TLS, G_EXPECT_PAGES,
	G_EXPECT_USED, G_EXPECT_READ, G_EXPECT_MAP, G_PEEK, G_POKE, G_INJECT,
	G_FILL,
};

/* The commands by weight: threads and their TLS come up most. */
static const unsigned char kinds[] = {
	G_PROCESS, G_MAP, G_MAP, G_UNMAP, G_SPAWN, G_SPAWN, G_SPAWN, G_EXIT,
	G_EXIT, G_KILL, G_SWITCH, G_SWITCH, G_WRITE, G_WRITE, G_READ,
	G_TLS_ALLOC, G_TLS_ALLOC, G_TLS_FREE, G_TLS_FREE, G_SHOW,
	G_EXPECT_TLS, G_EXPECT_PAGES, G_EXPECT_USED, G_EXPECT_READ,
	G_EXPECT_READ, G_EXPECT_MAP, G_PEEK, G_POKE, G_POKE, G_INJECT,
	G_FILL,
};

/*
 * Declare process slot p anew with a user land of one to three pages and
 * fill it with raw allocations up to its last TLS slot, on lines of their
 * own; then build the `spawn` of thread slot t there, which takes that
 * last slot.
 */
static void put_fill(struct gen *g, unsigned p, unsigned t, char *line,
		     size_t *len)
{
	static const uint64_t small_lands[] = { 0x1000, 0x2000, 0x3000 };
	uint64_t land = FZ_PICK(&g->c, small_lands);
	const char *policy = FZ_PICK(&g->c, policies);
	struct slot *s = &g->procs[p];
	char decl[LINE_MAX_LEN];
	size_t dlen = 0;

	if (s->declared)
		s->gen++;
	s->declared = true;
	fz_put(decl, &dlen, "process");
	slot_name(decl, &dlen, 'p', p, s->gen);
	fz_put(decl, &dlen, " userland=0x%llx policy=%s",
	       (unsigned long long)land, policy);
	emit(g, decl, dlen);
	for (uint64_t i = 1; i < land / 0x200; i++) {
		dlen = 0;
		put_tls_alloc(g, decl, &dlen, p, REGIONS);
		emit(g, decl, dlen);
	}
	put_spawn(g, t, p, line, len);
}

/*
 * `map` and `unmap` arguments: page aligned, or anything after `expect
 * error` (the parser leaves the kernel to refuse those).
 */
static void put_range(struct gen *g, char *line, size_t *len, bool loose)
{
	static const uint64_t sizes[] = { 0x1000, 0x2000, 0x3000, 0x4000, 0 };
	static const uint64_t loose_sizes[] = {
		0, 1, 0x1ff, 0x1000, 0x1001, 0x2000, 0x100000,
		0xfffffffffffff000,
	};

	if (loose)
		fz_put(line, len, " 0x%llx 0x%llx",
		    (unsigned long long)fz_offset(&g->c),
		    (unsigned long long)FZ_PICK(&g->c, loose_sizes));
	else
		fz_put(line, len, " 0x%llx 0x%llx",
		    (unsigned long long)FZ_PICK(&g->c, page_offs),
		    (unsigned long long)FZ_PICK(&g->c, sizes));
}

/*
 * Build one command of kind k into line (declaring what it names first,
 * on lines of their own). prefix is the `expect` line chosen to go before
 * it ("" for none); a raw `tls-free` usually sets one of its own.
 */
static void gen_command(struct gen *g, unsigned k, char *line, size_t *len,
			char *prefix)
{
	unsigned p = fz_pick(&g->c, PROCS), t = fz_pick(&g->c, THREADS);
	bool loose = strncmp(prefix, "expect error", 12) == 0;
	size_t room, plen = 0;
	struct slot *r;
	enum fz_field field;

	switch (k) {
	case G_PROCESS:
		put_process(g, p, line, len);
		break;
	case G_MAP:
		fz_put(line, len, "map");
		use_process(g, line, len, p);
		put_range(g, line, len, loose);
		switch (fz_pick(&g->c, 4)) {
		case 1:
			fz_put(line, len, " %s", FZ_PICK(&g->c, mem_types));
			break;
		case 2:
			fz_put(line, len, " %s", FZ_PICK(&g->c, perms));
			break;
		case 3:
			fz_put(line, len, " %s %s", FZ_PICK(&g->c, mem_types),
			    FZ_PICK(&g->c, perms));
			break;
		}
		break;
	case G_UNMAP:
		fz_put(line, len, "unmap");
		use_process(g, line, len, p);
		put_range(g, line, len, loose);
		break;
	case G_SPAWN:
	case G_FILL:
		if (g->thread_names >= FUZZ_MAX_THREADS - THREADS) {
			fz_put(line, len, "switch");
			use_thread(g, line, len, t);
			break;
		}
		if (k == G_FILL)
			put_fill(g, p, t, line, len);
		else
			put_spawn(g, t, p, line, len);
		break;
	case G_EXIT:
	case G_SWITCH:
		fz_put(line, len, k == G_EXIT ? "exit" : "switch");
		use_thread(g, line, len, t);
		break;
	case G_KILL:
	case G_SHOW:
		fz_put(line, len, k == G_KILL ? "kill" : "show");
		use_process(g, line, len, p);
		break;
	case G_WRITE:
		fz_put(line, len, "write");
		use_thread(g, line, len, t);
		field = fz_field(&g->c, line, len, &room);
		fz_value(&g->c, line, len, field, room, false);
		break;
	case G_READ:
		fz_put(line, len, "read");
		use_thread(g, line, len, t);
		field = fz_field(&g->c, line, len, &room);
		if ((field == FZ_IPC || field == FZ_TLS) && fz_pick(&g->c, 2))
			fz_put(line, len, " 0x%zx", fz_len(&g->c, 1, room));
		break;
	case G_EXPECT_READ:
		fz_put(line, len, "expect read");
		use_thread(g, line, len, t);
		field = fz_field(&g->c, line, len, &room);
		fz_value(&g->c, line, len, field, room, true);
		break;
	case G_TLS_ALLOC:
		put_tls_alloc(g, line, len, p, fz_pick(&g->c, 2 * REGIONS));
		break;
	case G_TLS_FREE:
		r = &g->regions[t % REGIONS];
		if (fz_pick(&g->c, 2) && r->declared) {
			fz_put(line, len, "tls-free");
			slot_name(line, len, 'p', r->proc, r->proc_gen);
			slot_name(line, len, 'r', t % REGIONS, r->gen);
			break;
		}
		fz_put(line, len, "tls-free");
		use_process(g, line, len, p);
		fz_put(line, len, " 0x%llx", (unsigned long long)fz_offset(&g->c));
		if (!prefix[0] && fz_pick(&g->c, 4))
			fz_put(prefix, &plen, "expect panic \"\"");
		break;
	case G_EXPECT_TLS:
	case G_PEEK:
		fz_put(line, len, k == G_PEEK ? "peek" : "expect tls");
		use_thread(g, line, len, t);
		if (k == G_PEEK)
			use_process(g, line, len, p);
		fz_put(line, len, " 0x%llx", (unsigned long long)fz_offset(&g->c));
		break;
	case G_POKE:
		fz_put(line, len, "poke");
		use_thread(g, line, len, t);
		use_process(g, line, len, p);
		fz_put(line, len, " 0x%llx", (unsigned long long)fz_offset(&g->c));
		if (fz_pick(&g->c, 2))
			fz_pointer(&g->c, line, len);
		else
			fz_string(&g->c, line, len,
				   fz_len(&g->c, 1, SCN_POKE_MAX));
		break;
	case G_EXPECT_PAGES:
	case G_EXPECT_USED:
		fz_put(line, len, k == G_EXPECT_PAGES ? "expect pages" :
						     "expect used");
		use_process(g, line, len, p);
		fz_put(line, len, " %u", fz_pick(&g->c, k == G_EXPECT_PAGES ? 5 : 17));
		break;
	case G_EXPECT_MAP:
		fz_put(line, len, "expect map");
		use_process(g, line, len, p);
		fz_put(line, len, " 0x%llx %s", (unsigned long long)fz_offset(&g->c),
		    FZ_PICK(&g->c, mem_types));
		if (fz_pick(&g->c, 2))
			fz_put(line, len, " %s", FZ_PICK(&g->c, perms));
		break;
	default:
		fz_put(line, len, "inject map-fail %u", fz_pick(&g->c, 4));
		break;
	}
}

/* The prefix chosen for the next command, into prefix ("" for none). */
static void gen_prefix(struct gen *g, char *prefix)
{
	size_t len = 0;

	prefix[0] = '\0';
	switch (fz_pick(&g->c, 16)) {
	case 0:
		fz_put(prefix, &len, "expect panic \"%s\"", FZ_PICK(&g->c, panics));
		break;
	case 1:
		fz_put(prefix, &len, "expect error %s", FZ_PICK(&g->c, errors));
		break;
	case 2:
		fz_put(prefix, &len, "expect fault");
		break;
	}
}

/*
 * The run options from the first byte, also written as the scenario's
 * `#! args:` line (a comment to the parser).
 */
static void gen_options(struct gen *g, struct fuzz_options *fo)
{
	unsigned b = fz_take(&g->c);
	char line[LINE_MAX_LEN];
	size_t len = 0;

	*fo = (struct fuzz_options){
		.no_tls_restore = b & 1,
		.verbose = b & 2,
		.trace = b & 4,
		.trace_format = b & 8 ? TRACE_JSON : TRACE_TEXT,
		.fail_fast = (b & 0xc0) == 0xc0,
		.narrate = (b & 0xc0) != 0x40,
	};
	fz_put(line, &len, "#! args: --arch=mock");
	if (fo->no_tls_restore)
		fz_put(line, &len, " --no-tls-restore");
	if (fo->verbose)
		fz_put(line, &len, " --verbose");
	if (fo->trace)
		fz_put(line, &len, " --trace=%s", b & 8 ? "json" : "text");
	if (fo->fail_fast)
		fz_put(line, &len, " --fail-fast");
	if (!fo->narrate)
		fz_put(line, &len, " --quiet");
	if (b >> 4 & 3) {
		fo->policy = tls_policy_find(policies[(b >> 4 & 3) - 1]);
		fz_put(line, &len, " --policy=%s", policies[(b >> 4 & 3) - 1]);
	}
	emit(g, line, len);
	g->commands = 0;
}

/* Turn the fuzz bytes into a scenario in g->text[0..g->len). */
static void generate(struct gen *g, const uint8_t *data, size_t size,
		     struct fuzz_options *fo)
{
	char line[LINE_MAX_LEN], prefix[LINE_MAX_LEN];
	size_t len;

	g->c = (struct chooser){ .p = data, .n = size };
	g->len = 0;
	g->commands = 0;
	g->thread_names = 0;
	memset(g->procs, 0, sizeof(g->procs));
	memset(g->threads, 0, sizeof(g->threads));
	memset(g->regions, 0, sizeof(g->regions));
	gen_options(g, fo);
	/* room for a command, its prefix and the lines declaring its names */
	while (g->c.n && g->commands < GEN_MAX_COMMANDS &&
	       g->len + 6 * LINE_MAX_LEN < sizeof(g->text)) {
		unsigned k = kinds[fz_pick(&g->c, ARRAY_SIZE(kinds))];

		len = 0;
		gen_prefix(g, prefix);
		gen_command(g, k, line, &len, prefix);
		if (prefix[0])
			emit(g, prefix, strlen(prefix));
		emit(g, line, len);
	}
}

/* A generated scenario that does not parse: show it and why, then abort. */
static void malformed(const struct gen *g)
{
	struct diag *d = diag_new_stream(stderr, false);
	struct scenario *scn = NULL;

	fprintf(stderr, "fuzz_commands: a generated scenario does not parse:\n%.*s\n",
		(int)g->len, g->text);
	if (d)
		scenario_parse("fuzz.tls", g->text, g->len, d, &scn);
	scenario_free(scn);
	diag_free(d);
	abort();
}

/* libFuzzer's entry; its prototype is libFuzzer's, not a header's. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Generate a scenario from one input and run it. Returns 0, or -1 for an
 * input the harness refuses (over FUZZ_MAX_INPUT). Aborts when the
 * scenario does not parse.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gen g;
	static int print = -1;
	struct fuzz_options fo;

	if (size > FUZZ_MAX_INPUT)
		return -1;
	if (print < 0)
		print = getenv("TLSSIM_FUZZ_PRINT") != NULL;
	generate(&g, data, size, &fo);
	if (print) {
		/* out before the run: it may be the one that crashes */
		fwrite(g.text, 1, g.len, stdout);
		fflush(stdout);
	}
	if (fuzz_run_text(g.text, g.len, &fo) == RUN_MALFORMED)
		malformed(&g);
	return 0;
}
