/*
 * hostkey.c - the host's memory protection keys (see hostkey.h): a pool of
 * keys taken from the host as lands need them, and the PKRU register of
 * each host thread, written from the set of keys that thread may reach.
 */
#include <config.h>

#include "hostkey.h"

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(PKEY_DISABLE_ACCESS)
#define HOSTKEY_BUILT 1
#else
#define HOSTKEY_BUILT 0
#endif

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *refusal;		/* why not, once probed */
static int enabled;			/* __atomic: handlers read it too */
static int keys[HOSTKEY_MAX];		/* the keys the host gave */
static bool held[HOSTKEY_MAX];		/* ... and whether a land holds it */
static unsigned nkeys;
static bool host_exhausted;		/* pkey_alloc said no: ask no more */
/* PKRU's two bits (access, write disable) of every key of keys[]. */
static uint32_t ours;			/* __atomic */

/* The keys this host thread may reach, as a PKRU's allowed bits. */
static __thread uint32_t reach_bits;
/* What this thread last wrote for ours (valid when written_ours == ours). */
static __thread uint32_t written_bits, written_ours;

/* The two PKRU bits of key. */
static uint32_t key_bits(int key)
{
	return (uint32_t)3 << (2 * key);
}

#if HOSTKEY_BUILT
static uint32_t rdpkru(void)
{
	uint32_t eax, edx;

	__asm__ volatile(".byte 0x0f, 0x01, 0xee"
			 : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static void wrpkru(uint32_t v)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xef"
			 : : "a"(v), "c"(0), "d"(0) : "memory");
}

/* Ask the host for one more key, closed to the caller. -1 when none. */
static int host_key(void)
{
	return pkey_alloc(0, PKEY_DISABLE_ACCESS);
}

/*
 * Whether keys hold here, tried in a child process: a page given a fresh
 * key must fault once PKRU closes that key. An emulator may pass the
 * system calls to a host that has keys and keep PKRU to itself (qemu-user
 * does), so having keys is not enough. 1 when the child died of the
 * fault it had to meet, 0 when it did not, -1 when there was no child
 * (a sandbox that forbids fork, as grade's).
 */
static int keys_hold(void)
{
	int status, key;
	char *page;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		key = pkey_alloc(0, 0);
		if (page == MAP_FAILED || key < 0 || key >= 16 ||
		    pkey_mprotect(page, 4096, PROT_READ | PROT_WRITE, key) != 0)
			_exit(2);
		page[0] = 1;			/* open: must not fault */
		wrpkru(rdpkru() | key_bits(key));
		*(volatile char *)page;		/* closed: must fault */
		_exit(3);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}
#else
static uint32_t rdpkru(void)
{
	return 0;
}

static void wrpkru(uint32_t v)
{
	(void)v;
}

static int host_key(void)
{
	errno = ENOSYS;
	return -1;
}

static int keys_hold(void)
{
	return 0;
}
#endif

/* Write this thread's PKRU: ours closed but what it may reach. */
static void write_pkru(void)
{
	uint32_t mine = __atomic_load_n(&ours, __ATOMIC_ACQUIRE);

	if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE))
		return;
	wrpkru((rdpkru() & ~mine) | (mine & ~reach_bits));
	written_bits = reach_bits;
	written_ours = mine;
}

/* Write PKRU when what this thread may reach has changed since. */
static void sync_pkru(void)
{
	if (written_bits != reach_bits ||
	    written_ours != __atomic_load_n(&ours, __ATOMIC_ACQUIRE))
		write_pkru();
}

/*
 * Decide, once, whether keys are used: the build, TLSSIM_PKEYS, valgrind,
 * the host's first key and a try of it (keys_hold). The first key is kept
 * for the pool; when the answer is no, refusal says why.
 */
static void probe(void)
{
	const char *env = getenv("TLSSIM_PKEYS");
	int key;

	if (!HOSTKEY_BUILT) {
		refusal = "not in this build (x86_64 only)";
		return;
	}
	if (env && strcmp(env, "0") == 0) {
		refusal = "turned off by TLSSIM_PKEYS=0";
		return;
	}
	if (RUNNING_ON_VALGRIND) {	/* it does not run rdpkru, wrpkru */
		refusal = "not under valgrind, which does not model them";
		return;
	}
	key = host_key();
	if (key < 0) {
		refusal = errno == ENOSPC || errno == EINVAL ?
			  "the host gives none (no pku in this CPU, or its kernel does not use them)" :
			  "pkey_alloc is refused here";
		return;
	}
	if (key >= 16) {		/* not PKRU's: never seen, never used */
		refusal = "pkey_alloc gave a key out of PKRU's range";
		return;
	}
	switch (keys_hold()) {
	case 1:
		break;
	case 0:
		refusal = "they do not hold here (a page closed by its key did not fault: an emulator?)";
		return;
	default:
		refusal = "not tried (no child process to try them in)";
		return;
	}
	keys[nkeys++] = key;
	__atomic_store_n(&ours, key_bits(key), __ATOMIC_RELEASE);
	__atomic_store_n(&enabled, 1, __ATOMIC_RELEASE);
}

bool hostkey_available(const char **why)
{
	pthread_once(&probe_once, probe);
	if (why)
		*why = enabled ? NULL : refusal;	/* after pthread_once */
	return enabled;
}

int hostkey_take(void)
{
	int key = -1;

	if (!hostkey_available(NULL))
		return -1;
	pthread_mutex_lock(&pool_lock);
	for (unsigned i = 0; i < nkeys; i++) {
		if (!held[i]) {
			held[i] = true;
			key = keys[i];
			goto out;
		}
	}
	if (nkeys < HOSTKEY_MAX && !host_exhausted) {
		key = host_key();
		if (key < 0 || key >= 16) {
			host_exhausted = true;
			key = -1;
			goto out;
		}
		held[nkeys] = true;
		keys[nkeys++] = key;
		__atomic_fetch_or(&ours, key_bits(key), __ATOMIC_RELEASE);
	}
out:
	pthread_mutex_unlock(&pool_lock);
	return key;
}

void hostkey_put(int key)
{
	if (key < 0)
		return;
	hostkey_reach(key, false);
	pthread_mutex_lock(&pool_lock);
	for (unsigned i = 0; i < nkeys; i++)
		if (keys[i] == key)
			held[i] = false;
	pthread_mutex_unlock(&pool_lock);
}

int hostkey_protect(void *addr, size_t len, int prot, int key)
{
#if HOSTKEY_BUILT
	return pkey_mprotect(addr, len, prot, key);
#else
	(void)addr;
	(void)len;
	(void)prot;
	(void)key;
	errno = ENOSYS;
	return -1;
#endif
}

bool hostkey_reach(int key, bool reach)
{
	bool could;

	if (key < 0 || !__atomic_load_n(&enabled, __ATOMIC_ACQUIRE))
		return true;
	could = reach_bits & key_bits(key);
	if (reach)
		reach_bits |= key_bits(key);
	else
		reach_bits &= ~key_bits(key);
	sync_pkru();
	return could;
}

void hostkey_reach_only(int key)
{
	if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE))
		return;
	reach_bits = key < 0 ? 0 : key_bits(key);
	sync_pkru();
}

void hostkey_restore(void)
{
	write_pkru();
}
