/*
 * reduce.c - wq_mpi_reduce: the plan's blocks folded across ranks, every
 * partial gathered on every rank, combined there as wq_reduce combines.
 *
 * Bitwise identity with one process follows from the core's plan: the
 * blocks and the combine's tree depend on (n, chunk, size) alone, each
 * block's partial is what any pool folds for it (wq_reduce_blocks), and
 * every rank combines all partials with wq_reduce_combine.  Ranks only
 * decide who folds which block.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* A call's state.  Everything it may need is allocated before the
 * ranks agree, so that a rank short of memory says so in the agreement
 * and nothing fails later but MPI and the callbacks. */
struct wq_mpi__call {
    MPI_Comm comm;
    int rank, size;
    wq_pool *pool;
    const wq_plan *plan;
    const wq_reducer *r;
    void *ctx;
    unsigned char *all;    /* every block's partial, plan->stride apart */
    uint64_t *mine;        /* this rank's runs: begin, end pairs */
    size_t runs;           /* how many */
    uint64_t *every;       /* every rank's runs, rank by rank */
    unsigned char *packed; /* this rank's partials, r->size apart */
    unsigned char *got;    /* every rank's, as its runs list them */
    int64_t *heads;        /* each rank's {rc, blocks, runs} */
    int *counts;           /* 4 arrays of size: MPI_Allgatherv's */
    unsigned char *heap;   /* the allocation behind them, or NULL */
    unsigned char *small;  /* WQ_MPI__SMALL bytes on the caller's stack */
    struct wq_mpi__counter *serve; /* the counter, on its root; else NULL */
    size_t threads;        /* this rank's pool size, non-zero once agreed */
};

/* A call with a few blocks on a few ranks (a reduction of a few items a
 * rank, whose cost is its collectives) needs no allocation. */
#define WQ_MPI__SMALL 1024

/* One block of memory for all of a call's arrays (a reduction of a few
 * items a rank costs little more than its collectives, and each malloc
 * would add to that), carved in place: c->small when they fit, else one
 * allocation.  Each array starts on a cache line, the alignment
 * wq_reduce_blocks expects of partials plan->stride apart. */
static int wq_mpi__alloc(struct wq_mpi__call *c)
{
    size_t blocks = c->plan->blocks ? c->plan->blocks : 1;
    size_t ranks = (size_t)c->size;
    size_t sizes[7] = {
        blocks * c->plan->stride,              /* all */
        2 * blocks * sizeof *c->mine,          /* mine */
        2 * blocks * sizeof *c->every,         /* every */
        /* With few blocks, a failure code travels with each rank's. */
        blocks * c->plan->size + sizeof(int64_t),     /* packed */
        blocks * c->plan->size + ranks * sizeof(int64_t), /* got */
        3 * ranks * sizeof *c->heads,          /* heads */
        4 * ranks * sizeof *c->counts,         /* counts */
    };
    size_t at[7], total = 0;
    for (int k = 0; k < 7; k++) {
        at[k] = total;
        /* Round up to 64: each array starts on a cache line, which keeps
         * every type's alignment.  The sizes are bounded by wq_plan_init
         * and the checks before the call, far from overflow. */
        total += (sizes[k] + 63) / 64 * 64;
    }
    unsigned char *base = c->small;
    if (total > WQ_MPI__SMALL) {
        base = c->heap = aligned_alloc(64, total);
        if (!base)
            return ENOMEM;
    }
    c->all = base + at[0];
    c->mine = (uint64_t *)(void *)(base + at[1]);
    c->every = (uint64_t *)(void *)(base + at[2]);
    c->packed = base + at[3];
    c->got = base + at[4];
    c->heads = (int64_t *)(void *)(base + at[5]);
    c->counts = (int *)(void *)(base + at[6]);
    return 0;
}

static void wq_mpi__free(struct wq_mpi__call *c)
{
    free(c->heap);
}

/* One slice of a run on root (wq_mpi__served): fold blocks [begin, end).
 * Any cut of the blocks folds the same partials (wq_reduce_blocks), so
 * the slices change no bit. */
static int wq_mpi__fold_slice(void *arg, size_t begin, size_t end)
{
    struct wq_mpi__call *c = arg;
    return wq_reduce_blocks(c->pool, c->plan, begin, end, c->r, c->ctx,
                            c->all + begin * c->plan->stride);
}

/* Record and fold a run.  Runs are non-empty and disjoint, so no rank
 * has more than blocks of them, nor all ranks together. */
static int wq_mpi__fold_run(struct wq_mpi__call *c, size_t begin, size_t end)
{
    if (begin == end)
        return 0;
    c->mine[2 * c->runs] = begin;
    c->mine[2 * c->runs + 1] = end;
    c->runs++;
    if (c->serve)
        return wq_mpi__served(c->serve, begin, end, c->threads,
                              c->plan->blocks, wq_mpi__fold_slice, c);
    return wq_reduce_blocks(c->pool, c->plan, begin, end, c->r, c->ctx,
                            c->all + begin * c->plan->stride);
}

