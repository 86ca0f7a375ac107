/* check_reduce.c - wq_reduce: bitwise identical results on every pool size
 * and run, partials joined in index order (a non-commutative combine detects
 * any out-of-order join), pieces, alignment, large partials, errors (the
 * cases shared with wq_scan are folding.c's). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "folding.h"
#include "span.h"
#include "suites.h"
#include "util.h"

/* A floating-point sum whose rounding depends on the order of additions:
 * terms span 30 orders of magnitude with both signs. */
static double term(size_t i)
{
    return sin((double)i) * pow(10.0, (double)(i % 31) - 15.0);
}

static void sum_init(void *ctx, void *p)
{
    (void)ctx;
    *(double *)p = 0.0;
}

static int sum_fold(void *ctx, size_t begin, size_t end, void *p)
{
    (void)ctx;
    double s = *(double *)p;
    for (size_t i = begin; i < end; i++)
        s += term(i);
    *(double *)p = s;
    return 0;
}

static void sum_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(double *)p += *(const double *)o;
}

static const wq_reducer sum_reducer = {sizeof(double), sum_init, sum_fold,
                                       sum_combine};

static double reduce_sum(wq_pool *pool, size_t n, size_t chunk)
{
    double r;
    memset(&r, 0xa5, sizeof r);
    ck_assert_int_eq(wq_reduce(pool, n, chunk, &sum_reducer, NULL, &r), 0);
    return r;
}

/* The same bits on pools of 1 to 8 threads and the default pool, run after
 * run, for several (n, chunk). */
START_TEST(reduce_bitwise_identical_across_pools)
{
    static const size_t ns[] = {1, 2, 5, 513, 4096, 100001};
    static const size_t chunks[] = {0, 1, 7, 1000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof chunks / sizeof *chunks; b++) {
            double ref = reduce_sum(NULL, ns[a], chunks[b]);
            for (unsigned threads = 1; threads <= 8; threads++) {
                wq_pool *pool;
                wq_options opt = {0};
                opt.threads = threads;
                ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
                for (int run = 0; run < 3; run++) {
                    double r = reduce_sum(pool, ns[a], chunks[b]);
                    ck_assert_msg(memcmp(&r, &ref, sizeof r) == 0,
                                  "n=%zu chunk=%zu threads=%u: %a != %a",
                                  ns[a], chunks[b], threads, r, ref);
                }
                wq_pool_destroy(pool);
            }
        }
}
END_TEST

/* The sum is right (within rounding) whatever the blocks. */
START_TEST(reduce_sum_is_correct)
{
    wq_pool *pool = grid_pool(_i);
    double serial = 0;
    for (size_t i = 0; i < 50000; i++)
        serial += term(i);
    double r = reduce_sum(pool, 50000, 0);
    ck_assert_double_eq_tol(r, serial, 1e-9 * fabs(serial) + 1e-12);
    grid_release(pool);
}
END_TEST

START_TEST(reduce_joins_in_index_order)
{
    wq_pool *pool = grid_pool(_i);
    const wq_reducer r = span_reducer;
    /* The last has over 512 blocks (549: groups of two, the last of
     * one), combined in groups; a chunk of a few items there is too slow
     * under valgrind. */
    static const size_t ns[] = {1,   2,   3,     8,      100,
                                511, 512, 513, 99999, 9000001};
    static const size_t chunks[] = {0, 1, 2, 5, 64, 1000000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof chunks / sizeof *chunks; b++) {
            size_t chunk = chunks[b];
            if (RUNNING_ON_VALGRIND && ns[a] > 1000000 && chunk &&
                chunk < 64)
                continue;
            struct span s;
            ck_assert_int_eq(wq_reduce(pool, ns[a], chunk, &r, &chunk, &s),
                             0);
            ck_assert_msg(s.ok && !s.empty && s.first == 0 &&
                              s.last == ns[a],
                          "n=%zu chunk=%zu: [%zu,%zu) ok=%d", ns[a], chunk,
                          s.first, s.last, s.ok);
        }
    grid_release(pool);
}
END_TEST

/* wq_reduce as the shared cases of folding.h call it. */
static int reduce_call(wq_pool *pool, size_t n, size_t chunk,
                       const wq_scanner *sc, void *ctx, void *out)
{
    if (!sc)
        return wq_reduce(pool, n, chunk, NULL, ctx, out);
    const wq_reducer r = {sc->size, sc->init, sc->fold, sc->combine};
    return wq_reduce(pool, n, chunk, &r, ctx, out);
}

static const struct folding reduce_folding = {reduce_call, 0, 0};

