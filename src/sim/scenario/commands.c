/*
 * commands.c - the scenario language's commands: the tables of the
 * cmd_*.c files walked in order (scn_each_command), and found by name
 * (scn_find_command) through an index built once, since every line of
 * every reading looks its command up.
 */
#include <config.h>

#include "parser.h"

#include <pthread.h>
#include <string.h>

/* The command tables, each beside its commands' code. */
static const struct {
	const struct scn_command *v;
	const size_t *n;
} tables[] = {
	{ scn_memory_commands, &scn_memory_command_count },
	{ scn_thread_commands, &scn_thread_command_count },
	{ scn_expect_commands, &scn_expect_command_count },
};

const struct scn_command *
scn_each_command(bool (*fn)(void *arg, const struct scn_command *cmd),
		 void *arg)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (size_t i = 0; i < *tables[t].n; i++)
			if (fn(arg, &tables[t].v[i]))
				return &tables[t].v[i];
	return NULL;
}

static bool kind_is(void *arg, const struct scn_command *cmd)
{
	return cmd->kind == *(const enum scn_cmd_kind *)arg && !cmd->prefix;
}

const char *scn_cmd_name(enum scn_cmd_kind kind)
{
	const struct scn_command *cmd = scn_each_command(kind_is, &kind);

	return cmd ? cmd->name : "?";
}

/* Slots of the command index: a power of two, over twice the commands. */
#define COMMAND_SLOTS 256

/*
 * A command in the index: its name cut after its group ("expect tls":
 * group "expect", word "tls"; "spawn": no group), so that a lookup
 * compares lengths and bytes, never scans a name for its end.
 */
struct command_slot {
	const struct scn_command *cmd;
	const char *word;
	uint64_t key;			/* of the word (scn_word_key) */
	uint8_t glen, wlen;
	uint8_t thread;			/* scn_line_command's *thread */
};

/* Every command by its full name ("spawn", "expect tls"), built once. */
static struct command_slot command_slot[COMMAND_SLOTS];
static pthread_once_t command_index_once = PTHREAD_ONCE_INIT;
static bool command_index_built;

/* The home slot of the word whose key is key, in a group of glen bytes. */
static size_t command_hash(size_t glen, uint64_t key)
{
	return (size_t)(((key + glen) * 0x9e3779b97f4a7c15ull) >> 56);
}

/* The word of cmd's lines that is THREAD in its usage, or 0 (none). */
static uint8_t thread_word(const struct scn_command *cmd)
{
	const char *u = cmd->usage;

	for (uint8_t w = 0; *u && w < UINT8_MAX; w++) {
		size_t len = strcspn(u, " ");

		if (len == 6 && memcmp(u, "THREAD", 6) == 0)
			return w;
		u += len;
		u += strspn(u, " ");
	}
	return 0;
}

/*
 * Put cmd in the index, in table order (of two of a name, the first is
 * found). Stops (returns true) before the last empty slot, where a
 * lookup ends, or at a name whose parts do not fit a slot: a command
 * left out fails check_scenario_parse's every_command_found.
 */
static bool index_command(void *arg, const struct scn_command *cmd)
{
	size_t *count = arg, len = strlen(cmd->name), glen, i;
	const char *space = strchr(cmd->name, ' '), *word;
	uint64_t key;

	glen = space ? (size_t)(space - cmd->name) : 0;
	word = cmd->name + (space ? glen + 1 : 0);
	len -= (size_t)(word - cmd->name);
	if (++*count >= COMMAND_SLOTS || len > UINT8_MAX || glen > UINT8_MAX)
		return true;
	key = scn_word_key(word, len);
	i = command_hash(glen, key);
	while (command_slot[i &= COMMAND_SLOTS - 1].cmd)
		i++;
	command_slot[i] = (struct command_slot){
		.cmd = cmd, .word = word, .key = key,
		.glen = (uint8_t)glen, .wlen = (uint8_t)len,
		.thread = thread_word(cmd),
	};
	return false;
}

/* Whether a[0..n) and b[0..n) are the same bytes (n is a word's few). */
static bool same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The index, filled once (pthread_once: runs may share the process). */
static void build_command_index(void)
{
	size_t count = 0;

	scn_each_command(index_command, &count);
	__atomic_store_n(&command_index_built, true, __ATOMIC_RELEASE);
}

/* The index's slot of the command group + " " + word[0..len), or NULL. */
static const struct command_slot *find_slot(const char *group,
					    const char *word, size_t len)
{
	size_t glen = group[0] ? strlen(group) : 0;
	uint64_t key = scn_word_key(word, len);
	size_t i = command_hash(glen, key);
	const struct command_slot *slot;

	if (!__atomic_load_n(&command_index_built, __ATOMIC_ACQUIRE))
		pthread_once(&command_index_once, build_command_index);
	for (; (slot = &command_slot[i &= COMMAND_SLOTS - 1])->cmd; i++)
		if (slot->key == key && slot->wlen == len &&
		    slot->glen == glen &&
		    (len <= SCN_KEY_BYTES || same_bytes(slot->word, word, len)) &&
		    same_bytes(slot->cmd->name, group, glen))
			return slot;
	return NULL;
}

const struct scn_command *scn_find_command(const char *group,
					   const char *word, size_t len)
{
	const struct command_slot *slot = find_slot(group, word, len);

	return slot ? slot->cmd : NULL;
}

const struct scn_command *scn_line_command(const struct scn_lexed *lx,
					   size_t *first, size_t *thread)
{
	const struct scn_token *t = lx->toks;
	const char *group;
	const struct command_slot *slot;

	*first = 1;
	*thread = 0;
	if (lx->nul_col || lx->lex_failed || !lx->count)
		return NULL;
	group = scn_line_group(t);
	if (group && lx->count < 2)
		return NULL;
	if (group) {
		t++;
		*first = 2;
	}
	if (t->quoted || !t->len)
		return NULL;
	slot = find_slot(group ? group : "", t->text, t->len);
	if (!slot)
		return NULL;
	*thread = slot->thread;
	return slot->cmd;
}
