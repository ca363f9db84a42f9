/*
 * arch_mock.c - the mock register: a plain variable per simulated CPU
 * (struct mock_state in cpu->arch_state). User accesses are ordinary loads
 * and stores at that value + off, made one by one through volatile pointers so that they
 * really happen while the access is marked as user code.
 */
#include <config.h>

#include "arch.h"


/* Load len bytes at base + off into buf; a bad address faults. */
void arch_mock_copy_in(uintptr_t base, size_t off, void *buf, size_t len)
{
	const volatile uint8_t *src = (const volatile uint8_t *)(base + off);
	uint8_t *dst = buf;

	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
}

/* Store len bytes of buf at base + off; a bad address faults. */
void arch_mock_copy_out(uintptr_t base, size_t off, const void *buf,
			size_t len)
{
	volatile uint8_t *dst = (volatile uint8_t *)(base + off);
	const uint8_t *src = buf;

	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
}

/* Always there. */
static const char *mock_refusal(void)
{
	return NULL;
}

ARCH_STATE_FITS(struct mock_state);

/* Nothing to take: the register starts at 0. Returns 0. */
int arch_mock_init(struct cpu *cpu)
{
	ARCH_STATE(cpu, struct mock_state)->reg = 0;
	return 0;
}

/* Nothing to give back. */
void arch_mock_fini(struct cpu *cpu)
{
	ARCH_STATE(cpu, struct mock_state)->reg = 0;
}

/* The register := tls. */
void arch_mock_load(struct cpu *cpu, uintptr_t tls)
{
	ARCH_STATE(cpu, struct mock_state)->reg = tls;
}

/* The register's value. */
uintptr_t arch_mock_readback(struct cpu *cpu)
{
	return ARCH_STATE(cpu, struct mock_state)->reg;
}

/* User load through the mock register. */
void arch_mock_user_read(struct cpu *cpu, size_t off, void *buf, size_t len)
{
	arch_mock_copy_in(ARCH_STATE(cpu, struct mock_state)->reg, off, buf, len);
}

/* User store through the mock register. */
void arch_mock_user_write(struct cpu *cpu, size_t off, const void *buf,
			    size_t len)
{
	arch_mock_copy_out(ARCH_STATE(cpu, struct mock_state)->reg, off, buf, len);
}

const struct arch_ops arch_mock_ops = {
	.backend = ARCH_MOCK,
	.name = "mock",
	.summary = "a plain variable as the register, on any host",
	.carried = true,
	.refusal = mock_refusal,
	.init = arch_mock_init,
	.fini = arch_mock_fini,
	.load = arch_mock_load,
	.readback = arch_mock_readback,
	.user_read = arch_mock_user_read,
	.user_write = arch_mock_user_write,
};
