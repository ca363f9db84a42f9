/*
 * check_scenario_parse.c - the scenario parser (commands, names, fields,
 * outcomes, the AST) and its diagnostics.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/parser.h"
#include "scenario_fixture.h"
#include "testutil.h"
#include "tls_manager.h"

START_TEST(unknown_command_suggestions)
{
	PRE_ERR("wirte T ipc \"x\"\n",
		"t.scn:4:1: error: unknown command 'wirte' (did you mean 'write'?)");
	PRE_ERR("tls_alloc A\n", "unknown command 'tls_alloc' (did you mean 'tls-alloc'?)");
	PRE_ERR("expcet fault\nkill A\n", "(did you mean 'expect'?)");
	PRE_ERR("frobnicate A\n", "t.scn:4:1: error: unknown command 'frobnicate'\n");
	PRE_ERR("\"kill\" A\n", "expected command, found a string");
}
END_TEST

/* Parse a line of cmd's name alone: it must be found (some fail later). */
static bool parse_name_alone(void *arg, const struct scn_command *cmd)
{
	size_t *found = arg;
	char line[64];

	snprintf(line, sizeof(line), "%s\n", cmd->name);
	parse(line);
	ck_assert_msg(!strstr(diag_text(D), "unknown"), "'%s' not found:\n%s",
		      cmd->name, diag_text(D));
	++*found;
	return false;
}

/* Each command of every table is found by its name (the command index). */
START_TEST(every_command_found)
{
	size_t found = 0;

	scn_each_command(parse_name_alone, &found);
	ck_assert_uint_ge(found, 20);
}
END_TEST

START_TEST(subcommand_suggestions)
{
	PRE_ERR("expect pnaic \"x\"\nkill A\n",
		"t.scn:4:8: error: unknown expectation 'pnaic' (did you mean 'panic'?)");
	PRE_ERR("expect\n", "t.scn:4:1: error: 'expect' needs what to expect");
	PRE_ERR("inject map_fail 1\n",
		"t.scn:4:8: error: unknown injection 'map_fail' (did you mean 'map-fail'?)");
	PRE_ERR("write T icp \"x\"\n",
		"t.scn:4:9: error: unknown field 'icp' (did you mean 'ipc'?)");
	PRE_ERR("map A 0 4K Norml\n",
		"t.scn:4:12: error: unknown memory type or permissions 'Norml' (did you mean 'Normal'?)");
	PRE_ERR("map A 0 4K threadlocal rw\n",
		"unknown memory type 'threadlocal' (did you mean 'ThreadLocal'?)");
	PRE_ERR("map A 0 4K Normal rwz\n",
		"t.scn:4:19: error: bad permissions 'rwz' (did you mean 'rw'?)\n");
	PRE_ERR("map A 0 4K Normal all\n",
		"bad permissions 'all' (expected r, rw, rx or rwx)\n");
	PRE_ERR("read T stack\n",
		"unknown field 'stack' (expected ipc, ipc+OFF, context, self or tls+OFF)\n");
	PRE_ERR("expect error InvalidAdress\nkill A\n",
		"t.scn:4:14: error: unknown error kind 'InvalidAdress' (did you mean 'InvalidAddress'?)");
	PRE_ERR("expect error Success\nkill A\n", "unknown error kind 'Success'");
}
END_TEST

