/*
 * smp.c - CPUs 1.. as host threads. Each waits for work (a scheduler loop
 * or one scenario job), runs it on its own register state, and says when
 * it is done. CPU 0 is the calling thread and needs no host thread.
 */
#include <config.h>

#include "sched.h"
#include "smp.h"

#include <errno.h>
#include <stdlib.h>

/* What a CPU's host thread is asked to do, and its answer. */
struct cpu_host {
	struct kernel *k;
	struct percpu *pc;
	pthread_t thread;
	pthread_mutex_t m;
	pthread_cond_t cv;
	void (*work)(struct kernel *k, void *arg);
	void *arg;
	bool busy;		/* work posted, not finished */
	bool up;		/* cpu_init done (err says how) */
	bool quit;
	int err;
};

extern __thread struct percpu *percpu_self;

/* A CPU's host thread: bring the CPU up, then serve work until quit. */
static void *cpu_host_main(void *arg)
{
	struct cpu_host *h = arg;
	struct kernel *k = h->k;
	int err;

	percpu_self = h->pc;
	err = cpu_init(&h->pc->cpu, k->backend, k->no_tls_restore);
	if (!err) {
		err = cpu_fault_guard_install(&h->pc->cpu);
		if (err)
			cpu_fini(&h->pc->cpu);
	}
	pthread_mutex_lock(&h->m);
	h->err = err;
	h->up = true;
	pthread_cond_broadcast(&h->cv);
	while (!err) {
		while (!h->busy && !h->quit)
			pthread_cond_wait(&h->cv, &h->m);
		if (!h->busy)
			break;
		pthread_mutex_unlock(&h->m);
		h->work(k, h->arg);
		pthread_mutex_lock(&h->m);
		h->busy = false;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->m);
	if (!err) {
		cpu_fault_guard_remove(&h->pc->cpu);
		cpu_fini(&h->pc->cpu);
	}
	cpu_fault_guard_release();
	percpu_self = NULL;
	return NULL;
}

/* End and join the host threads of CPUs 1..n-1. */
static void stop_hosts(struct kernel *k, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct cpu_host *h = &k->hosts[i];

		pthread_mutex_lock(&h->m);
		h->quit = true;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->m);
		pthread_join(h->thread, NULL);
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->m);
	}
}

int kernel_set_cpus(struct kernel *k, unsigned n)
{
	unsigned started;
	int err = 0;

	if (n < 1 || n > KERNEL_MAX_CPUS || k->hosts || k->ncpus != 1)
		return -EINVAL;
	if (n == 1)
		return 0;
	k->hosts = calloc(n, sizeof(*k->hosts));
	if (!k->hosts)
		return -ENOMEM;
	for (started = 1; started < n; started++) {
		struct cpu_host *h = &k->hosts[started];

		h->k = k;
		h->pc = &k->cpus[started];
		h->pc->id = started;
		pthread_mutex_init(&h->m, NULL);
		pthread_cond_init(&h->cv, NULL);
		if (pthread_create(&h->thread, NULL, cpu_host_main, h) != 0) {
			pthread_cond_destroy(&h->cv);
			pthread_mutex_destroy(&h->m);
			err = -EAGAIN;
			break;
		}
		pthread_mutex_lock(&h->m);
		while (!h->up)
			pthread_cond_wait(&h->cv, &h->m);
		err = h->err;
		pthread_mutex_unlock(&h->m);
		if (err) {
			started++;	/* it has ended: join it below */
			break;
		}
	}
	if (err) {
		stop_hosts(k, started);
		free(k->hosts);
		k->hosts = NULL;
		return err;
	}
	k->ncpus = n;
	return 0;
}

void smp_stop(struct kernel *k)
{
	if (!k->hosts)
		return;
	stop_hosts(k, k->ncpus);
	free(k->hosts);
	k->hosts = NULL;
	k->ncpus = 1;
}

/* Post work to CPU i's host thread (it must be idle). */
static void post(struct cpu_host *h, void (*work)(struct kernel *, void *),
		 void *arg)
{
	pthread_mutex_lock(&h->m);
	h->work = work;
	h->arg = arg;
	h->busy = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->m);
}

/* Wait until CPU i's host thread has finished its work. */
static void wait_idle(struct cpu_host *h)
{
	pthread_mutex_lock(&h->m);
	while (h->busy)
		pthread_cond_wait(&h->cv, &h->m);
	pthread_mutex_unlock(&h->m);
}

void smp_run_on(struct kernel *k, unsigned cpu,
		void (*work)(struct kernel *k, void *arg), void *arg)
{
	if (cpu == 0 || cpu >= k->ncpus || !k->hosts) {
		work(k, arg);
		return;
	}
	post(&k->hosts[cpu], work, arg);
	wait_idle(&k->hosts[cpu]);
}

/* The result of one CPU's scheduler loop. */
struct loop_result {
	int faults;
};

static void loop_work(struct kernel *k, void *arg)
{
	((struct loop_result *)arg)->faults = sched_cpu_loop(k);
}

int smp_run_all(struct kernel *k)
{
	struct loop_result res[KERNEL_MAX_CPUS];
	int faults = 0;

	for (unsigned i = 1; i < k->ncpus; i++)
		post(&k->hosts[i], loop_work, &res[i]);
	loop_work(k, &res[0]);
	for (unsigned i = 1; i < k->ncpus; i++)
		wait_idle(&k->hosts[i]);
	for (unsigned i = 0; i < k->ncpus; i++) {
		if (res[i].faults < 0)
			return res[i].faults;
		faults += res[i].faults;
	}
	return faults;
}
