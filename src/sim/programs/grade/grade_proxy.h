/*
 * grade_proxy.h - private to `tlssim grade`: the two halves of a manager
 * split across two processes.
 *
 * In the test child, the recorder wraps the student's ops: each call is
 * made under a panic catch, and its answer (and every memory call the
 * manager makes on the way) goes to the channel (grade_wire.h).
 *
 * In the verifier, the replayer is a manager whose every answer is the
 * child's: the verifier runs the same test, deterministic from its seed,
 * on its own kernel model with the reference beside it, so each answer
 * is judged where the student's code never ran. The memory calls are
 * made again on the verifier's own process memory, with the child's
 * addresses moved to the verifier's user land, and must give the same
 * results. A child that stops answering, answers out of turn or writes
 * what is no record ends the test through grade_replay_abort.
 */
#ifndef TLSSIM_GRADE_PROXY_H
#define TLSSIM_GRADE_PROXY_H

#include "grade_wire.h"
#include "tls_manager.h"

/*
 * Where the test child says which call it is in: a page it shares with
 * the verifier. The records go out in batches, so when the child stops
 * answering, this names the call that crashed or hung. (The student's
 * code could write here too: it only words a failure.)
 */
struct grade_progress {
	volatile uint64_t call;		/* calls begun, counted as the
					   verifier counts them */
	volatile uint32_t op;		/* the last one's kind */
};

/* Name of a call kind of struct grade_progress ("allocate"). */
const char *grade_op_name(uint32_t op);

/*
 * The recording ops over inner, named name (the same name on both
 * sides). Records go out through the channel of wire_writer_open.
 */
const struct tls_manager_ops *grade_record_ops(
	const struct tls_manager_ops *inner, const char *name,
	struct grade_progress *progress);

/* The replaying ops, named name, reading the child's answers from rd. */
const struct tls_manager_ops *grade_replay_ops(struct wire_reader *rd,
					       const char *name);

/*
 * conform_lap's clock on each side. The child sends WIRE_LAP and waits
 * for a byte on go_fd; the verifier waits for WIRE_LAP, then writes the
 * byte to go_fd and returns its clock. The child's value is 0 (it times
 * nothing: its verdict is not used).
 */
double grade_record_lap(int go_fd);
double grade_replay_lap(int go_fd);

/*
 * Where the child crashed, as it said just before it died ("at
 * student_free+0x2c in crash.so"), escaped; empty when it did not say.
 */
extern char grade_crash_at[160];

/* Why a replay could not go on (beyond the channel's own statuses). */
enum replay_stop {
	REPLAY_OUT_OF_TURN = -10,	/* an answer to another call */
	REPLAY_MEMORY_DIFFERS = -11,	/* a memory call gave another result */
	REPLAY_HOST_REFUSED = -12,	/* the child's host refused memory */
	REPLAY_LOAD_ERROR = -13,	/* the child could not load the object */
};

/*
 * Provided by whoever runs the replay: end the test, which stopped with
 * status (enum wire_status or enum replay_stop) while the verifier waited
 * for the answer to call number call, an op named op; detail is the
 * record's text or a note. Never returns.
 */
void grade_replay_abort(int status, const char *op, unsigned long call,
			const char *detail) __attribute__((noreturn));

#endif