/* n = 0 gives the identity and folds nothing. */
START_TEST(reduce_empty_range_is_identity)
{
    folding_on_grid(&reduce_folding, _i, folding_empty_range);
}
END_TEST

START_TEST(reduce_bad_arguments)
{
    folding_on_grid(&reduce_folding, _i, folding_bad_arguments);
}
END_TEST

/* A partial too large to allocate is ENOMEM, and nothing runs. */
START_TEST(reduce_huge_partial_is_enomem)
{
    folding_on_grid(&reduce_folding, _i, folding_huge_partial);
}
END_TEST

/* Partials are 64-byte aligned: partials of different threads never share a
 * cache line, and over-aligned types work. */
static int fold_aligned(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    if ((uintptr_t)p % 64)
        return 99;
    *(double *)p += (double)(e - b);
    return 0;
}

START_TEST(reduce_partials_aligned)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_reducer r = {sizeof(double), sum_init, fold_aligned,
                                 sum_combine};
    static const size_t ns[] = {2, 100, 100000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
        double x;
        ck_assert_int_eq(wq_reduce(pool, ns[a], 0, &r, NULL, &x), 0);
        ck_assert(x == (double)ns[a]);
    }
    grid_release(pool);
}
END_TEST

/* A partial of 8 KiB (a histogram) works and counts every index. */
enum { BINS = 1024 };
struct histogram {
    size_t bins[BINS];
};

static void hist_init(void *ctx, void *p)
{
    (void)ctx;
    memset(p, 0, sizeof(struct histogram));
}

static int hist_fold(void *ctx, size_t b, size_t e, void *p)
{
    struct histogram *h = p;
    (void)ctx;
    for (size_t i = b; i < e; i++)
        h->bins[(i * 2654435761u) % BINS]++;
    return 0;
}

static void hist_combine(void *ctx, void *p, const void *o)
{
    struct histogram *h = p;
    const struct histogram *g = o;
    (void)ctx;
    for (int i = 0; i < BINS; i++)
        h->bins[i] += g->bins[i];
}

START_TEST(reduce_large_partial)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_reducer r = {sizeof(struct histogram), hist_init,
                                 hist_fold, hist_combine};
    struct histogram *h = malloc(sizeof *h);
    enum { N = 300000 };
    ck_assert_int_eq(wq_reduce(pool, N, 0, &r, NULL, h), 0);
    size_t total = 0;
    for (int i = 0; i < BINS; i++)
        total += h->bins[i];
    ck_assert_uint_eq(total, N);
    free(h);
    grid_release(pool);
}
END_TEST

static int fold_fails(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    (void)p;
    return b <= 4000 && 4000 < e ? 13 : 0;
}

START_TEST(reduce_error_returns_value)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_reducer bad = {sizeof(double), sum_init, fold_fails,
                                   sum_combine};
    double x;
    ck_assert_int_eq(wq_reduce(pool, 10000, 0, &bad, NULL, &x), 13);
    ck_assert_int_eq(wq_reduce(pool, 10000, 1, &bad, NULL, &x), 13);
    /* Still usable. */
    double y = reduce_sum(pool, 1000, 0);
    ck_assert(y == reduce_sum(NULL, 1000, 0));
    grid_release(pool);
}
END_TEST

/* Once a fold has failed, no thread folds again, not even the next leaf of
 * the block it is folding (2003 leaves of one item make 501 blocks of 4
 * leaves). */
START_TEST(reduce_error_stops_every_thread)
{
    wq_pool *pool = grid_pool(_i);
    folding_error_stops_every_thread(&reduce_folding, pool, 0, 0);
    grid_release(pool);
}
END_TEST

Suite *suite_reduce(void)
{
    const struct grid_case cases[] = {
        {"bitwise_identical_across_pools",
         reduce_bitwise_identical_across_pools, 0},
        {"sum_is_correct", reduce_sum_is_correct, 1},
        {"joins_in_index_order", reduce_joins_in_index_order, 1},
        {"empty_range_identity", reduce_empty_range_is_identity, 1},
        {"bad_arguments", reduce_bad_arguments, 1},
        {"huge_partial_enomem", reduce_huge_partial_is_enomem, 1},
        {"partials_aligned", reduce_partials_aligned, 1},
        {"large_partial", reduce_large_partial, 1},
        {"error", reduce_error_returns_value, 1},
        {"error_stops_every_thread", reduce_error_stops_every_thread, 1},
    };
    return grid_suite("reduce", cases, sizeof cases / sizeof *cases);
}
