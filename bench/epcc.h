/*
 * epcc.h - the overhead method of the EPCC OpenMP microbenchmarks (J. M.
 * Bull, "Measuring synchronisation and scheduling overheads in OpenMP",
 * EWOMP 1999), shared by syncbench.c and schedbench.c.
 *
 * A test runs `reps` constructs back to back, each doing a known amount of
 * delay work; the reference does the same delay work serially.  reps is
 * doubled until one batch takes at least 1 ms, so the clock's resolution
 * and the cost of reading it vanish; then 20 batches of each are timed.
 * The overhead of one construct is (test - reference) / reps: the median
 * over the batches, with the smallest and largest as its spread.
 */
#ifndef WQ_BENCH_EPCC_H
#define WQ_BENCH_EPCC_H

#include "bench.h"

/* EPCC's defaults. */
#define EPCC_DELAY 0.1e-6  /* seconds of one delay */
#define EPCC_TARGET 1e-3   /* seconds of one batch at least */
#define EPCC_OUTER 20      /* batches timed */

/* Run `reps` constructs (or reference bodies). */
typedef void (*epcc_fn)(void *arg, long reps);

/* Fill r with the overhead of one construct of test against ref, divided
 * by `per` (1 for a whole construct; the chunks a thread runs for a
 * per-chunk figure). */
void epcc_overhead(const struct bench_params *p, struct bench_result *r,
                   epcc_fn test, void *test_arg, epcc_fn ref, void *ref_arg,
                   double per);

/* A loop body that runs one delay per item. */
void epcc_delay_items(void *ctx, size_t begin, size_t end);
/* The same as a reduction term: the number of items. */
double epcc_delay_count(void *ctx, size_t begin, size_t end);

/* True if one untimed pfor over n items in chunks of `chunk` ran every
 * index exactly once. */
int epcc_covers(const struct backend *bk, size_t n, size_t chunk);

#endif /* WQ_BENCH_EPCC_H */
