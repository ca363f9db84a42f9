/*
 * grade_run.c - one test of `tlssim grade`, in three processes.
 *
 *   grader ── verifier ── test child (its own process group, sandboxed)
 *
 * The test child loads the manager and runs the test with it, sending
 * each answer on the channel (grade_proxy.h). The verifier, forked from
 * the grader before any student code ran, runs the same test on those
 * answers with its own kernel model and reference beside it: its result
 * is the verdict, whatever the child claims. When the child stops
 * answering, the verifier names the call it waited for: a crash, a
 * timeout, memory beyond the limit, or bytes that are no answer. At the
 * end it kills the child's whole process group and sends the verdict,
 * with what the child printed escaped and cut, to the grader, which
 * waits for it with a deadline of its own.
 */
#include <config.h>

#include "grade_proxy.h"
#include "grade_run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The grader gives the verifier this long beyond the test's timeout. */
#define GRACE_SECONDS 10

/* The printed bytes shown in a verdict. */
#define OUTPUT_SHOWN 160

/* The verifier's state: one test, one child. */
static struct {
	struct wire_reader rd;
	unsigned timeout;
	int verdict_fd;
	int go[2];		/* the verifier lets the child go (laps) */
	struct grade_progress *progress;	/* shared with the child */
	struct grade_result res;
} v;

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

/* Run t with g under a panic catch into res. */
void grade_run_here(const struct grade_item *t, struct conform_ctx *g,
		     struct grade_result *res)
{
	struct test_call call = { t, g, -1 };
	struct panic_catch catch;

	if (panic_call(&catch, call_test, &call)) {
		res->rc = -1;
		snprintf(res->reason, sizeof(res->reason), "kernel panic: %s",
			 catch.message);
		return;
	}
	res->rc = call.rc;
	memcpy(res->reason, g->reason, sizeof(res->reason));
	res->reason[sizeof(res->reason) - 1] = '\0';
}

/* conform_lap in the child: wait to be let go. */
static double child_lap(struct conform_ctx *g)
{
	(void)g;
	return grade_record_lap(v.go[0]);
}

/* conform_lap in the verifier: let the child go, on its clock. */
static double verifier_lap(struct conform_ctx *g)
{
	(void)g;
	return grade_replay_lap(v.go[1]);
}

/* The test child: the manager, its answers on channel. Never returns. */
static void __attribute__((noreturn))
test_child(const struct grade_item *t, struct conform_ctx *g,
	   const struct grade_manager *m, int out_fd, int channel)
{
	static struct grade_result res;

	grade_child_enter(m, out_fd, channel, v.go[0], v.timeout + 1);
	g->ops = grade_record_ops(grade_open(m), m->name, v.progress);
	g->lap = child_lap;
	grade_run_here(t, g, &res);
	fflush(NULL);
	wire_put(WIRE_DONE, 0, 0, 0, 0, res.rc, NULL, 0);
	wire_flush();
	_exit(0);
}

/* Append a printf format to the verdict's reason. */
static void __attribute__((format(printf, 1, 2))) add_reason(const char *fmt,
							     ...)
{
	size_t len = strlen(v.res.reason);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v.res.reason + len, sizeof(v.res.reason) - len, fmt, ap);
	va_end(ap);
}

/*
 * End the child's process group, add what it printed to the verdict and
 * send the verdict to the grader. Never returns.
 */
