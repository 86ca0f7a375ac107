/*
 * bk_wq.c - the backends of bench-wq: the serial loop, wq, and wq with an
 * unordered reduction (the yardstick for wq_reduce's fixed order).
 */
#include <stdatomic.h>
#include <stdio.h>

#include <wq.h>

#include "bench.h"

/* ------------------------------------------------------------- serial -- */

static int serial_start(unsigned threads)
{
    return threads == 1 ? 0 : -1;
}

static void serial_stop(void)
{
}

static void serial_for(size_t n, size_t chunk, bench_range_fn body, void *ctx)
{
    (void)chunk;
    body(ctx, 0, n);
}

static double serial_sum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    (void)chunk;
    return term(ctx, 0, n);
}

static void serial_scan(size_t n, size_t chunk, bench_sum_fn piece_sum,
                        bench_scan_fn scan, void *ctx)
{
    (void)chunk;
    (void)piece_sum;
    scan(ctx, 0, n, 0.0);
}

/* The serial 2-D loop: the whole space as one tile. */
static void serial_for_2d(size_t ni, size_t nj, size_t tile,
                          bench_tile_fn body, void *ctx)
{
    (void)tile;
    body(ctx, 0, ni, 0, nj);
}

static const struct backend serial = {
    .name = "serial",
    .start = serial_start,
    .stop = serial_stop,
    .pfor = serial_for,
    .psum = serial_sum,
    .pscan = serial_scan,
    .pfor_2d = serial_for_2d,
};

/* ----------------------------------------------------------------- wq -- */

static wq_pool *pool;

struct call {
    union {
        bench_range_fn body;
        bench_sum_fn term;
        bench_tile_fn tile;
    } fn;
    bench_scan_fn scan; /* wq_scan's, beside fn.term */
    void *ctx;
    double partial; /* wq_reduce's partial, or the unordered total */
    _Atomic double total;
};

static int for_piece(void *arg, size_t begin, size_t end)
{
    struct call *c = arg;
    c->fn.body(c->ctx, begin, end);
    return 0;
}

static int wq_start(unsigned threads)
{
    wq_options opt = {0};
    opt.threads = threads;
    int rc = wq_pool_create(&pool, &opt);
    if (rc)
        fprintf(stderr, "wq_pool_create: %s\n", wq_strerror(rc));
    return rc ? -1 : 0;
}

static void wq_stop(void)
{
    wq_pool_destroy(pool);
    pool = NULL;
}

static void wq_pfor(size_t n, size_t chunk, bench_range_fn body, void *ctx)
{
    struct call c = {.fn.body = body, .ctx = ctx};
    wq_for(pool, n, chunk, for_piece, &c);
}

static void sum_init(void *ctx, void *partial)
{
    (void)ctx;
    *(double *)partial = 0.0;
}

static int sum_fold(void *arg, size_t begin, size_t end, void *partial)
{
    const struct call *c = arg;
    *(double *)partial += c->fn.term(c->ctx, begin, end);
    return 0;
}

static void sum_combine(void *ctx, void *partial, const void *other)
{
    (void)ctx;
    *(double *)partial += *(const double *)other;
}

static const wq_reducer sum = {sizeof(double), sum_init, sum_fold,
                               sum_combine};

static double wq_psum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    struct call c = {.fn.term = term, .ctx = ctx};
    wq_reduce(pool, n, chunk, &sum, &c, &c.partial);
    return c.partial;
}

static void wq_pmap(size_t n, size_t chunk, const void *in, size_t in_size,
                    void *out, size_t out_size, bench_map_fn fn, void *ctx)
{
    wq_map(pool, n, chunk, in, in_size, out, out_size, fn, ctx);
}

/* The prefix sum: wq_reduce's partial, with its scan. */
static int sum_scan(void *arg, size_t begin, size_t end, void *running)
{
    const struct call *c = arg;
    *(double *)running = c->scan(c->ctx, begin, end, *(double *)running);
    return 0;
}

static const wq_scanner prefix = {sizeof(double), sum_init, sum_fold,
                                  sum_combine, sum_scan};

static void wq_pscan(size_t n, size_t chunk, bench_sum_fn piece_sum,
                     bench_scan_fn scan, void *ctx)
{
    struct call c = {.fn.term = piece_sum, .scan = scan, .ctx = ctx};
    wq_scan(pool, n, chunk, &prefix, &c, NULL);
}

static int tile_piece(void *arg, size_t i0, size_t i1, size_t j0, size_t j1)
{
    const struct call *c = arg;
    c->fn.tile(c->ctx, i0, i1, j0, j1);
    return 0;
}

/* tile 0: wq_for_2d chooses (whole rows, 32 tiles a thread). */
static void wq_pfor_2d(size_t ni, size_t nj, size_t tile, bench_tile_fn body,
                       void *ctx)
{
    struct call c = {.fn.tile = body, .ctx = ctx};
    wq_for_2d(pool, ni, nj, tile, tile, tile_piece, &c);
}

static const struct backend wq = {
    .name = "wq",
    .start = wq_start,
    .stop = wq_stop,
    .pfor = wq_pfor,
    .psum = wq_psum,
    .pmap = wq_pmap,
    .pscan = wq_pscan,
    .pfor_2d = wq_pfor_2d,
};

/* Each piece adds its sum to one shared total: the order of the additions
 * is whatever order pieces finish in, as with OpenMP's reduction clause. */
static int unordered_piece(void *arg, size_t begin, size_t end)
{
    struct call *c = arg;
    double s = c->fn.term(c->ctx, begin, end);
    double old = atomic_load_explicit(&c->total, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(
        &c->total, &old, old + s, memory_order_relaxed, memory_order_relaxed))
        ;
    return 0;
}

static double unordered_psum(size_t n, size_t chunk, bench_sum_fn term,
                             void *ctx)
{
    struct call c = {.fn.term = term, .ctx = ctx};
    atomic_init(&c.total, 0.0);
    wq_for(pool, n, chunk, unordered_piece, &c);
    return atomic_load_explicit(&c.total, memory_order_relaxed);
}

static const struct backend unordered = {
    .name = "wq-unordered",
    .start = wq_start,
    .stop = wq_stop,
    .pfor = wq_pfor,
    .psum = unordered_psum,
    .pmap = wq_pmap,
    .pfor_2d = wq_pfor_2d,
};

const struct backend *const bench_backends[] = {&serial, &wq, &unordered,
                                                NULL};