START_TEST(argument_counts)
{
	/* no argument at all: nothing past the line is read (sanitize leg) */
	PRE_ERR("tls-alloc\n", "t.scn:4:1: error: 'tls-alloc' takes");
	PRE_ERR("spawn A\n",
		"t.scn:4:1: error: 'spawn' takes 2 arguments: spawn PROCESS THREAD");
	PRE_ERR("exit T extra\n",
		"t.scn:4:8: error: 'exit' takes 1 argument: exit THREAD");
	PRE_ERR("map A 0\n",
		"'map' takes 3 to 5 arguments: map PROCESS OFFSET SIZE [TYPE] [PERMS]");
	PRE_ERR("tls-alloc A as\n",
		"'tls-alloc' takes 1 or 3 arguments: tls-alloc PROCESS [as NAME]");
	PRE_ERR("expect fault now\nkill A\n",
		"t.scn:4:14: error: 'expect fault' takes no arguments: expect fault");
	PRE_ERR("expect map A 0\n",
		"'expect map' takes 3 to 4 arguments: expect map PROCESS OFFSET TYPE [PERMS]");
	PRE_ERR("poke T A 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
		"t.scn:4:14: error: 'poke' takes 4 arguments");
	PRE_ERR("tls-alloc A to r\n", "t.scn:4:13: error: expected 'as NAME', found 'to'");
	PRE_ERR("process C size=4K\n",
		"t.scn:4:11: error: unknown option 'size=4K' for 'process' (expected userland=SIZE or policy=NAME)");
	PRE_ERR("process C policy=linux\n",
		"t.scn:4:18: error: unknown policy 'linux' (expected sunrise, indexed, mesosphere, seed)");
	PRE_ERR("process C policy=sunrise policy=sunrise\n",
		"t.scn:4:26: error: unknown option 'policy=sunrise' for 'process'");
}
END_TEST

START_TEST(unknown_names)
{
	PARSE_ERR("spawn Q T\n", "t.scn:1:7: error: unknown process 'Q'");
	PARSE_ERR("process A\nexit T\nspawn A T\n",
		  "t.scn:2:6: error: unknown thread 'T'");
	PRE_ERR("spawn A worker\nswitch wroker\n",
		"t.scn:5:8: error: unknown thread 'wroker' (did you mean 'worker'?)");
	PRE_ERR("switch U\n", "t.scn:4:8: error: unknown thread 'U'\n");
	PRE_ERR("kill 9lives\n", "t.scn:4:6: error: bad process name '9lives'");
	PRE_ERR("tls-free A r\n", "t.scn:4:12: error: unknown region 'r'");
	PRE_ERR("peek T \"A\" 0\n", "expected a process name, found a string");
	/* A mistake in spawn's process still declares the thread. */
	ck_assert_int_eq(parse("spawn Q T\nexit T\n"), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 1);
	/* So does a spawn with an argument too many; the next line's own
	 * mistake is then the one reported, not its thread. */
	ck_assert_int_eq(parse("process A\nspawn A T extra\nexit T\n"
			       "write T nofield 0x1\n"), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 2);
	ck_assert_uint_eq(diag_get(D, 0)->line, 2);
	ck_assert_uint_eq(diag_get(D, 1)->line, 4);
	ck_assert_str_eq(diag_get(D, 1)->message,
			 "unknown field 'nofield' (expected ipc, ipc+OFF, "
			 "context, self or tls+OFF)");
	/* Too few: which word was to be the thread is not known. */
	ck_assert_int_eq(parse("process A\nspawn T\nexit T\n"), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 2);
	/* A process and a region, with a word too many, are declared too. */
	ck_assert_int_eq(parse("process A userland=1M policy=sunrise x\n"
			       "tls-alloc A as r x\ntls-free A r\n"), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 2);
	ck_assert_uint_eq(diag_get(D, 1)->line, 2);
	/* A region whose `as` is missing or mistyped is declared too. */
	ck_assert_int_eq(parse("process A\ntls-alloc A r\ntls-free A r\n"
			       "tls-alloc A to s\ntls-free A s\n"), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 2);
	ck_assert_uint_eq(diag_get(D, 0)->line, 2);
	ck_assert_uint_eq(diag_get(D, 1)->line, 4);
	/* `tls-alloc A as` is short of a name: nothing is declared. */
	ck_assert_int_eq(parse("process A\ntls-alloc A as\ntls-free A as\n"),
			 -EINVAL);
	ck_assert_uint_eq(diag_count(D), 2);
}
END_TEST

/* A UTF-8 byte-order mark at the start of a file is skipped, there only;
 * columns count from after it, as an editor shows the line. */
