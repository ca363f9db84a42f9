/*
 * fuzz_values.c - the structure-aware harness's choices and values: fuzz
 * bytes read one at a time as choices among a few interesting numbers,
 * lengths and fields, and the values of the scenario language written as
 * text that always parses (fuzz_gen.h).
 */
#include <config.h>

#include "fuzz_gen.h"

#include <stdarg.h>
#include <stdio.h>

/* Offsets at and around the edges of regions and pages. */
static const uint64_t offsets[] = {
	0, 0x8, 0x10, 0x1f8, 0x1ff, 0x200, 0x400, 0xe00, 0xff8, 0xfff,
	0x1000, 0x1200, 0x1e00, 0x2000, 0x3000, 0xff000, 0x100000,
	0xffffffff, 0xfffffffffffff000,
};

static const uint64_t numbers[] = {
	0, 1, 0x200, 0x1000, 0xdeadbeef, 0x7fffffffffffffff,
	0xffffffffffffffff,
};

/* Offsets into the IPC buffer (0x100 bytes), for ipc+OFF. */
static const size_t ipc_offs[] = { 1, 0x8, 0x10, 0x80, 0xf0, 0xff };

/*
 * Offsets for tls+OFF (below 0x1000): the region's edges, and past them
 * the next regions, the end of the page and the furthest reach, so that
 * a thread on the last slot of a land reaches past the land's end.
 */
static const size_t tls_offs[] = {
	0, 0x8, 0x1f8, 0x1f9, 0x1ff, 0x200, 0x208, 0x3f8, 0x410, 0xdf8,
	0xe00, 0xf00, 0xff8, 0xfff,
};

unsigned fz_take(struct chooser *c)
{
	if (!c->n)
		return 0;
	c->n--;
	return *c->p++;
}

unsigned fz_pick(struct chooser *c, unsigned n)
{
	return fz_take(c) % n;
}

uint64_t fz_offset(struct chooser *c)
{
	return FZ_PICK(c, offsets);
}

size_t fz_len(struct chooser *c, size_t lo, size_t room)
{
	static const size_t lens[] = { 0, 1, 2, 4, 7, 8, 9, 16, 64 };
	size_t n;

	switch (fz_pick(c, 4)) {
	case 0:
		n = room;
		break;
	case 1:
		n = room - 1;
		break;
	default:
		n = FZ_PICK(c, lens);
		break;
	}
	if (n > room)
		n = room;
	return n < lo ? lo : n;
}

void fz_put(char *line, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= LINE_MAX_LEN - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + *len, LINE_MAX_LEN - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
	if (*len > LINE_MAX_LEN - 1)
		*len = LINE_MAX_LEN - 1;
}

void fz_string(struct chooser *c, char *line, size_t *len, size_t n)
{
	fz_put(line, len, " \"");
	for (size_t i = 0; i < n; i++) {
		unsigned b = fz_take(c);

		if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
			fz_put(line, len, "%c", (char)b);
		else
			fz_put(line, len, "\\x%02x", b);
	}
	fz_put(line, len, "\"");
}

void fz_hex(struct chooser *c, char *line, size_t *len, size_t n)
{
	fz_put(line, len, " 0x");
	for (size_t i = 0; i < n; i++)
		fz_put(line, len, "%02x", fz_take(c));
}

void fz_pointer(struct chooser *c, char *line, size_t *len)
{
	uint64_t v = 0;

	if (fz_pick(c, 2)) {
		v = FZ_PICK(c, numbers);
	} else {
		for (int i = 0; i < 8; i++)
			v = v << 8 | fz_take(c);
	}
	if (sizeof(void *) < 8)
		v &= 0xffffffffu;
	fz_put(line, len, " 0x%llx", (unsigned long long)v);
}

enum fz_field fz_field(struct chooser *c, char *line, size_t *len,
		       size_t *room)
{
	size_t off;

	switch (fz_pick(c, 5)) {
	case 4:
		off = FZ_PICK(c, tls_offs);
		fz_put(line, len, " tls+0x%zx", off);
		*room = 0x1000 - off < 0x100 ? 0x1000 - off : 0x100;
		return FZ_TLS;
	case 0:
		fz_put(line, len, " ipc");
		*room = 0x100;
		return FZ_IPC;
	case 1:
		off = FZ_PICK(c, ipc_offs);
		fz_put(line, len, " ipc+0x%zx", off);
		*room = 0x100 - off;
		return FZ_IPC;
	case 2:
		fz_put(line, len, " context");
		*room = sizeof(void *);
		return FZ_CONTEXT;
	default:
		fz_put(line, len, " self");
		*room = sizeof(void *);
		return FZ_SELF;
	}
}

void fz_value(struct chooser *c, char *line, size_t *len, enum fz_field f,
	      size_t room, bool expect)
{
	bool bytes = f == FZ_IPC || f == FZ_TLS;

	if (f == FZ_SELF && expect) {
		fz_put(line, len, " 0x%llx", (unsigned long long)fz_offset(c));
		return;
	}
	if (!bytes && fz_pick(c, 2)) {
		fz_pointer(c, line, len);
		return;
	}
	if (bytes && fz_pick(c, 2)) {
		fz_hex(c, line, len, fz_len(c, 1, room));
		return;
	}
	fz_string(c, line, len, fz_len(c, 0, room));
}
