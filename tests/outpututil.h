/*
 * outpututil.h - what the parts of the output suite share: a kernel
 * without a CPU, one process P1 in it, and helpers to build the rest.
 */
#ifndef TLSSIM_OUTPUTUTIL_H
#define TLSSIM_OUTPUTUTIL_H

#include <stdint.h>

#include "testutil.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"

#define LAND ((size_t)0x100000)	/* 256 pages */

/* The kernel of the running test and its process P1 (LAND bytes). */
extern struct kernel k;
extern struct process *p;

/* Checked fixture: a fresh k with P1; everything freed after. */
void setup(void);
void teardown(void);

/* A new process of `size` bytes in k (asserts success). */
struct process *new_process(const char *name, size_t size);
/* A live thread of q whose TLS is at offset off, made by hand. */
struct thread *add_thread(struct process *q, const char *name, uint64_t off);
/* process_map / process_tls_alloc, asserting success. */
void map_ok(struct process *q, uint64_t off, uint64_t size,
	    enum memory_type type, unsigned rights);
uint64_t alloc_ok(struct process *q);

/* The two test cases. */
TCase *show_tcase(void);
TCase *trace_tcase(void);

#endif
