/*
 * pmem.c - process memory: a user land reserved on the host, and the
 * bookkeeping of the mappings inside it.
 *
 * The user land is one host reservation, PROT_NONE and MAP_NORESERVE, so it
 * costs no memory until something is mapped. The reservation is larger
 * than the land by PMEM_GUARD_SIZE on each side: guard pages that stay
 * PROT_NONE for good, so that a user access the checks missed, reaching
 * past either end, faults on the host instead of touching the simulator's
 * own memory or another land.
 *
 * A mapping is made real by mapping fresh anonymous pages over its range
 * with MAP_FIXED and the protection its access rights ask for; unmapping
 * puts PROT_NONE pages back, which drops the contents. Any access to a
 * page that is not mapped therefore faults on the host, as it would on
 * the simulated machine.
 *
 * A hidden land (its process not running) makes no host call to map: its
 * pages that no mapping covers are zero and PROT_NONE, which is all a new
 * mapping in a hidden land must be until the land is shown, and showing
 * gives every mapping its rights anyway. A land that was never shown since
 * it was last clean (the `exposed` flag) cannot hold a byte of user data,
 * so unmapping in it, retiring it or destroying it drops nothing either.
 * A process that is created, given threads and killed without running
 * costs the host nothing (issue 18: a process at most 1.5 us).
 *
 * The first time such a mapping is shown it gets fresh pages of its own
 * (still zero), not a protection change of the reservation's: from then on
 * it is a host mapping apart (`hosted`), which hiding does not merge back
 * into the reservation, so every later switch to or from the process
 * changes protections in place instead of splitting the reservation and
 * merging it again (issue 18: a cross-process switch at most 2 mprotects).
 *
 * Where the host has protection keys (hostkey.h) and the land may use one
 * (pmem_use_keys), the first show gives the land a key along with its
 * protections, and from then on hiding and showing it change only the
 * calling host thread's right to reach that key: no host call at all. A
 * keyed land is never PROT_NONE as a whole; a host thread that may not
 * reach its key faults on it just the same (SEGV_PKUERR).
 *
 * The bookkeeping answers what the original's does (a list of mappings
 * sorted by address, first fit from the start of the user land) from a
 * tree of mappings that knows its largest gaps (maptree.h), so first fit,
 * lookups and updates cost O(log n) in the number of mappings.
 */
#include <config.h>

#include "pmem.h"
#include "hostcall.h"
#include "hostkey.h"
#include "landcache.h"
#include "maptree.h"
#include "sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

_Static_assert(PMEM_GUARD_SIZE >= USER_REACH_MAX &&
	       PMEM_GUARD_SIZE % PAGE_SIZE == 0,
	       "the guard pages cover the furthest reach of user code");

struct pmem {
	uintptr_t start;		/* first byte of the user land */
	size_t size;			/* its length in bytes */
	struct maptree maps;		/* by start, never overlapping */
	bool hidden;			/* PROT_NONE to user code as a whole */
	bool exposed;			/* a mapping was reachable since the
					 * land was last clean */
	bool dirty;			/* pages may be left: never reuse */
	bool keys_ok;			/* may be hidden with a key */
	int key;			/* its key, or -1 (hostkey.h) */
};

/* Countdown of pmem_inject_map_fail; 0 = nothing injected. */
static __thread unsigned map_fail_countdown;

static const char *const type_names[MEM_TYPE_COUNT] = {
	"Unmapped", "Io", "Normal", "CodeStatic", "CodeMutable", "Heap",
	"SharedMemory", "Alias", "ModuleCodeStatic", "ModuleCodeMutable",
	"Ipc", "Stack", "ThreadLocal", "TransferMemoryIsolated",
	"TransferMemory", "ProcessMemory", "Reserved", "NonSecureIpc",
	"NonDeviceIpc", "KernelStack", "CodeReadOnly", "CodeWritable",
};

