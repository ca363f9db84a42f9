/*
 * hostkey.h - the host's memory protection keys, where it has them: a
 * second way to hide a user land from the simulated threads.
 *
 * Without keys, hiding a land is an mprotect of it to PROT_NONE and
 * showing it another mprotect back, two system calls on every switch to
 * another process. With keys (x86_64 with `pku`, Linux 4.9 or later), a
 * land is given a key once, with pkey_mprotect, and keeps its real
 * protections; whether a host thread may reach it is then a bit of that
 * thread's PKRU register, which one instruction (wrpkru) changes. A cross
 * switch costs no system call, and since PKRU belongs to one host thread,
 * each simulated CPU sees only the land of the process it runs.
 *
 * The host has 15 keys at most (key 0 is everyone's), so the first lands
 * shown hold keys and later ones are hidden with mprotect as before,
 * until a key comes back (its land retired). Whether keys are used is
 * decided at run time, once: the CPU must have them and pkey_alloc must
 * give one, and TLSSIM_PKEYS=0 in the environment turns them off (so a
 * host with keys can still run the mprotect path).
 *
 * The kernel layer's pmem.c is the user; the cpu layer's fault handler
 * puts PKRU back before it leaves a signal handler (Linux runs handlers
 * with its default PKRU, every key but 0 closed).
 */
#ifndef TLSSIM_HOSTKEY_H
#define TLSSIM_HOSTKEY_H

#include <stdbool.h>
#include <stddef.h>

/* Keys the simulator uses at most (the host's 16 less key 0). */
#define HOSTKEY_MAX 15

/*
 * Whether lands may be hidden with keys on this host. The first call
 * decides (thread safe); when the answer is no and why is not NULL, *why
 * says why in a few words ("no pku in this CPU", "turned off by
 * TLSSIM_PKEYS=0", ...), else *why is NULL.
 */
bool hostkey_available(const char **why);

/*
 * A key no land holds, for a land about to be shown (thread safe). The
 * calling thread may not reach it yet. Returns the key, or -1 when keys
 * are unavailable or every key the host gave is held.
 */
int hostkey_take(void);

/* Give a key back (the land that held it is PROT_NONE or gone). */
void hostkey_put(int key);

/*
 * pkey_mprotect of [addr, addr + len) with prot and key. Returns 0, or -1
 * with errno set.
 */
int hostkey_protect(void *addr, size_t len, int prot, int key);

/*
 * Let the calling host thread reach the lands of key, or not (key -1 is
 * no land: nothing changes). Returns whether it could before.
 */
bool hostkey_reach(int key, bool reach);

/*
 * The calling host thread reaches the lands of key and of no other key of
 * the simulator's (key -1: of none), as when it switches to key's land.
 */
void hostkey_reach_only(int key);

/*
 * Write the calling thread's PKRU from what it may reach, as recorded by
 * the calls above: for a signal handler that leaves by siglongjmp (it ran
 * with the host's default PKRU). Async-signal-safe; nothing without keys.
 */
void hostkey_restore(void);

#endif
