/*
 * check_output_show.c - the `show P` drawing: exact layouts, owners of
 * TLS slots, 80 columns whatever the names, colours only when asked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outpututil.h"
#include "report/show.h"

/* show_process into a string (caller frees); asserts it returns 0. */
static char *show_str(const struct process *q, const struct show_options *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(show_process(f, &k, q, o), 0);
	fclose(f);
	return buf;
}

/* Widest line of s in columns, ANSI escape sequences not counted. */
static size_t widest_line(const char *s)
{
	size_t widest = 0, cols = 0;

	for (; *s; s++) {
		if (*s == '\033') {
			while (*s && *s != 'm')
				s++;
			if (!*s)
				break;
			continue;
		}
		if (*s == '\n') {
			cols = 0;
			continue;
		}
		if (++cols > widest)
			widest = cols;
	}
	return widest;
}

/* ---- show ---- */

START_TEST(show_empty_land)
{
	char *s = show_str(p, NULL);

	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 0 mappings\n"
		"  TLS: 0 pages, 0x0 bytes mapped, 0/0 slots used\n"
		"  offset    size      type  rights\n"
		"  0x0       0x100000  free\n");
	free(s);
}
END_TEST

START_TEST(show_mappings_and_gaps)
{
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	map_ok(p, 0x3000, 0x2000, MEM_CODE_STATIC,
	       MAR_USER_ACCESSIBLE | MAR_READABLE | MAR_EXECUTABLE);
	map_ok(p, 0xff000, 0x1000, MEM_STACK,
	       MAR_USER_ACCESSIBLE | MAR_READABLE);
	s = show_str(p, NULL);
	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 3 mappings\n"
		"  TLS: 0 pages, 0x0 bytes mapped, 0/0 slots used\n"
		"  offset    size      type        rights\n"
		"  0x0       0x1000    Normal      rw-\n"
		"  0x1000    0x2000    free\n"
		"  0x3000    0x2000    CodeStatic  r-x\n"
		"  0x5000    0xfa000   free\n"
		"  0xff000   0x1000    Stack       r--\n");
	free(s);
}
END_TEST

START_TEST(show_tls_slots_owners)
{
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	ck_assert_uint_eq(alloc_ok(p), 0x1000);
	ck_assert_uint_eq(alloc_ok(p), 0x1200);
	ck_assert_uint_eq(alloc_ok(p), 0x1400);
	add_thread(p, "T1", 0x1000);
	add_thread(p, "T2", 0x1200);
	s = show_str(p, NULL);
	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 2 mappings\n"
		"  TLS: 1 page, 0x1000 bytes mapped, 3/8 slots used\n"
		"  offset    size      type         rights\n"
		"  0x0       0x1000    Normal       rw-\n"
		"  0x1000    0x1000    ThreadLocal  rw-  TLS page 1 (3/8 used)\n"
		"    [0] 0x1000 T1         0x1200 T2         0x1400 (used)     0x1600 free\n"
		"    [4] 0x1800 free       0x1a00 free       0x1c00 free       0x1e00 free\n"
		"  0x2000    0xfe000   free\n");
	free(s);
}
END_TEST

/* A dead thread, or a thread of another process, owns nothing here. */
START_TEST(show_owner_only_live_thread_of_p)
{
	struct process *q = new_process("P2", LAND);
	struct thread *dead;
	char *s;

	ck_assert_uint_eq(alloc_ok(p), 0x0);
	ck_assert_uint_eq(alloc_ok(p), 0x200);
	dead = add_thread(p, "Gone", 0x0);
	thread_mark_dead(&k, dead);
	/* Same offset, other process: its host address differs. */
	add_thread(q, "Other", 0x200);
	s = show_str(p, NULL);
	ck_assert_ptr_null(strstr(s, "Gone"));
	ck_assert_ptr_null(strstr(s, "Other"));
	ck_assert_ptr_nonnull(strstr(s, "[0] 0x0   (used)      0x200 (used)"));
	free(s);
}
END_TEST

struct owner_log {
	unsigned calls;
	uint64_t asked[16];
};

static const char *owner_cb(void *ctx, const struct process *q,
			    uintptr_t tls)
{
	struct owner_log *log = ctx;
	uint64_t off = process_offset(q, tls);

	if (log->calls < 16)
		log->asked[log->calls] = off;
	log->calls++;
	return off == 0x400 ? "buf" : NULL;
}

