/*
 * common.h - what the functions of libwq-mpi share: the preamble that
 * finds MPI ready, the one collective that checks the ranks agree, and the
 * counter on one rank that hands out runs of units (handout.h).
 */
#ifndef WQ_MPI_COMMON_H
#define WQ_MPI_COMMON_H

#include <stdint.h>

#include <wq/mpi.h>

#include "handout.h"

/* 0 for MPI_SUCCESS, EIO for any other code of an MPI call. */
#define WQ_MPI__IO(call) ((call) == MPI_SUCCESS ? 0 : EIO)

/* MPI initialised and not finalised (asking nothing else of MPI if not),
 * comm an intra-communicator; its rank and size.  0, EINVAL or EIO. */
WQ_MPI__HIDDEN int wq_mpi__ready(MPI_Comm comm, int *rank, int *size);

/* The arguments every rank must pass alike, and what each rank brings. */
#define WQ_MPI__SAME 6
struct wq_mpi__agree {
    uint64_t same[WQ_MPI__SAME]; /* in: this rank's; must match everywhere */
    uint64_t error;   /* in: this rank's error (0: none); out: the largest */
    uint64_t threads; /* in: this rank's pool size; out: the largest */
};

/* One collective over comm, of `size` ranks: EINVAL on every rank if the
 * ranks disagree on `same`, else the largest error any rank brought (0:
 * none), or EIO.  Up to WQ_MPI__GATHERED ranks an MPI_Allgather of every
 * rank's values, which each rank compares itself (both MPIs gather a few
 * bytes from two ranks faster than they reduce them with an operation of
 * ours); beyond, an MPI_Allreduce (the element-wise maximum, of one
 * element of a type that holds every value), whose bytes do not grow with
 * the ranks.  The tests' 1 to 4 ranks run both. */
#define WQ_MPI__GATHERED 2
WQ_MPI__HIDDEN int wq_mpi__agree(MPI_Comm comm, int size,
                                 struct wq_mpi__agree *a);

/* This rank's static share [*begin, *end) of the first `fixed` of `units`
 * units (wq_mpi__fixed): equal shares by rank when fixed is all of them,
 * else in proportion to pool sizes (an MPI_Exscan for the sizes before
 * this rank's, an MPI_Allreduce for *total, all ranks' sizes).  0 or
 * EIO. */
WQ_MPI__HIDDEN int wq_mpi__static_share(MPI_Comm comm, size_t units,
                                        size_t fixed, size_t threads,
                                        size_t *begin, size_t *end,
                                        size_t *total);

/* The value of the lowest rank whose rc is non-zero (0 if none), through
 * one MPI_Allreduce (MINLOC); 0 or EIO. */
WQ_MPI__HIDDEN int wq_mpi__lowest_error(MPI_Comm comm, int rank, int rc,
                                        int *out);

/* The counter of claimed units, on rank `root` of comm.  Its protocol:
 * root sets it to `fixed` (the static prefix is taken) before a barrier; then every rank, root included,
 * claims by MPI_Fetch_and_op (MPI_SUM, atomic at the target) of the units
 * it wants, and owns [got, got + want) clipped to `units`, if got is below
 * units; a rank whose callback fails adds `units` so that no rank wins
 * again.  Each claim adds `units` at most and ranks stop at their first
 * failed claim, so the counter stays below units * (2 * ranks + 2). */
struct wq_mpi__counter {
    MPI_Win win;
    MPI_Comm comm;
    uint64_t *base;
    int root, at_root;
    size_t units, seen;
    size_t threads, total; /* this rank's pool size, and all ranks' */
};

/* Collective: make the counter for units [fixed, units).  0 or EIO. */
WQ_MPI__HIDDEN int wq_mpi__counter_open(struct wq_mpi__counter *c,
                                        MPI_Comm comm, int root, size_t units,
                                        size_t fixed, size_t threads,
                                        size_t total);

/* Claim the next run for this rank, at most `most` units: *won 1 and
 * [*begin, *end), or *won 0 when none is left.  0 or EIO. */
WQ_MPI__HIDDEN int wq_mpi__counter_claim(struct wq_mpi__counter *c,
                                         size_t most, size_t *begin,
                                         size_t *end, int *won);

/* On root: let MPI serve the claims of the other ranks that wait for it.
 * An MPI without asynchronous progress (MPICH) applies a fetch-and-op at
 * its target only while the target is inside MPI; root's own claims,
 * served locally, do not make that progress, a probe does.  0 or EIO. */
WQ_MPI__HIDDEN int wq_mpi__counter_serve(struct wq_mpi__counter *c);

/* The work of a run of units [begin, end) (wq_mpi__served). */
typedef int (*wq_mpi__run_fn)(void *arg, size_t begin, size_t end);

/* On root: run units [begin, end) by `run` in slices, letting MPI serve
 * the claims, reads and writes that wait for root between them
 * (wq_mpi__counter_serve).  Without it, under an MPI without asynchronous
 * progress, a rank that claims, or reads root's window, while root works
 * through a run waits for the whole run.  A slice starts at `least` units
 * (one a thread) and doubles, up to `most`, or halves so that it takes
 * about WQ_MPI__SLICE.  0, EIO or run's value. */
WQ_MPI__HIDDEN int wq_mpi__served(struct wq_mpi__counter *c, size_t begin,
                                  size_t end, size_t least, size_t most,
                                  wq_mpi__run_fn run, void *arg);

/* Stop every rank's claims (this rank's callback failed).  0 or EIO. */
WQ_MPI__HIDDEN int wq_mpi__counter_stop(struct wq_mpi__counter *c);

/* Collective: free the counter.  0 or EIO. */
WQ_MPI__HIDDEN int wq_mpi__counter_close(struct wq_mpi__counter *c);

#endif /* WQ_MPI_COMMON_H */