const char *memory_type_name(enum memory_type type)
{
	if ((unsigned)type >= MEM_TYPE_COUNT)
		return NULL;
	return type_names[type];
}

enum memory_type memory_type_from_name(const char *name)
{
	for (int i = 0; i < MEM_TYPE_COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return (enum memory_type)i;
	return MEM_TYPE_COUNT;
}

static bool page_aligned(uintptr_t x)
{
	return (x & (PAGE_SIZE - 1)) == 0;
}

static int rights_to_prot(unsigned rights)
{
	int prot = PROT_NONE;

	if (rights & MAR_READABLE)
		prot |= PROT_READ;
	if (rights & MAR_WRITABLE)
		prot |= PROT_WRITE;
	if (rights & MAR_EXECUTABLE)
		prot |= PROT_EXEC;
	return prot;
}

/*
 * Replace [addr, addr + len) of the reservation with fresh pages of the
 * given protection (PROT_NONE ones reserving no memory, as the
 * reservation's). Returns 0, or -1 when the host refuses. Not counted.
 */
static int remap(uintptr_t addr, size_t len, int prot)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	if (prot == PROT_NONE)
		flags |= MAP_NORESERVE;
	return mmap((void *)addr, len, prot, flags, -1, 0) == MAP_FAILED ?
	       -1 : 0;
}

/* remap, counted as the host call of a map or an unmap. */
static int host_remap(uintptr_t addr, size_t len, int prot)
{
	if (host_call_fails(prot == PROT_NONE ? HOST_UNMAP : HOST_MAP))
		return -1;
	return remap(addr, len, prot);
}

/*
 * Fresh pages for a mapping, with its protection, and the land's key when
 * it has one (PROT_NONE pages first, keyed after: no moment another host
 * thread could reach them). 0, or -1 when the host refuses; counted as a
 * HOST_MAP call.
 */
static int map_pages(struct pmem *pm, uintptr_t addr, size_t len, int prot)
{
	if (pm->key < 0)
		return host_remap(addr, len, prot);
	if (host_call_fails(HOST_MAP) || remap(addr, len, PROT_NONE) < 0)
		return -1;
	return hostkey_protect((void *)addr, len, prot, pm->key);
}

bool pmem_hidden(const struct pmem *pm)
{
	return pm->hidden;
}

/*
 * The span from the first mapping's start to the last one's end: the
 * only part of the land that is not PROT_NONE anyway. False when nothing
 * is mapped.
 */
static bool mapped_span(const struct pmem *pm, uintptr_t *lo, uintptr_t *hi)
{
	size_t n = maptree_count(&pm->maps);
	const struct mapping *last;

	if (n == 0)
		return false;
	last = maptree_at(&pm->maps, n - 1);
	*lo = maptree_at(&pm->maps, 0)->start;
	*hi = last->start + last->length;
	return true;
}

/*
 * Give [start, end) of the land the protection prot, as showing it does.
 * A hosted range (its mappings host mappings of their own) changes its
 * protection in place. Any other was mapped while the land was hidden and
 * is still part of the reservation; it holds nothing yet, so it gets fresh
 * pages of its own instead, and is hosted from then on (the caller marks
 * it). Protecting a part of the reservation would split it, and hiding
 * the part again merge it back, on every switch: a hosted range is never
 * merged with the reservation (they differ in MAP_NORESERVE), so hiding
 * and showing it are one protection change each. Counted as HOST_PROTECT
 * either way. 0, or -1 when the host refuses.
 */
static int show_range(uintptr_t start, uintptr_t end, int prot, bool hosted,
		      int key)
{
	if (host_call_fails(HOST_PROTECT))
		return -1;
	if (key >= 0)		/* PROT_NONE pages first: no moment unkeyed */
		return (hosted || remap(start, end - start, PROT_NONE) == 0) &&
		       hostkey_protect((void *)start, end - start, prot,
				       key) == 0 ? 0 : -1;
	return hosted ? mprotect((void *)start, end - start, prot)
		      : remap(start, end - start, prot);
}