START_TEST(byte_order_mark)
{
	PARSE_OK("\xef\xbb\xbfprocess A\r\nspawn A T\r\n");
	ck_assert_uint_eq(S->cmd_count, 2);
	PARSE_ERR("\xef\xbb\xbfproces A\n",
		  "t.scn:1:1: error: unknown command 'proces'");
	PARSE_ERR("process A\n\xef\xbb\xbfspawn A T\n",
		  "t.scn:2:1: error: unknown command '???spawn'");
	ck_assert_uint_eq(scn_bom_len("\xef\xbb\xbf", 3), 3);
	ck_assert_uint_eq(scn_bom_len("\xef\xbb", 2), 0);
	ck_assert_uint_eq(scn_bom_len("abc", 3), 0);
}
END_TEST

START_TEST(duplicate_names)
{
	PRE_ERR("process A\n",
		"t.scn:4:9: error: duplicate name 'A': process 'A' was already declared at line 1");
	PRE_ERR("spawn B T\n",
		"t.scn:4:9: error: duplicate name 'T': thread 'T' was already declared at line 3");
	PRE_ERR("exit T\nspawn A T\n", "t.scn:5:9: error: duplicate name 'T'");
	PRE_ERR("tls-alloc A as r\ntls-alloc B as r\n", "t.scn:5:16: error: duplicate name 'r'");
	/* Namespaces are separate, and names may be used after death. */
	PRE_OK("spawn A A\nexit T\nswitch T\nkill A\nshow A\n");
}
END_TEST

START_TEST(alignment)
{
	PRE_ERR("map A 0x123 4K\n",
		"t.scn:4:7: error: offset 0x123 is not page aligned (0x1000)");
	PRE_ERR("map A 4K 0x1001\n",
		"t.scn:4:10: error: size 0x1001 is not page aligned (0x1000)");
	PRE_ERR("unmap A 0x10 4K\n", "t.scn:4:9: error: offset 0x10 is not page aligned");
	PRE_ERR("process C userland=0x1800\n",
		"t.scn:4:20: error: user land size 0x1800 is not page aligned (0x1000)");
	PRE_ERR("process C userland=0\n",
		"t.scn:4:20: error: user land size must be at least one page");
	PRE_OK("map A 0x1000 0\nunmap A 0 0\n");
	/* after `expect error` the kernel judges alignment, not the parser */
	PRE_OK("expect error InvalidAddress\nmap A 0x123 0x1001\n"
	       "expect error InvalidSize\nunmap A 0 0x10\n");
	ck_assert_uint_eq(last()->size, 0x10);
	ck_assert_int_eq(last()->expect.kind, SCN_OUTCOME_ERROR);
	/* but not after another outcome */
	PRE_ERR("expect fault\nmap A 0x123 4K\n",
		"t.scn:5:7: error: offset 0x123 is not page aligned");
}
END_TEST

START_TEST(field_lengths)
{
	char line[1024], *p;

	strcpy(line, "write T ipc 0x");
	p = line + strlen(line);
	for (int i = 0; i < 0x100; i++, p += 2)
		memcpy(p, "ab", 2);
	strcpy(p, "\n");
	PRE_OK(line);
	ck_assert_uint_eq(last()->value.bytes.len, 0x100);
	strcpy(p, "cd\n");
	PRE_ERR(line,
		"t.scn:4:13: error: value of 257 bytes is too long for ipc+0x0 (room for 256 bytes)");
	PRE_OK("write T ipc+0xf0 \"0123456789abcdef\"\n");
	PRE_ERR("write T ipc+0xf0 \"0123456789abcdefX\"\n",
		"value of 17 bytes is too long for ipc+0xf0 (room for 16 bytes)");
	PRE_ERR("write T ipc+0x100 \"\"\n",
		"t.scn:4:13: error: ipc offset 0x100 is outside the IPC buffer (0x100 bytes)");
	PRE_OK("read T ipc+0x80 0x80\n");
	ck_assert_uint_eq(last()->len, 0x80);
	PRE_ERR("read T ipc+0x80 0x81\n", "goes past the IPC buffer");
	PRE_ERR("read T ipc 0\n", "length must be at least 1");
	PRE_ERR("read T self 8\n", "a length applies only to 'ipc'");
	if (sizeof(void *) == 8) {
		PRE_OK("write T context \"12345678\"\n");
		PRE_ERR("write T context \"123456789\"\n",
			"value of 9 bytes is too long for 'context' (8 bytes)");
	} else {
		PRE_OK("write T context \"1234\"\n");
		PRE_ERR("write T context \"12345\"\n", "too long for 'context'");
		PRE_ERR("write T self 0x100000000\n", "too long for 'self'");
	}
}
END_TEST

