/*
 * usage.c - the help texts of the command line (usage.h). Lists of
 * policies and register backends come from their tables.
 */
#include <config.h>

#include "usage.h"

#include "policy/policy.h"
#include "programs/demo/demo.h"
#include "programs/step/step.h"
#include "cpu/cpu.h"

#include <string.h>

static const char exit_text[] =
	"Exit status: 0 expectations held, 1 an expectation or command failed,\n"
	"2 bad scenario or command line (or pictures asked of a build without\n"
	"cairo), 3 unexpected kernel panic, 4 the host refused the simulator.\n"
	"See tlssim(1).\n";

void usage_print_all(FILE *out, const struct subcommand *subs, size_t n)
{
	fputs("Usage: tlssim SUBCOMMAND [OPTIONS] [ARGS]\n"
	      "       tlssim [OPTIONS] FILE...   the same as 'tlssim run'\n"
	      "\n"
	      "Simulate a microkernel's thread local storage: a 0x200-byte region per\n"
	      "thread, eight to a page, reached through the TLS register.\n"
	      "\n"
	      "Subcommands:\n", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-8s %s\n", subs[i].name, subs[i].summary);
	fputs("  help     this text; 'tlssim help SUBCOMMAND' (or 'tlssim\n"
	      "           SUBCOMMAND --help') tells one subcommand's options\n"
	      "\n"
	      "Options: -h, --help; --version\n"
	      "\n", out);
	fputs(exit_text, out);
}

void usage_print_sub(FILE *out, const struct subcommand *sub)
{
	fprintf(out, "Usage: tlssim %s\n%s.\n", sub->synopsis, sub->summary);
	if (sub->describe)
		sub->describe(out);
	fputs("\n", out);
	fputs(exit_text, out);
}

/* --arch: every backend, and those this build carries. */
static void describe_arch(FILE *out)
{
	char have[128];

	fputs("  --arch=NAME         register backend: auto (default: the best here),\n"
	      "                      x86_64 (the better x86_64 one here),\n"
	      "                     ", out);
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++)
		fprintf(out, " %s%s", arch_backend_name((enum arch_backend)b),
			b + 1 < ARCH_BACKEND_COUNT ? "," : "");
	fprintf(out, "\n                      (this build: %s)\n",
		arch_backend_build_list(have, sizeof(have)));
	fputs("  --no-tls-restore    lab fault: switches stop loading the register\n"
	      "  --cpus=N            N simulated CPUs, host threads (1 to 64; default 1)\n",
	      out);
}

/*
 * text at column `indent` (the cursor is there already), wrapped at
 * words before column 78; later lines indented alike.
 */
static void print_wrapped(FILE *out, const char *text, int indent)
{
	int col = indent;

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col > indent && col + 1 + len > 78) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", len, text);
		col += len;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/* --policy: every built-in policy with its summary. */
static void describe_policy(FILE *out)
{
	const struct tls_manager_ops *ops;

	fputs("  --policy=NAME       TLS manager of the processes that name none\n"
	      "                      (a file's policy= wins, with a warning;\n"
	      "                      default sunrise; see tlssim(1), Policies):\n",
	      out);
	for (size_t i = 0; (ops = tls_policy_at(i)) != NULL; i++)
	{
		fprintf(out, "%24s%-11s ", "", ops->name);
		print_wrapped(out, ops->summary, 36);
	}
	if (tls_policy_unbuilt("seed")) {
		fprintf(out, "%24s%-11s ", "", "seed");
		print_wrapped(out, "not in this build: the kernel's own Rust code "
			      "needs rustc at configure time", 36);
	}
}

/* The options run and render share: the kernel, the input, the trace. */
static void describe_scenario(FILE *out)
{
	fputs("\nOptions:\n", out);
	describe_policy(out);
	describe_arch(out);
	fputs("  --trace[=text|json] print kernel events (json: JSON Lines on\n"
	      "                      stdout, everything else on stderr)\n"
	      "  --fail-fast         stop at the first failed expectation\n"
	      "  --max-input=SIZE    largest scenario file read (default 64M);\n"
	      "                      a larger one is refused (exit 2)\n"
	      "  --color=auto|always|never\n"
	      "                      colour show, failures (red), the summary\n"
	      "                      (auto: on a stream that is a terminal)\n", out);
}

