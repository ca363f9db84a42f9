/*
 * grade_batch.c - `tlssim grade --batch DIR`: a class's submissions, one
 * entry of DIR each (NAME.so, NAME.c, or a directory NAME holding one of
 * them), graded N at a time into a CSV gradebook on stdout: one row a
 * submission, one column a test.
 *
 * Each submission is built (a .c: -shared -fPIC by this build's compiler,
 * against the interface's header and the submission's own directory) in a scratch
 * directory, then graded by this tlssim run again as `grade --json` with
 * the batch's options, its report read back with jansson. A submission
 * that does not build, does not load or is not graded gets a row that
 * says why, and the batch goes on.
 */
#include <config.h>

#include "grade.h"
#include "grade_batch.h"
#include "report/progress.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SUBMISSIONS 1024
#define MAX_COLUMNS 320

struct submission {
	char name[NAME_MAX + 1];
	char source[PATH_MAX];		/* the .c or .so found */
	char so[PATH_MAX];		/* what is graded */
	char report[PATH_MAX];		/* its --json report */
	char log[PATH_MAX];		/* the build's and grade's stderr */
	pid_t pid;
	int status;			/* of the grading, once it ended */
	char why[200];			/* why it has no score, or "" */
	bool refused;			/* the host refused its grading */
};

/* Whether name ends in suffix. */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

/* The first NAME.so, else NAME.c, of directory dir into out. */
static bool find_in(const char *dir, char *out, size_t len)
{
	const char *want[] = { ".so", ".c" };
	bool found = false;

	for (int w = 0; w < 2 && !found; w++) {
		DIR *d = opendir(dir);
		struct dirent *e;

		if (!d)
			return false;
		while (!found && (e = readdir(d)))
			if (e->d_name[0] != '.' && ends_with(e->d_name, want[w]))
				found = snprintf(out, len, "%s/%s", dir,
						 e->d_name) < (int)len;
		closedir(d);
	}
	return found;
}

/* qsort's order of submissions: by name. */
static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct submission *)a)->name,
		      ((const struct submission *)b)->name);
}

/* List the submissions of dir. Returns how many, or -1 after saying why. */
static int list_submissions(const char *dir, struct submission *subs)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d) {
		fprintf(stderr, "tlssim: grade: cannot open '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) && n < MAX_SUBMISSIONS) {
		struct submission *s = &subs[n];
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", e->d_name);
		if (S_ISDIR(st.st_mode)) {
			if (!find_in(path, s->source, sizeof(s->source)))
				snprintf(s->why, sizeof(s->why), "no .so or .c "
					 "in the directory");
		} else if (ends_with(e->d_name, ".so") ||
			   ends_with(e->d_name, ".c")) {
			snprintf(s->source, sizeof(s->source), "%s", path);
			*strrchr(s->name, '.') = '\0';
		} else {
			continue;
		}
		n++;
	}
	closedir(d);
	qsort(subs, (size_t)n, sizeof(*subs), by_name);
	return n;
}

/* Where the interface's header is: installed, else the source tree. */
static const char *include_dir(void)
{
	return grade_installed_or_source(TLSSIM_INCLUDE_INSTALLED,
					 "tls_manager.h",
					 TLSSIM_INCLUDE_SOURCE);
}

/* Point fd at a new file path (stdio's streams may be wrapped). */
static bool to_file(const char *path, int fd)
{
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (f < 0)
		return false;
	if (dup2(f, fd) < 0) {
		close(f);
		return false;
	}
	close(f);
	return true;
}

/*
 * The child of one submission: build it if it is a .c, then exec this
 * tlssim's grade --json with the batch's options. Never returns.
 */
