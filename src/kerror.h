/*
 * kerror.h - what every part of the simulated kernel shares: the page size,
 * the KernelError kinds (defined in tls_manager.h, which managers see too),
 * and panics.
 *
 * A panic is a broken kernel invariant. The original kernel stops there; the
 * simulator lets a caller catch it (panic_call) so that a scenario can expect
 * it, report it and go on. Code that panics must make its checks before it
 * changes any state, so that a caught panic leaves everything as it was.
 */
#ifndef TLSSIM_KERROR_H
#define TLSSIM_KERROR_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_manager.h"

#define PAGE_SIZE TLSM_PAGE_SIZE

/* Name of an error kind as the original spells it ("InvalidAddress"). */
const char *kernel_error_name(enum kernel_error err);
/* Error kind for a name; returns KERR_COUNT when the name is unknown. */
enum kernel_error kernel_error_from_name(const char *name);

#define PANIC_MESSAGE_MAX 256

/* A place to land when the kernel panics; see panic_call. */
struct panic_catch {
	sigjmp_buf env;
	char message[PANIC_MESSAGE_MAX];
	struct panic_catch *prev;
};

/*
 * Stop the kernel: format the message, then jump to the innermost catch of
 * this host thread. With no catch in place it prints the message to stderr
 * and aborts, like the original.
 */
void panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/*
 * Run fn(arg) with a panic catch. Returns 0 when fn returned, 1 when it
 * panicked; then the message is in catch->message. Catches nest.
 */
int panic_call(struct panic_catch *catch, void (*fn)(void *), void *arg);

#endif
