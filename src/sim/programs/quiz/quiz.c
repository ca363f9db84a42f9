/*
 * quiz.c - `tlssim quiz`: its options, and the three ways it prints a
 * problem of quiz_gen.c.
 *
 * Like the homework simulators of OSTEP (Operating Systems: Three Easy
 * Pieces), the quiz prints a problem the student works out by hand, and
 * the same command with -c prints the answers and why. Here the problem
 * is a sequence of operations on small processes, and -t says what it
 * asks: where each spawn puts the new thread's TLS region (which page, an
 * old one with a free slot or a new one at the first free page of the
 * user land, and which slot of it), how many pages are mapped at the end,
 * which exits unmap a page, what the register holds after a switch, what
 * a thread reads of a freed neighbour, how many bytes the pages keep for
 * no thread. -d sets the size of the problem. The answers hold what the
 * kernel model did, so they change with --policy exactly as the policies
 * differ.
 *
 * The output is plain text that depends only on the options: offsets in
 * user lands, never host addresses, so the golden tests can compare it
 * byte for byte on any host. --emit-scenario writes the same problem in
 * the scenario language, with its answers as expectations (`expect tls`
 * after every spawn, ...): `tlssim run` then checks them on its own.
 */
#include <config.h>

#include "cli.h"
#include "hostmem.h"
#include "quiz.h"
#include "quiz_gen.h"
#include "quiz_text.h"
#include "policy/policy.h"
#include "report/show.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Operations are padded to this width before their answer. */
#define QUIZ_OP_WIDTH 14

static const char usage[] =
	"Usage: tlssim quiz [-s SEED] [-n OPS] [-t TYPE] [-d LEVEL] [--policy P]\n"
	"                   [--processes K] [--maps M] [--no-tls-restore] [-c]\n"
	"                   [--emit-scenario [--emit-policy]]\n"
	"Print a random problem about threads' TLS regions: spawns, exits,\n"
	"other mappings and kills on processes with 16-page user lands.\n"
	"The same options give the same problem on every host, and the same\n"
	"operations whatever the policy: only the answers differ.\n"
	"\n"
	"  -s, --seed=SEED       the problem's number (default 0)\n"
	"  -n, --ops=OPS         operations, 1 to 1000 (default 10)\n"
	"  -t, --type=TYPE       what it asks (default land):\n"
	"                          land      where each spawn's TLS lands\n"
	"                          pages     TLS pages and mapped pages at the end\n"
	"                          unmap     which exits unmap a TLS page (policy\n"
	"                                    mesosphere unless --policy)\n"
	"                          register  the TLS register after each switch\n"
	"                          spy       what a thread reads of a freed region\n"
	"                          leak      bytes of TLS pages kept for no thread\n"
	"                          mix       all of them in one problem\n"
	"  -d, --level=LEVEL     1: one page; 2: many pages, 3 processes;\n"
	"                        3: other mappings, a policy per process\n"
	"                        (sets -n, --processes and --maps unless given)\n"
	"      --policy=P        the TLS manager policy (default sunrise)\n"
	"      --processes=K     processes alive at once, 1 to 8 (default 1);\n"
	"                        named A, B, ..., their threads a1, a2, b1, ...\n"
	"      --maps=M          at most M operations map or unmap other\n"
	"                        memory (default 0)\n"
	"      --no-tls-restore  switches stop loading the register (as run's)\n"
	"  -c, --compute         print the answers, why, and the final pages\n"
	"      --emit-scenario   print the problem as a scenario for tlssim run\n"
	"      --emit-policy     write policy= in its process lines, so that the\n"
	"                        file keeps its policy whatever run's --policy\n"
	"      --help\n";

enum { OPT_POLICY = 256, OPT_PROCESSES, OPT_MAPS, OPT_EMIT, OPT_NO_RESTORE,
       OPT_EMIT_POLICY };

