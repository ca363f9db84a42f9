/*
 * grade_load.c - the manager to grade, learned without loading it.
 *
 * A student's shared object runs code as soon as it is loaded (its
 * constructors), and its table holds pointers that may point anywhere.
 * So the grader never opens it: a child does, in its own process group,
 * with its output captured and under the sandbox (grade_sandbox.h), and
 * sends what the grader must know: the version, which operations are
 * set, then the name and the summary, each on its own, so that a name
 * that cannot be read costs the name only. The object is opened with
 * dlopen(RTLD_NOW | RTLD_LOCAL): a symbol it lacks is an error now. Its
 * one undefined symbol, tlsm_panic, resolves to the one tlssim exports
 * (src/tlssim.dynlist).
 *
 * A statically linked tlssim (the emulated cross builds) cannot load
 * shared objects: it says so and grades built-in policies only.
 */
#include <config.h>

#include "grade_load.h"
#include "grade_sandbox.h"
#include "kerror.h"
#include "policy/policy.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef TLSSIM_CAN_LOAD_MANAGERS
#include <dlfcn.h>
#endif

/* Bits of WIRE_HELLO's mask: the operations set. */
static const char *const operations[] = {
	"create", "destroy", "allocate", "free", "stats", "for_each_page",
};

#ifdef TLSSIM_CAN_LOAD_MANAGERS
/* The program counter of a signal's context, or 0. */
static uintptr_t context_pc(void *uctx)
{
	ucontext_t *uc = uctx;

#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

/*
 * A fatal signal in the child: say where it hit (the function and offset
 * dladdr finds, in which object), then die of it (SA_RESETHAND). Not
 * async-signal-safe, and need not be: the process is about to die.
 */
static void crash_handler(int signo, siginfo_t *info, void *uctx)
{
	uintptr_t pc = context_pc(uctx);
	char where[200];
	const char *file;
	Dl_info dl;

	(void)signo;
	(void)info;
	if (!pc || !dladdr((void *)pc, &dl) || !dl.dli_fname)
		return;
	file = strrchr(dl.dli_fname, '/');
	file = file ? file + 1 : dl.dli_fname;
	if (dl.dli_sname)
		snprintf(where, sizeof(where), "%s+0x%lx in %s", dl.dli_sname,
			 (unsigned long)(pc - (uintptr_t)dl.dli_saddr), file);
	else
		snprintf(where, sizeof(where), "0x%lx in %s (addr2line -f -e "
			 "%s 0x%lx)", (unsigned long)(pc - (uintptr_t)dl.dli_fbase),
			 file, file, (unsigned long)(pc - (uintptr_t)dl.dli_fbase));
	wire_put(WIRE_CRASH_AT, 0, 0, 0, 0, 0, where, strlen(where));
	wire_flush();
}

/* Say where a crash hits before dying of it. */
static void catch_crashes(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}
#else
static void catch_crashes(void)
{
}
#endif

/* The child's channel, and the fd it may read (-1: none). */
static int child_channel = -1, child_input = -1;

/*
 * A shared object never runs unconfined: when the sandbox could not be
 * entered (err), say so on the channel and end.
 */
static void unconfined_ends(const struct grade_manager *m, int err)
{
	if (!err || m->builtin)
		return;
	wire_put(WIRE_NO_SANDBOX, 0, 0, 0, 0, -err, NULL, 0);
	wire_flush();
	_exit(0);
}

int grade_child_enter(const struct grade_manager *m, int out_fd, int channel,
		      int input, unsigned cpu_seconds)
{
	int err;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (out_fd >= 0) {
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
		close(out_fd);
	}
	wire_writer_open(channel);
	catch_crashes();
	child_channel = channel;
	child_input = input;
	err = sandbox_enter(SANDBOX_LOADING, channel, input, cpu_seconds);
	unconfined_ends(m, err);
	return err;
}

#ifdef TLSSIM_CAN_LOAD_MANAGERS
struct open_call {
	const char *path;
	void *dl;
};

/* panic_call's function: the dlopen, constructors and all. */
static void call_dlopen(void *arg)
{
	struct open_call *c = arg;

	c->dl = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
}

/* Send a load error (kind 1: the object, 2: the symbol) and end. */
static void __attribute__((noreturn)) load_failed(int kind, const char *why)
{
	wire_put(WIRE_LOAD_ERROR, 0, 0, 0, 0, kind, why, strlen(why));
	wire_flush();
	_exit(0);
}

/* dlopen m's object (a path without '/' is in the current directory). */
static const struct tls_manager_ops *open_object(const struct grade_manager *m)
{
	struct open_call c = { m->spec, NULL };
	const struct tls_manager_ops *ops;
	struct panic_catch catch;
	char local[4096];
	const char *why;

	if (!strchr(c.path, '/')) {
		snprintf(local, sizeof(local), "./%s", c.path);
		c.path = local;
	}
	if (panic_call(&catch, call_dlopen, &c)) {
		wire_put(WIRE_PANIC, 0, 0, 0, 0, 0, catch.message,
			 strnlen(catch.message, sizeof(catch.message)));
		wire_flush();
		_exit(0);
	}
	if (!c.dl)
		load_failed(1, dlerror());
	dlerror();
	ops = dlsym(c.dl, TLSM_SYMBOL);
	if (!ops) {
		why = dlerror();
		load_failed(2, why ? why : "it is NULL");
	}
	return ops;
}
#else
/* This build cannot load shared objects (grade_probe said so). */
static const struct tls_manager_ops *open_object(const struct grade_manager *m)
{
	(void)m;
	wire_put(WIRE_LOAD_ERROR, 0, 0, 0, 0, 1, "a static tlssim", 15);
	wire_flush();
	_exit(0);
}
#endif

const struct tls_manager_ops *grade_open(const struct grade_manager *m)
{
	const struct tls_manager_ops *ops;
	int err;

	if (m->builtin)
		ops = tls_policy_find(m->spec + 8);
	else
		ops = open_object(m);
	err = sandbox_enter(SANDBOX_RUNNING, child_channel, child_input, 0);
	unconfined_ends(m, err);
	return ops;
}

#ifdef TLSSIM_CAN_LOAD_MANAGERS
const struct tls_manager_ops *grade_open_here(const struct grade_manager *m)
{
	const struct tls_manager_ops *ops;
	char local[4096];
	const char *path = m->spec;
	void *dl;

	if (m->builtin)
		return tls_policy_find(m->spec + 8);
	if (!strchr(path, '/')) {
		snprintf(local, sizeof(local), "./%s", path);
		path = local;
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "tlssim: grade: cannot load the manager: %s\n",
			dlerror());
		return NULL;
	}
	ops = dlsym(dl, TLSM_SYMBOL);
	if (!ops)
		fprintf(stderr, "tlssim: grade: %s does not define '%s'\n",
			path, TLSM_SYMBOL);
	return ops;
}
#else
const struct tls_manager_ops *grade_open_here(const struct grade_manager *m)
{
	return m->builtin ? tls_policy_find(m->spec + 8) : NULL;
}
#endif

