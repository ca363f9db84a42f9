/*
 * hostmem.c - host memory brought in at once (see hostmem.h).
 */
#include <config.h>

#include "hostmem.h"

#include <stdint.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

void host_prefault(void *p, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)(page - 1);

	if (e <= a)
		return;
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
	if (madvise((void *)a, e - a, MADV_POPULATE_WRITE) == 0)
		return;
#endif
	for (; a < e; a += page)
		*(volatile char *)a = 0;
}

void *host_slab(size_t bytes)
{
	/* twice the size, then the unaligned ends given back */
	char *m = mmap(NULL, 2 * bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (m == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)m + bytes - 1) & ~(uintptr_t)(bytes - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (m + 2 * bytes > a + bytes)
		munmap(a + bytes, (size_t)(m + 2 * bytes - (a + bytes)));
	host_prefault(a, bytes);
	return a;
}

void host_slab_free(void *slab, size_t bytes)
{
	if (slab)
		munmap(slab, bytes);
}

void host_memory_setup(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

/* The number in file path (a /proc/sys entry), or 0 when unread. */
static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* The host mappings this process holds (lines of its maps), or 0. */
static long count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char buf[4096];
	long n = 0;
	size_t got;

	if (!f)
		return 0;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

/* Mappings this close to vm.max_map_count make its limit the one met. */
#define MAP_COUNT_SLACK 64

/*
 * Which of the host's limits refused memory: the mapping count when this
 * process is at it, else a finite ulimit -v (RLIMIT_AS) or ulimit -d
 * (RLIMIT_DATA), which count reservations too; said into buf as " (...)",
 * or "" when none of them binds (the host itself had no memory).
 */
const char *host_limit_hint(char *buf, size_t size)
{
	long max = read_sysctl("/proc/sys/vm/max_map_count");
	long maps = max ? count_mappings() : 0;
	struct rlimit as, data;

	buf[0] = '\0';
	if (max && maps + MAP_COUNT_SLACK >= max)
		snprintf(buf, size, " (%ld host mappings: vm.max_map_count is "
			 "%ld)", maps, max);
	else if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
		snprintf(buf, size, " (the address-space limit, ulimit -v, is "
			 "%llu KiB)", (unsigned long long)as.rlim_cur / 1024);
	else if (getrlimit(RLIMIT_DATA, &data) == 0 &&
		 data.rlim_cur != RLIM_INFINITY)
		snprintf(buf, size, " (the data limit, ulimit -d, is %llu KiB)",
			 (unsigned long long)data.rlim_cur / 1024);
	return buf;
}

void host_say_no_memory(FILE *err)
{
	char hint[HOST_LIMIT_HINT_MAX];

	fprintf(err, "tlssim: out of memory: the host refused the simulator "
		"memory%s\n", host_limit_hint(hint, sizeof(hint)));
}
