/*
 * bk_omp.c - OpenMP backends, built twice: with gcc -fopenmp for libgomp
 * (bench-gomp: gomp-static, gomp-dynamic, gomp-guided) and with clang
 * -fopenmp for libomp (bench-omp: omp-...).
 *
 * Each loop is the combined `parallel for` a user writes, over units of
 * `chunk` items with schedule(KIND, 1), so that the runtime hands out
 * exactly the pieces that schedule(KIND, chunk) over the items would, and
 * the kernel runs once per piece (as the outlined body of a compiled
 * OpenMP loop runs once per dispatched range).  chunk 0 is OpenMP's
 * default: for static, one block per thread; for dynamic and guided, a
 * chunk of 1.  The reduction is the reduction(+:) clause; the prefix sum
 * (static only: the scan directive takes no schedule clause, and its loop
 * is scheduled statically) a reduction(inscan, +:) over the same units
 * with `#pragma omp scan exclusive`: each unit is summed, then written
 * from the sum of the units before it.
 *
 * A 2-D loop is `parallel for collapse(2) schedule(KIND, 1)` over the grid
 * of tiles of `tile` x `tile` cells, the body once a tile.  tile 0: for
 * static, one band of whole rows a thread; for dynamic and guided, a row.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <omp.h>

#include "bench.h"

#ifdef __clang__
#define RUNTIME "omp"
#else
#define RUNTIME "gomp"
#endif

#define PRAGMA(x) _Pragma(#x)

/* Static with chunk 0 runs one even block a thread; every other form
 * units of `chunk` (at least 1) items. */
static struct bench_units units_of(size_t n, size_t chunk, int blocks)
{
    return bench_units_of(n, chunk,
                          blocks ? (size_t)omp_get_max_threads() : 0);
}

static void run_unit(const struct bench_units *u, size_t k,
                     bench_range_fn body, void *ctx)
{
    size_t lo, hi;
    bench_unit_range(u, k, &lo, &hi);
    if (lo < hi)
        body(ctx, lo, hi);
}

static double sum_unit(const struct bench_units *u, size_t k,
                       bench_sum_fn term, void *ctx)
{
    size_t lo, hi;
    bench_unit_range(u, k, &lo, &hi);
    return lo < hi ? term(ctx, lo, hi) : 0.0;
}

static void scan_unit(const struct bench_units *u, size_t k,
                      bench_scan_fn scan, void *ctx, double carry)
{
    size_t lo, hi;
    bench_unit_range(u, k, &lo, &hi);
    if (lo < hi)
        scan(ctx, lo, hi, carry);
}

/* gcc warns of a temporary its own lowering of the inscan reduction
 * declares, whatever the loop holds. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
static void static_scan(size_t n, size_t chunk, bench_sum_fn sum,
                        bench_scan_fn scan, void *ctx)
{
    struct bench_units u = units_of(n, chunk, 1);
    double s = 0.0;
    /* clang 14's inscan loop of one iteration crashes; one unit is the
     * serial loop anyway. */
    if (u.count == 1) {
        scan_unit(&u, 0, scan, ctx, s);
        return;
    }
#pragma omp parallel for reduction(inscan, + : s)
    for (size_t k = 0; k < u.count; k++) {
        scan_unit(&u, k, scan, ctx, s);
#pragma omp scan exclusive(s)
        s += sum_unit(&u, k, sum, ctx);
    }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* The tile of a 2-D loop (see the top of the file); blocks as units_of. */
static void tile_of(size_t ni, size_t nj, size_t tile, int blocks, size_t *ti,
                    size_t *tj)
{
    size_t team = (size_t)omp_get_max_threads();
    *ti = tile ? tile : blocks ? (ni + team - 1) / team : 1;
    *tj = tile ? tile : nj;
    if (*ti == 0)
        *ti = 1;
    if (*tj == 0)
        *tj = 1;
}

static void run_tile(size_t ni, size_t nj, size_t ti, size_t tj, size_t a,
                     size_t b, bench_tile_fn body, void *ctx)
{
    size_t i0 = a * ti, j0 = b * tj;
    body(ctx, i0, ni - i0 < ti ? ni : i0 + ti, j0, nj - j0 < tj ? nj : j0 + tj);
}

/* The four forms of one schedule kind: a loop, a reduction, EPCC's
 * schedbench loops inside one parallel region, and a 2-D loop; scan,
 * its prefix sum or NULL. */
#define OMP_SCHEDULE(kind, blocks, scan)                                     \
    static void kind##_for(size_t n, size_t chunk, bench_range_fn body,      \
                           void *ctx)                                        \
    {                                                                        \
        struct bench_units u = units_of(n, chunk, blocks);                   \
        PRAGMA(omp parallel for schedule(kind, 1))                           \
        for (size_t k = 0; k < u.count; k++)                                 \
            run_unit(&u, k, body, ctx);                                      \
    }                                                                        \
    static double kind##_sum(size_t n, size_t chunk, bench_sum_fn term,      \
                             void *ctx)                                      \
    {                                                                        \
        struct bench_units u = units_of(n, chunk, blocks);                   \
        double s = 0.0;                                                      \
        PRAGMA(omp parallel for schedule(kind, 1) reduction(+ : s))          \
        for (size_t k = 0; k < u.count; k++)                                 \
            s += sum_unit(&u, k, term, ctx);                                 \
        return s;                                                            \
    }                                                                        \
    static void kind##_reps(long reps, size_t n, size_t chunk,               \
                            bench_range_fn body, void *ctx)                  \
    {                                                                        \
        struct bench_units u = units_of(n, chunk, blocks);                   \
        PRAGMA(omp parallel)                                                 \
        for (long r = 0; r < reps; r++) {                                    \
            PRAGMA(omp for schedule(kind, 1))                                \
            for (size_t k = 0; k < u.count; k++)                             \
                run_unit(&u, k, body, ctx);                                  \
        }                                                                    \
    }                                                                        \
    static void kind##_for_2d(size_t ni, size_t nj, size_t tile,            \
                              bench_tile_fn body, void *ctx)                \
    {                                                                        \
        size_t ti, tj;                                                       \
        tile_of(ni, nj, tile, blocks, &ti, &tj);                             \
        size_t ci = (ni + ti - 1) / ti, cj = (nj + tj - 1) / tj;             \
        PRAGMA(omp parallel for collapse(2) schedule(kind, 1))               \
        for (size_t a = 0; a < ci; a++)                                      \
            for (size_t b = 0; b < cj; b++)                                  \
                run_tile(ni, nj, ti, tj, a, b, body, ctx);                   \
    }                                                                        \
    static const struct backend kind##_backend = {                           \
        .name = RUNTIME "-" #kind,                                           \
        .start = omp_start,                                                  \
        .stop = omp_stop,                                                    \
        .pfor = kind##_for,                                                  \
        .psum = kind##_sum,                                                  \
        .pfor_reps = kind##_reps,                                            \
        .pscan = scan,                                                       \
        .pfor_2d = kind##_for_2d,                                            \
    };

static int omp_start(unsigned threads)
{
    omp_set_dynamic(0);
    omp_set_num_threads((int)threads);
    int team = 0;
    PRAGMA(omp parallel)
    {
        PRAGMA(omp single)
        team = omp_get_num_threads();
    }
    return team == (int)threads ? 0 : -1;
}

static void omp_stop(void)
{
}

OMP_SCHEDULE(static, 1, static_scan)
OMP_SCHEDULE(dynamic, 0, NULL)
OMP_SCHEDULE(guided, 0, NULL)

const struct backend *const bench_backends[] = {
    &static_backend, &dynamic_backend, &guided_backend, NULL};