/* ---- the grader's side ---- */

/* A built-in policy: its table is the grader's own. Returns 0 or 2. */
static int probe_builtin(const char *name, struct grade_manager *m)
{
	const struct tls_manager_ops *ops = tls_policy_find(name);
	char names[160];

	m->builtin = true;
	if (ops) {
		snprintf(m->name, sizeof(m->name), "%s", ops->name);
		snprintf(m->summary, sizeof(m->summary), "%s", ops->summary);
		return 0;
	}
	if (tls_policy_unbuilt(name)) {
		fprintf(stderr, "tlssim: grade: built-in manager '%s' is not "
			"in this build: %s\n", name, tls_policy_unbuilt(name));
		return 2;
	}
	fprintf(stderr, "tlssim: grade: no built-in manager '%s' (expected "
		"builtin: and one of %s)\n", name,
		tls_policy_names(names, sizeof(names)));
	return 2;
}

/* The loading child: send what the grader must know, then end. */
static void __attribute__((noreturn))
probe_child(const struct grade_manager *m, int out_fd, int channel,
	    unsigned timeout)
{
	const struct tls_manager_ops *ops;
	uint64_t mask = 0;

	grade_child_enter(m, out_fd, channel, -1, timeout);
	ops = grade_open(m);
	mask |= ops->create ? 1u : 0;
	mask |= ops->destroy ? 2u : 0;
	mask |= ops->allocate ? 4u : 0;
	mask |= ops->free ? 8u : 0;
	mask |= ops->stats ? 16u : 0;
	mask |= ops->for_each_page ? 32u : 0;
	wire_put(WIRE_HELLO, 0, ops->version, mask, 0, 0, NULL, 0);
	wire_flush();
	wire_put(WIRE_NAME, 0, 0, 0, 0, 0, ops->name,
		 ops->name ? strnlen(ops->name, WIRE_TEXT_MAX) : 0);
	wire_flush();
	wire_put(WIRE_SUMMARY, 0, 0, 0, 0, 0, ops->summary,
		 ops->summary ? strnlen(ops->summary, WIRE_TEXT_MAX) : 0);
	wire_put(WIRE_DONE, 0, 0, 0, 0, 0, NULL, 0);
	wire_flush();
	_exit(0);
}