static void __attribute__((noreturn))
grade_one(struct submission *s, int argc, char **argv)
{
	char *args[64], here[PATH_MAX], manager[PATH_MAX + 16];
	int i, n = 0;

	if (!to_file(s->log, STDERR_FILENO))
		_exit(51);
	if (ends_with(s->source, ".c")) {
		char dir[PATH_MAX], inc[PATH_MAX + 2], own[PATH_MAX + 2];
		pid_t cc;
		int status;

		snprintf(dir, sizeof(dir), "%s", s->source);
		*strrchr(dir, '/') = '\0';
		snprintf(inc, sizeof(inc), "-I%s", include_dir());
		snprintf(own, sizeof(own), "-I%s", dir);
		cc = fork();
		if (cc == 0) {
			/* this build's compiler (its words), else cc */
			execl("/bin/sh", "sh", "-c",
			      "c=$1; shift; command -v \"${c%% *}\" >/dev/null "
			      "|| c=cc; exec $c \"$@\"", "sh", TLSSIM_MANAGER_CC,
			      "-shared", "-fPIC", "-O2", inc, own, "-o", s->so,
			      s->source, (char *)NULL);
			_exit(127);
		}
		if (cc < 0 || waitpid(cc, &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			_exit(50);	/* the build failed */
	} else {
		snprintf(s->so, sizeof(s->so), "%s", s->source);
	}
	if (!realpath("/proc/self/exe", here))
		_exit(51);
	snprintf(manager, sizeof(manager), "--manager=%s", s->so);
	args[n++] = here;
	args[n++] = "grade";
	args[n++] = manager;
	args[n++] = "--json";
	for (i = 0; i < argc && n < 62; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (!to_file(s->report, STDOUT_FILENO))
		_exit(51);
	execv(here, args);
	_exit(51);
}

/* Start the grading of s (files in scratch). Returns 0, or -1 (errno). */
static int start(struct submission *s, const char *scratch, int argc,
		 char **argv)
{
	char name[sizeof(s->name)];

	memcpy(name, s->name, sizeof(name));
	snprintf(s->so, sizeof(s->so), "%s/%s.so", scratch, name);
	snprintf(s->report, sizeof(s->report), "%s/%s.json", scratch, name);
	snprintf(s->log, sizeof(s->log), "%s/%s.log", scratch, name);
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0)
		grade_one(s, argc, argv);
	return 0;
}

/*
 * What went wrong, from s's log: its first line holding want (or its
 * first line when none does), without a trailing newline.
 */
static void log_line(const struct submission *s, const char *want, char *buf,
		     size_t len)
{
	char line[160];
	FILE *f = fopen(s->log, "r");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '\n')
			continue;
		if (!buf[0] || strstr(line, want)) {
			snprintf(buf, len, "%s", line);
			if (strstr(line, want))
				break;
		}
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Set s->why from how its grading ended, when it has no report. */
static void explain(struct submission *s)
{
	char last[160];

	if (s->why[0])
		return;
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return;
	log_line(s, "error", last, sizeof(last));
	/* 4: the grading's own refusal; 51: its files (grade_one) */
	s->refused = WIFEXITED(s->status) && (WEXITSTATUS(s->status) == 4 ||
					      WEXITSTATUS(s->status) == 51);
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 50)
		snprintf(s->why, sizeof(s->why), "build failed: %s", last);
	else if (WIFEXITED(s->status))
		snprintf(s->why, sizeof(s->why), "not graded (exit %d): %s",
			 WEXITSTATUS(s->status), last);
	else
		snprintf(s->why, sizeof(s->why), "not graded (signal %d)",
			 WTERMSIG(s->status));
}

/* A CSV field: quoted, with its quotes doubled. */
static void csv_field(FILE *out, const char *text)
{
	fputc('"', out);
	for (; *text; text++) {
		if (*text == '"')
			fputc('"', out);
		if (*text != '\n' && *text != '\r')
			fputc(*text, out);
	}
	fputc('"', out);
}

/*
 * The columns: the tests of the first report that has them, by name.
 * Returns how many were found.
 */
static size_t columns(int n, json_t **reports, const char **names)
{
	for (int i = 0; i < n; i++) {
		json_t *tests = reports[i] ? json_object_get(reports[i], "tests")
					   : NULL;
		size_t k = 0, j;
		json_t *t;

		if (!json_is_array(tests) || !json_array_size(tests))
			continue;
		json_array_foreach(tests, j, t) {
			const char *name = json_string_value(
				json_object_get(t, "name"));

			if (name && k < MAX_COLUMNS)
				names[k++] = name;
		}
		return k;
	}
	return 0;
}

/* The points of test name in report r, or -1. */
static long points_of(json_t *r, const char *name)
{
	json_t *tests = json_object_get(r, "tests"), *t;
	size_t j;

	json_array_foreach(tests, j, t) {
		const char *got = json_string_value(json_object_get(t, "name"));

		if (got && strcmp(got, name) == 0)
			return (long)json_integer_value(
				json_object_get(t, "points"));
	}
	return -1;
}

/* Write the gradebook. */
static void gradebook(FILE *out, struct submission *subs, int n,
		      json_t **reports)
{
	static const char *names[MAX_COLUMNS];
	size_t k = columns(n, reports, names);

	fputs("submission,score,max_score,status", out);
	for (size_t j = 0; j < k; j++) {
		fputc(',', out);
		csv_field(out, names[j]);
	}
	fputc('\n', out);
	for (int i = 0; i < n; i++) {
		json_t *r = reports[i];

		csv_field(out, subs[i].name);
		if (r)
			fprintf(out, ",%lld,%lld,graded",
				(long long)json_integer_value(
					json_object_get(r, "score")),
				(long long)json_integer_value(
					json_object_get(r, "max_score")));
		else {
			fputs(",,,", out);
			csv_field(out, subs[i].why);
		}
		for (size_t j = 0; j < k; j++) {
			long p = r ? points_of(r, names[j]) : -1;

			if (p >= 0)
				fprintf(out, ",%ld", p);
			else
				fputc(',', out);
		}
		fputc('\n', out);
	}
}

/*
 * Wait for one grading to end; mark its submission and count it done on
 * pg. Returns 0 or -1.
 */
static int reap(struct submission *subs, int n, struct progress *pg,
		size_t *done)
{
	int status;
	pid_t pid;

	while ((pid = wait(&status)) < 0 && errno == EINTR)
		;
	if (pid < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (subs[i].pid == pid) {
			subs[i].status = status;
			subs[i].pid = 0;
			progress_step(pg, ++*done);
		}
	return 0;
}

int grade_batch(FILE *out, const char *dir, unsigned jobs, int argc,
		char **argv)
{
	static struct submission subs[MAX_SUBMISSIONS];
	static json_t *reports[MAX_SUBMISSIONS];
	char scratch[] = "/tmp/tlssim-batch.XXXXXX";
	unsigned running = 0;
	int n = list_submissions(dir, subs), refused = 0;
	struct progress pg;
	size_t done = 0;

	if (n < 0)
		return 2;
	if (!mkdtemp(scratch)) {
		fprintf(stderr, "tlssim: grade: the host refused a scratch "
			"directory: %s\n", strerror(errno));
		return 4;
	}
	/* submissions done of all, with their rate, once it lasts 2 s */
	progress_begin(&pg, stderr, false, "submissions", (size_t)n);
	for (int i = 0; i < n; i++) {
		if (subs[i].why[0]) {
			done++;
			continue;
		}
		while (running >= jobs && reap(subs, n, &pg, &done) == 0)
			running--;
		if (start(&subs[i], scratch, argc, argv) < 0) {
			snprintf(subs[i].why, sizeof(subs[i].why), "not "
				 "graded: the host refused a process (%s)",
				 strerror(errno));
			subs[i].refused = true;
			done++;
			continue;
		}
		running++;
	}
	while (running && reap(subs, n, &pg, &done) == 0)
		running--;
	progress_end(&pg);
	for (int i = 0; i < n; i++) {
		explain(&subs[i]);
		if (!subs[i].why[0])
			reports[i] = json_load_file(subs[i].report, 0, NULL);
		if (!subs[i].why[0] && !reports[i])
			snprintf(subs[i].why, sizeof(subs[i].why), "not graded: "
				 "no report");
		unlink(subs[i].report);
		unlink(subs[i].log);
		if (ends_with(subs[i].source, ".c"))
			unlink(subs[i].so);
	}
	rmdir(scratch);
	gradebook(out, subs, n, reports);
	for (int i = 0; i < n; i++) {
		json_decref(reports[i]);
		refused += subs[i].refused;
	}
	if (!refused)
		return 0;
	fprintf(stderr, "tlssim: grade: the host refused the grading of %d "
		"submission%s (the gradebook says why)\n", refused,
		refused == 1 ? "" : "s");
	return 4;
}