/* Mark the mappings of pm from m up to end hosted (show_range). */
static void mark_hosted(struct pmem *pm, const struct mapping *m,
			uintptr_t end)
{
	for (; m && m->start < end;
	     m = maptree_ending_after(&pm->maps, m->start + m->length))
		maptree_mut(&pm->maps, m)->hosted = true;
}

/*
 * A keyed land hidden or shown: no host call, since who reaches it is each
 * host thread's PKRU (pmem_enter, pmem_thread_reach). Counted as a
 * HOST_PROTECT call all the same, so an injected failure meets a switch
 * alike on every host.
 */
static enum kernel_error set_key_hidden(struct pmem *pm, bool hidden)
{
	if (host_call_fails(HOST_PROTECT))
		return host_refused("a protection key's change (land of 0x%zx bytes)",
				    pm->size);
	pm->hidden = hidden;
	return KERR_OK;
}

/*
 * Hiding is one mprotect over the span of the mappings (what is not
 * mapped is PROT_NONE already), none when nothing is mapped. Showing
 * walks the mappings in address order and gives each run of adjacent
 * mappings with the same rights (and alike hosted or not) one call
 * (show_range), so a land of a million TLS pages side by side costs one
 * call either way. The first show of a land that may use a key takes one
 * and gives it to every mapping with its protection; a keyed land is
 * hidden and shown by its key (set_key_hidden).
 */
enum kernel_error pmem_set_hidden(struct pmem *pm, bool hidden)
{
	const struct mapping *m, *next;
	enum kernel_error err;
	uintptr_t lo, end;
	int key;

	if (pm->hidden == hidden)
		return KERR_OK;
	if (pm->key >= 0)
		return set_key_hidden(pm, hidden);
	if (hidden) {
		if (mapped_span(pm, &lo, &end) &&
		    (host_call_fails(HOST_PROTECT) ||
		     mprotect((void *)lo, end - lo, PROT_NONE) != 0))
			return host_refused("mprotect of 0x%zx bytes",
					    (size_t)(end - lo));
		pm->hidden = true;
		return KERR_OK;
	}
	/* from the first mprotect on, user code may write its pages */
	pm->exposed = true;
	key = pm->keys_ok ? hostkey_take() : -1;
	for (m = maptree_at(&pm->maps, 0); m; m = next) {
		end = m->start + m->length;
		next = maptree_ending_after(&pm->maps, end);
		while (next && next->start == end &&
		       next->rights == m->rights &&
		       next->hosted == m->hosted) {
			end += next->length;
			next = maptree_ending_after(&pm->maps, end);
		}
		if (show_range(m->start, end, rights_to_prot(m->rights),
			       m->hosted, key) != 0)
			goto out_rehide;
		if (!m->hosted)
			mark_hosted(pm, m, end);
	}
	pm->key = key;
	pm->hidden = false;
	return KERR_OK;

out_rehide:
	/* put back what was shown: the land is hidden as before */
	err = host_refused("%s of 0x%zx bytes", m->hosted ? "mprotect" : "mmap",
			   (size_t)(end - m->start));
	mprotect((void *)pm->start, pm->size, PROT_NONE);
	hostkey_put(key);
	return err;
}

void pmem_use_keys(struct pmem *pm)
{
	pm->keys_ok = true;
}

void pmem_enter(const struct pmem *pm)
{
	hostkey_reach_only(pm && !pm->hidden ? pm->key : -1);
}

bool pmem_thread_reach(const struct pmem *pm, bool reach)
{
	return hostkey_reach(pm->key, reach);
}

int pmem_key(const struct pmem *pm)
{
	return pm->key;
}

/*
 * Fresh PROT_NONE pages over the span of the mappings drop them all; a
 * land the host would not clean is marked dirty, so that pmem_destroy
 * gives it back to the host instead of keeping it for reuse.
 */
