/* folding.c - the cases of folding.h. */
#include <errno.h>
#include <stdint.h>

#include "folding.h"
#include "sum.h"
#include "util.h"

static void init_never(void *ctx, void *p)
{
    (void)ctx;
    (void)p;
    ck_abort_msg("init called by a call that failed");
}

static int block_never(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    (void)b;
    (void)e;
    (void)p;
    ck_abort_msg("fold or scan called on an empty range or a failed call");
    return 0;
}

static void combine_never(void *ctx, void *p, const void *o)
{
    (void)ctx;
    (void)p;
    (void)o;
    ck_abort_msg("combine called on an empty range or a failed call");
}

void folding_on_grid(const struct folding *f, int i, folding_case *fn)
{
    wq_pool *pool = grid_pool(i);
    fn(f, pool);
    grid_release(pool);
}

void folding_bad_arguments(const struct folding *f, wq_pool *pool)
{
    const wq_scanner ok = {sizeof(double), init_never, block_never,
                           combine_never, block_never};
    wq_scanner bad[5] = {ok, ok, ok, ok, ok};
    bad[0].size = 0;
    bad[1].init = NULL;
    bad[2].fold = NULL;
    bad[3].combine = NULL;
    bad[4].scan = NULL;
    int kinds = f->has_scan ? 5 : 4;
    double x;
    static const size_t ns[] = {0, 1, 1000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
        ck_assert_int_eq(f->call(pool, ns[a], 0, NULL, NULL, &x), EINVAL);
        if (!f->out_optional)
            ck_assert_int_eq(f->call(pool, ns[a], 0, &ok, NULL, NULL), EINVAL);
        for (int k = 0; k < kinds; k++) {
            ck_assert_int_eq(f->call(pool, ns[a], 0, &bad[k], NULL, &x),
                             EINVAL);
            ck_assert_int_eq(f->call(pool, ns[a], 7, &bad[k], NULL, NULL),
                             EINVAL);
        }
    }
}

void folding_huge_partial(const struct folding *f, wq_pool *pool)
{
    static const size_t sizes[] = {SIZE_MAX / 4, SIZE_MAX - 8};
    char out[64];
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        const wq_scanner sc = {sizes[k], init_never, block_never,
                               combine_never, block_never};
        ck_assert_int_eq(f->call(pool, 100, 0, &sc, NULL, out), ENOMEM);
        if (f->out_optional)
            ck_assert_int_eq(f->call(pool, 100, 0, &sc, NULL, NULL), ENOMEM);
    }
}

void folding_empty_range(const struct folding *f, wq_pool *pool)
{
    static const wq_scanner sc = {sizeof(double), sum_init, block_never,
                                  combine_never, block_never};
    static const size_t chunks[] = {0, 5};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        double x = 42.0;
        ck_assert_int_eq(f->call(pool, 0, chunks[c], &sc, NULL, &x), 0);
        ck_assert(x == 0.0);
        if (f->out_optional)
            ck_assert_int_eq(f->call(pool, 0, chunks[c], &sc, NULL, NULL), 0);
    }
}

static int fail_once(void *ctx, size_t b, size_t e, void *p)
{
    (void)e;
    (void)p;
    return failing_once_call(ctx, b);
}

void folding_error_stops_every_thread(const struct folding *f, wq_pool *pool,
                                      int in_scan, size_t from)
{
    enum { N = 2003 };
    static const size_t at[] = FAILING_AT(N);
    static const wq_scanner in_fold = {sizeof(double), sum_init, fail_once,
                                       sum_combine, sum_fold};
    static const wq_scanner in_scan_sc = {sizeof(double), sum_init, sum_fold,
                                          sum_combine, fail_once};
    const wq_scanner *sc = in_scan ? &in_scan_sc : &in_fold;
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        if (at[k] < from)
            continue;
        struct failing_once fo;
        double x;
        failing_once_init(&fo, at[k], pool);
        ck_assert_int_eq(f->call(pool, N, 1, sc, &fo,
                                 in_scan && f->out_optional ? NULL : &x),
                         42);
        failing_once_check(&fo, N);
    }
}
