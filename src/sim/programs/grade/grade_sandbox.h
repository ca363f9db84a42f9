/*
 * grade_sandbox.h - private to `tlssim grade`: what confines the process
 * that runs a student's manager. Resource limits (no core file, CPU
 * time, address space where no sanitizer needs it all) and a seccomp
 * allow list: memory calls, writes to its own output and the record
 * channel, signals to itself, threads but no processes, no ptrace, no
 * exec, no socket. Anything else fails with EPERM.
 */
#ifndef TLSSIM_GRADE_SANDBOX_H
#define TLSSIM_GRADE_SANDBOX_H

#include <stdbool.h>

enum sandbox_stage {
	/* while the dynamic loader opens the object: files read-only */
	SANDBOX_LOADING,
	/* then: no file is opened or read any more */
	SANDBOX_RUNNING,
};

/*
 * Set the limits (seconds of CPU time, 0 for none) and install the
 * filter of stage, letting writes go to fds 1 and 2 and channel, and
 * reads come from input (-1: none). A second call adds the stricter
 * filter of SANDBOX_RUNNING on top.
 * Returns 0, or -errno when the host has no seccomp filters (an old
 * kernel, an emulator, or TLSSIM_HOST_SECCOMP=no in the environment).
 */
int sandbox_enter(enum sandbox_stage stage, int channel, int input,
		  unsigned cpu_seconds);

#endif