void pmem_retire(struct pmem *pm)
{
	uintptr_t lo, hi;

	if (pm->exposed && mapped_span(pm, &lo, &hi) &&
	    host_remap(lo, hi - lo, PROT_NONE) < 0) {
		/* at least out of reach: the pages stay, unreadable */
		mprotect((void *)pm->start, pm->size, PROT_NONE);
		pm->dirty = true;
	}
	maptree_clear(&pm->maps);
	hostkey_put(pm->key);	/* its pages are PROT_NONE now */
	pm->key = -1;
	pm->hidden = true;
	pm->exposed = false;
}

/*
 * A released reservation of the same size is reused before asking the
 * host for a new one (the host call is still counted, so an injected
 * failure refuses both alike).
 */
int pmem_create(struct pmem **out, size_t size)
{
	struct pmem *pm;
	void *base;

	if (size < PAGE_SIZE || !page_aligned(size))
		return -EINVAL;
	if (size > SIZE_MAX - 2 * PMEM_GUARD_SIZE)
		return -ENOMEM;
	pm = host_calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	if (host_call_fails(HOST_RESERVE)) {
		base = MAP_FAILED;
	} else {
		base = land_cache_take(size);
		if (!base)
			base = mmap(NULL, size + 2 * PMEM_GUARD_SIZE, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				    -1, 0);
	}
	if (base == MAP_FAILED) {
		free(pm);
		return -ENOMEM;
	}
	pm->start = (uintptr_t)base + PMEM_GUARD_SIZE;
	pm->size = size;
	pm->key = -1;
	maptree_init(&pm->maps);
	*out = pm;
	return 0;
}

/*
 * A clean land (nothing mapped, its pages dropped) goes to the cache; one
 * still holding mappings is cleaned first, with one mmap of PROT_NONE
 * pages over its span; a dirty one, or one the cache has no room for,
 * goes back to the host.
 */
void pmem_destroy(struct pmem *pm)
{
	uintptr_t base, lo, hi;
	size_t total;

	if (!pm)
		return;
	base = pm->start - PMEM_GUARD_SIZE;
	total = pm->size + 2 * PMEM_GUARD_SIZE;
	if (pm->exposed && mapped_span(pm, &lo, &hi) &&
	    remap(lo, hi - lo, PROT_NONE) < 0)
		pm->dirty = true;
	hostkey_put(pm->key);
	if (pm->dirty || !land_cache_put((void *)base, pm->size))
		munmap((void *)base, total);
	maptree_fini(&pm->maps);
	free(pm);
}

uintptr_t pmem_userland_start(const struct pmem *pm)
{
	return pm->start;
}

size_t pmem_userland_size(const struct pmem *pm)
{
	return pm->size;
}

/*
 * The original scans its mappings and returns the first gap between two of
 * them, but never looks past the last mapping: an empty address space, or
 * one whose only room is at the end, reports VirtualMemoryExhaustion. We
 * model the intended behaviour and include that trailing gap.
 */
enum kernel_error pmem_find_available_space(struct pmem *pm, size_t length,
					    uintptr_t *out)
{
	if (length == 0 || !page_aligned(length))
		return KERR_INVALID_SIZE;
	if (!maptree_first_fit(&pm->maps, pm->start, pm->start + pm->size,
			       length, out))
		return KERR_VIRTUAL_MEMORY_EXHAUSTION;
	return KERR_OK;
}

/* Room for `extra` more mappings. Returns 0, or -1 out of memory. */
static int reserve_slots(struct pmem *pm, size_t extra)
{
	if (maptree_has_room(&pm->maps, extra))
		return 0;
	if (host_call_fails(HOST_ALLOC))
		return -1;
	return maptree_reserve(&pm->maps, extra);
}