/* The levels of -d: operations, processes, maps, and mixed policies. */
static const struct {
	unsigned ops, processes, maps;
	bool mixed;
} levels[] = {
	[1] = { 8, 1, 0, false },
	[2] = { 30, 3, 0, false },
	[3] = { 50, 3, 12, true },
};

/* One option of quiz into the struct quiz_cfg at ctx (cli_parse). */
static int apply_option(void *ctx, int opt, const char *arg)
{
	struct quiz_cfg *cfg = ctx;
	char names[160];
	uint64_t v;
	int status;

	switch (opt) {
	case 's':
		if (!cli_parse_decimal(arg, 0, UINT64_MAX, &cfg->par.seed))
			return cli_usage_error("quiz", "--seed wants a whole number from 0 to %" PRIu64 ", not '%s'",
					       UINT64_MAX, arg);
		return -1;
	case 'n':
		if ((status = cli_number_option("quiz", "--ops", arg, 1,
						QUIZ_MAX_OPS, &v)) >= 0)
			return status;
		cfg->par.ops = (unsigned)v;
		cfg->ops_set = true;
		return -1;
	case 'c':
		cfg->compute = true;
		return -1;
	case 't':
		for (int t = 0; t < QT_COUNT; t++)
			if (strcmp(arg, quiz_type_names[t]) == 0) {
				cfg->type = (enum quiz_type)t;
				return -1;
			}
		return cli_usage_error("quiz", "unknown --type '%s' (expected land, pages, unmap, register, spy, leak or mix)",
				       arg);
	case 'd':
		if ((status = cli_number_option("quiz", "--level", arg, 1, 3,
						&v)) >= 0)
			return status;
		cfg->level = (unsigned)v;
		return -1;
	case OPT_NO_RESTORE:
		cfg->par.no_tls_restore = true;
		return -1;
	case OPT_EMIT_POLICY:
		cfg->emit_policy = true;
		return -1;
	case OPT_POLICY:
		cfg->par.policy = tls_policy_find(arg);
		if (!cfg->par.policy && tls_policy_unbuilt(arg))
			return cli_usage_error("quiz", "--policy %s is not in this build: %s",
					       arg, tls_policy_unbuilt(arg));
		if (!cfg->par.policy)
			return cli_usage_error("quiz", "unknown --policy '%s' (expected %s)",
					       arg, tls_policy_names(names, sizeof(names)));
		cfg->policy_set = true;
		return -1;
	case OPT_PROCESSES:
		if ((status = cli_number_option("quiz", "--processes", arg, 1,
						QUIZ_MAX_PROCESSES, &v)) >= 0)
			return status;
		cfg->par.processes = (unsigned)v;
		cfg->processes_set = true;
		return -1;
	case OPT_MAPS:
		if ((status = cli_number_option("quiz", "--maps", arg, 0,
						QUIZ_MAX_OPS, &v)) >= 0)
			return status;
		cfg->par.maps = (unsigned)v;
		cfg->maps_set = true;
		return -1;
	case OPT_EMIT:
		cfg->emit = true;
		return -1;
	default:	/* 'h', --help */
		fputs(usage, stdout);
		printf("Policies: %s.\n", tls_policy_names(names, sizeof(names)));
		return 0;
	}
}

/*
 * What the options leave to the type and the level: a level's sizes
 * where -n, --processes or --maps were not given, its mixed policies
 * unless --policy was; mesosphere for unmap questions; switches for the
 * register, secrets and spies for the spy. Never fails.
 */
static void settle(struct quiz_cfg *cfg)
{
	struct quiz_params *par = &cfg->par;

	if (cfg->level) {
		if (!cfg->ops_set)
			par->ops = levels[cfg->level].ops;
		if (!cfg->processes_set)
			par->processes = levels[cfg->level].processes;
		if (!cfg->maps_set)
			par->maps = levels[cfg->level].maps;
		par->mixed = levels[cfg->level].mixed && !cfg->policy_set;
	}
	if (cfg->type == QT_UNMAP && !cfg->policy_set && tls_policy_find("mesosphere"))
		par->policy = tls_policy_find("mesosphere");
	par->switches = cfg->type == QT_REGISTER || cfg->type == QT_MIX;
	par->spies = cfg->type == QT_SPY || cfg->type == QT_MIX;
}

