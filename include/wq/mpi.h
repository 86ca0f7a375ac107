/*
 * wq/mpi.h - libwq-mpi: wq's loops across the ranks of an MPI program, a
 * wq pool inside each rank.  MPI (Open MPI, MPICH) moves the partials and
 * the elements between ranks; wq runs the loop on each.
 *
 *     #include <mpi.h>
 *     #include <wq/mpi.h>     cc ... $(pkg-config --cflags --libs wq-mpi)
 *
 * Every function is collective over comm: every rank of comm calls it, from
 * the thread that may call MPI (MPI initialised with at least
 * MPI_THREAD_FUNNELED), with the same n, chunk, r->size, root, in_size and
 * out_size.  Pool threads never call MPI.  A NULL pool is the rank's
 * default pool (wq.h).  Every function returns, the same on every rank:
 *
 *   0        success.
 *   EINVAL   a bad argument on some rank (comm MPI_COMM_NULL or an
 *            inter-communicator, a NULL callback or output, ...), ranks
 *            that disagree on the arguments above (found by one collective
 *            before any callback runs: no callback runs anywhere), or MPI
 *            not initialised or already finalised (then nothing but
 *            MPI_Initialized and MPI_Finalized is called).
 *   ENOMEM   memory could not be allocated on some rank.
 *   EIO      an MPI call failed under an error handler that returns (set
 *            one, such as MPI_ERRORS_RETURN, on comm to get EIO rather than
 *            an abort).
 *   other    the first non-zero value a callback returned, that of the
 *            lowest rank whose callback failed; the other ranks stop taking
 *            work and none waits for ever.
 *
 * The layer keeps no state between calls: after any error it is as usable
 * as before.  Thread-safety: MPI's, as said above; calls on different
 * communicators from one thread are fine.
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifndef WQ_MPI_H
#define WQ_MPI_H

#include <mpi.h>

#include <wq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Create a pool sized for this rank (as wq_pool_create; opt may be NULL).
 * With opt->threads 0 and no WQ_NUM_THREADS in the environment, the pool
 * has this rank's fair share of the CPUs it may use: each CPU of its
 * affinity mask counts 1/k when k ranks of comm on this node
 * (MPI_Comm_split_type, MPI_COMM_TYPE_SHARED) may use it, the sum rounded
 * down, scaled down to the cgroup's quota (wq_cpu_count), at least 1: 4
 * ranks unbound on 16 CPUs get 4 threads each, ranks bound to disjoint
 * sets get their set's size.  This is what hybrid MPI+OpenMP codes set
 * OMP_NUM_THREADS to by hand.  WQ_NUM_THREADS, or
 * opt->threads, still win.  Returns 0, EINVAL (pool NULL, opt as
 * wq_pool_create refuses it), ENOMEM, EAGAIN (threads could not be
 * created), EIO; on any error no rank keeps a pool. */
WQ_EXPORT int wq_mpi_pool_create(MPI_Comm comm, wq_pool **pool,
                                 const wq_options *opt);

/* Parallel reduce across the ranks of comm: *result, on every rank, is
 * bitwise what wq_reduce(pool, n, chunk, r, ctx, result) gives in one
 * process, for any number of ranks and any pool size on each.  The blocks
 * are those of wq_plan_init(n, chunk, r->size); ranks only decide who folds
 * which block, and the partials are combined along the plan's tree, so
 * combine sees the earlier partial first.
 *
 * With at least two blocks a rank, the first half of the blocks (or
 * ranks x the largest pool of them, up to three quarters) is shared out in
 * proportion to pool sizes, so every rank starts at once, and the rest is
 * claimed in runs from a counter on rank 0 (an MPI-3 fetch-and-op), each
 * run a share of what is left in proportion to the rank's pool, shrinking
 * as the blocks run out: uneven blocks balance across ranks as chunk 0
 * balances them across threads.  With fewer blocks, rank k folds the k-th
 * of equal contiguous shares.  Then every rank gathers all partials
 * (MPI_Allgather, MPI_Allgatherv: messages grow with log(ranks), bytes at
 * each rank with the plan's blocks times r->size) and combines them
 * itself.  Partials travel as r->size plain bytes: they must
 * hold no pointers.  ctx is each rank's own.  Returns as said above: 0,
 * EINVAL (r, result or a callback NULL, r->size 0, disagreement), ENOMEM
 * (including partials too large to move), EIO, or fold's value (result is
 * then unspecified). */
WQ_EXPORT int wq_mpi_reduce(MPI_Comm comm, wq_pool *pool, size_t n,
                            size_t chunk, const wq_reducer *r, void *ctx,
                            void *result);

/* Parallel map across the ranks of comm, Python's Pool.map across
 * machines: the parallel version of
 *
 *     for (size_t i = 0; i < n; i++)
 *         fn(ctx, (char *)in + i * in_size, (char *)out + i * out_size);
 *
 * with in read on root only and out written on root only (other ranks may
 * pass NULL for both; in may be NULL with in_size 0 on root too).  Every
 * element is mapped exactly once, on some rank: ranks claim runs of
 * elements (whole chunks when chunk is non-zero) from a counter on root as
 * wq_mpi_reduce claims blocks, read their inputs from root and write their
 * outputs to root with one-sided MPI (MPI_Get, MPI_Put); root maps its own
 * runs in place.  Elements travel as plain bytes.  On each rank a run is
 * one wq_map on pool with this chunk.  Returns as said above: 0, EINVAL
 * (fn NULL, root out of range, on root out NULL or in NULL with in_size
 * non-zero or n * size overflowing, disagreement), ENOMEM, EIO, or fn's
 * value (the elements not mapped are left unwritten). */
WQ_EXPORT int wq_mpi_map(MPI_Comm comm, int root, wq_pool *pool, size_t n,
                         size_t chunk, const void *in, size_t in_size,
                         void *out, size_t out_size, wq_map_fn fn, void *ctx);

/* This rank's share [*begin, *end) of [0, n), for data each rank holds
 * itself: shares are in rank order, disjoint, cover [0, n), start on
 * multiples of chunk (when non-zero: whole chunks are shared out) and are
 * sized in proportion to the ranks' pool sizes (wq_pool_size).  Returns as
 * said above: 0, EINVAL (begin or end NULL, disagreement), ENOMEM (the
 * default pool), EIO. */
WQ_EXPORT int wq_mpi_share(MPI_Comm comm, wq_pool *pool, size_t n,
                           size_t chunk, size_t *begin, size_t *end);

#ifdef __cplusplus
}
#endif

#endif /* WQ_MPI_H */