START_TEST(context_and_self_values)
{
	PRE_OK("write T self 0x1000\n");
	ck_assert_int_eq(last()->field.id, SCN_FIELD_SELF);
	ck_assert_int_eq(last()->value.kind, SCN_VALUE_NUMBER);
	ck_assert_uint_eq(last()->value.number, 0x1000);
	PRE_OK("expect read T self 0x2000\n");
	ck_assert_int_eq(last()->kind, SCN_EXPECT_READ);
	ck_assert_uint_eq(last()->value.number, 0x2000);
	PRE_ERR("expect read T self \"abc\"\n", "is compared with an OFFSET");
	PRE_OK("expect read T context 4K\n");
	ck_assert_uint_eq(last()->value.number, 4096);
	ck_assert_int_eq(last()->field.id, SCN_FIELD_CONTEXT);
}
END_TEST

START_TEST(trailing_expect)
{
	PRE_ERR("expect fault\n# nothing follows\n\n",
		"t.scn:4:1: error: 'expect fault' has no command after it to apply to\n expect fault\n ^\n");
	PRE_ERR("expect panic \"boom\"",
		"t.scn:4:1: error: 'expect panic' has no command after it");
	PRE_ERR("expect error InvalidSize\nexpect fault\nkill A\n",
		"t.scn:5:1: error: 'expect fault' follows 'expect error' on line 4");
	/* A bad command still consumes the expectation: one error only. */
	ck_assert_int_eq(parse_pre("expect fault\nkil A\n"), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 1);
}
END_TEST

START_TEST(outcomes_attach_to_next_command)
{
	PRE_OK("expect error InvalidAddress\n# comment\n\nmap A 0x1000 4K\n"
	       "expect panic \"not \\\"free\\\"\"\ntls-free A 0x200\n"
	       "expect fault\npeek T B 0\nkill B\n");
	ck_assert_uint_eq(S->cmd_count, 7);
	ck_assert_int_eq(S->cmds[3].kind, SCN_MAP);
	ck_assert_int_eq(S->cmds[3].expect.kind, SCN_OUTCOME_ERROR);
	ck_assert_int_eq(S->cmds[3].expect.error, KERR_INVALID_ADDRESS);
	ck_assert_uint_eq(S->cmds[3].expect.line, 4);
	ck_assert_int_eq(S->cmds[4].expect.kind, SCN_OUTCOME_PANIC);
	ck_assert_uint_eq(S->cmds[4].expect.panic_text.len, 10);
	ck_assert_mem_eq(S->cmds[4].expect.panic_text.data, "not \"free\"", 10);
	ck_assert_uint_eq(S->cmds[4].offset, 0x200);
	ck_assert_uint_eq(S->cmds[4].region, SCN_NONE);
	ck_assert_int_eq(S->cmds[5].expect.kind, SCN_OUTCOME_FAULT);
	ck_assert_int_eq(S->cmds[6].expect.kind, SCN_OUTCOME_NORMAL);
}
END_TEST

START_TEST(regions)
{
	PRE_OK("tls-alloc A as r1\ntls-alloc A\ntls-free A r1\ntls-free A 0x1200\n");
	ck_assert_uint_eq(S->region_count, 1);
	ck_assert_uint_eq(S->cmds[3].region, 0);
	ck_assert_uint_eq(S->cmds[4].region, SCN_NONE);
	ck_assert_uint_eq(S->cmds[5].region, 0);
	ck_assert_uint_eq(S->cmds[6].region, SCN_NONE);
	ck_assert_uint_eq(S->cmds[6].offset, 0x1200);
	PRE_ERR("tls-alloc A as r1\ntls-free B r1\n",
		"t.scn:5:12: error: region 'r1' was allocated in process 'A', not 'B'");
}
END_TEST