/*
 * Options into cfg. Returns -1 to go on, or the exit status: 0 after
 * --help, 2 after a message for a bad command line.
 */
static int parse_args(int argc, char **argv, struct quiz_cfg *cfg)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "compute", no_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "processes", required_argument, NULL, OPT_PROCESSES },
		{ "maps", required_argument, NULL, OPT_MAPS },
		{ "emit-scenario", no_argument, NULL, OPT_EMIT },
		{ "type", required_argument, NULL, 't' },
		{ "level", required_argument, NULL, 'd' },
		{ "no-tls-restore", no_argument, NULL, OPT_NO_RESTORE },
		{ "emit-policy", no_argument, NULL, OPT_EMIT_POLICY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int status, first;

	status = cli_parse("quiz", argc, argv, 1, "s:n:t:d:ch", opts,
			   apply_option, cfg, &first);
	if (status >= 0)
		return status;
	if (first < argc)
		return cli_usage_error("quiz", "unexpected argument '%s' (the options take no files)",
				       argv[first]);
	settle(cfg);
	return -1;
}

/* ---- text ---- */

/*
 * The command line that makes this problem again, with -c when compute:
 * "tlssim quiz -s 1 -n 12 --policy mesosphere". Returns buf.
 */
static const char *command_line(const struct quiz_cfg *cfg, bool compute,
				char *buf, size_t size)
{
	const struct quiz_params *par = &cfg->par;
	size_t n;

	n = (size_t)snprintf(buf, size, "tlssim quiz -s %" PRIu64 " -n %u",
			     par->seed, par->ops);
	if (cfg->type != QT_LAND && n < size)
		n += (size_t)snprintf(buf + n, size - n, " -t %s",
				      quiz_type_names[cfg->type]);
	if (cfg->level && n < size)
		n += (size_t)snprintf(buf + n, size - n, " -d %u", cfg->level);
	if (!par->mixed && n < size &&
	    strcmp(par->policy->name, TLS_POLICY_DEFAULT) != 0)
		n += (size_t)snprintf(buf + n, size - n, " --policy %s",
				      par->policy->name);
	if (par->processes != 1 && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --processes %u",
				      par->processes);
	if (par->maps && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --maps %u",
				      par->maps);
	if (par->no_tls_restore && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --no-tls-restore");
	if (compute && n < size)
		snprintf(buf + n, size - n, " -c");
	return buf;
}

/* "A", "A and B", "A, B and C" into buf: the first n processes; returns buf. */
static const char *first_names(const struct quiz *q, unsigned n, char *buf,
			       size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i == 0 ? "" : i + 1 == n ? " and " : ", ",
					q->procs[i].name);
	return buf;
}

/*
 * The problem's parameters and the rules it runs by, each line starting
 * with prefix ("# " in a scenario). Returns nothing; a write error shows
 * in ferror(out).
 */
