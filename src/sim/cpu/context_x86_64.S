/*
 * context_x86_64.S - the simulated CPU's context switch (System V x86_64).
 *
 * void context_switch_raw(struct context *from, struct context *to)
 *   rdi = from, rsi = to. Push the callee-saved registers, save rsp in
 *   from->sp, load to->sp, pop, ret: six pushes, two moves, six pops. No
 *   syscall, no signal mask.
 *
 * A new context (context_init) holds the same frame with r12 = entry,
 * r13 = arg and the return address context_trampoline; rsp is 16-byte
 * aligned when the trampoline starts, so it is at the call of entry.
 */
#if defined(__x86_64__)	/* built on every host, empty on the others */
	.text

	.globl	context_switch_raw
	.type	context_switch_raw, @function
	.p2align 4
context_switch_raw:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	context_switch_raw, .-context_switch_raw

	.globl	context_trampoline
	.hidden	context_trampoline
	.type	context_trampoline, @function
	.p2align 4
context_trampoline:
	movq	%r13, %rdi
	call	*%r12
	ud2			/* entry must never return */
	.size	context_trampoline, .-context_trampoline

#endif

/* A non-executable stack, on every host (the object is empty on others). */
	.section .note.GNU-stack,"",%progbits
