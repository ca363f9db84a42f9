/*
 * pmem.c - process memory: a user land reserved on the host, and the
 * bookkeeping of the mappings inside it.
 *
 * The user land is one host reservation, PROT_NONE and MAP_NORESERVE, so it
 * costs no memory until something is mapped. A mapping is made real by
 * mapping fresh anonymous pages over its range with MAP_FIXED and the
 * protection its access rights ask for; unmapping puts PROT_NONE pages back,
 * which drops the contents. Any access to a page that is not mapped therefore
 * faults on the host, as it would on the simulated machine.
 *
 * The bookkeeping is the original's: a list of mappings sorted by address,
 * searched linearly, first fit from the start of the user land.
 */
#include <config.h>

#include "pmem.h"
#include "hostcall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct pmem {
	uintptr_t start;		/* first byte of the user land */
	size_t size;			/* its length in bytes */
	struct mapping *maps;		/* sorted by start, never overlapping */
	size_t count;
	size_t capacity;
	bool hidden;			/* PROT_NONE to user code as a whole */
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
 * given protection. Returns 0, or -1 when the host refuses.
 */
static int host_remap(uintptr_t addr, size_t len, int prot)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	void *p;

	if (host_call_fails(prot == PROT_NONE ? HOST_UNMAP : HOST_MAP))
		return -1;
	if (prot == PROT_NONE)
		flags |= MAP_NORESERVE;
	p = mmap((void *)addr, len, prot, flags, -1, 0);
	return p == MAP_FAILED ? -1 : 0;
}

bool pmem_hidden(const struct pmem *pm)
{
	return pm->hidden;
}

/*
 * Hiding is one mprotect over the whole reservation. Showing walks the
 * mappings in address order and gives each run of adjacent mappings with
 * the same rights one mprotect, so a land of a million TLS pages side by
 * side costs one call.
 */
enum kernel_error pmem_set_hidden(struct pmem *pm, bool hidden)
{
	const struct mapping *m;
	enum kernel_error err;
	uintptr_t end;
	size_t i = 0;

	if (pm->hidden == hidden)
		return KERR_OK;
	if (hidden) {
		if (host_call_fails(HOST_PROTECT) ||
		    mprotect((void *)pm->start, pm->size, PROT_NONE) != 0)
			return host_refused("mprotect of 0x%zx bytes", pm->size);
		pm->hidden = true;
		return KERR_OK;
	}
	while (i < pm->count) {
		size_t j = i + 1;

		m = &pm->maps[i];
		end = m->start + m->length;
		while (j < pm->count && pm->maps[j].start == end &&
		       pm->maps[j].rights == m->rights)
			end += pm->maps[j++].length;
		if (host_call_fails(HOST_PROTECT) ||
		    mprotect((void *)m->start, end - m->start,
			     rights_to_prot(m->rights)) != 0)
			goto out_rehide;
		i = j;
	}
	pm->hidden = false;
	return KERR_OK;

out_rehide:
	/* put back what was shown: the land is hidden as before */
	err = host_refused("mprotect of 0x%zx bytes", (size_t)(end - m->start));
	mprotect((void *)pm->start, pm->size, PROT_NONE);
	return err;
}

void pmem_retire(struct pmem *pm)
{
	host_remap(pm->start, pm->size, PROT_NONE);
	pm->count = 0;
	pm->hidden = true;
}

int pmem_create(struct pmem **out, size_t size)
{
	struct pmem *pm;
	void *base;

	if (size < PAGE_SIZE || !page_aligned(size))
		return -EINVAL;
	pm = host_calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	base = host_call_fails(HOST_RESERVE) ? MAP_FAILED :
	       mmap(NULL, size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		free(pm);
		return -ENOMEM;
	}
	pm->start = (uintptr_t)base;
	pm->size = size;
	*out = pm;
	return 0;
}

void pmem_destroy(struct pmem *pm)
{
	if (!pm)
		return;
	munmap((void *)pm->start, pm->size);
	free(pm->maps);
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
	uintptr_t cursor = pm->start;
	uintptr_t end = pm->start + pm->size;

	if (length == 0 || !page_aligned(length))
		return KERR_INVALID_SIZE;
	for (size_t i = 0; i < pm->count; i++) {
		if (pm->maps[i].start - cursor >= length) {
			*out = cursor;
			return KERR_OK;
		}
		cursor = pm->maps[i].start + pm->maps[i].length;
	}
	if (end - cursor >= length) {
		*out = cursor;
		return KERR_OK;
	}
	return KERR_VIRTUAL_MEMORY_EXHAUSTION;
}