/* How the loading child ended, for a message: "crashed: SIGSEGV (...)". */
static const char *ending(pid_t pid, char *buf, size_t len)
{
	char sig[64];
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return "ended";
	if (WIFSIGNALED(status))
		snprintf(buf, len, "crashed: %s",
			 grade_signal_text(WTERMSIG(status), sig, sizeof(sig)));
	else
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	return buf;
}

/*
 * Read the loading child's records into m. Returns 0, or the exit status
 * after saying why.
 */
static int read_probe(struct wire_reader *rd, struct grade_manager *m,
		      bool *reaped)
{
	static char text[WIRE_TEXT_MAX + 1];
	const char *path = m->spec;
	bool hello = false;
	struct wire_rec r;
	char why[600], how[96];
	enum wire_status st;

	while ((st = wire_get(rd, &r, text)) == WIRE_OK) {
		grade_escape(why, sizeof(why), text, r.len);
		switch (r.kind) {
		case WIRE_NO_SANDBOX:
			fprintf(stderr, "tlssim: grade: this host cannot "
				"confine a manager's code (seccomp: %s): it "
				"grades built-in managers only "
				"(--manager=builtin:NAME)\n", strerror(r.err));
			return 4;
		case WIRE_LOAD_ERROR:
			if (r.err == 2)
				fprintf(stderr, "tlssim: grade: %s does not "
					"define '%s' (%s); it must define\n  "
					"const struct tls_manager_ops %s = "
					"{ .version = TLSM_VERSION, ... };\n",
					path, TLSM_SYMBOL, why, TLSM_SYMBOL);
			else
				fprintf(stderr, "tlssim: grade: cannot load "
					"the manager: %s\n", why);
			return 2;
		case WIRE_PANIC:
			fprintf(stderr, "tlssim: grade: %s panicked while it "
				"was loading: %s\n", path, why);
			return 2;
		case WIRE_HELLO:
			/* version 1 lacks explain only, which grade never asks */
			if (r.a < TLSM_VERSION_MIN || r.a > TLSM_VERSION) {
				fprintf(stderr, "tlssim: grade: %s: %s.version "
					"is %llu; this tlssim expects %u to %u "
					"(TLSM_VERSION): rebuild it against "
					"this tlssim's <tlssim/tls_manager.h>\n",
					path, TLSM_SYMBOL,
					(unsigned long long)r.a,
					TLSM_VERSION_MIN, TLSM_VERSION);
				return 2;
			}
			for (unsigned i = 0; i < 6; i++) {
				if (r.b & (1u << i))
					continue;
				fprintf(stderr, "tlssim: grade: %s: %s.%s is "
					"NULL; every operation must be set\n",
					path, TLSM_SYMBOL, operations[i]);
				return 2;
			}
			hello = true;
			break;
		case WIRE_NAME:
			if (r.len)
				grade_escape(m->name, sizeof(m->name), text,
					     r.len);
			else
				snprintf(m->name, sizeof(m->name), "(no name)");
			break;
		case WIRE_SUMMARY:
			if (r.len)
				grade_escape(m->summary, sizeof(m->summary),
					     text, r.len);
			else
				snprintf(m->summary, sizeof(m->summary),
					 "(no summary)");
			break;
		case WIRE_DONE:
			return 0;
		case WIRE_CRASH_AT:	/* the EOF that follows says it */
			break;
		default:
			st = WIRE_GARBLED;
			break;
		}
		if (st)
			break;
	}
	if (hello && st == WIRE_EOF) {
		/* the name or the summary could not be read */
		ending(rd->pid, how, sizeof(how));
		*reaped = true;
		if (!m->name[0])
			snprintf(m->name, sizeof(m->name), "(unreadable: "
				 "reading the name %.50s)", how);
		if (!m->summary[0])
			snprintf(m->summary, sizeof(m->summary),
				 "(unreadable: reading the summary %.50s)", how);
		return 0;
	}
	if (st == WIRE_EOF) {
		*reaped = true;
		fprintf(stderr, "tlssim: grade: %s %s while it was loading\n",
			path, ending(rd->pid, how, sizeof(how)));
	} else if (st == WIRE_TIMEOUT) {
		fprintf(stderr, "tlssim: grade: %s did not finish loading "
			"in time\n", path);
	} else {
		fprintf(stderr, "tlssim: grade: %s wrote into the grader's "
			"channel while it was loading\n", path);
	}
	return 2;
}

