/*
 * context_aarch64.S - the simulated CPU's context switch (AAPCS64).
 *
 * void context_switch_raw(struct context *from, struct context *to)
 *   x0 = from, x1 = to. Save x19-x30 and d8-d15 in a 160-byte frame on the
 *   stack, save sp in from->sp, load to->sp, restore, ret (to x30).
 *   No syscall, no signal mask.
 *
 * Frame (offsets from sp): x19..x30 at 0..88, d8..d15 at 96..152.
 * A new context (context_init) holds x19 = entry, x20 = arg, x29 = 0 and
 * x30 = context_trampoline; sp is 16-byte aligned after the frame.
 */
#if defined(__aarch64__)	/* built on every host, empty on the others */
	.text

	.globl	context_switch_raw
	.type	context_switch_raw, %function
	.p2align 4
context_switch_raw:
	sub	sp, sp, #160
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x9, sp
	str	x9, [x0]
	ldr	x9, [x1]
	mov	sp, x9
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #160
	ret
	.size	context_switch_raw, .-context_switch_raw

	.globl	context_trampoline
	.hidden	context_trampoline
	.type	context_trampoline, %function
	.p2align 4
context_trampoline:
	mov	x0, x20
	blr	x19
	brk	#0		/* entry must never return */
	.size	context_trampoline, .-context_trampoline

#endif

/* A non-executable stack, on every host (the object is empty on others). */
	.section .note.GNU-stack,"",%progbits
