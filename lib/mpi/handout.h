/*
 * handout.h - how libwq-mpi shares units (blocks of a reduction's plan,
 * elements of a map) out among ranks.  Pure arithmetic, no MPI: the
 * simulation test (tests/check_handout.c) runs it for thousands of ranks in
 * one process.
 *
 * A prefix of the units is shared out statically, in proportion to pool
 * sizes (wq_mpi__fixed, wq_mpi__split): every rank has work at once, however
 * late it starts, and for as many threads as it has (up to the prefix).
 * The rest is claimed in contiguous runs from one shared counter by
 * fetch-and-add: the counter is the only shared state, and its atomic
 * fetch-and-add hands every unit to exactly one rank.  A rank asks for a
 * share of what it last saw left, in proportion to its threads (guided
 * self-scheduling, Polychronopoulos and Kuck 1987, weighted by pool size),
 * so runs shrink as the units run out and ranks finish together whatever
 * the units cost.  With few units (fewer than two a rank) or one rank,
 * no counter is needed: the ranks take equal contiguous shares, which
 * needs nothing of the others' pool sizes.
 */
#ifndef WQ_MPI_HANDOUT_H
#define WQ_MPI_HANDOUT_H

#include <stddef.h>

#if defined(__GNUC__) && __GNUC__ >= 4
#define WQ_MPI__HIDDEN __attribute__((visibility("hidden")))
#else
#define WQ_MPI__HIDDEN
#endif

/* The statically shared prefix of units among `ranks` ranks whose largest
 * pool has most_threads threads: all of them with one rank or fewer than
 * two units a rank; else half of them, raised to most_threads units a rank
 * (so that at 10^9 items every thread of 4096 ranks of 8 has a block), but
 * never more than three quarters, the counter's minimum. */
WQ_MPI__HIDDEN size_t wq_mpi__fixed(size_t units, size_t ranks,
                                    size_t most_threads);

/* The units a rank of `threads` threads (of total_threads on all ranks)
 * asks for when it last saw the counter at `seen`: ceil(left * threads /
 * (2 * total_threads)) of the left = units - seen, at least 1. */
WQ_MPI__HIDDEN size_t wq_mpi__want(size_t units, size_t seen, size_t threads,
                                   size_t total_threads);

/* A claim of `want` that found the counter at `got`: the units [*begin,
 * *end) it won, and 1; or 0 when none was left. */
WQ_MPI__HIDDEN int wq_mpi__won(size_t units, size_t got, size_t want,
                               size_t *begin, size_t *end);

/* The static share [*begin, *end) of the weight w starting at cumulative
 * weight w0 of total (a rank's pool size after those of the ranks before
 * it): floor(units * w0 / total) to floor(units * (w0 + w) / total). */
WQ_MPI__HIDDEN void wq_mpi__split(size_t units, size_t w0, size_t w,
                                  size_t total, size_t *begin, size_t *end);

#endif /* WQ_MPI_HANDOUT_H */
