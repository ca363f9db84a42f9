/*
 * context_i386.S - the simulated CPU's context switch (i386 cdecl).
 *
 * void context_switch_raw(struct context *from, struct context *to)
 *   Arguments on the stack. Push the callee-saved ebp, ebx, esi, edi, save
 *   esp in from->sp, load to->sp, pop, ret. No syscall, no signal mask.
 *
 * A new context (context_init) holds the same frame with ebx = entry,
 * esi = arg and the return address context_trampoline; esp is 16-byte
 * aligned when the trampoline starts, and again at its call of entry
 * (gcc's i386 Linux ABI assumes 16 bytes at every call).
 */
#if defined(__i386__)	/* built on every host, empty on the others */
	.text

	.globl	context_switch_raw
	.type	context_switch_raw, @function
	.p2align 4
context_switch_raw:
	movl	4(%esp), %eax
	movl	8(%esp), %edx
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	%esp, (%eax)
	movl	(%edx), %esp
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
	.size	context_switch_raw, .-context_switch_raw

	.globl	context_trampoline
	.hidden	context_trampoline
	.type	context_trampoline, @function
	.p2align 4
context_trampoline:
	subl	$12, %esp
	pushl	%esi
	call	*%ebx
	ud2			/* entry must never return */
	.size	context_trampoline, .-context_trampoline

#endif

/* A non-executable stack, on every host (the object is empty on others). */
	.section .note.GNU-stack,"",%progbits