static void print_header(FILE *out, const struct quiz_cfg *cfg,
			 const struct quiz *q, const char *prefix)
{
	const struct quiz_params *par = &cfg->par;
	char text[512], names[64], maps[64];

	first_names(q, par->processes, names, sizeof(names));
	if (par->maps)
		snprintf(maps, sizeof(maps), "at most %u map%s or unmap%s of other memory",
			 par->maps, par->maps == 1 ? "" : "s",
			 par->maps == 1 ? "" : "s");
	else
		snprintf(maps, sizeof(maps), "no other memory mapped");
	snprintf(text, sizeof(text), "Quiz: seed %" PRIu64 ", %u operation%s, %s %s, %u process%s (%s), %s.",
		 par->seed, par->ops, par->ops == 1 ? "" : "s",
		 par->mixed ? "policies" : "policy",
		 par->mixed ? "mixed" : par->policy->name, par->processes,
		 par->processes == 1 ? "" : "es", names, maps);
	quiz_wrap(out, prefix, text);
	fprintf(out, "%s\n", *prefix ? "#" : "");
	snprintf(text, sizeof(text), "%s %s %s with an empty user land of 0x%zx bytes (%d pages). A thread's TLS region is 0x%zx bytes, %zu to a 0x%zx-byte page; a new TLS page goes to the lowest free page of the user land (first fit).%s",
		 par->processes == 1 ? "Process" : "Processes", names,
		 par->processes == 1 ? "starts" : "each start",
		 (size_t)QUIZ_LAND_SIZE, QUIZ_LAND_PAGES, TLS_SIZE,
		 TLS_PER_PAGE, TLSM_PAGE_SIZE, q->nprocs > par->processes ?
		 " A killed process is replaced by a new one, named with the next letter." : "");
	quiz_wrap(out, prefix, text);
	quiz_print_policies(out, q, prefix);
	quiz_print_rules(out, cfg, prefix);
}

/*
 * One operation as a command of the scenario language, into buf.
 * Returns buf.
 */
static const char *op_text(const struct quiz *q, const struct quiz_op *op,
			   char *buf, size_t size)
{
	const char *proc = q->procs[op->proc].name;

	switch (op->kind) {
	case QOP_SPAWN:
		snprintf(buf, size, "spawn %s %s", proc,
			 q->threads[op->thread].name);
		break;
	case QOP_EXIT:
		snprintf(buf, size, "exit %s", q->threads[op->thread].name);
		break;
	case QOP_MAP:
	case QOP_UNMAP:
		snprintf(buf, size, "%s %s 0x%" PRIx64 " 0x%" PRIx64,
			 op->kind == QOP_MAP ? "map" : "unmap", proc,
			 op->offset, op->size);
		break;
	case QOP_KILL:
		snprintf(buf, size, "kill %s", proc);
		break;
	case QOP_SWITCH:
		snprintf(buf, size, "switch %s", q->threads[op->thread].name);
		break;
	case QOP_SECRET:
		snprintf(buf, size, "write %s ipc \"%.*s\"",
			 q->threads[op->thread].name, QUIZ_SECRET_LEN,
			 (const char *)op->bytes);
		break;
	case QOP_SPY:
		snprintf(buf, size, "read %s tls+0x%" PRIx64 " %" PRIu64,
			 q->threads[op->thread].name, op->offset, op->size);
		break;
	default:
		snprintf(buf, size, "process %s", proc);
		break;
	}
	return buf;
}

/*
 * The numbered operations, with their questions, or with compute their
 * answers and why. Returns nothing.
 */
static void print_ops(FILE *out, const struct quiz_cfg *cfg,
		      const struct quiz *q)
{
	int width = q->nops >= 1000 ? 4 : 3;
	char text[64], answer[128], why[512], indent[8];

	snprintf(indent, sizeof(indent), "%*s", width + 2, "");
	for (size_t i = 0; i < q->nops; i++) {
		const struct quiz_op *op = &q->ops[i];

		op_text(q, op, text, sizeof(text));
		quiz_answer_text(cfg, q, op, answer, sizeof(answer));
		if (answer[0])
			fprintf(out, "%*zu  %-*s %s\n", width, i + 1,
				QUIZ_OP_WIDTH, text, answer);
		else
			fprintf(out, "%*zu  %s\n", width, i + 1, text);
		if (quiz_why_text(cfg, q, op, why, sizeof(why))[0])
			quiz_wrap(out, indent, why);
	}
}

