/*
 * demo.c - the built-in user programs, and `tlssim demo`: a few processes
 * whose threads each keep a message in their IPC buffer and check it
 * through the TLS register after every context switch.
 */
#include <config.h>

#include "demo.h"
#include "hostmem.h"
#include "kernel/kernel.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Read ptr_self through the register: how user code learns its TLS. */
static uintptr_t read_self(struct kernel *k)
{
	uintptr_t self;

	user_read(k, TLS_OFF_SELF, &self, sizeof(self));
	return self;
}

/*
 * Whether t, after a yield, is on its own region: the register and the
 * ptr_self read through it are both the region the kernel gave t. A
 * thread that reads another's region (a stale register) is not, whatever
 * it reads there.
 */
static bool on_own_region(struct kernel *k, struct thread *t,
			  uintptr_t self)
{
	uintptr_t own = thread_tls(t);

	return kernel_tls_register(k) == own && self == own;
}

/*
 * An address as "+0xOFF" from the start of p's user land, into buf.
 * Returns buf.
 */
static const char *land_offset(const struct process *p, uintptr_t a,
			       char *buf, size_t size)
{
	snprintf(buf, size, "+0x%" PRIx64,
		 (uint64_t)(a - process_userland_start(p)));
	return buf;
}

/*
 * One line per check, for the demo's per-switch log: the thread's own
 * region (tls=), the register and the ptr_self read through it, what it
 * read, and the verdict.
 */
static void log_check(struct kernel *k, struct thread *t,
		      const struct demo_result *r, uintptr_t self,
		      const char *what, bool ok)
{
	struct process *p = thread_process(t);
	uintptr_t reg = kernel_tls_register(k);
	char own[24], at[24], seen[24];

	if (!r->log)
		return;
	fprintf(r->log, "%-4s %-8s tls=%-7s reg=%s%-7s self=%-7s %-24s %s\n",
		process_name(p), thread_name(t),
		land_offset(p, thread_tls(t), own, sizeof(own)),
		process_holds(p, reg) ? process_name(p) : "??",
		land_offset(p, reg, at, sizeof(at)),
		land_offset(p, self, seen, sizeof(seen)), what,
		ok ? "ok" : "WRONG");
}

void prog_ipc_check(struct kernel *k, struct thread *t, void *arg)
{
	struct demo_result *r = arg;
	size_t len = strlen(r->message);
	char seen[sizeof(r->message)];

	r->first_self = read_self(k);
	user_write(k, TLS_OFF_IPC, r->message, len);
	for (unsigned i = 0; i < r->yields; i++) {
		sys_yield(k);
		r->last_self = read_self(k);
		memset(seen, 0, sizeof(seen));
		user_read(k, TLS_OFF_IPC, seen, len);
		bool ok = on_own_region(k, t, r->last_self) &&
			  memcmp(seen, r->message, len) == 0;
		r->checks++;
		r->failures += !ok;
		log_check(k, t, r, r->last_self, seen, ok);
	}
}

/* The record a context program hangs off ptr_thread_context. */
struct context_record {
	uint64_t magic;
	const struct thread *owner;
};

void prog_context(struct kernel *k, struct thread *t, void *arg)
{
	struct demo_result *r = arg;
	struct context_record rec = { 0x7157C0DE00000000ull + thread_tid(t), t };
	struct context_record *mine = &rec, *seen;

	r->first_self = read_self(k);
	user_write(k, TLS_OFF_CONTEXT, &mine, sizeof(mine));
	for (unsigned i = 0; i < r->yields; i++) {
		sys_yield(k);
		user_read(k, TLS_OFF_CONTEXT, &seen, sizeof(seen));
		r->last_self = read_self(k);
		bool found = seen == mine && seen->magic == rec.magic &&
			     seen->owner == t;
		bool ok = found && on_own_region(k, t, r->last_self);
		r->checks++;
		r->failures += !ok;
		log_check(k, t, r, r->last_self,
			  found ? "context -> own record" : "context -> not mine",
			  ok);
	}
}

/*
 * A user land with room for the TLS of `threads` threads (eight to a
 * page), and never less than 64 pages.
 */
static size_t demo_userland(unsigned threads)
{
	size_t pages = (threads + TLS_PER_PAGE - 1) / TLS_PER_PAGE;

	return (pages < 64 ? 64 : pages) * PAGE_SIZE;
}

/* Spawn the demo's threads: per process, opt->threads IPC programs and
 * one context program. Returns 0 or the exit status to give up with. */
