/*
 * usage.h - the help texts of tlssim's command line: the whole program's
 * and each subcommand's own. The lists in them (policies, register
 * backends) are printed from their tables, never written out by hand.
 */
#ifndef TLSSIM_USAGE_H
#define TLSSIM_USAGE_H

#include <stdio.h>

/* One subcommand of the command line (main.c keeps the table). */
struct subcommand {
	const char *name;		/* "run" */
	const char *summary;		/* one line for `tlssim help` */
	const char *synopsis;		/* its usage line(s), after "tlssim " */
	/*
	 * The subcommands with their own option parser (bench, quiz, grade):
	 * their main, given argv from the subcommand's name on. NULL for
	 * run, render and demo, whose options main.c parses by `options`.
	 */
	int (*main)(int argc, char **argv, FILE *out);
	/* Bit i: the subcommand takes option i of main.c's option table. */
	unsigned long options;
	/* What it prints after its synopsis and summary for --help. */
	void (*describe)(FILE *out);
};

/* The program's help: every subcommand with its summary, exit statuses. */
void usage_print_all(FILE *out, const struct subcommand *subs, size_t n);

/* A subcommand's own help: its synopsis, summary and options. */
void usage_print_sub(FILE *out, const struct subcommand *sub);

/* The options of run, render, demo and step (describe of their rows). */
void usage_describe_run(FILE *out);
void usage_describe_render(FILE *out);
void usage_describe_demo(FILE *out);
void usage_describe_step(FILE *out);

#endif
