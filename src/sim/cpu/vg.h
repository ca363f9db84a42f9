/*
 * vg.h - valgrind client requests the simulator makes, or nothing when the
 * build has no valgrind header. Requests are a few no-op instructions when
 * the program does not run under valgrind.
 *
 * - Stacks: memcheck follows the stack pointer; a jump to another stack
 *   looks like a huge allocation unless that stack is registered.
 * - User accesses: simulated user code touches simulated memory, and some
 *   of those accesses fault on purpose (a lab's unmapped page, another
 *   process's land): the fault is the simulated event, not a bug of the
 *   simulator, so memcheck's reports are off for the access itself.
 */
#ifndef TLSSIM_VG_H
#define TLSSIM_VG_H

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(start, end) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#define VALGRIND_DISABLE_ERROR_REPORTING ((void)0)
#define VALGRIND_ENABLE_ERROR_REPORTING ((void)0)
#endif

#endif
