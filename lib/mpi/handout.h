/*
 * handout.h - how libwq-mpi shares units (blocks of a reduction's plan,
 * elements of a map) out among ranks.  Pure arithmetic, no MPI: the
 * simulation test (tests/check_handout.c) runs it for thousands of ranks in
 * one process.
 *
 * With enough units (wq_mpi__dynamic), ranks claim contiguous batches from
 * one shared counter of claimed units, by fetch-and-add: the counter is the
 * only shared state, and its atomic fetch-and-add hands every unit to
 * exactly one rank.  A rank asks for a share of what it last saw left, in
 * proportion to its threads (guided self-scheduling, Polychronopoulos and
 * Kuck 1987, weighted by pool size): the first claims, made while the
 * counter is at 0, take half the units between them, so every rank gets
 * work, and batches shrink as the units run out, so ranks finish together
 * whatever the units cost.  With few units, rank r takes the r-th of p
 * equal contiguous shares, which costs no counter.
 */
#ifndef WQ_MPI_HANDOUT_H
#define WQ_MPI_HANDOUT_H

#include <stddef.h>

#if defined(__GNUC__) && __GNUC__ >= 4
#define WQ_MPI__HIDDEN __attribute__((visibility("hidden")))
#else
#define WQ_MPI__HIDDEN
#endif

/* Whether units are handed out by the counter among `ranks` ranks:
 * whenever the first claims (half the units, plus one each for rounding)
 * cannot run the counter dry. */
WQ_MPI__HIDDEN int wq_mpi__dynamic(size_t units, size_t ranks);

/* The units a rank of `threads` threads (of total_threads on all ranks)
 * asks for when it last saw the counter at `seen`: ceil(left * threads /
 * (2 * total_threads)) of the left = units - seen, at least 1. */
WQ_MPI__HIDDEN size_t wq_mpi__want(size_t units, size_t seen, size_t threads,
                                   size_t total_threads);

/* A claim of `want` that found the counter at `got`: the units [*begin,
 * *end) it won, and 1; or 0 when none was left. */
WQ_MPI__HIDDEN int wq_mpi__won(size_t units, size_t got, size_t want,
                               size_t *begin, size_t *end);

/* The static share [*begin, *end) of rank `rank` of `ranks` when units
 * are not handed out by the counter, or of weight `w` starting at
 * cumulative weight `w0` out of `total` (wq_mpi_share): floor(units * w0 /
 * total) to floor(units * (w0 + w) / total). */
WQ_MPI__HIDDEN void wq_mpi__split(size_t units, size_t w0, size_t w,
                                  size_t total, size_t *begin, size_t *end);

#endif /* WQ_MPI_HANDOUT_H */