START_TEST(show_owner_callback)
{
	struct owner_log log = { 0 };
	struct show_options o = { .owner = owner_cb, .owner_ctx = &log };
	char *s;

	for (int i = 0; i < 4; i++)
		alloc_ok(p);		/* 0x0 .. 0x600 */
	add_thread(p, "T1", 0x0);
	s = show_str(p, &o);
	ck_assert_ptr_nonnull(strstr(s,
		"[0] 0x0   T1          0x200 (used)      0x400 buf         0x600 (used)\n"));
	/* Asked for the three raw slots only: not T1's, not the free ones. */
	ck_assert_uint_eq(log.calls, 3);
	ck_assert_uint_eq(log.asked[0], 0x200);
	ck_assert_uint_eq(log.asked[1], 0x400);
	ck_assert_uint_eq(log.asked[2], 0x600);
	free(s);
}
END_TEST

START_TEST(show_dead_process)
{
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	alloc_ok(p);
	ck_assert_int_eq(process_kill(&k, p), KERR_OK);
	s = show_str(p, NULL);
	ck_assert_str_eq(s, "process P1: killed; its user land was released\n");
	free(s);
}
END_TEST

START_TEST(show_pages_counts_and_order)
{
	char *s, *page1, *page2;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	for (int i = 0; i < 8; i++)
		alloc_ok(p);		/* page 1 at 0x1000 */
	ck_assert_int_eq(process_unmap(&k, p, 0x0, 0x1000), KERR_OK);
	ck_assert_uint_eq(alloc_ok(p), 0x0);	/* page 2, first fit: 0x0 */
	s = show_str(p, NULL);
	ck_assert_ptr_nonnull(strstr(s, "  TLS: 2 pages, 0x2000 bytes mapped, 9/16 slots used\n"));
	page1 = strstr(s, "  0x1000    0x1000    ThreadLocal  rw-  TLS page 1 (8/8 used)\n");
	page2 = strstr(s, "  0x0       0x1000    ThreadLocal  rw-  TLS page 2 (1/8 used)\n");
	ck_assert_ptr_nonnull(page1);
	ck_assert_ptr_nonnull(page2);
	/* Drawn in address order, numbered in creation order. */
	ck_assert(page2 < page1);
	free(s);
}
END_TEST

/* A lab unmaps a TLS page: the manager still holds it; show says so. */
START_TEST(show_unmapped_tls_page)
{
	char *s;

	for (int i = 0; i < 9; i++)
		alloc_ok(p);		/* page 1 at 0x0, page 2 at 0x1000 */
	ck_assert_int_eq(process_unmap(&k, p, 0x1000, 0x1000), KERR_OK);
	s = show_str(p, NULL);
	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 1 mapping\n"
		"  TLS: 2 pages, 0x1000 bytes mapped, 9/16 slots used\n"
		"  offset    size      type         rights\n"
		"  0x0       0x1000    ThreadLocal  rw-  TLS page 1 (8/8 used)\n"
		"    [0] 0x0   (used)      0x200 (used)      0x400 (used)      0x600 (used)\n"
		"    [4] 0x800 (used)      0xa00 (used)      0xc00 (used)      0xe00 (used)\n"
		"  0x1000    0xff000   free\n"
		"  0x1000: TLS page 2 (1/8 used) NOT MAPPED\n"
		"    [0] 0x1000 (used)     0x1200 free       0x1400 free       0x1600 free\n"
		"    [4] 0x1800 free       0x1a00 free       0x1c00 free       0x1e00 free\n");
	free(s);
}
END_TEST

START_TEST(show_long_names_fit_80_columns)
{
	char long_name[301];
	struct owner_log log = { 0 };
	struct show_options o = { .owner = owner_cb, .owner_ctx = &log };
	struct process *q;
	char *s, *c;

	memset(long_name, 'N', 300);
	long_name[300] = '\0';
	q = new_process(long_name, LAND);
	for (int i = 0; i < 3; i++)
		alloc_ok(q);
	add_thread(q, long_name, 0x0);
	s = show_str(q, &o);
	ck_assert_uint_le(widest_line(s), 80);
	ck_assert_ptr_nonnull(strstr(s, "..."));
	ck_assert_ptr_nonnull(strstr(s, "[0] 0x0   NNNNNNNN... 0x200 (used)"));
	free(s);

	o.color = true;
	c = show_str(q, &o);
	ck_assert_uint_le(widest_line(c), 80);
	ck_assert_ptr_nonnull(strchr(c, '\033'));
	free(c);
}
END_TEST

