/*
 * memory.h - what a mapping of a user land is, as every layer sees it: its
 * memory type (libkern's MemoryType), its access rights, its range.
 */
#ifndef TLSSIM_MEMORY_H
#define TLSSIM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libkern's MemoryType, with its values. */
enum memory_type {
	MEM_UNMAPPED = 0x0,
	MEM_IO = 0x1,
	MEM_NORMAL = 0x2,
	MEM_CODE_STATIC = 0x3,
	MEM_CODE_MUTABLE = 0x4,
	MEM_HEAP = 0x5,
	MEM_SHARED_MEMORY = 0x6,
	MEM_ALIAS = 0x7,
	MEM_MODULE_CODE_STATIC = 0x8,
	MEM_MODULE_CODE_MUTABLE = 0x9,
	MEM_IPC = 0xA,
	MEM_STACK = 0xB,
	MEM_THREAD_LOCAL = 0xC,
	MEM_TRANSFER_MEMORY_ISOLATED = 0xD,
	MEM_TRANSFER_MEMORY = 0xE,
	MEM_PROCESS_MEMORY = 0xF,
	MEM_RESERVED = 0x10,
	MEM_NON_SECURE_IPC = 0x11,
	MEM_NON_DEVICE_IPC = 0x12,
	MEM_KERNEL_STACK = 0x13,
	MEM_CODE_READ_ONLY = 0x14,
	MEM_CODE_WRITABLE = 0x15,
	MEM_TYPE_COUNT
};

/* Name of a memory type ("ThreadLocal"); NULL for a value out of range. */
const char *memory_type_name(enum memory_type type);
/* Type for a name; returns MEM_TYPE_COUNT when the name is unknown. */
enum memory_type memory_type_from_name(const char *name);

/* MappingAccessRights bits (MAR_, apart from <sys/mman.h>'s MAP_ names). */
#define MAR_READABLE		0x1u
#define MAR_WRITABLE		0x2u
#define MAR_EXECUTABLE		0x4u
#define MAR_USER_ACCESSIBLE	0x8u
#define MAR_U_RW (MAR_USER_ACCESSIBLE | MAR_READABLE | MAR_WRITABLE)

/*
 * One mapping of a user land: [start, start + length). hosted is process
 * memory's own bookkeeping (pmem.c), which callers neither set nor read:
 * the range is a host mapping of its own, apart from the reservation.
 */
struct mapping {
	uintptr_t start;
	size_t length;
	enum memory_type type;
	unsigned rights;
	bool hosted;
};

/* Default user land: room for 2^20 TLS regions (131072 pages, 512 MiB). */
#define PMEM_DEFAULT_USERLAND ((size_t)512 << 20)

/* Rights as "rw-": readable, writable, executable. Returns buf. */
static inline const char *mapping_rights_text(unsigned rights, char buf[4])
{
	buf[0] = rights & MAR_READABLE ? 'r' : '-';
	buf[1] = rights & MAR_WRITABLE ? 'w' : '-';
	buf[2] = rights & MAR_EXECUTABLE ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

#endif