/* Fold this rank's blocks: its static share of the plan's prefix, then
 * runs claimed from the counter on rank 0 until none is left
 * (handout.h).  Returns 0, EIO, or fold's value (after stopping the other
 * ranks' claims). */
static int wq_mpi__fold(struct wq_mpi__call *c, const struct wq_mpi__agree *a,
                        size_t threads)
{
    const wq_plan *plan = c->plan;
    size_t begin, end, units = plan->blocks;
    size_t fixed = wq_mpi__fixed(units, (size_t)c->size, (size_t)a->threads);
    size_t total = 0;
    /* Equal shares by rank need nothing of the other ranks. */
    if (fixed == units) {
        wq_mpi__split(units, (size_t)c->rank, 1, (size_t)c->size, &begin,
                      &end);
        return wq_mpi__fold_run(c, begin, end);
    }
    int rc = wq_mpi__static_share(c->comm, units, fixed, threads, &begin,
                                  &end, &total);
    if (rc)
        return rc;
    struct wq_mpi__counter counter;
    rc = wq_mpi__counter_open(&counter, c->comm, 0, units, fixed, threads,
                              total);
    if (rc)
        return rc;
    /* Root folds its runs in slices, serving the others' claims. */
    if (c->rank == 0)
        c->serve = &counter;
    rc = wq_mpi__fold_run(c, begin, end);
    for (int won = 1; !rc;) {
        rc = wq_mpi__counter_claim(&counter, units, &begin, &end, &won);
        if (rc || !won)
            break;
        rc = wq_mpi__fold_run(c, begin, end);
    }
    if (rc && rc != EIO)
        wq_mpi__counter_stop(&counter);
    c->serve = NULL;
    int closed = wq_mpi__counter_close(&counter);
    return rc ? rc : closed;
}

/* Every rank's runs and partials to every rank, after one MPI_Allgather of
 * {rc, blocks, runs} from each; returns the lowest failing rank's rc if
 * any did (nothing more is moved then), 0 or EIO. */
static int wq_mpi__exchange(struct wq_mpi__call *c, int mine)
{
    const wq_plan *plan = c->plan;
    size_t blocks = 0, at = 0, runs = 0;
    for (size_t i = 0; i < c->runs; i++)
        for (uint64_t b = c->mine[2 * i]; b < c->mine[2 * i + 1]; b++)
            memcpy(c->packed + at++ * plan->size, c->all + b * plan->stride,
                   plan->size);
    blocks = at;
    int64_t head[3] = {mine, (int64_t)blocks, (int64_t)c->runs};
    if (MPI_Allgather(head, 3, MPI_INT64_T, c->heads, 3, MPI_INT64_T,
                      c->comm) != MPI_SUCCESS)
        return EIO;
    for (int k = 0; k < c->size; k++)
        if (c->heads[3 * k])
            return (int)c->heads[3 * k];
    /* counts: runs' lengths and places, then partials' (in blocks). */
    int *n = c->counts, *place = n + c->size, *pn = place + c->size,
        *pplace = pn + c->size;
    size_t parts = 0;
    for (int k = 0; k < c->size; k++) {
        n[k] = (int)(2 * c->heads[3 * k + 2]);
        place[k] = (int)(2 * runs);
        pn[k] = (int)c->heads[3 * k + 1];
        pplace[k] = (int)parts;
        runs += (size_t)c->heads[3 * k + 2];
        parts += (size_t)c->heads[3 * k + 1];
    }
    MPI_Datatype partial;
    if (MPI_Type_contiguous((int)plan->size, MPI_BYTE, &partial) !=
        MPI_SUCCESS)
        return EIO;
    int rc = WQ_MPI__IO(MPI_Type_commit(&partial));
    if (!rc)
        rc = WQ_MPI__IO(MPI_Allgatherv(c->mine, (int)(2 * c->runs),
                                       MPI_UINT64_T, c->every, n, place,
                                       MPI_UINT64_T, c->comm));
    if (!rc)
        rc = WQ_MPI__IO(MPI_Allgatherv(c->packed, (int)blocks, partial,
                                       c->got, pn, pplace, partial, c->comm));
    MPI_Type_free(&partial);
    /* Unpack: rank by rank, run by run, the partials in order. */
    at = 0;
    for (size_t i = 0; !rc && i < runs; i++)
        for (uint64_t b = c->every[2 * i]; b < c->every[2 * i + 1]; b++)
            memcpy(c->all + b * plan->stride, c->got + at++ * plan->size,
                   plan->size);
    return rc;
}

/* Few blocks (no counter, wq_mpi__fixed): every rank knows every rank's
 * equal share, so one collective of bytes moves each rank's failure code
 * (8 bytes) and partials; alone, nothing moves.  When the shares have the
 * same length (blocks a multiple of ranks: a reduction of one item a rank)
 * that collective is MPI_Allgather, which needs no counts and which both
 * MPIs run at least as fast (Open MPI runs MPI_Allgatherv on two ranks as
 * a ring); else MPI_Allgatherv.  Returns the lowest failing rank's code, 0
 * or EIO. */
