/*
 * pmem_memory.h - for tests: a process memory lent to a TLS manager
 * through the manager interface's callbacks, as the kernel lends it (but
 * without the kernel's tracing).
 */
#ifndef TLSSIM_PMEM_MEMORY_H
#define TLSSIM_PMEM_MEMORY_H

#include "kernel/pmem.h"
#include "tls_manager.h"

static inline enum kernel_error pmem_memory_find(void *ctx, size_t length,
						 uintptr_t *addr)
{
	return pmem_find_available_space(ctx, length, addr);
}

static inline enum kernel_error pmem_memory_map(void *ctx, uintptr_t addr,
						size_t length)
{
	return pmem_create_regular_mapping(ctx, addr, length,
					   MEM_THREAD_LOCAL, MAR_U_RW);
}

static inline enum kernel_error pmem_memory_unmap(void *ctx, uintptr_t addr,
						  size_t length)
{
	return pmem_unmap(ctx, addr, length);
}

/* The callbacks over pm. */
static inline struct tlsm_memory pmem_memory(struct pmem *pm)
{
	return (struct tlsm_memory){ pm, pmem_memory_find, pmem_memory_map,
				     pmem_memory_unmap };
}

#endif
