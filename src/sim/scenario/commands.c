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

/* Every command by its full name ("spawn", "expect tls"), built once. */
static const struct scn_command *command_slot[COMMAND_SLOTS];
static pthread_once_t command_index_once = PTHREAD_ONCE_INIT;

/* The hash of the name group + " " + word (group "": word alone). */
static size_t command_hash(const char *group, size_t glen,
			   const char *word, size_t wlen)
{
	uint64_t h = SCN_FNV_SEED;

	if (glen)
		h = scn_fnv(scn_fnv(h, group, glen), " ", 1);
	return (size_t)scn_fnv(h, word, wlen);
}

/*
 * Put cmd in the index, in table order (of two of a name, the first is
 * found). Stops (returns true) before the last empty slot, where a
 * lookup ends: a command left out fails check_scenario_parse's
 * every_command_found.
 */
static bool index_command(void *arg, const struct scn_command *cmd)
{
	size_t *count = arg, i;

	if (++*count >= COMMAND_SLOTS)
		return true;
	i = command_hash("", 0, cmd->name, strlen(cmd->name));
	while (command_slot[i &= COMMAND_SLOTS - 1])
		i++;
	command_slot[i] = cmd;
	return false;
}

/* The index, filled once (pthread_once: runs may share the process). */
static void build_command_index(void)
{
	size_t count = 0;

	scn_each_command(index_command, &count);
}

const struct scn_command *scn_find_command(const char *group,
					   const char *word, size_t len)
{
	size_t glen = strlen(group);
	size_t i = command_hash(group, glen, word, len);
	const struct scn_command *cmd;

	pthread_once(&command_index_once, build_command_index);
	for (; (cmd = command_slot[i &= COMMAND_SLOTS - 1]); i++) {
		const char *name = cmd->name;

		if (glen && (strncmp(name, group, glen) != 0 ||
			     name[glen] != ' '))
			continue;
		name += glen ? glen + 1 : 0;
		if (strncmp(name, word, len) == 0 && name[len] == '\0')
			return cmd;
	}
	return NULL;
}