static int spawn_all(struct kernel *k, const struct demo_options *opt,
		     struct demo_result *res, FILE *out)
{
	unsigned per = opt->threads + 1, n = 0;

	for (unsigned pi = 0; pi < opt->processes; pi++) {
		struct process *p;
		char name[32];

		snprintf(name, sizeof(name), "P%u", pi + 1);
		if (process_create(k, name, demo_userland(per), NULL, &p) < 0) {
			char hint[HOST_LIMIT_HINT_MAX];

			fprintf(stderr, "tlssim: demo: the host refused a user "
				"land%s\n", host_limit_hint(hint, sizeof(hint)));
			return 4;
		}
		for (unsigned ti = 0; ti < per; ti++, n++) {
			struct demo_result *r = &res[n];
			bool ctx = ti == opt->threads;
			struct thread *t;
			enum kernel_error err;

			snprintf(name, sizeof(name), "%s.T%u", process_name(p), ti + 1);
			snprintf(r->message, sizeof(r->message),
				 "hello from %s", name);
			r->yields = opt->yields;
			r->log = opt->quiet ? NULL : out;
			err = thread_create(k, p, name,
					    ctx ? prog_context : prog_ipc_check,
					    r, &t);
			if (err) {
				fprintf(stderr, "tlssim: demo: spawning %s: %s\n",
					name, kernel_error_name(err));
				return 4;
			}
			r->own_tls = thread_tls(t);
		}
	}
	return 0;
}

int demo_run(const struct demo_options *opt, FILE *out)
{
	/* the threads asked for, and with each process's context thread */
	unsigned asked = opt->processes * opt->threads;
	unsigned total = opt->processes * (opt->threads + 1);
	unsigned checks = 0, failures = 0;
	int faults;
	struct demo_result *res;
	struct kernel *k;
	int err, status;

	if (asked > DEMO_MAX_THREADS) {
		fprintf(stderr, "tlssim: demo: %u threads in all; at most %u (processes x threads)\n",
			asked, DEMO_MAX_THREADS);
		return 2;
	}

	err = kernel_create(opt->arch, opt->no_tls_restore, &k);
	if (err == -ENOTSUP) {
		char why[256];
		bool host = arch_backend_why_not(opt->arch, why, sizeof(why));

		fprintf(stderr, "tlssim: demo: %s\n", why);
		return host ? 4 : 2;
	}
	if (err) {
		fprintf(stderr, "tlssim: demo: cannot bring up the CPU: %s\n",
			strerror(-err));
		return 4;
	}
	err = kernel_set_cpus(k, opt->cpus ? opt->cpus : 1);
	if (err) {
		fprintf(stderr, "tlssim: demo: the host refused %u CPUs: %s\n",
			opt->cpus, strerror(-err));
		kernel_destroy(k);
		return 4;
	}
	res = calloc(total ? total : 1, sizeof(*res));
	if (!res) {
		host_say_no_memory(stderr);
		kernel_destroy(k);
		return 4;
	}
	fprintf(out, "tlssim demo: %u process%s x %u threads, %u yields, backend %s%s%s\n",
		opt->processes, opt->processes == 1 ? "" : "es",
		opt->threads + 1, opt->yields,
		arch_backend_name(kernel_backend(k)),
		kernel_cpu_count(k) > 1 ? ", several CPUs" : "",
		opt->no_tls_restore ? ", --no-tls-restore" : "");
	status = spawn_all(k, opt, res, out);
	if (status)
		goto out;
	faults = kernel_run(k);
	if (faults < 0) {
		fprintf(stderr, "tlssim: demo: the host refused a thread stack: %s\n",
			strerror(-faults));
		status = 4;
		goto out;
	}
	for (unsigned i = 0; i < total; i++) {
		/* the kernel's side of the check: what the thread found
		 * through the register is the region it was given */
		checks += res[i].checks + 1;
		failures += res[i].failures +
			    (res[i].first_self != res[i].own_tls);
	}
	fprintf(out, "%" PRIu64 " context switches, %u checks through the register, %u wrong, %d faults\n",
		kernel_switches(k), checks, failures, faults);
	status = failures || faults ? 1 : 0;
	fprintf(out, "%s\n", status ? "FAILED: threads saw a TLS that is not theirs"
				    : "ok: every thread saw its own TLS");
out:
	kernel_destroy(k);
	free(res);
	return status;
}
