/* check_scan_errors.c - wq_scan's errors and progress reports: bad
 * arguments and partials too large answer EINVAL and ENOMEM and run
 * nothing, a failing fold or scan returns its value and stops every
 * thread, a failing fold leaves the outputs from its block on unwritten,
 * and the progress reports come on the caller, never
 * go back, end at n, and make no final report after a failure (which is why
 * they are here, beside the failing scanner).  The suite is "scanerrors",
 * one word: .ci/reliability.sh finds the suites by suite_[a-z]*() in
 * tests/main.c. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"
#include "suites.h"

/* -------------------------------------------------------------- errors -- */

START_TEST(scan_bad_arguments)
{
    folding_on_grid(&scan_folding, _i, folding_bad_arguments);
}
END_TEST

/* A partial too large to allocate is ENOMEM, and nothing runs. */
START_TEST(scan_huge_partial_is_enomem)
{
    folding_on_grid(&scan_folding, _i, folding_huge_partial);
}
END_TEST

/* -------------------------------------------------- a callback's value -- */

struct fail_at {
    size_t at;
    int in_scan; /* fail in scan, else in fold */
};

static int fail_fold(void *ctx, size_t b, size_t e, void *p)
{
    const struct fail_at *f = ctx;
    (void)p;
    return !f->in_scan && b <= f->at && f->at < e ? 13 : 0;
}

static int fail_scan(void *ctx, size_t b, size_t e, void *p)
{
    const struct fail_at *f = ctx;
    (void)p;
    return f->in_scan && b <= f->at && f->at < e ? 14 : 0;
}

START_TEST(scan_error_returns_value)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_scanner sc = {sizeof(double), sum_init, fail_fold,
                                  sum_combine, fail_scan};
    static const size_t at[] = {0, 1, 4000, 9999};
    static const size_t chunks[] = {0, 1, 100};
    double x;
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        /* Block 0 is scanned, never folded; without a total the last is
         * not folded either. */
        wq_plan plan;
        size_t begin0, end0, begin_last, end_last;
        ck_assert_int_eq(wq_plan_init(&plan, 10000, chunks[c], sizeof x), 0);
        ck_assert_int_eq(wq_plan_block(&plan, 0, &begin0, &end0), 0);
        ck_assert_int_eq(
            wq_plan_block(&plan, plan.blocks - 1, &begin_last, &end_last), 0);
        for (size_t a = 0; a < sizeof at / sizeof *at; a++)
            for (int in_scan = 0; in_scan < 2; in_scan++) {
                struct fail_at f = {at[a], in_scan};
                int want = in_scan ? 14 : at[a] >= end0 ? 13 : 0;
                ck_assert_int_eq(wq_scan(pool, 10000, chunks[c], &sc, &f, &x),
                                 want);
                ck_assert_int_eq(
                    wq_scan(pool, 10000, chunks[c], &sc, &f, NULL),
                    in_scan || at[a] < begin_last ? want : 0);
            }
    }
    /* Still usable. */
    double out[100], total, ref;
    scan_sum(pool, 100, 0, out, &total);
    scan_sum(NULL, 100, 0, out, &ref);
    ck_assert(same_bits(total, ref));
    grid_release(pool);
}
END_TEST

/* Once fold or scan has failed, no thread starts another piece; block 0
 * (4 leaves) is never folded. */
START_TEST(scan_error_stops_every_thread)
{
    wq_pool *pool = grid_pool(_i);
    folding_error_stops_every_thread(&scan_folding, pool, 0, 4);
    folding_error_stops_every_thread(&scan_folding, pool, 1, 0);
    grid_release(pool);
}
END_TEST

/* A failure in the middle of a long plan (6103 blocks): a failing fold
 * (in block f) leaves every output from block f on unwritten, since no
 * prefix from f on can be made without P_f; a failing scan returns its
 * value too. */
struct late_fail {
    size_t at;   /* the failing item */
    int in_scan; /* fail in scan, else in fold */
    _Atomic size_t scan_last; /* the last scanned piece's end */
};

static void atomic_max(_Atomic size_t *x, size_t v)
{
    size_t old = atomic_load(x);
    while (old < v && !atomic_compare_exchange_weak(x, &old, v))
        ;
}

static int late_fail_fold(void *ctx, size_t b, size_t e, void *p)
{
    struct late_fail *f = ctx;
    (void)p;
    return !f->in_scan && b <= f->at && f->at < e ? 13 : 0;
}

