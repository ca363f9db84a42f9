/*
 * landcache.c - released user land reservations kept for reuse (see
 * landcache.h and pmem_destroy).
 */
#include <config.h>

#include "landcache.h"
#include "pmem.h"

#include <pthread.h>
#include <sys/mman.h>

/*
 * Released reservations kept for reuse (see pmem_destroy): each is clean,
 * PROT_NONE from guard to guard with no page behind it, so a land taken
 * from here is exactly what a fresh mmap would give. Shared by the host
 * threads of every kernel, under its lock; bounded, so that the host's
 * mapping limit still stops the simulator rather than this cache.
 */
#define PMEM_CACHE_MAX 64

static struct {
	pthread_mutex_t lock;
	size_t n;
	struct { void *base; size_t size; } e[PMEM_CACHE_MAX];
} land_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

void *land_cache_take(size_t size)
{
	void *base = NULL;

	pthread_mutex_lock(&land_cache.lock);
	for (size_t i = land_cache.n; i-- > 0;) {
		if (land_cache.e[i].size != size)
			continue;
		base = land_cache.e[i].base;
		land_cache.e[i] = land_cache.e[--land_cache.n];
		break;
	}
	pthread_mutex_unlock(&land_cache.lock);
	return base;
}

bool land_cache_put(void *base, size_t size)
{
	bool kept = false;

	pthread_mutex_lock(&land_cache.lock);
	if (land_cache.n < PMEM_CACHE_MAX) {
		land_cache.e[land_cache.n].base = base;
		land_cache.e[land_cache.n++].size = size;
		kept = true;
	}
	pthread_mutex_unlock(&land_cache.lock);
	return kept;
}

size_t pmem_cached_lands(void)
{
	size_t n;

	pthread_mutex_lock(&land_cache.lock);
	n = land_cache.n;
	pthread_mutex_unlock(&land_cache.lock);
	return n;
}

void pmem_cache_drain(void)
{
	void *base;
	size_t size;

	pthread_mutex_lock(&land_cache.lock);
	while (land_cache.n > 0) {
		base = land_cache.e[--land_cache.n].base;
		size = land_cache.e[land_cache.n].size;
		munmap(base, size + 2 * PMEM_GUARD_SIZE);
	}
	pthread_mutex_unlock(&land_cache.lock);
}
