/*
 * wordkey.h - a word's key: the number that the name tables hash and
 * compare a name by, and the command index a command word by. A short
 * word is its own key (its bytes); a longer one's is its FNV-1a.
 */
#ifndef TLSSIM_WORDKEY_H
#define TLSSIM_WORDKEY_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Words of at most this many bytes are their own key (scn_key_pack). */
#define SCN_KEY_BYTES 8

/* The 4 bytes at s (any alignment) as a number, the first lowest. */
static inline uint64_t scn_load4(const char *s)
{
	uint32_t v;

	memcpy(&v, s, sizeof(v));
	return le32toh(v);
}

/*
 * The key of a word of at most SCN_KEY_BYTES bytes: its bytes, zero-padded,
 * the first lowest (the same on any host). Two loads that may overlap,
 * each placed where its bytes belong (a byte read twice lands on itself),
 * instead of a loop of len shifts: name tables and the command index
 * compare and hash words by it.
 */
static inline uint64_t scn_key_pack(const char *s, size_t len)
{
	if (len >= 4)
		return scn_load4(s) | scn_load4(s + len - 4) << (8 * (len - 4));
	if (!len)
		return 0;
	return (uint64_t)(unsigned char)s[0] |
	       (uint64_t)(unsigned char)s[len / 2] << (8 * (len / 2)) |
	       (uint64_t)(unsigned char)s[len - 1] << (8 * (len - 1));
}

/* FNV-1a's 64-bit start, and the hash of s[0..len) continued from h. */
#define SCN_FNV_SEED 0xcbf29ce484222325ull
static inline uint64_t scn_fnv(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/*
 * A word's key, which the name tables mix into their hash and the command
 * index hashes: a short word's bytes (scn_key_pack), a longer one's
 * FNV-1a.
 */
static inline uint64_t scn_word_key(const char *s, size_t len)
{
	return len <= SCN_KEY_BYTES ? scn_key_pack(s, len)
				    : scn_fnv(SCN_FNV_SEED, s, len);
}

#endif