/* What the student is asked, by type. */
static const char *const questions[QT_COUNT] = {
	[QT_LAND] = "Where does each spawn put the new thread's TLS region? Give its offset in the process's user land in hex, or say that the land is full.",
	[QT_PAGES] = "Answer the questions above.",
	[QT_UNMAP] = "Which exits make the manager unmap a TLS page? Give the page's offset, or say that nothing is unmapped.",
	[QT_REGISTER] = "After each switch, what does the TLS register hold? Give it as PROCESS+offset, and say whether the read of ptr_self faults.",
	[QT_SPY] = "What does each read of tls+OFF return? Give the 8 bytes, or say that it faults.",
	[QT_LEAK] = "Answer the question above.",
	[QT_MIX] = "Replace every ? (a TLS offset, a page unmapped or nothing, the register, the bytes read), then answer the questions above.",
};

/*
 * Each process's final memory and slots, drawn by show_process as the
 * runner's `show` draws them. Returns 0, or show_process's error.
 */
static int print_pictures(FILE *out, const struct quiz *q)
{
	fprintf(out, "The end: each process's memory and TLS slots, as `show` draws them.\n");
	for (unsigned i = 0; i < q->nprocs; i++) {
		int err;

		fputc('\n', out);
		err = show_process(out, quiz_kernel(q), quiz_process(q, i), NULL);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The problem as text: the question, or with compute the answers and
 * the pictures. Returns 0, or print_pictures' error.
 */
static int print_text(FILE *out, const struct quiz_cfg *cfg,
		      const struct quiz *q)
{
	char cmd[200], text[400];

	print_header(out, cfg, q, "");
	fputc('\n', out);
	print_ops(out, cfg, q);
	fputc('\n', out);
	quiz_print_end(out, cfg, q);
	if (cfg->compute)
		return print_pictures(out, q);
	snprintf(text, sizeof(text), "%s To check: %s", questions[cfg->type],
		 command_line(cfg, true, cmd, sizeof(cmd)));
	quiz_wrap(out, "", text);
	return 0;
}

/* ---- the scenario ---- */

/*
 * `process P userland=SIZE policy=NAME` for the i-th process. Returns
 * nothing.
 */
static void print_process_line(FILE *out, const struct quiz_cfg *cfg,
			       const struct quiz *q, unsigned i)
{
	fprintf(out, "process %s userland=%zuK", q->procs[i].name,
		(size_t)QUIZ_LAND_SIZE / 1024);
	if (cfg->emit_policy || cfg->par.mixed)
		fprintf(out, " policy=%s", quiz_policy_of(q, i)->name);
	fputc('\n', out);
}

/*
 * The expectations after op (its answers, as commands), or before it
 * when before (a spawn into a full land, a read that faults). Returns
 * nothing.
 */
static void print_expect(FILE *out, const struct quiz *q,
			 const struct quiz_op *op, bool before)
{
	const char *name = q->threads[op->thread].name;
	char bytes[64];
	size_t o = 0;

	if (before) {
		if (op->kind == QOP_SPAWN && op->err)
			fprintf(out, "expect error %s\n",
				kernel_error_name(op->err));
		if ((op->kind == QOP_SWITCH || op->kind == QOP_SPY ||
		     op->kind == QOP_SECRET) && op->faulted)
			fprintf(out, "expect fault\n");
		return;
	}
	switch (op->kind) {
	case QOP_SPAWN:
		if (!op->err)
			fprintf(out, "expect tls %s 0x%" PRIx64 "\n", name,
				op->tls);
		break;
	case QOP_EXIT:
		fprintf(out, "expect map %s 0x%" PRIx64 " %s\n",
			q->procs[op->proc].name, op->page,
			op->unmapped ? "Unmapped" : "ThreadLocal");
		break;
	case QOP_SWITCH:
		if (op->faulted)
			fprintf(out, "read %s self\n", name);
		else if (op->self_ok)
			fprintf(out, "expect read %s self 0x%" PRIx64 "\n", name,
				op->self_offset);
		break;
	case QOP_SPY:
		if (op->faulted)
			break;
		for (size_t i = 0; i < QUIZ_SECRET_LEN; i++)
			o += (size_t)snprintf(bytes + o, sizeof(bytes) - o,
					      "\\x%02x", op->bytes[i]);
		fprintf(out, "expect read %s tls+0x%" PRIx64 " \"%s\"\n", name,
			op->offset, bytes);
		break;
	default:
		break;
	}
}

/*
 * The problem as a scenario with its answers as expectations: `expect tls`
 * after each spawn, `expect error` before a spawn into a full land, and
 * each live process's pages and slots in use at the end. Returns 0 (a
 * write error shows in ferror(out)).
 */
static int print_scenario(FILE *out, const struct quiz_cfg *cfg,
			  const struct quiz *q)
{
	char text[64], cmd[200], run[64];

	print_header(out, cfg, q, "# ");
	/* without policy= in the file, run's --policy picks the answers */
	run[0] = '\0';
	if (!cfg->emit_policy && !cfg->par.mixed &&
	    strcmp(cfg->par.policy->name, TLS_POLICY_DEFAULT) != 0)
		snprintf(run, sizeof(run), " --policy %s", cfg->par.policy->name);
	if (cfg->par.no_tls_restore)
		snprintf(run + strlen(run), sizeof(run) - strlen(run),
			 " --no-tls-restore");
	fprintf(out, "#\n# Made by `%s --emit-scenario%s`;\n# run it with `tlssim run%s FILE`.\n",
		command_line(cfg, false, cmd, sizeof(cmd)),
		cfg->emit_policy ? " --emit-policy" : "", run);
	for (unsigned i = 0; i < cfg->par.processes; i++)
		print_process_line(out, cfg, q, i);
	for (size_t i = 0; i < q->nops; i++) {
		const struct quiz_op *op = &q->ops[i];

		if (op->kind == QOP_PROCESS) {
			print_process_line(out, cfg, q, op->proc);
			continue;
		}
		/* a switch that faults: `switch T`, `expect fault`, `read T self` */
		if (op->kind == QOP_SWITCH)
			fprintf(out, "%s\n", op_text(q, op, text, sizeof(text)));
		print_expect(out, q, op, true);
		if (op->kind != QOP_SWITCH && (op->kind != QOP_SPY || op->faulted))
			fprintf(out, "%s\n", op_text(q, op, text, sizeof(text)));
		if (op->kind != QOP_EXIT || quiz_asks(cfg, QOP_EXIT))
			print_expect(out, q, op, false);
	}
	fprintf(out, "# the end: TLS pages and slots in use of each live process\n");
	for (unsigned i = 0; i < q->nprocs; i++) {
		struct tlsm_stats st;

		if (!quiz_proc_alive(q, i))
			continue;
		process_tls_stats(quiz_process(q, i), &st);
		fprintf(out, "expect pages %s %zu\nexpect used %s %zu\n",
			q->procs[i].name, st.pages, q->procs[i].name, st.used);
	}
	return 0;
}

int quiz_main(int argc, char **argv, FILE *out)
{
	struct quiz_cfg cfg = {
		.par = { .seed = 0, .ops = 10, .processes = 1, .maps = 0,
			 .policy = tls_policy_find(TLS_POLICY_DEFAULT) },
	};
	struct quiz *q;
	int status, err;

	status = parse_args(argc, argv, &cfg);
	if (status >= 0)
		return status;
	q = calloc(1, sizeof(*q));
	if (!q) {
		host_say_no_memory(stderr);
		return 4;
	}
	err = quiz_make(q, &cfg.par);
	if (err == -ENOMEM)
		host_say_no_memory(stderr);
	status = err == 0 ? 0 : err == -EIO ? 1 : 4;
	if (!err) {
		err = cfg.emit ? print_scenario(out, &cfg, q)
			       : print_text(out, &cfg, q);
		/* main says why (cli_stdout_finish) */
		if (err || fflush(out) || ferror(out))
			status = 4;
	}
	quiz_free(q);
	free(q);
	return status;
}