START_TEST(full_scenario_ast)
{
	static const char text[] =
		"process A userland=64K\n"
		"process B\n"
		"map A 0x8000 8K Stack rx\n"
		"map A 0x4000 4K ThreadLocal\n"
		"map A 0xa000 4K r\n"
		"unmap A 0x8000 4K\n"
		"spawn A t1\n"
		"spawn B t2\n"
		"switch t1\n"
		"write t1 ipc+2 \"hi\"\n"
		"write t1 context 0x1234\n"
		"read t1 ipc 4\n"
		"read t1 self\n"
		"tls-alloc B as raw\n"
		"tls-free B raw\n"
		"show A\n"
		"expect tls t1 0x0\n"
		"expect pages A 1\n"
		"expect used A 1\n"
		"expect read t1 ipc+2 0x6869\n"
		"expect map A 0x8800 Stack rx\n"
		"expect map A 0 Unmapped\n"
		"peek t1 B 0x10\n"
		"poke t1 A 0x20 0xdead\n"
		"poke t1 A 0x28 \"ab\"\n"
		"inject map-fail 2\n"
		"exit t1\n"
		"kill B\n";
	static const enum scn_cmd_kind kinds[] = {
		SCN_PROCESS, SCN_PROCESS, SCN_MAP, SCN_MAP, SCN_MAP, SCN_UNMAP,
		SCN_SPAWN, SCN_SPAWN, SCN_SWITCH, SCN_WRITE, SCN_WRITE,
		SCN_READ, SCN_READ, SCN_TLS_ALLOC, SCN_TLS_FREE, SCN_SHOW,
		SCN_EXPECT_TLS, SCN_EXPECT_PAGES, SCN_EXPECT_USED,
		SCN_EXPECT_READ, SCN_EXPECT_MAP, SCN_EXPECT_MAP, SCN_PEEK,
		SCN_POKE, SCN_POKE, SCN_INJECT_MAP_FAIL, SCN_EXIT, SCN_KILL,
	};
	const struct scn_cmd *c;

	PARSE_OK(text);
	ck_assert_uint_eq(S->cmd_count, sizeof(kinds) / sizeof(kinds[0]));
	for (size_t i = 0; i < S->cmd_count; i++) {
		ck_assert_int_eq(S->cmds[i].kind, kinds[i]);
		ck_assert_uint_eq(S->cmds[i].line, i + 1);
		ck_assert_uint_eq(S->cmds[i].col, 1);
	}
	c = S->cmds;
	ck_assert_uint_eq(c[0].size, 64 << 10);
	ck_assert_uint_eq(c[1].size, PMEM_DEFAULT_USERLAND);
	ck_assert_uint_eq(c[1].process, 1);
	ck_assert_int_eq(c[2].type, MEM_STACK);
	ck_assert_uint_eq(c[2].perms, MAR_READABLE | MAR_EXECUTABLE);
	ck_assert_uint_eq(c[2].size, 0x2000);
	ck_assert_int_eq(c[3].type, MEM_THREAD_LOCAL);
	ck_assert_uint_eq(c[3].perms, SCN_PERMS_DEFAULT);
	ck_assert_int_eq(c[4].type, MEM_NORMAL);
	ck_assert_uint_eq(c[4].perms, MAR_READABLE);
	ck_assert_uint_eq(c[5].offset, 0x8000);
	ck_assert_uint_eq(c[7].thread, 1);
	ck_assert_uint_eq(S->threads[1].process, 1);
	ck_assert_str_eq(S->threads[1].name, "t2");
	ck_assert_uint_eq(c[8].thread, 0);
	ck_assert_uint_eq(c[9].field.off, 2);
	ck_assert_mem_eq(c[9].value.bytes.data, "hi", 2);
	ck_assert_int_eq(c[10].field.id, SCN_FIELD_CONTEXT);
	ck_assert_uint_eq(c[10].value.number, 0x1234);
	ck_assert_uint_eq(c[11].len, 4);
	ck_assert_int_eq(c[12].field.id, SCN_FIELD_SELF);
	ck_assert_uint_eq(c[13].region, 0);
	ck_assert_str_eq(S->regions[0].name, "raw");
	ck_assert_uint_eq(S->regions[0].process, 1);
	ck_assert_uint_eq(c[14].region, 0);
	ck_assert_uint_eq(c[15].process, 0);
	ck_assert_uint_eq(c[17].count, 1);
	ck_assert_mem_eq(c[19].value.bytes.data, "hi", 2);
	ck_assert_uint_eq(c[19].value.bytes.len, 2);
	ck_assert_uint_eq(c[20].offset, 0x8800);
	ck_assert(c[20].perms_given);
	ck_assert(!c[21].perms_given);
	ck_assert_int_eq(c[21].type, MEM_UNMAPPED);
	ck_assert_uint_eq(c[22].thread, 0);
	ck_assert_uint_eq(c[22].process, 1);
	ck_assert_int_eq(c[23].value.kind, SCN_VALUE_NUMBER);
	ck_assert_uint_eq(c[23].value.number, 0xdead);
	ck_assert_int_eq(c[24].value.kind, SCN_VALUE_BYTES);
	ck_assert_uint_eq(c[25].count, 2);
	ck_assert_int_eq(c[0].expect.kind, SCN_OUTCOME_NORMAL);
	ck_assert_str_eq(scn_cmd_name(c[16].kind), "expect tls");
	ck_assert_str_eq(scn_cmd_name(c[25].kind), "inject map-fail");
	{
		size_t len;
		const char *src = scn_cmd_source(S, &c[9], &len);

		ck_assert_uint_eq(len, strlen("write t1 ipc+2 \"hi\""));
		ck_assert_mem_eq(src, "write t1 ipc+2 \"hi\"", len);
	}
}
END_TEST

