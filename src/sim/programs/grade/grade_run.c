/*
 * grade_run.c - one test of `tlssim grade` in a child process. The child
 * runs the test under alarm() and a panic catch, and sends its verdict
 * through a pipe; the parent waits for it (killing a child that outlives
 * its alarm) and turns a child that died into a failure with its cause:
 * the signal that killed it, the timeout, or its exit status.
 */
#include <config.h>

#include "grade_run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A child that outlives its alarm this long is killed. */
#define GRACE_SECONDS 5

/* "SIGSEGV (Segmentation fault)" for a signal number, into buf. */
static const char *signal_text(int sig, char *buf, size_t len)
{
	static const struct { int sig; const char *name; } names[] = {
		{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" },
		{ SIGFPE, "SIGFPE" }, { SIGILL, "SIGILL" },
		{ SIGABRT, "SIGABRT" }, { SIGTRAP, "SIGTRAP" },
		{ SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" },
		{ SIGSYS, "SIGSYS" }, { SIGPIPE, "SIGPIPE" },
	};
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			name = names[i].name;
	if (name)
		snprintf(buf, len, "%s (%s)", name, strsignal(sig));
	else
		snprintf(buf, len, "signal %d (%s)", sig, strsignal(sig));
	return buf;
}

struct test_call {
	const struct grade_item *t;
	struct conform_ctx *g;
	int rc;
};

/* panic_call's function: the test itself. */
static void call_test(void *arg)
{
	struct test_call *c = arg;

	c->rc = c->t->run(c->g);
}

/* In the child: run the test, send the result, exit. Never returns. */
static void __attribute__((noreturn))
child(const struct grade_item *t, struct conform_ctx *g, unsigned timeout,
      int fd)
{
	static struct grade_result res;
	struct test_call call = { t, g, -1 };
	struct panic_catch catch;
	size_t done = 0;

	/* a crash is the test's verdict, not a core file in the lab */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	signal(SIGALRM, SIG_DFL);
	alarm(timeout);
	if (panic_call(&catch, call_test, &call)) {
		res.rc = -1;
		snprintf(res.reason, sizeof(res.reason), "kernel panic: %s",
			 catch.message);
	} else {
		res.rc = call.rc;
		memcpy(res.reason, g->reason, sizeof(res.reason));
	}
	fflush(NULL);	/* what the manager printed, before _exit drops it */
	while (done < sizeof(res)) {
		ssize_t n = write(fd, (char *)&res + done, sizeof(res) - done);

		if (n <= 0)
			_exit(3);
		done += (size_t)n;
	}
	_exit(0);
}

/*
 * Read the child's result until it closes the pipe or its time (plus a
 * grace) is up; then kill it if need be. Returns the bytes read.
 */
static size_t collect(int fd, pid_t pid, unsigned timeout,
		      struct grade_result *res, bool *killed)
{
	struct timespec now;
	time_t deadline;
	size_t got = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + timeout + GRACE_SECONDS;
	*killed = false;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		int left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (int)(deadline - now.tv_sec);
		if (left <= 0) {
			kill(pid, SIGKILL);
			*killed = true;
			break;
		}
		if (poll(&p, 1, left * 1000) < 0 && errno != EINTR)
			break;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, (char *)res + got,
			 got < sizeof(*res) ? sizeof(*res) - got : 1);
		if (n <= 0)
			break;
		if (got < sizeof(*res))
			got += (size_t)n;
	}
	return got;
}

int grade_run_forked(const struct grade_item *t, struct conform_ctx *g,
		     unsigned timeout, struct grade_result *res)
{
	bool killed;
	size_t got;
	int fd[2], status;
	pid_t pid;
	char sig[64];

	if (pipe(fd) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		child(t, g, timeout, fd[1]);
	}
	close(fd[1]);
	memset(res, 0, sizeof(*res));
	got = collect(fd[0], pid, timeout, res, &killed);
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(*res) && WIFEXITED(status) && !WEXITSTATUS(status)) {
		res->reason[sizeof(res->reason) - 1] = '\0';
		return 0;
	}
	res->rc = -1;
	if (killed || (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM))
		snprintf(res->reason, sizeof(res->reason),
			 "timed out after %u s", timeout);
	else if (WIFSIGNALED(status))
		snprintf(res->reason, sizeof(res->reason), "crashed: %s",
			 signal_text(WTERMSIG(status), sig, sizeof(sig)));
	else
		snprintf(res->reason, sizeof(res->reason), "exited with "
			 "status %d in the middle of the test",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
