/*
 * panic.c - kernel panics that the simulator can catch, and error names.
 */
#include <config.h>

#include "kerror.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Innermost catch of this host thread (each simulated CPU is one). */
static __thread struct panic_catch *panic_top;

static const char *const error_names[KERR_COUNT] = {
	[KERR_OK] = "Success",
	[KERR_PHYSICAL_MEMORY_EXHAUSTION] = "PhysicalMemoryExhaustion",
	[KERR_VIRTUAL_MEMORY_EXHAUSTION] = "VirtualMemoryExhaustion",
	[KERR_INVALID_ADDRESS] = "InvalidAddress",
	[KERR_INVALID_SIZE] = "InvalidSize",
	[KERR_INVALID_MEM_STATE] = "InvalidMemState",
	[KERR_PROCESS_KILLED] = "ProcessKilled",
	[KERR_INVALID_STATE] = "InvalidState",
};

const char *kernel_error_name(enum kernel_error err)
{
	if (err == KERR_HOST_REFUSED)
		return "HostRefused";
	if ((unsigned)err >= KERR_COUNT)
		return "UnknownError";
	return error_names[err];
}

enum kernel_error kernel_error_from_name(const char *name)
{
	for (int i = 1; i < KERR_COUNT; i++)
		if (strcmp(name, error_names[i]) == 0)
			return (enum kernel_error)i;
	return KERR_COUNT;
}

/* Format the message, then land at the innermost catch (or abort). */
static void __attribute__((noreturn, format(printf, 1, 0)))
vpanic(const char *fmt, va_list ap)
{
	struct panic_catch *catch = panic_top;
	char message[PANIC_MESSAGE_MAX];

	vsnprintf(message, sizeof(message), fmt, ap);
	if (!catch) {
		fprintf(stderr, "kernel panic: %s\n", message);
		abort();
	}
	memcpy(catch->message, message, sizeof(message));
	panic_top = catch->prev;
	siglongjmp(catch->env, 1);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
}

/* The TLS manager interface's panic: the kernel's own. */
void tlsm_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
}

int panic_call(struct panic_catch *catch, void (*fn)(void *), void *arg)
{
	catch->message[0] = '\0';
	catch->prev = panic_top;
	panic_top = catch;
	if (sigsetjmp(catch->env, 0) != 0)
		return 1;	/* panic() already popped us */
	fn(arg);
	panic_top = catch->prev;
	return 0;
}