static int wq_mpi__exchange_fixed(struct wq_mpi__call *c, int mine)
{
    const wq_plan *plan = c->plan;
    if (c->size == 1)
        return mine;
    /* n: bytes from each rank; place: where they land in got; first: the
     * rank's first block.  All fit in int (wq_mpi_reduce checked). */
    int *n = c->counts, *place = n + c->size, *first = place + c->size;
    size_t ranks = (size_t)c->size, at = 0, b, e;
    int equal = plan->blocks % ranks == 0;
    for (size_t k = 0; k < ranks; k++) {
        if (equal)
            b = k * (plan->blocks / ranks), e = b + plan->blocks / ranks;
        else
            wq_mpi__split(plan->blocks, k, 1, ranks, &b, &e);
        first[k] = (int)b;
        n[k] = (int)(sizeof(int64_t) + (e - b) * plan->size);
        place[k] = (int)at;
        at += (size_t)n[k];
    }
    int64_t code = mine;
    memcpy(c->packed, &code, sizeof code);
    b = (size_t)first[c->rank];
    e = b + (size_t)(n[c->rank] - (int)sizeof code) / plan->size;
    for (size_t blk = b; blk < e; blk++)
        memcpy(c->packed + sizeof code + (blk - b) * plan->size,
               c->all + blk * plan->stride, plan->size);
    if ((equal ? MPI_Allgather(c->packed, n[c->rank], MPI_BYTE, c->got,
                               n[c->rank], MPI_BYTE, c->comm)
               : MPI_Allgatherv(c->packed, n[c->rank], MPI_BYTE, c->got, n,
                                place, MPI_BYTE, c->comm)) != MPI_SUCCESS)
        return EIO;
    for (size_t k = 0; k < ranks; k++) {
        memcpy(&code, c->got + place[k], sizeof code);
        if (code)
            return (int)code;
    }
    for (size_t k = 0; k < ranks; k++) {
        b = (size_t)first[k];
        e = b + (size_t)(n[k] - (int)sizeof code) / plan->size;
        for (size_t blk = b; blk < e; blk++)
            memcpy(c->all + blk * plan->stride,
                   c->got + place[k] + sizeof code + (blk - b) * plan->size,
                   plan->size);
    }
    return 0;
}

/* What every rank must agree on, and whether this rank's own arguments
 * are good (0) or not (the error to report). */
static int wq_mpi__reduce_args(wq_pool *pool, const wq_reducer *r,
                               void *result, size_t *threads)
{
    if (!r || !r->size || !r->init || !r->fold || !r->combine || !result)
        return EINVAL;
    *threads = wq_pool_size(pool);
    return *threads ? 0 : ENOMEM;
}

int wq_mpi_reduce(MPI_Comm comm, wq_pool *pool, size_t n, size_t chunk,
                  const wq_reducer *r, void *ctx, void *result)
{
    _Alignas(64) unsigned char small[WQ_MPI__SMALL];
    struct wq_mpi__call c = {
        .comm = comm, .pool = pool, .r = r, .ctx = ctx, .small = small};
    int rc = wq_mpi__ready(comm, &c.rank, &c.size);
    if (rc)
        return rc;
    size_t threads = 0;
    struct wq_mpi__agree a = {{n, chunk, r ? r->size : 0}, 0, 0};
    a.error = (uint64_t)wq_mpi__reduce_args(pool, r, result, &threads);
    a.threads = threads;
    wq_plan plan;
    if (!a.error)
        a.error = (uint64_t)wq_plan_init(&plan, n, chunk, r->size);
    /* Partials move in int counts of one contiguous type, or (few blocks)
     * as int counts of bytes. */
    if (!a.error && (r->size > INT_MAX || plan.blocks > INT_MAX / 2 ||
                     (plan.blocks / 2 < (size_t)c.size &&
                      plan.blocks * r->size >
                          (size_t)INT_MAX - 8 * (size_t)c.size)))
        a.error = ENOMEM;
    c.plan = &plan;
    if (!a.error)
        a.error = (uint64_t)wq_mpi__alloc(&c);
    c.threads = threads;
    rc = wq_mpi__agree(comm, c.size, &a);
    if (!rc) {
        rc = wq_mpi__fold(&c, &a, threads);
        /* A callback's failure reaches the others through the exchange;
         * an MPI failure leaves nothing to exchange with. */
        if (rc != EIO)
            rc = wq_mpi__fixed(plan.blocks, (size_t)c.size, a.threads) ==
                         plan.blocks
                     ? wq_mpi__exchange_fixed(&c, rc)
                     : wq_mpi__exchange(&c, rc);
        if (!rc)
            rc = wq_reduce_combine(pool, &plan, r, ctx, c.all, result);
    }
    wq_mpi__free(&c);
    return rc;
}