/* Index of the first mapping that ends after addr (count if none). */
static size_t first_ending_after(const struct pmem *pm, uintptr_t addr)
{
	size_t lo = 0, hi = pm->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mapping *m = &pm->maps[mid];

		if (m->start + m->length <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Make room for `extra` more mappings. Returns 0, or -1 out of memory. */
static int reserve_slots(struct pmem *pm, size_t extra)
{
	size_t want = pm->count + extra;
	size_t cap = pm->capacity ? pm->capacity : 16;
	struct mapping *maps;

	if (want <= pm->capacity)
		return 0;
	while (cap < want)
		cap *= 2;
	maps = host_call_fails(HOST_ALLOC) ? NULL :
	       realloc(pm->maps, cap * sizeof(*maps));
	if (!maps)
		return -1;
	pm->maps = maps;
	pm->capacity = cap;
	return 0;
}

static void insert_at(struct pmem *pm, size_t i, const struct mapping *m)
{
	memmove(&pm->maps[i + 1], &pm->maps[i],
		(pm->count - i) * sizeof(*pm->maps));
	pm->maps[i] = *m;
	pm->count++;
}

static void remove_at(struct pmem *pm, size_t i)
{
	memmove(&pm->maps[i], &pm->maps[i + 1],
		(pm->count - i - 1) * sizeof(*pm->maps));
	pm->count--;
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
	struct mapping m = { addr, length, type, rights };
	enum kernel_error err;
	size_t i;

	err = check_range(pm, addr, length);
	if (err)
		return err;
	i = first_ending_after(pm, addr);
	if (i < pm->count && pm->maps[i].start < addr + length)
		return KERR_INVALID_ADDRESS;
	if (type == MEM_UNMAPPED || (unsigned)type >= MEM_TYPE_COUNT)
		return KERR_INVALID_MEM_STATE;
	if (map_fail_countdown && --map_fail_countdown == 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	if (reserve_slots(pm, 1) < 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	if (host_remap(addr, length,
		       pm->hidden ? PROT_NONE : rights_to_prot(rights)) < 0)
		return host_refused("mmap of 0x%zx bytes", length);
	insert_at(pm, i, &m);
	return KERR_OK;
}

enum kernel_error pmem_unmap(struct pmem *pm, uintptr_t addr, size_t length)
{
	struct mapping *m, tail;
	uintptr_t end = addr + length;
	enum kernel_error err;
	size_t i;

	err = check_range(pm, addr, length);
	if (err)
		return err;
	i = first_ending_after(pm, addr);
	if (i == pm->count)
		return KERR_INVALID_ADDRESS;
	m = &pm->maps[i];
	if (addr < m->start || end > m->start + m->length)
		return KERR_INVALID_ADDRESS;

	/* A hole in the middle splits the mapping: room for the tail first. */
	tail = *m;
	tail.start = end;
	tail.length = m->start + m->length - end;
	if (addr > m->start && tail.length > 0 && reserve_slots(pm, 1) < 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	m = &pm->maps[i];
	if (host_remap(addr, length, PROT_NONE) < 0)
		return host_refused("mmap of 0x%zx bytes", length);

	if (addr == m->start && tail.length == 0) {
		remove_at(pm, i);
	} else if (addr == m->start) {
		*m = tail;
	} else {
		m->length = addr - m->start;
		if (tail.length > 0)
			insert_at(pm, i + 1, &tail);
	}
	return KERR_OK;
}

const struct mapping *pmem_query(const struct pmem *pm, uintptr_t addr)
{
	size_t i = first_ending_after(pm, addr);

	if (i == pm->count || addr < pm->maps[i].start)
		return NULL;
	return &pm->maps[i];
}

size_t pmem_mapping_count(const struct pmem *pm)
{
	return pm->count;
}

const struct mapping *pmem_mapping_at(const struct pmem *pm, size_t i)
{
	return i < pm->count ? &pm->maps[i] : NULL;
}

void pmem_inject_map_fail(unsigned n)
{
	map_fail_countdown = n;
}