/* Whether [addr, addr + len) lies inside the user land (len > 0). */
static bool in_userland(const struct pmem *pm, uintptr_t addr, size_t len)
{
	return addr >= pm->start && addr - pm->start <= pm->size &&
	       len <= pm->size - (addr - pm->start);
}

/*
 * The checks create_regular_mapping and unmap share, in the original's
 * order: InvalidAddress (addr unaligned), InvalidSize (0 or unaligned),
 * InvalidAddress (outside the user land). KERR_OK when the range is fine.
 */
static enum kernel_error check_range(const struct pmem *pm, uintptr_t addr,
				     size_t length)
{
	if (!page_aligned(addr))
		return KERR_INVALID_ADDRESS;
	if (length == 0 || !page_aligned(length))
		return KERR_INVALID_SIZE;
	if (!in_userland(pm, addr, length))
		return KERR_INVALID_ADDRESS;
	return KERR_OK;
}

enum kernel_error pmem_create_regular_mapping(struct pmem *pm, uintptr_t addr,
					      size_t length,
					      enum memory_type type,
					      unsigned rights)
{
	struct mapping m = { addr, length, type, rights, false };
	const struct mapping *next;
	enum kernel_error err;

	err = check_range(pm, addr, length);
	if (err)
		return err;
	next = maptree_ending_after(&pm->maps, addr);
	if (next && next->start < addr + length)
		return KERR_INVALID_ADDRESS;
	if (type == MEM_UNMAPPED || (unsigned)type >= MEM_TYPE_COUNT)
		return KERR_INVALID_MEM_STATE;
	if (map_fail_countdown && --map_fail_countdown == 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	if (reserve_slots(pm, 1) < 0)
		return host_refused("memory for the record of a mapping");
	/* hidden: the range is zero and PROT_NONE already (see the top) */
	if (!pm->hidden || pm->key >= 0) {
		if (map_pages(pm, addr, length, rights_to_prot(rights)) < 0)
			return host_refused("mmap of 0x%zx bytes", length);
		pm->exposed = true;
		m.hosted = true;
	}
	maptree_insert(&pm->maps, &m);
	return KERR_OK;
}

enum kernel_error pmem_unmap(struct pmem *pm, uintptr_t addr, size_t length)
{
	const struct mapping *found;
	struct mapping m, head, tail;
	uintptr_t end = addr + length;
	enum kernel_error err;

	err = check_range(pm, addr, length);
	if (err)
		return err;
	found = maptree_ending_after(&pm->maps, addr);
	if (!found || addr < found->start ||
	    end > found->start + found->length)
		return KERR_INVALID_ADDRESS;
	m = *found;

	/* What stays on each side of the hole. */
	head = m;
	head.length = addr - m.start;
	tail = m;
	tail.start = end;
	tail.length = m.start + m.length - end;
	/* Removing m frees one slot; a split needs one more. */
	if (head.length > 0 && tail.length > 0 && reserve_slots(pm, 1) < 0)
		return host_refused("memory for the record of a mapping");
	/* a land never shown since it was clean has nothing to drop */
	if (pm->exposed && host_remap(addr, length, PROT_NONE) < 0)
		return host_refused("mmap of 0x%zx bytes", length);

	maptree_remove(&pm->maps, m.start);
	if (head.length > 0)
		maptree_insert(&pm->maps, &head);
	if (tail.length > 0)
		maptree_insert(&pm->maps, &tail);
	return KERR_OK;
}

const struct mapping *pmem_query(const struct pmem *pm, uintptr_t addr)
{
	const struct mapping *m = maptree_ending_after(&pm->maps, addr);

	if (!m || addr < m->start)
		return NULL;
	return m;
}

size_t pmem_mapping_count(const struct pmem *pm)
{
	return maptree_count(&pm->maps);
}

const struct mapping *pmem_mapping_at(const struct pmem *pm, size_t i)
{
	return maptree_at(&pm->maps, i);
}

void pmem_inject_map_fail(unsigned n)
{
	map_fail_countdown = n;
}
