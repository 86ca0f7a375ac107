/*
 * callers.h - several threads outside a pool calling the library at once,
 * for the suites' "concurrent callers" properties: each thread runs a test's
 * round a number of times and records the first round that went wrong; the
 * test thread fails the case after joining them all (a Check assertion in
 * another thread would not stop the case cleanly).
 */
#ifndef WQ_TEST_CALLERS_H
#define WQ_TEST_CALLERS_H

/* Round `round` (0 to rounds - 1) of caller `caller` (0 to count - 1);
 * *seed is that caller's own rand_r state.  Nonzero: the round went wrong. */
typedef int callers_round(void *arg, unsigned caller, int round,
                          unsigned *seed);

struct callers;

/* Starts `count` threads; caller k seeds its state with seed + step * k and
 * runs every round of fn, even after one went wrong.  Fails the test if a
 * thread cannot be made. */
struct callers *callers_start(unsigned count, int rounds, callers_round *fn,
                              void *arg, unsigned seed, unsigned step);

/* Waits for every caller, frees c, and fails the test, naming the caller
 * and the round, if any round went wrong. */
void callers_join(struct callers *c);

/* callers_start, then callers_join. */
void callers_run(unsigned count, int rounds, callers_round *fn, void *arg,
                 unsigned seed, unsigned step);

#endif /* WQ_TEST_CALLERS_H */