void usage_describe_run(FILE *out)
{
	describe_scenario(out);
	fputs("  --quiet             failures and traces only: no story, summary,\n"
	      "                      read, peek or show output\n"
	      "  --verbose           one line per command with its outcome\n"
	      "                      (FAILED when it did not do what was expected),\n"
	      "                      its story indented below it\n"
	      "  --render=FILE.svg|.png|.pdf\n"
	      "                      draw the state at the end of the run\n"
	      "  --render-steps=FILE.pdf|.html\n"
	      "                      a flip-book: a page per step that changes\n"
	      "                      what is drawn (the others listed on it);\n"
	      "                      .html: one self-contained page for a browser\n"
	      "  --process=P         draw only process P\n"
	      "  -h, --help          this text\n"
	      "\nEach step tells its story first: what the kernel did and why, a line\n"
	      "each ('FILE:LINE: t3 -> A+0x3400: page 1, slot 2 (REASON)'), the\n"
	      "reason in the words of the process's TLS policy; then its value or\n"
	      "show. With --trace=json it goes to stderr.\n"
	      "\nEach file is checked whole first (nothing runs if one is malformed),\n"
	      "then read again and run a command at a time: the memory of a run\n"
	      "grows with its threads and names, not with its length. Standard\n"
	      "input ('-', '<stdin>' in messages) is copied to a temporary file\n"
	      "first. A check or a run that lasts over 2 s shows its progress on\n"
	      "stderr when that is a terminal (not with --quiet, --verbose or\n"
	      "--trace).\n", out);
}

void usage_describe_render(FILE *out)
{
	describe_scenario(out);
	fputs("  --out=FILE.svg|.png|.pdf|.html\n"
	      "                      the picture of the state at the end (required);\n"
	      "                      .html is the flip-book as one self-contained\n"
	      "                      page (--steps implied): inline SVG pages, the\n"
	      "                      source with the step's line, its events; turn\n"
	      "                      the pages with the slider or the arrow keys\n"
	      "  --steps             --out is a flip-book (.pdf or .html): a page\n"
	      "                      per step that changes the address space or\n"
	      "                      the registers, the changes marked, each CPU's\n"
	      "                      register an arrow into its slot (red: stale);\n"
	      "                      steps that change nothing are listed on it\n"
	      "  --process=P         draw only process P\n"
	      "  -h, --help          this text\n"
	      "It prints failures only, as 'tlssim run --quiet' does. --trace is\n"
	      "refused with .html, which holds each step's events itself.\n", out);
}

void usage_describe_demo(FILE *out)
{
	fputs("\nOptions:\n", out);
	describe_arch(out);
	fputs("  --threads=N         threads per process (1 to 10000; default 3)\n"
	      "  --yields=M          yields of each thread, each followed by its\n"
	      "                      checks (0 to 1000000; default 3): the register\n"
	      "                      and ptr_self are its own region (tls=), and\n"
	      "                      what it reads there is its own\n"
	      "  --processes=K       processes (1 to 64; default 1)\n"
	      "  --quiet             the verdict only\n"
	      "  -h, --help          this text\n", out);
	fprintf(out, "At most %u threads asked in all: processes x threads (each "
		"process\nalso runs one context program).\n", DEMO_MAX_THREADS);
}

void usage_describe_step(FILE *out)
{
	fputs("\nOptions:\n", out);
	describe_policy(out);
	describe_arch(out);
	fputs("  --max-input=SIZE    largest scenario file read (default 64M)\n"
	      "  --color=auto|always|never\n"
	      "                      colour show and failed steps (auto: when\n"
	      "                      stdout is a terminal)\n"
	      "  -h, --help          this text\n"
	      "\n", out);
	step_print_commands(out);
	fprintf(out, "\nFrom a terminal: a prompt, %s.\n",
		step_line_editing() ?
		"line editing and history (libedit)" :
		"no line editing (this build has no libedit)");
	fputs("From a pipe or a file: each command is echoed after the prompt,\n"
	      "so the output reads as a session (golden tests:\n"
	      "printf 'next 3\\nregs\\nback\\nwhere\\n' | tlssim step FILE).\n"
	      "Going back runs the scenario again on a fresh kernel to that step;\n"
	      "it warns if a step did not do what it did the first time. The exit\n"
	      "status is that of the commands run so far, as for run.\n", out);
}