static void __attribute__((noreturn)) finish(bool reaped)
{
	char shown[OUTPUT_SHOWN * 4 + 8];
	size_t done = 0;

	kill(-v.rd.pid, SIGKILL);
	if (!reaped)
		while (waitpid(v.rd.pid, NULL, 0) < 0 && errno == EINTR)
			;
	wire_drain_output(&v.rd, 0.05);
	if (v.rd.output_total) {
		grade_escape(shown, sizeof(shown), v.rd.output,
			     v.rd.output_len < OUTPUT_SHOWN ? v.rd.output_len :
			     OUTPUT_SHOWN);
		add_reason("%sthe manager printed %zu bytes: %s",
			   v.res.reason[0] ? "\n" : "", v.rd.output_total,
			   shown);
	}
	while (done < sizeof(v.res)) {
		ssize_t n = write(v.verdict_fd, (char *)&v.res + done,
				  sizeof(v.res) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		done += (size_t)n;
	}
	_exit(0);
}

void grade_replay_abort(int status, const char *op, unsigned long call,
			const char *detail)
{
	char sig[64];
	int child;

	v.res.rc = -1;
	v.res.reason[0] = '\0';
	if (status >= WIRE_STALLED && status <= WIRE_EOF &&
	    v.progress->call > call) {
		/* the child is further on, its answers still queued */
		call = (unsigned long)v.progress->call;
		op = grade_op_name(v.progress->op);
	}
	switch (status) {
	case WIRE_EOF:
		while (waitpid(v.rd.pid, &child, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(child))
			add_reason("crashed in %s (call %lu): %s%s%s", op,
				   call, grade_signal_text(WTERMSIG(child), sig,
							   sizeof(sig)),
				   grade_crash_at[0] ? ", at " : "",
				   grade_crash_at);
		else
			add_reason("exited with status %d in the middle of "
				   "the test, in %s (call %lu)",
				   WIFEXITED(child) ? WEXITSTATUS(child) : -1,
				   op, call);
		finish(true);
	case WIRE_TIMEOUT:
		add_reason("timed out after %u s in %s (call %lu)", v.timeout,
			   op, call);
		break;
	case WIRE_STALLED:
		add_reason("timed out after %u s in %s (call %lu)",
			   (unsigned)v.rd.call_budget, op, call);
		break;
	case WIRE_MEMORY:
		add_reason("used more than %zu MiB of memory in %s (call "
			   "%lu): stopped", GRADE_MEMORY_LIMIT >> 20, op, call);
		break;
	case WIRE_GARBLED:
		add_reason("the answer to %s (call %lu) is garbled: something "
			   "wrote into the grader's channel", op, call);
		break;
	case REPLAY_OUT_OF_TURN:
		add_reason("the test child answered %s (call %lu) out of turn "
			   "(%s): something wrote into the grader's channel",
			   op, call, detail);
		break;
	case REPLAY_MEMORY_DIFFERS:
		add_reason("the memory calls of %s (call %lu) gave another "
			   "result in the grader (%s): the test child's "
			   "kernel model was tampered with", op, call, detail);
		break;
	case REPLAY_HOST_REFUSED:
		add_reason("the host refused the test child memory in %s "
			   "(call %lu): it may hold at most 2 GiB more than "
			   "tlssim", op, call);
		break;
	default:
		add_reason("the test child could not load the manager: %s",
			   detail ? detail : "?");
		break;
	}
	finish(false);
}

/* The verifier: fork the child, replay, send the verdict. */
static void __attribute__((noreturn))
verifier(const struct grade_item *t, struct conform_ctx *g,
	 const struct grade_manager *m)
{
	int chan[2], out[2];
	pid_t pid;

	v.progress = mmap(NULL, sizeof(*v.progress), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (v.progress == MAP_FAILED || pipe(chan) < 0 || pipe(out) < 0 ||
	    pipe(v.go) < 0)
		_exit(4);
	signal(SIGPIPE, SIG_IGN);	/* a dead child: EPIPE, not death */
	pid = fork();
	if (pid < 0)
		_exit(4);
	if (pid == 0) {
		close(chan[0]);
		close(out[0]);
		close(v.go[1]);
		close(v.verdict_fd);
		signal(SIGPIPE, SIG_DFL);
		test_child(t, g, m, out[1], chan[1]);
	}
	setpgid(pid, pid);
	close(chan[1]);
	close(out[1]);
	close(v.go[0]);
	v.rd = (struct wire_reader){ .fd = chan[0], .out_fd = out[0],
				     .pid = pid,
				     .deadline = wire_now() + v.timeout,
				     .rss_limit = GRADE_MEMORY_LIMIT,
				     .beat = &v.progress->call,
				     .call_budget = v.timeout < GRADE_CALL_BUDGET ?
						    v.timeout : GRADE_CALL_BUDGET };
	g->ops = grade_replay_ops(&v.rd, m->name);
	g->lap = verifier_lap;
	grade_run_here(t, g, &v.res);
	finish(false);
}

/*
 * Read the verdict from fd until it is whole, the verifier ends, or the
 * deadline. Returns the bytes read.
 */
static size_t read_verdict(int fd, double deadline, struct grade_result *res)
{
	size_t got = 0;

	while (got < sizeof(*res)) {
		struct pollfd p = { fd, POLLIN, 0 };
		double left = deadline - wire_now();
		ssize_t n;

		if (left <= 0)
			break;
		n = poll(&p, 1, (int)(left * 1e3) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		n = read(fd, (char *)res + got, sizeof(*res) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

int grade_run_forked(const struct grade_item *t, struct conform_ctx *g,
		     const struct grade_manager *m, unsigned timeout,
		     struct grade_result *res)
{
	int fd[2], status;
	size_t got;
	pid_t pid;

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
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fd[0]);
		v.verdict_fd = fd[1];
		v.timeout = timeout;
		verifier(t, g, m);
	}
	close(fd[1]);
	memset(res, 0, sizeof(*res));
	got = read_verdict(fd[0], wire_now() + timeout + GRACE_SECONDS, res);
	close(fd[0]);
	if (got < sizeof(*res))
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(*res)) {
		res->reason[sizeof(res->reason) - 1] = '\0';
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
		errno = EAGAIN;
		return -1;
	}
	res->rc = -1;
	snprintf(res->reason, sizeof(res->reason), "the grader's verifier "
		 "gave no verdict (a fault of tlssim's, status 0x%x)", status);
	return 0;
}
