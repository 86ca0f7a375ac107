/*
 * reduce.c - reductions whose result does not depend on the thread count.
 *
 * Floating-point addition is not associative, so a reduction that combines
 * per-thread partials (as OpenMP's reduction clause does) changes its last
 * bits with the number of threads and with timing.  Here the range is cut
 * into blocks fixed by (n, chunk, size) alone; each block is folded, piece by
 * piece in index order, into a partial of its own; and the partials are
 * combined left to right by the calling thread once all are done:
 *
 *     result = ((init (+) P0) (+) P1) (+) ... (+) P(B-1)
 *
 * Threads only decide who folds which block, which cannot change any bit.
 * Because combine always receives the earlier partial first, an associative
 * but non-commutative operation (ordered concatenation, matrix products,
 * first/last) reduces correctly too.  This is the deterministic-reduction
 * idea of oneTBB's parallel_deterministic_reduce, with the block tree fixed by
 * a cap on the number of blocks rather than by a grain size.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fault.h"
#include "loop.h"
#include "thread.h"

/* Partials sit 64 bytes apart (or a multiple): two threads never write the
 * same cache line, and any partial type up to 64-byte alignment fits. */
#define WQ__PARTIAL_ALIGN 64
/* At most this many blocks: enough pieces to balance 64 threads eight times
 * over, few enough that the final combine costs microseconds. */
#define WQ__BLOCKS_MAX 512
/* Partials up to this size live on the stack. */
#define WQ__STACK_PARTIALS 4096

struct wq__reduce {
    const wq_reducer *r;
    void *ctx;
    size_t n, chunk;
    size_t nblocks;
    size_t per;    /* chunk > 0: leaves (pieces of `chunk` items) a block */
    size_t stride; /* bytes between partials */
    unsigned char *partials;
    void *result;
    struct wq__loop *loop; /* for the stop test between leaves */
};

/* Items [*lo, *hi) of block b for chunk 0: n split as evenly as possible. */
static void wq__block_items(const struct wq__reduce *red, size_t b, size_t *lo,
                            size_t *hi)
{
    size_t base = red->n / red->nblocks, extra = red->n % red->nblocks;
    *lo = b * base + (b < extra ? b : extra);
    *hi = *lo + base + (b < extra);
}

static int wq__fold_block(const struct wq__reduce *red, size_t b, void *p)
{
    const wq_reducer *r = red->r;
    if (!red->chunk) {
        size_t lo, hi;
        wq__block_items(red, b, &lo, &hi);
        return r->fold(red->ctx, lo, hi, p);
    }
    size_t leaves = red->n / red->chunk + (red->n % red->chunk != 0);
    size_t first = b * red->per;
    size_t last = leaves - first <= red->per ? leaves : first + red->per;
    for (size_t leaf = first; leaf < last; leaf++) {
        if (leaf > first && wq__loop_stopped(red->loop))
            return 0;
        size_t lo = leaf * red->chunk;
        size_t hi = red->n - lo < red->chunk ? red->n : lo + red->chunk;
        int rc = r->fold(red->ctx, lo, hi, p);
        if (rc)
            return rc;
    }
    return 0;
}

/* Units of the loop are blocks.  They are claimed one at a time, so a piece
 * of several blocks is a lone thread's whole range, which nothing but its
 * own failure stops: the stop test is between leaves. */
static int wq__reduce_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__reduce *red = arg;
    for (size_t b = begin; b < end; b++) {
        void *p = red->partials + b * red->stride;
        red->r->init(red->ctx, p);
        int rc = wq__fold_block(red, b, p);
        if (rc)
            return rc;
    }
    return 0;
}

/* The loop's finish: combine the partials left to right into the result. */
static void wq__reduce_combine(struct wq__loop *loop)
{
    const struct wq__reduce *red = loop->arg;
    red->r->init(red->ctx, red->result);
    for (size_t b = 0; b < red->nblocks; b++)
        red->r->combine(red->ctx, red->result, red->partials + b * red->stride);
}

/* Fix the blocks from (n, chunk, size) alone.  Returns 0 or ENOMEM when the
 * partials could not be addressed at all. */
static int wq__reduce_plan(struct wq__reduce *red)
{
    size_t size = red->r->size;
    if (size > SIZE_MAX - WQ__PARTIAL_ALIGN)
        return ENOMEM;
    red->stride = (size + WQ__PARTIAL_ALIGN - 1) / WQ__PARTIAL_ALIGN *
                  WQ__PARTIAL_ALIGN;
    /* Large partials get fewer blocks, so memory stays near 1 MiB. */
    size_t most = WQ__BLOCKS_MAX;
    if (red->stride > 2048) {
        most = ((size_t)1 << 20) / red->stride;
        if (most < 16)
            most = 16;
    }
    if (!red->chunk) {
        red->nblocks = red->n < most ? red->n : most;
    } else {
        size_t leaves = red->n / red->chunk + (red->n % red->chunk != 0);
        red->per = leaves / most + (leaves % most != 0);
        red->nblocks = leaves / red->per + (leaves % red->per != 0);
    }
    if (red->stride > SIZE_MAX / red->nblocks)
        return ENOMEM;
    return 0;
}

/* n == 0: result = init, run as fold would run (in a frame of the pool, so
 * wq_pool_destroy from inside init does nothing, and in its denormal mode);
 * a loop with n > 0 does the same through its finish. */
static void wq__reduce_empty(wq_pool *pool, const wq_reducer *r, void *ctx,
                             void *result)
{
    struct wq__frame frame;
    unsigned long fpu = 0;
    wq__frame_push(&frame, pool, NULL, NULL);
    if (pool->flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    r->init(ctx, result);
    if (pool->flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
}

static int wq__reducer_valid(const wq_reducer *r)
{
    return r && r->size && r->init && r->fold && r->combine;
}

int wq_reduce(wq_pool *pool, size_t n, size_t chunk, const wq_reducer *r,
              void *ctx, void *result)
{
    if (!wq__reducer_valid(r) || !result)
        return EINVAL;
    int rc = wq__pool_resolve(&pool);
    if (rc)
        return rc;
    if (n == 0) {
        wq__reduce_empty(pool, r, ctx, result);
        return 0;
    }

    struct wq__reduce red = {
        .r = r, .ctx = ctx, .n = n, .chunk = chunk, .result = result};
    rc = wq__reduce_plan(&red);
    if (rc)
        return rc;
    _Alignas(WQ__PARTIAL_ALIGN) unsigned char stack[WQ__STACK_PARTIALS];
    size_t bytes = red.nblocks * red.stride;
    red.partials = bytes <= sizeof stack
                       ? stack
                       : wq__aligned_alloc(WQ__PARTIAL_ALIGN, bytes);
    if (!red.partials)
        return ENOMEM;

    struct wq__loop loop;
    red.loop = &loop;
    wq__loop_init(&loop, red.nblocks, 1, 0, wq__reduce_piece, &red);
    loop.finish = wq__reduce_combine;
    loop.total = n;
    /* Where blocks start, as wq__block_items and wq__fold_block cut them. */
    loop.per_unit = chunk ? red.per * chunk : n / red.nblocks;
    loop.extra = chunk ? 0 : n % red.nblocks;
    rc = wq__loop_run(pool, &loop);
    if (red.partials != stack)
        free(red.partials);
    return rc;
}
