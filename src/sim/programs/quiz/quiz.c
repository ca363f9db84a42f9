/*
 * quiz.c - `tlssim quiz`: its options, and the three ways it prints a
 * problem of quiz_gen.c.
 *
 * Like the homework simulators of OSTEP (Operating Systems: Three Easy
 * Pieces), the quiz prints a problem the student works out by hand, and
 * the same command with -c prints the answers. Here the problem is a
 * sequence of operations on small processes and the question is where
 * each spawn puts the new thread's TLS region: which page (an old one with
 * a free slot, or a new one at the first free page of the user land) and
 * which slot of it. The answers hold what the kernel model did, so they
 * change with --policy exactly as the policies differ.
 *
 * The output is plain text that depends only on the options: offsets in
 * user lands, never host addresses, so the golden tests can compare it
 * byte for byte on any host. --emit-scenario writes the same problem in
 * the scenario language, with `expect tls` after every spawn: `tlssim run`
 * then checks the answers on its own.
 */
#include <config.h>

#include "cli.h"
#include "quiz.h"
#include "quiz_gen.h"
#include "policy/policy.h"
#include "report/show.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Text lines are wrapped before this column. */
#define QUIZ_WRAP 76
/* Operations are padded to this width before their answer. */
#define QUIZ_OP_WIDTH 14

struct quiz_cfg {
	struct quiz_params par;
	bool compute;
	bool emit;
};

static const char usage[] =
	"Usage: tlssim quiz [-s SEED] [-n OPS] [--policy P] [--processes K]\n"
	"                   [--maps M] [-c] [--emit-scenario]\n"
	"Print a random problem about where threads' TLS regions land: spawns,\n"
	"exits, other mappings and kills on processes with 16-page user lands.\n"
	"The same options give the same problem on every host, and the same\n"
	"operations whatever the policy: only the answers differ.\n"
	"\n"
	"  -s, --seed=SEED       the problem's number (default 0)\n"
	"  -n, --ops=OPS         operations, 1 to 1000 (default 10)\n"
	"      --policy=P        the TLS manager policy (default sunrise)\n"
	"      --processes=K     processes alive at once, 1 to 8 (default 1);\n"
	"                        named A, B, ..., their threads a1, a2, b1, ...\n"
	"      --maps=M          at most M operations map or unmap other\n"
	"                        memory (default 0)\n"
	"  -c, --compute         print the answers and the final pages\n"
	"      --emit-scenario   print the problem as a scenario for tlssim run\n"
	"      --help\n";

enum { OPT_POLICY = 256, OPT_PROCESSES, OPT_MAPS, OPT_EMIT };

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
		return -1;
	case 'c':
		cfg->compute = true;
		return -1;
	case OPT_POLICY:
		cfg->par.policy = tls_policy_find(arg);
		if (!cfg->par.policy && tls_policy_unbuilt(arg))
			return cli_usage_error("quiz", "--policy %s is not in this build: %s",
					       arg, tls_policy_unbuilt(arg));
		if (!cfg->par.policy)
			return cli_usage_error("quiz", "unknown --policy '%s' (expected %s)",
					       arg, tls_policy_names(names, sizeof(names)));
		return -1;
	case OPT_PROCESSES:
		if ((status = cli_number_option("quiz", "--processes", arg, 1,
						QUIZ_MAX_PROCESSES, &v)) >= 0)
			return status;
		cfg->par.processes = (unsigned)v;
		return -1;
	case OPT_MAPS:
		if ((status = cli_number_option("quiz", "--maps", arg, 0,
						QUIZ_MAX_OPS, &v)) >= 0)
			return status;
		cfg->par.maps = (unsigned)v;
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int status, first;

	status = cli_parse("quiz", argc, argv, 1, "s:n:ch", opts,
			   apply_option, cfg, &first);
	if (status >= 0)
		return status;
	if (first < argc)
		return cli_usage_error("quiz", "unexpected argument '%s' (the options take no files)",
				       argv[first]);
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
	if (strcmp(par->policy->name, TLS_POLICY_DEFAULT) != 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --policy %s",
				      par->policy->name);
	if (par->processes != 1 && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --processes %u",
				      par->processes);
	if (par->maps && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --maps %u",
				      par->maps);
	if (compute && n < size)
		snprintf(buf + n, size - n, " -c");
	return buf;
}

/*
 * Write text to out as lines of at most QUIZ_WRAP columns, breaking at
 * spaces, each line starting with prefix (e.g. "# "). Returns nothing.
 */