START_TEST(every_error_reported)
{
	PARSE_ERR("proces A\nprocess A\nspawn A T\nspawn A T\nkill B\n",
		  "t.scn:1:1: error: unknown command 'proces'");
	ck_assert_uint_eq(diag_count(D), 3);
	ck_assert_uint_eq(diag_get(D, 1)->line, 4);
	ck_assert_uint_eq(diag_get(D, 1)->col, 9);
	ck_assert_uint_eq(diag_get(D, 2)->line, 5);
	ck_assert_str_eq(diag_get(D, 2)->message, "unknown process 'B'");
}
END_TEST

START_TEST(error_cap)
{
	char text[2048] = "";

	for (int i = 0; i < 30; i++)
		strcat(text, "bogus\n");
	PARSE_ERR(text, "t.scn: error: too many errors (20), giving up\n");
	ck_assert_uint_eq(diag_count(D), SCN_MAX_ERRORS + 1);
}
END_TEST

START_TEST(source_line_display)
{
	/* Control bytes show as '?', valid UTF-8 stays, caret follows. */
	PARSE_ERR("\xc3\xa9\x01 \tfoo\n",
		  "t.scn:1:1: error: unknown command '?\?\?'\n \xc3\xa9? \tfoo\n ^\n");
	PARSE_ERR("process A\n\t spawn Z T\n",
		  "t.scn:2:9: error: unknown process 'Z'\n \t spawn Z T\n \t       ^\n");
	PARSE_ERR("kill \xff\xfe\n", " kill ??\n      ^\n");
}
END_TEST

START_TEST(color_output)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct diag *d;
	struct scenario *s;

	ck_assert_ptr_nonnull(f);
	d = diag_new_stream(f, true);
	ck_assert_int_eq(scenario_parse("c.scn", "wirte\n", 6, d, &s), -EINVAL);
	ck_assert_uint_eq(diag_count(d), 1);
	diag_free(d);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\033[1;31merror:"));
	ck_assert_ptr_nonnull(strstr(buf, "\033[1;32m^\033[0m"));
	ck_assert_ptr_nonnull(strstr(buf, "c.scn:1:1: "));
	free(buf);
	/* The memory sink never colors. */
	PARSE_ERR("wirte\n", "t.scn:1:1: error: unknown command");
	ck_assert_ptr_null(strchr(diag_text(D), '\033'));
}
END_TEST

