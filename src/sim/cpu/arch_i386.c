/*
 * arch_i386.c - the i386 register path, the original kernel's mechanism: a
 * GDT TLS descriptor (set_thread_area) with base = the thread's TLS and
 * limit = 0x1FF, byte granular, loaded into %fs. User code reaches its TLS
 * with %fs: loads and stores; an access past 0x1FF breaks the segment limit
 * and faults (#GP -> SIGSEGV, si_addr 0). glibc keeps its own TLS in %gs,
 * so %fs is free; the host's %fs is saved at init and put back at fini.
 */
#include <config.h>

#include "arch.h"

#define I386_TLS_LIMIT 0x1FF

/* What the i386 backend says of itself, on every host. */
#define I386_ABOUT							\
	.backend = ARCH_I386_GDT, .name = "i386",			\
	.summary = "a set_thread_area GDT descriptor in %fs, limit 0x1FF", \
	.native = true, .baseline = true, .auto_rank = 1,		\
	.seg_limit = I386_TLS_LIMIT + 1,				\
	.limit_fault = "segment-limit fault (general protection) past fs:0x1ff"

#if defined(__i386__)
#include <asm/ldt.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A present, writable, byte-granular 32-bit data descriptor. */
/* The backend's private registers, in cpu->arch_state. */
struct __attribute__((may_alias)) i386_state {
	int gdt_entry;		/* the set_thread_area entry taken */
	uint16_t selector;	/* its %fs selector */
	uint16_t saved_fs;	/* the host %fs before init */
};
ARCH_STATE_FITS(struct i386_state);

/* What the backend holds of the host. */
static void i386_info(const struct cpu *cpu, struct cpu_arch_info *out)
{
	const struct i386_state *st =
		(const struct i386_state *)(const void *)cpu->arch_state;

	out->gdt_entry = st->gdt_entry;
	out->selector = st->selector;
}

static void desc_fill(struct user_desc *d, int entry, uintptr_t base)
{
	memset(d, 0, sizeof(*d));
	d->entry_number = (unsigned int)entry;
	d->base_addr = (unsigned int)base;
	d->limit = I386_TLS_LIMIT;
	d->seg_32bit = 1;
	d->contents = 0;	/* data, expand up */
	d->read_exec_only = 0;
	d->limit_in_pages = 0;
	d->seg_not_present = 0;
	d->useable = 1;
}

/* %fs := sel; the segment register caches the descriptor, so reload. */
static inline void load_fs(uint16_t sel)
{
	asm volatile("movw %0, %%fs" : : "rm"(sel) : "memory");
}

/* The current %fs selector. */
static inline uint16_t read_fs(void)
{
	uint16_t sel;

	asm volatile("movw %%fs, %0" : "=rm"(sel));
	return sel;
}

/* Built for i386: the syscall is there. */
static const char *i386_refusal(void)
{
	return NULL;
}

/*
 * Take a free GDT TLS entry (entry_number -1 asks the kernel for one), save
 * the host %fs. Returns 0 or set_thread_area's negative errno (-ESRCH when
 * no entry is free).
 */
static int i386_init(struct cpu *cpu)
{
	struct i386_state *st = ARCH_STATE(cpu, struct i386_state);
	struct user_desc d;

	desc_fill(&d, -1, 0);
	if (syscall(SYS_set_thread_area, &d) != 0)
		return -errno;
	st->gdt_entry = (int)d.entry_number;
	st->selector = (uint16_t)((d.entry_number << 3) | 3);
	st->saved_fs = read_fs();
	return 0;
}

/* Put the host %fs back, then free the GDT entry (an empty descriptor). */
static void i386_fini(struct cpu *cpu)
{
	struct i386_state *st = ARCH_STATE(cpu, struct i386_state);
	struct user_desc d;

	load_fs(st->saved_fs);
	memset(&d, 0, sizeof(d));
	d.entry_number = (unsigned int)st->gdt_entry;
	d.read_exec_only = 1;
	d.seg_not_present = 1;
	syscall(SYS_set_thread_area, &d);
	st->gdt_entry = -1;
}

/* Kernel side: the entry's base := tls, then reload %fs with its selector. */
static void i386_load(struct cpu *cpu, uintptr_t tls)
{
	struct i386_state *st = ARCH_STATE(cpu, struct i386_state);
	struct user_desc d;

	desc_fill(&d, st->gdt_entry, tls);
	syscall(SYS_set_thread_area, &d);
	load_fs(st->selector);
}

/* The base of the GDT entry (get_thread_area); 0 if that fails. */
static uintptr_t i386_readback(struct cpu *cpu)
{
	struct user_desc d;

	memset(&d, 0, sizeof(d));
	d.entry_number = (unsigned int)ARCH_STATE(cpu, struct i386_state)->gdt_entry;
	if (syscall(SYS_get_thread_area, &d) != 0)
		return 0;
	return d.base_addr;
}

/*
 * User side: %fs:off loads into buf, 4 bytes at a time while off is 4-byte
 * aligned, bytes otherwise. Past the limit, or at a bad base, it faults.
 */
static void fs_user_read(struct cpu *cpu, size_t off, void *buf, size_t len)
{
	uint8_t *dst = buf;

	(void)cpu;
	while (len > 0) {
		if (len >= 4 && off % 4 == 0) {
			uint32_t w;

			asm volatile("movl %%fs:(%1), %0"
				     : "=r"(w) : "r"(off) : "memory");
			memcpy(dst, &w, 4);
			off += 4, dst += 4, len -= 4;
		} else {
			uint8_t b;

			asm volatile("movb %%fs:(%1), %0"
				     : "=q"(b) : "r"(off) : "memory");
			*dst = b;
			off++, dst++, len--;
		}
	}
}

/* User side: %fs:off stores of buf, like fs_user_read. */
static void fs_user_write(struct cpu *cpu, size_t off, const void *buf,
			  size_t len)
{
	const uint8_t *src = buf;

	(void)cpu;
	while (len > 0) {
		if (len >= 4 && off % 4 == 0) {
			uint32_t w;

			memcpy(&w, src, 4);
			asm volatile("movl %0, %%fs:(%1)"
				     : : "r"(w), "r"(off) : "memory");
			off += 4, src += 4, len -= 4;
		} else {
			asm volatile("movb %0, %%fs:(%1)"
				     : : "q"(*src), "r"(off) : "memory");
			off++, src++, len--;
		}
	}
}

/*
 * Frame, low to high: edi esi(arg) ebx(entry) ebp(0) ret(trampoline);
 * esp after the ret is top - 16, 16-byte aligned.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(context_stack_top(stack, size) - 16) - 5;

	memset(sp, 0, 9 * sizeof(*sp));
	sp[1] = (uintptr_t)arg;
	sp[2] = (uintptr_t)entry;
	sp[4] = (uintptr_t)context_trampoline;
	ctx->sp = sp;
	context_new_fiber(ctx);
}

const struct arch_ops arch_i386_ops = {
	I386_ABOUT,
	.carried = true,
	.info = i386_info,
	.refusal = i386_refusal,
	.init = i386_init,
	.fini = i386_fini,
	.load = i386_load,
	.readback = i386_readback,
	.user_read = fs_user_read,
	.user_write = fs_user_write,
};
#else
const struct arch_ops arch_i386_ops = { I386_ABOUT };
#endif
