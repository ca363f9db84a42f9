/*
 * annotate.h - what the simulator tells valgrind and AddressSanitizer
 * about its own stacks and user accesses, or nothing when the build has
 * neither. Valgrind requests are a few no-op instructions when the program
 * does not run under valgrind.
 *
 * - Stacks: memcheck follows the stack pointer; a jump to another stack
 *   looks like a huge allocation unless that stack is registered.
 * - User accesses: simulated user code touches simulated memory, and some
 *   of those accesses fault on purpose (a lab's unmapped page, another
 *   process's land): the fault is the simulated event, not a bug of the
 *   simulator, so memcheck's reports are off for the access itself.
 * - A reused stack: AddressSanitizer marks the frames of the thread that
 *   last ran on it (a fault jumps out of them); the next one starts on
 *   clean shadow memory, and so do whatever host mappings later land where
 *   an unmapped stack was.
 * - Recycled records: the kernel keeps thread records in chunks of its
 *   own (threadtab.h); AddressSanitizer is told which are given back, so
 *   a use after thread_release is reported as a malloc'd block's would be.
 */
#ifndef TLSSIM_ANNOTATE_H
#define TLSSIM_ANNOTATE_H

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(start, end) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#define VALGRIND_DISABLE_ERROR_REPORTING ((void)0)
#define VALGRIND_ENABLE_ERROR_REPORTING ((void)0)
#endif

/* GCC says __SANITIZE_ADDRESS__; clang (before 15) only __has_feature. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLSSIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(TLSSIM_ASAN)
#include <sanitizer/asan_interface.h>
#define STACK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define RECORD_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define RECORD_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define STACK_UNPOISON(p, n) ((void)(p), (void)(n))
#define RECORD_POISON(p, n) ((void)(p), (void)(n))
#define RECORD_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