START_TEST(load_file)
{
	char path[] = "/tmp/check_scn_XXXXXX";
	static const char text[] = "process A\nspawn A T\nkill \x01\n";
	int fd = mkstemp(path);
	struct scenario *s = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, 20), 20);
	close(fd);
	D = diag_new_memory();
	ck_assert_int_eq(scenario_load_file(path, 0, D, &S), 0);
	ck_assert_uint_eq(S->cmd_count, 2);
	ck_assert_str_eq(S->file_name, path);

	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(scenario_load_file(path, 0, D, &s), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(diag_text(D), ":3:6: error: bad process name '?'"));
	unlink(path);

	ck_assert_int_eq(scenario_load_file("/nonexistent/x.scn", 0, D, &s), -EIO);
	ck_assert_ptr_nonnull(strstr(diag_text(D),
				     "tlssim: cannot open '/nonexistent/x.scn': No such file or directory\n"));
}
END_TEST

START_TEST(poke_and_inject)
{
	PRE_OK("poke T B 0x18 \"\\x01\\x02\"\n");
	ck_assert_uint_eq(last()->value.bytes.len, 2);
	ck_assert_uint_eq(last()->process, 1);
	PRE_ERR("poke T B 0x18 0x1_\n", "'_' must be between two digits");
	PRE_OK("inject map-fail 0\n");
	ck_assert_uint_eq(last()->count, 0);
	PRE_ERR("inject map-fail 0x100000000\n", "t.scn:4:17: error: count 4294967296 is too big");
}
END_TEST


START_TEST(many_threads)
{
	size_t n = 20000, cap = n * 40 + 64, len = 0;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "process P\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "spawn P t%zu\n", i);
	len += (size_t)sprintf(text + len, "exit t%zu\nexit t0\n", n - 1);
	ck_assert_int_eq(parse_n(text, len), 0);
	ck_assert_uint_eq(S->thread_count, n);
	ck_assert_uint_eq(last()->thread, 0);
	ck_assert_uint_eq(S->cmds[S->cmd_count - 2].thread, n - 1);
	free(text);
}
END_TEST


/*
 * The parser's suite: every command's arguments, names, fields, values
 * and the diagnostics of bad ones.
 */
static Suite *parse_suite(void)
{
	Suite *s = suite_create("scenario_parse");
	TCase *cmd = tcase_create("commands");
	TCase *dia = tcase_create("diagnostics");

	tcase_add_checked_fixture(cmd, setup, teardown);
	tcase_add_checked_fixture(dia, setup, teardown);
	tcase_set_timeout(cmd, 60);

	tcase_add_test(cmd, argument_counts);
	tcase_add_test(cmd, unknown_names);
	tcase_add_test(cmd, duplicate_names);
	tcase_add_test(cmd, alignment);
	tcase_add_test(cmd, field_lengths);
	tcase_add_test(cmd, context_and_self_values);
	tcase_add_test(cmd, trailing_expect);
	tcase_add_test(cmd, outcomes_attach_to_next_command);
	tcase_add_test(cmd, regions);
	tcase_add_test(cmd, full_scenario_ast);
	tcase_add_test(cmd, poke_and_inject);
	tcase_add_test(cmd, many_threads);

	tcase_add_test(dia, unknown_command_suggestions);
	tcase_add_test(dia, every_command_found);
	tcase_add_test(dia, subcommand_suggestions);
	tcase_add_test(dia, every_error_reported);
	tcase_add_test(dia, byte_order_mark);
	tcase_add_test(dia, error_cap);
	tcase_add_test(dia, source_line_display);
	tcase_add_test(dia, color_output);
	tcase_add_test(dia, load_file);

	suite_add_tcase(s, cmd);
	suite_add_tcase(s, dia);
	return s;
}

int main(void)
{
	return run_suite(parse_suite());
}
