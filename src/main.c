/*
 * main.c - the tlssim command line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tlssim [--help] [--version]\n"
		"Simulate a microkernel's thread local storage.\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("tlssim %s\n", PACKAGE_VERSION);
		return 0;
	}
	usage(stderr);
	return 2;
}
