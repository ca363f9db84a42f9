/*
 * check_output.c - the output modules' suite: the `show P` drawing
 * (check_output_show.c) and the text/JSON trace sink
 * (check_output_trace.c). Processes are built with process_create/map/
 * tls_alloc (no CPU needed); threads are made by hand for their names.
 */
#include <stdlib.h>
#include <string.h>

#include "outpututil.h"

struct kernel k;
struct process *p;

struct process *new_process(const char *name, size_t size)
{
	struct process *q = NULL;

	ck_assert_int_eq(process_create(&k, name, size, NULL, &q), 0);
	return q;
}

void setup(void)
{
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(threadtab_init(&k.threads), 0);
	p = new_process("P1", LAND);
}

/* kernel_fini copes with a kernel that never brought up a CPU. */
void teardown(void)
{
	kernel_set_trace(&k, NULL, NULL);
	kernel_fini(&k);
}

/* A live thread of q whose TLS is at offset off, made by hand. */
struct thread *add_thread(struct process *q, const char *name, uint64_t off)
{
	/* a record from the kernel's table, as thread_create takes it */
	struct thread *t = threadtab_alloc(&k.threads);

	ck_assert_ptr_nonnull(t);
	t->kernel = &k;
	t->tid = ++k.next_tid;
	ck_assert(thread_set_name(t, name));
	t->proc = q;
	t->tls = q->userland_start + off;
	t->tls_offset = off;
	t->state = THREAD_READY;
	thread_attach(&k, t);
	return t;
}

void map_ok(struct process *q, uint64_t off, uint64_t size,
	    enum memory_type type, unsigned rights)
{
	ck_assert_int_eq(process_map(&k, q, off, size, type, rights), KERR_OK);
}

uint64_t alloc_ok(struct process *q)
{
	uint64_t off = ~0ull;

	ck_assert_int_eq(process_tls_alloc(&k, q, &off), KERR_OK);
	return off;
}

int main(void)
{
	Suite *s = suite_create("output");

	suite_add_tcase(s, show_tcase());
	suite_add_tcase(s, trace_tcase());
	return run_suite(s);
}