static void wrap(FILE *out, const char *prefix, const char *text)
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
	snprintf(text, sizeof(text), "Quiz: seed %" PRIu64 ", %u operation%s, policy %s, %u process%s (%s), %s.",
		 par->seed, par->ops, par->ops == 1 ? "" : "s",
		 par->policy->name, par->processes,
		 par->processes == 1 ? "" : "es", names, maps);
	wrap(out, prefix, text);
	fprintf(out, "%s\n", *prefix ? "#" : "");
	snprintf(text, sizeof(text), "%s %s %s with an empty user land of 0x%zx bytes (%d pages). A thread's TLS region is 0x%zx bytes, %zu to a 0x%zx-byte page; a new TLS page goes to the lowest free page of the user land (first fit).%s",
		 par->processes == 1 ? "Process" : "Processes", names,
		 par->processes == 1 ? "starts" : "each start",
		 (size_t)QUIZ_LAND_SIZE, QUIZ_LAND_PAGES, TLS_SIZE,
		 TLS_PER_PAGE, TLSM_PAGE_SIZE, q->nprocs > par->processes ?
		 " A killed process is replaced by a new one, named with the next letter." : "");
	wrap(out, prefix, text);
	snprintf(text, sizeof(text), "Policy %s: %s.", par->policy->name,
		 par->policy->summary);
	wrap(out, prefix, text);
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
	default:
		snprintf(buf, size, "process %s", proc);
		break;
	}
	return buf;
}

/*
 * What follows an operation, into buf: a spawn's "-> TLS at ?" or its
 * answer, an exit's note that it unmapped a TLS page, or "". Returns buf.
 */
static const char *answer_text(const struct quiz_op *op, bool compute,
			       char *buf, size_t size)
{
	buf[0] = '\0';
	if (op->kind == QOP_SPAWN && !compute)
		snprintf(buf, size, "-> TLS at ?");
	else if (op->kind == QOP_SPAWN && op->err)
		snprintf(buf, size, "-> no TLS: %s (no free page left)",
			 kernel_error_name(op->err));
	else if (op->kind == QOP_SPAWN)
		snprintf(buf, size, "-> TLS at 0x%" PRIx64 "%s", op->tls,
			 op->pages_after > op->pages_before ?
			 "  (a new TLS page)" : "");
	else if (compute && op->kind == QOP_EXIT &&
		 op->pages_after < op->pages_before)
		snprintf(buf, size, "-> its TLS page is unmapped");
	return buf;
}

/* The numbered operations, with their answers when compute. Returns nothing. */
static void print_ops(FILE *out, const struct quiz *q, bool compute)
{
	int width = q->nops >= 1000 ? 4 : 3;
	char text[64], answer[96];

	for (size_t i = 0; i < q->nops; i++) {
		const struct quiz_op *op = &q->ops[i];

		op_text(q, op, text, sizeof(text));
		answer_text(op, compute, answer, sizeof(answer));
		if (answer[0])
			fprintf(out, "%*zu  %-*s %s\n", width, i + 1,
				QUIZ_OP_WIDTH, text, answer);
		else
			fprintf(out, "%*zu  %s\n", width, i + 1, text);
	}
}

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
	char cmd[160], text[320];

	print_header(out, cfg, q, "");
	fputc('\n', out);
	print_ops(out, q, cfg->compute);
	fputc('\n', out);
	if (cfg->compute)
		return print_pictures(out, q);
	snprintf(text, sizeof(text), "Where does each spawn put the new thread's TLS region? Give its offset in the process's user land in hex, or say that the land is full. To check: %s",
		 command_line(cfg, true, cmd, sizeof(cmd)));
	wrap(out, "", text);
	return 0;
}

/* ---- the scenario ---- */

/*
 * `process P userland=SIZE policy=NAME` for the i-th process. Returns
 * nothing.
 */
static void print_process_line(FILE *out, const struct quiz *q, unsigned i)
{
	fprintf(out, "process %s userland=%zuK policy=%s\n", q->procs[i].name,
		(size_t)QUIZ_LAND_SIZE / 1024, q->par.policy->name);
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
	char text[64], cmd[160];

	print_header(out, cfg, q, "# ");
	fprintf(out, "#\n# Made by `%s --emit-scenario`;\n# run it with `tlssim run FILE`.\n",
		command_line(cfg, false, cmd, sizeof(cmd)));
	for (unsigned i = 0; i < cfg->par.processes; i++)
		print_process_line(out, q, i);
	for (size_t i = 0; i < q->nops; i++) {
		const struct quiz_op *op = &q->ops[i];

		if (op->kind == QOP_PROCESS) {
			print_process_line(out, q, op->proc);
			continue;
		}
		if (op->kind == QOP_SPAWN && op->err)
			fprintf(out, "expect error %s\n",
				kernel_error_name(op->err));
		fprintf(out, "%s\n", op_text(q, op, text, sizeof(text)));
		if (op->kind == QOP_SPAWN && !op->err)
			fprintf(out, "expect tls %s 0x%" PRIx64 "\n",
				q->threads[op->thread].name, op->tls);
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
		fprintf(stderr, "tlssim: quiz: out of memory\n");
		return 4;
	}
	err = quiz_make(q, &cfg.par);
	if (err == -ENOMEM)
		fprintf(stderr, "tlssim: quiz: the host refused the simulator memory\n");
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
