/*
 * trace.h - kernel events, as the kernel model reports them to whoever
 * listens (the scenario runner's text and JSON traces, the demo).
 */
#ifndef TLSSIM_TRACE_H
#define TLSSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct process;
struct thread;

enum trace_kind {
	EV_PROCESS_CREATE,	/* proc; length = user land size */
	EV_PROCESS_KILL,	/* proc */
	EV_MAP,			/* proc, offset, length, mem_type, rights */
	EV_UNMAP,		/* proc, offset, length */
	EV_TLS_PAGE,		/* proc, offset: a TLS page was mapped */
	EV_TLS_PAGE_UNMAP,	/* proc, offset: a TLS page was unmapped */
	EV_TLS_ALLOC,		/* proc, thread (or NULL: raw), offset */
	EV_TLS_FREE,		/* proc, thread (or NULL: raw), offset */
	EV_THREAD_SPAWN,	/* proc, thread, offset of its TLS */
	EV_THREAD_EXIT,		/* proc, thread */
	EV_FIRST_SCHEDULE,	/* thread, offset: region zeroed, ptr_self set */
	EV_SWITCH,		/* thread (next), reg = register value after */
	EV_USER_READ,		/* thread, offset (in its TLS), length */
	EV_USER_WRITE,		/* thread, offset (in its TLS), length */
	EV_FAULT,		/* thread, detail: what faulted */
	EV_PANIC,		/* detail: the panic message */
	EV_ERROR,		/* detail: the KernelError name */
	EV_KIND_COUNT
};

/* Every kind's bit (1 << kind): what a listener takes at first. */
#define TRACE_ALL_KINDS ((uint32_t)((1ull << EV_KIND_COUNT) - 1))

struct trace_event {
	enum trace_kind kind;
	const struct process *proc;
	const struct thread *thread;
	uint64_t offset;
	uint64_t length;
	uintptr_t reg;
	int mem_type;
	unsigned rights;
	const char *detail;
	/*
	 * EV_TLS_ALLOC, EV_TLS_FREE: why the policy did it, in its own words,
	 * when the kernel was asked to explain (kernel_explain_tls) and the
	 * policy gives reasons; else NULL.
	 */
	const char *why;
};

typedef void (*trace_fn)(void *ctx, const struct trace_event *ev);

/* Stable lower-case name of an event kind ("tls-alloc"). */
const char *trace_kind_name(enum trace_kind kind);

#endif