/*
 * Offsets of 13 characters need the 2-slots-a-row layout; still 80
 * columns. Only a pretence can put a TLS page 2^40 bytes into a user land
 * here: move the start of P1's land (used only for reports) 2^40 lower.
 */
START_TEST(show_wide_offsets_fit_80_columns)
{
#if UINTPTR_MAX > 0xffffffffu	/* offsets past 4 GiB exist on 64-bit only */
	const uint64_t far = (uint64_t)1 << 40;
	char *s;

	ck_assert_uint_eq(alloc_ok(p), 0x0);
	add_thread(p, "a-thread-with-a-long-name-indeed", 0x0);
	p->userland_start -= far;
	p->userland_size += far;
	s = show_str(p, NULL);
	ck_assert_uint_le(widest_line(s), 80);
	ck_assert_ptr_nonnull(strstr(s,
		"  0x10000000000  0x1000         ThreadLocal  rw-  TLS page 1 (1/8 used)\n"
		"    [0] 0x10000000000 a-thread-with-a-lo... 0x10000000200 free\n"
		"    [2] 0x10000000400 free"));
	ck_assert_ptr_nonnull(strstr(s, "    [6] 0x10000000c00 free"));
	p->userland_start += far;
	p->userland_size -= far;
	free(s);
#endif
}
END_TEST

START_TEST(show_no_escapes_without_color)
{
	struct show_options o = { .color = false };
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	alloc_ok(p);
	add_thread(p, "T1", 0x1000);
	s = show_str(p, &o);
	ck_assert_ptr_null(strchr(s, '\033'));
	free(s);
}
END_TEST

START_TEST(show_color_escapes)
{
	struct show_options o = { .color = true };
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	alloc_ok(p);
	alloc_ok(p);
	add_thread(p, "T1", 0x1000);
	s = show_str(p, &o);
	ck_assert_ptr_nonnull(strstr(s, "\033[36mNormal\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[35mThreadLocal\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[32mT1\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[33m(used)\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[2mfree\033[0m"));
	ck_assert_uint_le(widest_line(s), 80);
	free(s);
}
END_TEST

/* Same story in two processes (two host addresses): the same drawing. */
START_TEST(show_deterministic_offsets_only)
{
	struct process *a = new_process("P", LAND);
	struct process *b = new_process("P", LAND);
	char *sa, *sb;

	ck_assert_uint_ne(a->userland_start, b->userland_start);
	map_ok(a, 0x2000, 0x1000, MEM_HEAP, MAR_U_RW);
	map_ok(b, 0x2000, 0x1000, MEM_HEAP, MAR_U_RW);
	alloc_ok(a);
	alloc_ok(b);
	add_thread(a, "T", 0x0);
	add_thread(b, "T", 0x0);
	sa = show_str(a, NULL);
	sb = show_str(b, NULL);
	ck_assert_ptr_nonnull(strstr(sa, "0x0   T "));
	ck_assert_str_eq(sa, sb);
	free(sa);
	free(sb);
}
END_TEST

START_TEST(show_bad_arguments)
{
	ck_assert_int_eq(show_process(NULL, &k, p, NULL), -EINVAL);
	ck_assert_int_eq(show_process(stdout, NULL, p, NULL), -EINVAL);
	ck_assert_int_eq(show_process(stdout, &k, NULL, NULL), -EINVAL);
}
END_TEST

TCase *show_tcase(void)
{
	TCase *show = tcase_create("show");

	tcase_add_checked_fixture(show, setup, teardown);
	tcase_add_test(show, show_empty_land);
	tcase_add_test(show, show_mappings_and_gaps);
	tcase_add_test(show, show_tls_slots_owners);
	tcase_add_test(show, show_owner_only_live_thread_of_p);
	tcase_add_test(show, show_owner_callback);
	tcase_add_test(show, show_dead_process);
	tcase_add_test(show, show_pages_counts_and_order);
	tcase_add_test(show, show_unmapped_tls_page);
	tcase_add_test(show, show_long_names_fit_80_columns);
	tcase_add_test(show, show_wide_offsets_fit_80_columns);
	tcase_add_test(show, show_no_escapes_without_color);
	tcase_add_test(show, show_color_escapes);
	tcase_add_test(show, show_deterministic_offsets_only);
	tcase_add_test(show, show_bad_arguments);
	return show;
}