int grade_probe(const char *spec, unsigned timeout, struct grade_manager *m)
{
	static struct wire_reader rd;
	int chan[2], out[2], status;
	bool reaped = false;
	pid_t pid;

	memset(m, 0, sizeof(*m));
	m->spec = spec;
	if (strncmp(spec, "builtin:", 8) == 0)
		return probe_builtin(spec + 8, m);
#ifndef TLSSIM_CAN_LOAD_MANAGERS
	fprintf(stderr, "tlssim: grade: cannot load '%s': this tlssim is "
		"linked statically and cannot load shared objects (dlopen). "
		"Build tlssim without LDFLAGS=-static to grade a manager, or "
		"grade a built-in policy with --manager=builtin:NAME.\n", spec);
	return 4;
#endif
	m->sandboxed = true;
	if (pipe(chan) < 0)
		goto out_refused;
	if (pipe(out) < 0)
		goto out_close_chan;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto out_close_out;
	if (pid == 0) {
		close(chan[0]);
		close(out[0]);
		probe_child(m, out[1], chan[1], timeout);
	}
	setpgid(pid, pid);
	close(chan[1]);
	close(out[1]);
	memset(&rd, 0, sizeof(rd));
	rd = (struct wire_reader){ .fd = chan[0], .out_fd = out[0],
				   .pid = pid, .deadline = wire_now() + timeout,
				   .rss_limit = GRADE_MEMORY_LIMIT };
	status = read_probe(&rd, m, &reaped);
	kill(-pid, SIGKILL);
	if (!reaped)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	wire_drain_output(&rd, 0.05);
	grade_escape(m->loading_output, sizeof(m->loading_output), rd.output,
		     rd.output_len);
	close(chan[0]);
	if (rd.out_fd >= 0)
		close(rd.out_fd);
	return status;
out_close_out:
	close(out[0]);
	close(out[1]);
out_close_chan:
	close(chan[0]);
	close(chan[1]);
out_refused:
	fprintf(stderr, "tlssim: grade: the host refused a process to load "
		"the manager: %s\n", strerror(errno));
	return 4;
}
