/*
 * bk_ptp.c - pthreadpool backends of bench-ptp:
 *
 *   ptp-1d    pthreadpool_parallelize_1d over units of `chunk` items (chunk
 *             0: one item a unit, pthreadpool's own granularity);
 *   ptp-tile  pthreadpool_parallelize_1d_tile_1d with `chunk` as the tile
 *             (chunk 0: eight tiles a thread).
 *
 * Both run 2-D loops with pthreadpool_parallelize_2d_tile_2d, with tiles
 * of `tile` x `tile` cells (tile 0: eight bands of whole rows a thread).
 *
 * pthreadpool has no reduction: each unit or tile writes its own padded
 * partial, summed in order afterwards, as a user would write it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>

#include <pthreadpool.h>

#include "bench.h"

static pthreadpool_t pool;
static unsigned team;

static int ptp_start(unsigned threads)
{
    pool = pthreadpool_create(threads);
    team = threads;
    return pool && pthreadpool_get_threads_count(pool) == threads ? 0 : -1;
}

static void ptp_stop(void)
{
    pthreadpool_destroy(pool);
}

/* One partial a cache line, so neighbouring units never share one. */
struct partial {
    _Alignas(64) double sum;
};

struct call {
    struct bench_units u;
    bench_range_fn body;
    bench_sum_fn term;
    void *ctx;
    struct partial *partials;
};

static void unit_task(void *arg, size_t k)
{
    const struct call *c = arg;
    size_t lo, hi;
    bench_unit_range(&c->u, k, &lo, &hi);
    if (c->body)
        c->body(c->ctx, lo, hi);
    else
        c->partials[k].sum = c->term(c->ctx, lo, hi);
}

static void tile_task(void *arg, size_t start, size_t len)
{
    unit_task(arg, start / ((const struct call *)arg)->u.chunk);
    (void)len; /* the unit's range says the same */
}

/* Run c over [0, n) and sum the partials if it is a reduction. */
static double run(struct call *c, int tiled)
{
    if (c->term)
        c->partials = bench_alloc(c->u.count * sizeof *c->partials);
    if (tiled)
        pthreadpool_parallelize_1d_tile_1d(pool, tile_task, c, c->u.n,
                                           c->u.chunk, 0);
    else
        pthreadpool_parallelize_1d(pool, unit_task, c, c->u.count, 0);
    double s = 0.0;
    if (c->term) {
        for (size_t k = 0; k < c->u.count; k++)
            s += c->partials[k].sum;
        free(c->partials);
    }
    return s;
}

static size_t tile_of(size_t n, size_t chunk)
{
    return chunk ? chunk : bench_even_chunk(n, team);
}

static void one_for(size_t n, size_t chunk, bench_range_fn body, void *ctx)
{
    struct call c = {bench_units_of(n, chunk, 0), body, NULL, ctx, NULL};
    run(&c, 0);
}

static double one_sum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    struct call c = {bench_units_of(n, chunk, 0), NULL, term, ctx, NULL};
    return run(&c, 0);
}

static void tile_for(size_t n, size_t chunk, bench_range_fn body, void *ctx)
{
    struct call c = {bench_units_of(n, tile_of(n, chunk), 0), body, NULL, ctx,
                     NULL};
    run(&c, 1);
}

static double tile_sum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    struct call c = {bench_units_of(n, tile_of(n, chunk), 0), NULL, term, ctx,
                     NULL};
    return run(&c, 1);
}

struct call_2d {
    bench_tile_fn body;
    void *ctx;
};

/* pthreadpool passes a tile's corner and its extents, clipped. */
static void tile_2d_task(void *arg, size_t i, size_t j, size_t ti, size_t tj)
{
    const struct call_2d *c = arg;
    c->body(c->ctx, i, i + ti, j, j + tj);
}

static void ptp_for_2d(size_t ni, size_t nj, size_t tile, bench_tile_fn body,
                       void *ctx)
{
    struct call_2d c = {body, ctx};
    pthreadpool_parallelize_2d_tile_2d(pool, tile_2d_task, &c, ni, nj,
                                       tile ? tile : bench_even_chunk(ni, team),
                                       tile ? tile : nj, 0);
}

static const struct backend ptp_1d = {
    .name = "ptp-1d",
    .start = ptp_start,
    .stop = ptp_stop,
    .pfor = one_for,
    .psum = one_sum,
    .pfor_2d = ptp_for_2d,
};
static const struct backend ptp_tile = {
    .name = "ptp-tile",
    .start = ptp_start,
    .stop = ptp_stop,
    .pfor = tile_for,
    .psum = tile_sum,
    .pfor_2d = ptp_for_2d,
};

const struct backend *const bench_backends[] = {&ptp_1d, &ptp_tile, NULL};