static int late_fail_scan(void *ctx, size_t b, size_t e, void *p)
{
    struct late_fail *f = ctx;
    (void)p;
    atomic_max(&f->scan_last, e);
    return f->in_scan && b <= f->at && f->at < e ? 14 : 0;
}

START_TEST(scan_long_plan_error)
{
    static const wq_scanner sc = {sizeof(double), sum_init, late_fail_fold,
                                  sum_combine, late_fail_scan};
    static const unsigned threads[] = {1, 2, 3};
    const size_t n = 100000000;
    wq_plan plan;
    ck_assert_int_eq(wq_plan_init(&plan, n, 0, sizeof(double)), 0);
    ck_assert_uint_gt(plan.blocks, 6000);
    size_t begin_f, end_f;
    ck_assert_int_eq(wq_plan_block(&plan, 2024, &begin_f, &end_f), 0);
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        wq_pool *pool = pool_of(threads[t]);
        for (int in_scan = 0; in_scan < 2; in_scan++)
            for (int with_total = 0; with_total < 2; with_total++) {
                struct late_fail f = {.at = begin_f + (end_f - begin_f) / 2,
                                      .in_scan = in_scan};
                atomic_init(&f.scan_last, 0);
                double total;
                ck_assert_int_eq(
                    wq_scan(pool, n, 0, &sc, &f, with_total ? &total : NULL),
                    in_scan ? 14 : 13);
                if (!in_scan)
                    ck_assert_uint_le(atomic_load(&f.scan_last), begin_f);
            }
        wq_pool_destroy(pool);
    }
}
END_TEST

/* ----------------------------------------------------------- progress -- */

static int slow_scan(void *ctx, size_t b, size_t e, void *p)
{
    usleep(200);
    return u64_scan(ctx, b, e, p);
}

/* Reports on the caller, out of n, never backwards, ending at n; the
 * final one comes for a plan of one block too. */
START_TEST(scan_progress)
{
    static const wq_scanner sc = {sizeof(uint64_t), u64_init, u64_fold,
                                  u64_combine, slow_scan};
    static const size_t ns[] = {1, 7, 400};
    static const size_t chunks[] = {0, 1, 10};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            struct progress_log r;
            wq_pool *pool = progress_log_pool(&r, grid_threads[_i]);
            r.total = ns[a];
            uint64_t out[400], total;
            ck_assert_int_eq(wq_scan(pool, ns[a], chunks[c], &sc, out, &total),
                             0);
            progress_log_check(&r);
            /* A failed scan makes no final report. */
            size_t before = r.count;
            struct fail_at f = {ns[a] - 1, 1};
            static const wq_scanner failing = {
                sizeof(double), sum_init, fail_fold, sum_combine, fail_scan};
            ck_assert_int_eq(
                wq_scan(pool, ns[a], chunks[c], &failing, &f, NULL), 14);
            ck_assert(r.count == before || r.last_done < ns[a]);
            wq_pool_destroy(pool);
        }
}
END_TEST

/* Past 512 blocks: reports still out of n, never backwards, ending at n,
 * and at most one an interval. */
START_TEST(scan_progress_long_plan)
{
    static const wq_scanner sc = {sizeof(double), sum_init, fail_fold,
                                  sum_combine, fail_scan};
    const size_t n = 16793605;
    wq_plan plan;
    ck_assert_int_eq(wq_plan_init(&plan, n, 0, sizeof(double)), 0);
    struct progress_log r;
    wq_pool *pool = progress_log_pool(&r, grid_threads[_i]);
    r.total = n;
    ck_assert_uint_gt(plan.blocks, 512);
    struct fail_at f = {SIZE_MAX, 0}; /* fails nowhere */
    double start = wq_now();
    ck_assert_int_eq(wq_scan(pool, n, 0, &sc, &f, NULL), 0);
    double ms = (wq_now() - start) * 1e3;
    progress_log_check(&r);
    ck_assert_msg((double)r.count <= ms + 2, "%zu reports in %.3f ms", r.count,
                  ms);
    wq_pool_destroy(pool);
}
END_TEST

Suite *suite_scanerrors(void)
{
    const struct grid_case cases[] = {
        {"bad_arguments", scan_bad_arguments, 1},
        {"huge_partial_enomem", scan_huge_partial_is_enomem, 1},
        {"error", scan_error_returns_value, 1},
        {"error_stops_every_thread", scan_error_stops_every_thread, 1},
        {"long_plan_error", scan_long_plan_error, 0},
        {"progress", scan_progress, 1},
        {"progress_long_plan", scan_progress_long_plan, 1},
    };
    return grid_suite("scanerrors", cases, sizeof cases / sizeof *cases);
}
