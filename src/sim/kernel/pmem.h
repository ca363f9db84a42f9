/*
 * pmem.h - a process's memory: its user land, a host reservation in which
 * mappings are made real with mmap, and the bookkeeping of those mappings.
 *
 * Addresses are real host addresses inside the reservation, so the address
 * the kernel hands out is the one user code dereferences. The interface is
 * the original ProcessMemory's: find_available_space, create_regular_mapping,
 * unmap, plus a query and an ordered walk for display.
 *
 * Private to the kernel layer: the layers above see mappings through the
 * kernel front (process.h) and the types of memory.h.
 */
#ifndef TLSSIM_PMEM_H
#define TLSSIM_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerror.h"
#include "memory.h"

struct pmem;

/*
 * The PROT_NONE guard pages on each side of every user land's host
 * reservation (pmem.c): at least USER_REACH_MAX (kernel.h), so that no
 * address user code can form from inside a land reaches past them.
 */
#define PMEM_GUARD_SIZE ((size_t)0x4000)

/*
 * Reserve a user land of `size` bytes (page aligned, at least one page),
 * between two guard areas of PMEM_GUARD_SIZE bytes: a released one of the
 * same size when one is kept (pmem_destroy), else a new host reservation.
 * Returns 0 and sets *out, or a negative errno: -EINVAL for a bad size,
 * -ENOMEM when the host refuses the reservation or the bookkeeping.
 */
int pmem_create(struct pmem **out, size_t size);

/*
 * Release the whole reservation and every mapping in it. NULL is a no-op.
 * The reservation is kept for reuse by a later pmem_create of the same
 * size (a bounded cache), cleaned: PROT_NONE, no page behind it, guards
 * as they were; the host gets it back when the cache is full or when the
 * land could not be cleaned.
 */
void pmem_destroy(struct pmem *pm);

/* The number of released reservations kept for reuse (for tests). */
size_t pmem_cached_lands(void);

/* Give every kept reservation back to the host (for tests). */
void pmem_cache_drain(void);

uintptr_t pmem_userland_start(const struct pmem *pm);
size_t pmem_userland_size(const struct pmem *pm);

/*
 * First fit: the lowest address of a free gap of `length` bytes, scanning
 * from the start of the user land. Returns KERR_OK and sets *out, or
 * KERR_INVALID_SIZE (length 0 or not page aligned) or
 * KERR_VIRTUAL_MEMORY_EXHAUSTION.
 */
enum kernel_error pmem_find_available_space(struct pmem *pm, size_t length,
					    uintptr_t *out);

/*
 * Map [addr, addr + length) with the given type and rights, zero filled.
 * Errors, checked in this order, leave the memory unchanged:
 * InvalidAddress (addr not page aligned), InvalidSize (length 0 or not page
 * aligned), InvalidAddress (outside the user land, or overlapping a mapping),
 * InvalidMemState (type Unmapped), PhysicalMemoryExhaustion (an injected
 * failure, or no room for the bookkeeping), HostRefused (the host refused
 * the pages: its mapping limit or memory; see host_error()).
 */
enum kernel_error pmem_create_regular_mapping(struct pmem *pm, uintptr_t addr,
					      size_t length,
					      enum memory_type type,
					      unsigned rights);

/*
 * Unmap [addr, addr + length), which must lie inside one mapping; the rest
 * of that mapping stays (it may split in two). The pages go back to
 * PROT_NONE and lose their contents. Errors: InvalidAddress (unaligned, or
 * not inside one mapping), InvalidSize (0 or unaligned), HostRefused.
 */
enum kernel_error pmem_unmap(struct pmem *pm, uintptr_t addr, size_t length);

/* The mapping holding addr, or NULL when addr is not mapped. */
const struct mapping *pmem_query(const struct pmem *pm, uintptr_t addr);

/* Number of mappings, and the i-th in address order (NULL past the end). */
size_t pmem_mapping_count(const struct pmem *pm);
const struct mapping *pmem_mapping_at(const struct pmem *pm, size_t i);

/*
 * Whether user code may reach the user land: a hidden land is PROT_NONE
 * as a whole on the host (one mprotect over the span of its mappings, none
 * when it has none), as if its page tables were not loaded, and new
 * mappings in it stay PROT_NONE until it is shown again; showing restores
 * each mapping's own protection. Returns KERR_OK, or KERR_HOST_REFUSED
 * when the host refuses an mprotect (pmem_host_error says what).
 */
enum kernel_error pmem_set_hidden(struct pmem *pm, bool hidden);
bool pmem_hidden(const struct pmem *pm);

/*
 * Let pm be hidden with a protection key where the host has them (see
 * hostkey.h): its next show gives it a key, and from then on hiding and
 * showing it make no host call; which host thread may reach it is that
 * thread's PKRU, set by pmem_enter and pmem_thread_reach, and a keyed
 * land is never PROT_NONE as a whole. A land without this (the default)
 * is hidden with mprotect on every host. pmem_key is its key, or -1.
 */
void pmem_use_keys(struct pmem *pm);
int pmem_key(const struct pmem *pm);

/*
 * The calling host thread now runs the process of pm (NULL: none): it may
 * reach pm's key, if pm is keyed and shown, and no other land's key.
 * Nothing changes for lands hidden with mprotect, which every host thread
 * reaches while they are shown.
 */
void pmem_enter(const struct pmem *pm);

/*
 * Let the calling host thread reach pm's key, or not, whatever it runs
 * (for a copy out of a land another CPU shows). Returns whether it could
 * before; true for a land without a key.
 */
bool pmem_thread_reach(const struct pmem *pm, bool reach);

/*
 * Drop every mapping and its contents, but keep the reservation, PROT_NONE,
 * so that nothing else of the host can land in the range (a stale register
 * may still point into it). pmem_destroy releases it later.
 */
void pmem_retire(struct pmem *pm);

/*
 * Fault injection for labs and tests: the n-th create_regular_mapping call
 * from now (1 = the next one), in any process of this host thread, fails at
 * the host mmap step with PhysicalMemoryExhaustion. 0 cancels.
 */
void pmem_inject_map_fail(unsigned n);

#endif
