/* check_scan.c - wq_scan: outputs and totals bitwise identical on every pool
 * size and run, the total bitwise wq_reduce's, exact integer prefixes, each
 * piece's prefix covering exactly [0, begin) (a non-commutative combine),
 * empty ranges, errors, stops, nesting, several callers, progress and the
 * denormal flag. */
#ifdef HAVE_CONFIG_H
#include "config.h" /* before util.h: whether valgrind's header is here */
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "callers.h"
#include "plan.h" /* wq__scan_wave */
#include "span.h"
#include "suites.h"
#include "sum.h"
#include "util.h"

/* ------------------------------------------------ a floating-point sum -- */

/* The running sums of sum.h's terms (whose bits change with the order of
 * the additions) as outputs, or (out NULL) a fingerprint of them: the XOR
 * of a hash of (index, output bits), which any change of one output bit
 * changes and which does not depend on the order the pieces ran in. */
struct sums {
    double *out;
    _Atomic uint64_t print;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 29);
}

static int sum_scan(void *ctx, size_t begin, size_t end, void *p)
{
    struct sums *s = ctx;
    double run = *(double *)p;
    uint64_t print = 0;
    for (size_t i = begin; i < end; i++) {
        run += sum_term(i);
        if (s->out)
            s->out[i] = run;
        else {
            uint64_t bits;
            memcpy(&bits, &run, sizeof bits);
            print ^= mix(bits ^ mix(i));
        }
    }
    if (!s->out)
        atomic_fetch_xor(&s->print, print);
    *(double *)p = run;
    return 0;
}

static const wq_scanner sum_scanner = {sizeof(double), sum_init, sum_fold,
                                       sum_combine, sum_scan};

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* One scan into out (or a fingerprint); *total unless total is NULL. */
static uint64_t scan_sum(wq_pool *pool, size_t n, size_t chunk, double *out,
                         double *total)
{
    struct sums s = {.out = out};
    atomic_init(&s.print, 0);
    if (total)
        memset(total, 0xa5, sizeof *total);
    ck_assert_int_eq(wq_scan(pool, n, chunk, &sum_scanner, &s, total), 0);
    return atomic_load(&s.print);
}

static wq_pool *pool_of(unsigned threads)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = threads;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    return pool;
}

/* Every output and the total: the same bits on pools of 1 to 8 threads and
 * the default pool, run after run, with and without a total; the total is
 * wq_reduce's.  (Past 512 blocks the plan has groups: 9000001 items.) */
START_TEST(scan_bitwise_identical_across_pools)
{
    static const size_t ns[] = {1, 2, 5, 513, 4096, 100001};
    static const size_t chunks[] = {0, 1, 7, 1000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            size_t n = ns[a], chunk = chunks[c];
            double *ref = malloc(n * sizeof *ref), *out = malloc(n * sizeof *out);
            ck_assert(ref && out);
            double ref_total, total, reduced;
            scan_sum(NULL, n, chunk, ref, &ref_total);
            ck_assert_int_eq(
                wq_reduce(NULL, n, chunk, &sum_reducer, NULL, &reduced), 0);
            ck_assert_msg(same_bits(ref_total, reduced),
                          "n=%zu chunk=%zu: total %a, wq_reduce %a", n, chunk,
                          ref_total, reduced);
            for (unsigned threads = 1; threads <= 8; threads++) {
                wq_pool *pool = pool_of(threads);
                for (int run = 0; run < 3; run++) {
                    memset(out, 0, n * sizeof *out);
                    scan_sum(pool, n, chunk, out, run ? &total : NULL);
                    ck_assert_msg(memcmp(out, ref, n * sizeof *out) == 0,
                                  "n=%zu chunk=%zu threads=%u: outputs differ",
                                  n, chunk, threads);
                    ck_assert(!run || same_bits(total, ref_total));
                }
                wq_pool_destroy(pool);
            }
            free(ref);
            free(out);
        }
}
END_TEST

/* The same past 512 blocks, where the plan combines blocks in groups: the
 * prefixes inside a group and across groups, and the total along the
 * plan's tree, with the last group cut where the last block is not folded
 * (550 blocks in groups of 2) and where it is a group of its own (549). */
START_TEST(scan_groups_bitwise_identical)
{
    static const struct {
        size_t n, chunk;
    } cases[] = {{9011200, 0}, {9011200, 4096}, {9000001, 0}};
    static const unsigned all[] = {1, 2, 3, 8}, few[] = {1, 3};
    const unsigned *threads = RUNNING_ON_VALGRIND ? few : all;
    size_t pools = RUNNING_ON_VALGRIND ? 2 : 4;
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        if (RUNNING_ON_VALGRIND && k > 0)
            break;
        size_t n = cases[k].n, chunk = cases[k].chunk;
        wq_plan plan;
        ck_assert_int_eq(wq_plan_init(&plan, n, chunk, sizeof(double)), 0);
        ck_assert_uint_gt(plan.group, 1);
        double ref_total, total, reduced;
        uint64_t ref = scan_sum(NULL, n, chunk, NULL, &ref_total);
        ck_assert_int_eq(
            wq_reduce(NULL, n, chunk, &sum_reducer, NULL, &reduced), 0);
        ck_assert(same_bits(ref_total, reduced));
        for (size_t t = 0; t < pools; t++) {
            wq_pool *pool = pool_of(threads[t]);
            ck_assert_msg(scan_sum(pool, n, chunk, NULL, NULL) == ref,
                          "n=%zu chunk=%zu threads=%u: outputs differ", n,
                          chunk, threads[t]);
            ck_assert(scan_sum(pool, n, chunk, NULL, &total) == ref);
            ck_assert(same_bits(total, ref_total));
            wq_pool_destroy(pool);
        }
    }
}
END_TEST

/* The fingerprint of the outputs and the total as the plan's tree defines
 * them, computed serially from wq_plan_block: P_b folded from init piece by
 * piece, E_b = R_k (+) Q with R_k init and the groups before group k, Q
 * the partials of group k's blocks before b, and block b scanned from E_b. */
static uint64_t model_sum(size_t n, size_t chunk, double *total)
{
    wq_plan plan;
    ck_assert_int_eq(wq_plan_init(&plan, n, chunk, sizeof(double)), 0);
    struct sums s = {.out = NULL};
    atomic_init(&s.print, 0);
    double r = 0.0, q = 0.0;
    for (size_t b = 0; b < plan.blocks; b++) {
        size_t begin, end;
        ck_assert_int_eq(wq_plan_block(&plan, b, &begin, &end), 0);
        size_t step = chunk ? chunk : end - begin;
        double e = r, p = 0.0;
        if (b % plan.group)
            e += q; /* sum_combine(&e, &q) */
        for (size_t lo = begin, hi; lo < end; lo = hi) {
            hi = end - lo < step ? end : lo + step;
            sum_scan(&s, lo, hi, &e);
            sum_fold(NULL, lo, hi, &p);
        }
        q = b % plan.group ? q + p : p;
        if (b % plan.group == plan.group - 1 || b + 1 == plan.blocks)
            r += q; /* R_(k+1) = R_k (+) G_k */
    }
    *total = r;
    return atomic_load(&s.print);
}

/* Past 512 blocks wq_scan runs in waves of a few blocks a thread: the
 * outputs and the total are still the plan's tree's, bit for bit, with the
 * waves cutting groups (groups of 3 blocks), an uneven last wave (of one
 * block, or of 5 with 3 threads) and, without a total, the last block (a
 * wave of its own) left unfolded. */
START_TEST(scan_waves_bitwise_identical)
{
    static const size_t chunks[] = {0, 7};
    static const unsigned all[] = {1, 2, 3, 8}, few[] = {1, 3};
    const unsigned *threads = RUNNING_ON_VALGRIND ? few : all;
    size_t pools = RUNNING_ON_VALGRIND ? 2 : 4;
    const size_t n = 16793605; /* 1025 * 2^14 + 5 */
    for (size_t c = 0; c < (RUNNING_ON_VALGRIND ? 1 : 2); c++) {
        wq_plan plan;
        ck_assert_int_eq(wq_plan_init(&plan, n, chunks[c], sizeof(double)),
                         0);
        ck_assert_uint_eq(plan.group, 3);
        double want_total, total, reduced;
        uint64_t want = model_sum(n, chunks[c], &want_total);
        ck_assert_int_eq(
            wq_reduce(NULL, n, chunks[c], &sum_reducer, NULL, &reduced), 0);
        ck_assert(same_bits(want_total, reduced));
        for (size_t t = 0; t < pools; t++) {
            size_t wave = wq__scan_wave(&plan, threads[t]);
            ck_assert_uint_lt(wave, plan.blocks / 2); /* several waves */
            ck_assert_uint_ne(plan.blocks % wave, 0); /* the last uneven */
            wq_pool *pool = pool_of(threads[t]);
            ck_assert_msg(scan_sum(pool, n, chunks[c], NULL, NULL) == want,
                          "chunk=%zu threads=%u: outputs differ", chunks[c],
                          threads[t]);
            ck_assert(scan_sum(pool, n, chunks[c], NULL, &total) == want);
            ck_assert(same_bits(total, want_total));
            wq_pool_destroy(pool);
        }
    }
}
END_TEST

/* The same model for the plans of a single wave. */
START_TEST(scan_model_bitwise_identical)
{
    static const size_t ns[] = {1, 2, 513, 100001, 9011200};
    static const size_t chunks[] = {0, 1, 1000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            if (ns[a] > 1000000 && chunks[c] == 1)
                continue;
            double want_total, total;
            uint64_t want = model_sum(ns[a], chunks[c], &want_total);
            wq_pool *pool = pool_of(2);
            ck_assert(scan_sum(pool, ns[a], chunks[c], NULL, &total) == want);
            ck_assert(same_bits(total, want_total));
            wq_pool_destroy(pool);
        }
}
END_TEST

/* The outputs are the prefix sums, within rounding. */
START_TEST(scan_sum_is_close_to_serial)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 50000 };
    double *out = malloc(N * sizeof *out), run = 0.0, total;
    ck_assert_ptr_nonnull(out);
    scan_sum(pool, N, 0, out, &total);
    size_t bad = N; /* one assertion, not one per item: each costs a write */
    for (size_t i = 0; i < N && bad == N; i++) {
        run += sum_term(i);
        if (fabs(out[i] - run) > 1e-12)
            bad = i;
    }
    ck_assert_msg(bad == N, "out[%zu] is far from the serial sum", bad);
    ck_assert_double_eq_tol(total, run, 1e-12);
    free(out);
    grid_release(pool);
}
END_TEST

/* ------------------------------------------------ exact integer prefix -- */

static uint64_t value(size_t i)
{
    return (uint64_t)(i * 7919 % 1009);
}

static void u64_init(void *ctx, void *p)
{
    (void)ctx;
    *(uint64_t *)p = 0;
}

static int u64_fold(void *ctx, size_t begin, size_t end, void *p)
{
    (void)ctx;
    for (size_t i = begin; i < end; i++)
        *(uint64_t *)p += value(i);
    return 0;
}

static void u64_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(uint64_t *)p += *(const uint64_t *)o;
}

/* Exclusive: out[i] is the sum before i. */
static int u64_scan(void *ctx, size_t begin, size_t end, void *p)
{
    uint64_t *out = ctx, run = *(uint64_t *)p;
    for (size_t i = begin; i < end; i++) {
        out[i] = run;
        run += value(i);
    }
    *(uint64_t *)p = run;
    return 0;
}

static const wq_scanner u64_scanner = {sizeof(uint64_t), u64_init, u64_fold,
                                       u64_combine, u64_scan};

START_TEST(scan_exact_integer_prefix)
{
    wq_pool *pool = grid_pool(_i);
    static const size_t ns[] = {1, 3, 100, 511, 512, 513, 100000};
    static const size_t chunks[] = {0, 1, 3, 1000, 1000000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            size_t n = ns[a];
            uint64_t *out = malloc(n * sizeof *out), total = 0, run = 0;
            ck_assert_ptr_nonnull(out);
            memset(out, 0xff, n * sizeof *out);
            ck_assert_int_eq(
                wq_scan(pool, n, chunks[c], &u64_scanner, out, &total), 0);
            size_t bad = n;
            for (size_t i = 0; i < n; i++) {
                if (out[i] != run && bad == n)
                    bad = i;
                run += value(i);
            }
            ck_assert_msg(bad == n, "n=%zu chunk=%zu: out[%zu] is wrong", n,
                          chunks[c], bad);
            ck_assert_uint_eq(total, run);
            free(out);
        }
    grid_release(pool);
}
END_TEST

/* ------------------------------------ each piece's prefix is [0, begin) -- */

struct spans {
    size_t chunk; /* first: span_fold reads it */
    struct coverage cover;
    _Atomic int bad_prefix;
};

static int span_scan(void *ctx, size_t begin, size_t end, void *p)
{
    struct spans *s = ctx;
    const struct span *run = p;
    int good = run->ok && (begin == 0 ? run->empty
                                      : !run->empty && run->first == 0 &&
                                            run->last == begin);
    if (!good)
        atomic_store(&s->bad_prefix, 1);
    coverage_mark(&s->cover, begin, end);
    return span_fold(ctx, begin, end, p);
}

START_TEST(scan_piece_prefix_covers_before_it)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_scanner sc = {sizeof(struct span), span_init, span_fold,
                                  span_combine, span_scan};
    static const size_t ns[] = {1,   2,   3,   8,     100,
                                511, 512, 513, 99999, 9000001};
    static const size_t chunks[] = {0, 1, 2, 5, 64, 1000000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            size_t n = ns[a];
            if (n > 1000000 && chunks[c] && chunks[c] < 64)
                continue;
            struct spans s = {.chunk = chunks[c]};
            coverage_init(&s.cover, n);
            atomic_init(&s.bad_prefix, 0);
            for (int with_total = 0; with_total < 2; with_total++) {
                struct span total;
                ck_assert_int_eq(
                    wq_scan(pool, n, chunks[c], &sc, &s,
                            with_total ? &total : NULL),
                    0);
                ck_assert_msg(!atomic_load(&s.bad_prefix),
                              "n=%zu chunk=%zu: a piece's prefix was not "
                              "[0, begin)",
                              n, chunks[c]);
                if (with_total)
                    ck_assert(total.ok && !total.empty && total.first == 0 &&
                              total.last == n);
                else
                    coverage_check_once(&s.cover);
            }
            coverage_free(&s.cover);
        }
    grid_release(pool);
}
END_TEST

/* --------------------------------------------------------- empty range -- */

static int block_never(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    (void)b;
    (void)e;
    (void)p;
    ck_abort_msg("fold or scan called on an empty range");
    return 0;
}

static void combine_never(void *ctx, void *p, const void *o)
{
    (void)ctx;
    (void)p;
    (void)o;
    ck_abort_msg("combine called on an empty range");
}

START_TEST(scan_empty_range_is_identity)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_scanner sc = {sizeof(double), sum_init, block_never,
                                  combine_never, block_never};
    double x = 42.0;
    ck_assert_int_eq(wq_scan(pool, 0, 0, &sc, NULL, &x), 0);
    ck_assert(x == 0.0);
    ck_assert_int_eq(wq_scan(pool, 0, 5, &sc, NULL, NULL), 0);
    grid_release(pool);
}
END_TEST

/* -------------------------------------------------------------- errors -- */

static void init_never(void *ctx, void *p)
{
    (void)ctx;
    (void)p;
    ck_abort_msg("init called by a call that failed");
}

START_TEST(scan_bad_arguments)
{
    wq_pool *pool = grid_pool(_i);
    const wq_scanner ok = {sizeof(double), init_never, block_never,
                           combine_never, block_never};
    wq_scanner bad[5] = {ok, ok, ok, ok, ok};
    bad[0].size = 0;
    bad[1].init = NULL;
    bad[2].fold = NULL;
    bad[3].combine = NULL;
    bad[4].scan = NULL;
    double x;
    static const size_t ns[] = {0, 1, 1000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
        ck_assert_int_eq(wq_scan(pool, ns[a], 0, NULL, NULL, &x), EINVAL);
        for (int k = 0; k < 5; k++) {
            ck_assert_int_eq(wq_scan(pool, ns[a], 0, &bad[k], NULL, &x),
                             EINVAL);
            ck_assert_int_eq(wq_scan(pool, ns[a], 7, &bad[k], NULL, NULL),
                             EINVAL);
        }
    }
    grid_release(pool);
}
END_TEST

/* A partial too large to allocate is ENOMEM, and nothing runs. */
START_TEST(scan_huge_partial_is_enomem)
{
    wq_pool *pool = grid_pool(_i);
    const wq_scanner sc = {SIZE_MAX / 4, init_never, block_never,
                           combine_never, block_never};
    ck_assert_int_eq(wq_scan(pool, 100, 0, &sc, NULL, NULL), ENOMEM);
    grid_release(pool);
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
        ck_assert_int_eq(wq_plan_block(&plan, plan.blocks - 1, &begin_last,
                                       &end_last),
                         0);
        for (size_t a = 0; a < sizeof at / sizeof *at; a++)
            for (int in_scan = 0; in_scan < 2; in_scan++) {
                struct fail_at f = {at[a], in_scan};
                int want = in_scan ? 14 : at[a] >= end0 ? 13 : 0;
                ck_assert_int_eq(wq_scan(pool, 10000, chunks[c], &sc, &f, &x),
                                 want);
                ck_assert_int_eq(wq_scan(pool, 10000, chunks[c], &sc, &f,
                                         NULL),
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

static int fold_fail_once(void *ctx, size_t b, size_t e, void *p)
{
    (void)e;
    (void)p;
    return failing_once_call(ctx, b);
}

static int scan_fail_once(void *ctx, size_t b, size_t e, void *p)
{
    (void)e;
    (void)p;
    return failing_once_call(ctx, b);
}

/* Once fold or scan has failed, no thread starts another piece. */
START_TEST(scan_error_stops_every_thread)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 2003 };
    static const size_t at[] = FAILING_AT(N);
    static const wq_scanner in_fold = {sizeof(double), sum_init,
                                       fold_fail_once, sum_combine, sum_fold};
    static const wq_scanner in_scan = {sizeof(double), sum_init, sum_fold,
                                       sum_combine, scan_fail_once};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        struct failing_once f;
        double x;
        if (at[k] >= 4) { /* block 0 (4 leaves) is never folded */
            failing_once_init(&f, at[k], pool);
            ck_assert_int_eq(wq_scan(pool, N, 1, &in_fold, &f, &x), 42);
            failing_once_check(&f, N);
        }
        failing_once_init(&f, at[k], pool);
        ck_assert_int_eq(wq_scan(pool, N, 1, &in_scan, &f, NULL), 42);
        failing_once_check(&f, N);
    }
    grid_release(pool);
}
END_TEST

/* A failure in a later wave: that wave's pass 1 (failing fold) or pass 3
 * (failing scan) is its last, no later wave runs, and every earlier wave
 * scanned all its blocks. */
struct wave_fail {
    size_t at;   /* the failing item */
    int in_scan; /* fail in scan, else in fold */
    _Atomic size_t fold_last, scan_last, scanned; /* last piece ends, items */
};

static void atomic_max(_Atomic size_t *x, size_t v)
{
    size_t old = atomic_load(x);
    while (old < v && !atomic_compare_exchange_weak(x, &old, v))
        ;
}

static int wave_fail_fold(void *ctx, size_t b, size_t e, void *p)
{
    struct wave_fail *f = ctx;
    (void)p;
    atomic_max(&f->fold_last, e);
    return !f->in_scan && b <= f->at && f->at < e ? 13 : 0;
}

static int wave_fail_scan(void *ctx, size_t b, size_t e, void *p)
{
    struct wave_fail *f = ctx;
    (void)p;
    atomic_max(&f->scan_last, e);
    atomic_fetch_add(&f->scanned, e - b);
    return f->in_scan && b <= f->at && f->at < e ? 14 : 0;
}

START_TEST(scan_waves_error_stops_later_waves)
{
    static const wq_scanner sc = {sizeof(double), sum_init, wave_fail_fold,
                                  sum_combine, wave_fail_scan};
    static const unsigned threads[] = {1, 2, 3};
    const size_t n = 16793605;
    wq_plan plan;
    ck_assert_int_eq(wq_plan_init(&plan, n, 0, sizeof(double)), 0);
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        wq_pool *pool = pool_of(threads[t]);
        size_t wave = wq__scan_wave(&plan, threads[t]);
        ck_assert_uint_lt(wave, plan.blocks / 4);
        /* The third wave's blocks [w0, w1), failing in a block inside. */
        size_t w0 = 2 * wave, w1 = 3 * wave, begin0, end1, x;
        ck_assert_int_eq(wq_plan_block(&plan, w0, &begin0, &x), 0);
        ck_assert_int_eq(wq_plan_block(&plan, w1 - 1, &x, &end1), 0);
        for (int in_scan = 0; in_scan < 2; in_scan++)
            for (int with_total = 0; with_total < 2; with_total++) {
                struct wave_fail f = {.at = begin0 + (end1 - begin0) / 2 + 1,
                                      .in_scan = in_scan};
                atomic_init(&f.fold_last, 0);
                atomic_init(&f.scan_last, 0);
                atomic_init(&f.scanned, 0);
                double total;
                ck_assert_int_eq(wq_scan(pool, n, 0, &sc, &f,
                                         with_total ? &total : NULL),
                                 in_scan ? 14 : 13);
                ck_assert_uint_le(atomic_load(&f.fold_last), end1);
                ck_assert_uint_le(atomic_load(&f.scan_last),
                                  in_scan ? end1 : begin0);
                /* Earlier waves complete; a failing fold leaves no output
                 * of its wave written. */
                ck_assert_uint_ge(atomic_load(&f.scanned), begin0);
                if (!in_scan)
                    ck_assert_uint_eq(atomic_load(&f.scanned), begin0);
            }
        wq_pool_destroy(pool);
    }
}
END_TEST

/* ------------------------------------------- nesting, several callers -- */

struct nested {
    wq_pool *pool;
    uint64_t want;
    _Atomic int wrong;
};

static int nested_body(void *ctx, size_t b, size_t e)
{
    struct nested *nc = ctx;
    for (size_t i = b; i < e; i++) {
        uint64_t out[300], total;
        if (wq_scan(nc->pool, 300, i % 4, &u64_scanner, out, &total) ||
            total != nc->want || out[299] + value(299) != total)
            atomic_store(&nc->wrong, 1);
    }
    return 0;
}

START_TEST(scan_nested_in_for)
{
    wq_pool *pool = grid_pool(_i);
    struct nested nc = {.pool = pool};
    atomic_init(&nc.wrong, 0);
    for (size_t i = 0; i < 300; i++)
        nc.want += value(i);
    ck_assert_int_eq(wq_for(pool, 64, 1, nested_body, &nc), 0);
    ck_assert_int_eq(atomic_load(&nc.wrong), 0);
    grid_release(pool);
}
END_TEST

/* A scan whose own scan calls a scan on the same pool. */
static int outer_scan(void *ctx, size_t b, size_t e, void *p)
{
    struct nested *nc = ctx;
    nested_body(nc, b, e);
    *(uint64_t *)p += e - b;
    return 0;
}

static int count_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    *(uint64_t *)p += e - b;
    return 0;
}

START_TEST(scan_nested_in_scan)
{
    wq_pool *pool = grid_pool(_i);
    static const wq_scanner sc = {sizeof(uint64_t), u64_init, count_fold,
                                  u64_combine, outer_scan};
    struct nested nc = {.pool = pool};
    atomic_init(&nc.wrong, 0);
    for (size_t i = 0; i < 300; i++)
        nc.want += value(i);
    uint64_t total;
    ck_assert_int_eq(wq_scan(pool, 40, 1, &sc, &nc, &total), 0);
    ck_assert_uint_eq(total, 40);
    ck_assert_int_eq(atomic_load(&nc.wrong), 0);
    grid_release(pool);
}
END_TEST

struct reference {
    wq_pool *pool;
    const double *out;
    double total;
};

enum { CALLER_N = 20000 };

/* One round of a caller: a scan, two of every three compared bit for bit
 * with the reference (the third, of chunk 64, is only run). */
static int scan_round(void *arg, unsigned caller, int round, unsigned *seed)
{
    const struct reference *ref = arg;
    (void)caller;
    (void)seed;
    double *out = malloc(CALLER_N * sizeof *out), total;
    if (!out)
        return 1;
    struct sums s = {.out = out};
    atomic_init(&s.print, 0);
    int wrong = wq_scan(ref->pool, CALLER_N, round % 3 ? 0 : 64, &sum_scanner,
                        &s, &total) ||
                (round % 3 && (memcmp(out, ref->out, CALLER_N * sizeof *out) ||
                               !same_bits(total, ref->total)));
    free(out);
    return wrong;
}

START_TEST(scan_several_callers)
{
    wq_pool *pool = grid_pool(_i);
    double *out = malloc(CALLER_N * sizeof *out);
    ck_assert_ptr_nonnull(out);
    struct reference ref = {.pool = pool, .out = out};
    scan_sum(NULL, CALLER_N, 0, out, &ref.total);
    callers_run(4, 20, scan_round, &ref, 0, 0);
    free(out);
    grid_release(pool);
}
END_TEST

/* ---------------------------------------------------- progress, flags -- */

struct reports {
    pthread_t caller;
    int off_caller, backwards, wrong_total;
    size_t count, last_done, n;
};

static void on_progress(void *arg, size_t done, size_t total)
{
    struct reports *r = arg;
    if (!pthread_equal(pthread_self(), r->caller))
        r->off_caller = 1;
    if (done < r->last_done)
        r->backwards = 1;
    if (total != r->n || done > total)
        r->wrong_total = 1;
    r->last_done = done;
    r->count++;
}

/* A pool of `threads` reporting into r every millisecond. */
static wq_pool *reporting_pool(struct reports *r, unsigned threads)
{
    wq_options opt = {0};
    opt.threads = threads;
    opt.on_progress = on_progress;
    opt.progress_arg = r;
    opt.progress_ms = 1;
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    return pool;
}

/* A finished scan's reports: some, on the caller, out of n, never
 * backwards, the last at n. */
static void reports_check(const struct reports *r)
{
    ck_assert_uint_ge(r->count, 1);
    ck_assert_int_eq(r->off_caller, 0);
    ck_assert_int_eq(r->backwards, 0);
    ck_assert_int_eq(r->wrong_total, 0);
    ck_assert_uint_eq(r->last_done, r->n);
}

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
            struct reports r = {.caller = pthread_self(), .n = ns[a]};
            wq_pool *pool = reporting_pool(&r, grid_threads[_i]);
            uint64_t out[400], total;
            ck_assert_int_eq(wq_scan(pool, ns[a], chunks[c], &sc, out, &total),
                             0);
            reports_check(&r);
            /* A failed scan makes no final report. */
            size_t before = r.count;
            struct fail_at f = {ns[a] - 1, 1};
            static const wq_scanner failing = {sizeof(double), sum_init,
                                               fail_fold, sum_combine,
                                               fail_scan};
            ck_assert_int_eq(wq_scan(pool, ns[a], chunks[c], &failing, &f,
                                     NULL),
                             14);
            ck_assert(r.count == before || r.last_done < ns[a]);
            wq_pool_destroy(pool);
        }
}
END_TEST

/* Past 512 blocks, in waves: reports still out of n, never backwards,
 * ending at n, and at most one an interval across the waves (a wave's end
 * is no final report). */
START_TEST(scan_progress_across_waves)
{
    static const wq_scanner sc = {sizeof(double), sum_init, fail_fold,
                                  sum_combine, fail_scan};
    const size_t n = 16793605;
    wq_plan plan;
    ck_assert_int_eq(wq_plan_init(&plan, n, 0, sizeof(double)), 0);
    struct reports r = {.caller = pthread_self(), .n = n};
    wq_pool *pool = reporting_pool(&r, grid_threads[_i]);
    ck_assert_uint_lt(wq__scan_wave(&plan, wq_pool_size(pool)), plan.blocks);
    struct fail_at f = {SIZE_MAX, 0}; /* fails nowhere */
    double start = wq_now();
    ck_assert_int_eq(wq_scan(pool, n, 0, &sc, &f, NULL), 0);
    double ms = (wq_now() - start) * 1e3;
    reports_check(&r);
    ck_assert_msg((double)r.count <= ms + 2, "%zu reports in %.3f ms",
                  r.count, ms);
    wq_pool_destroy(pool);
}
END_TEST

#if defined(__x86_64__) || defined(__aarch64__)
static int denormal_fold(void *ctx, size_t b, size_t e, void *p)
{
    volatile double tiny = 1e-310; /* a denormal */
    (void)b;
    (void)e;
    (void)p;
    if (tiny * 0.5 != 0.0)
        atomic_store((_Atomic int *)ctx, 1);
    return 0;
}

static void denormal_combine(void *ctx, void *p, const void *o)
{
    denormal_fold(ctx, 0, 0, (void *)(uintptr_t)o);
    (void)p;
}

/* WQ_FLUSH_DENORMALS holds in fold, combine and scan on every thread
 * (not under valgrind, which computes denormals in full). */
START_TEST(scan_flush_denormals)
{
    if (RUNNING_ON_VALGRIND)
        return;
    static const wq_scanner sc = {sizeof(double), sum_init, denormal_fold,
                                  denormal_combine, denormal_fold};
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 3;
    opt.flags = WQ_FLUSH_DENORMALS;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    _Atomic int kept = 0;
    double x;
    ck_assert_int_eq(wq_scan(pool, 3000, 1, &sc, &kept, &x), 0);
    ck_assert_int_eq(atomic_load(&kept), 0);
    volatile double tiny = 1e-310;
    ck_assert(tiny * 0.5 != 0.0); /* restored on the caller */
    wq_pool_destroy(pool);
}
END_TEST
#endif

Suite *suite_scan(void)
{
    const struct grid_case cases[] = {
        {"bitwise_identical_across_pools", scan_bitwise_identical_across_pools,
         0},
        {"groups_bitwise_identical", scan_groups_bitwise_identical, 0},
        {"waves_bitwise_identical", scan_waves_bitwise_identical, 0},
        {"model_bitwise_identical", scan_model_bitwise_identical, 0},
        {"sum_is_close_to_serial", scan_sum_is_close_to_serial, 1},
        {"exact_integer_prefix", scan_exact_integer_prefix, 1},
        {"piece_prefix_covers_before_it", scan_piece_prefix_covers_before_it,
         1},
        {"empty_range_identity", scan_empty_range_is_identity, 1},
        {"bad_arguments", scan_bad_arguments, 1},
        {"huge_partial_enomem", scan_huge_partial_is_enomem, 1},
        {"error", scan_error_returns_value, 1},
        {"error_stops_every_thread", scan_error_stops_every_thread, 1},
        {"waves_error_stops_later_waves", scan_waves_error_stops_later_waves,
         0},
        {"nested_in_for", scan_nested_in_for, 1},
        {"nested_in_scan", scan_nested_in_scan, 1},
        {"several_callers", scan_several_callers, 1},
        {"progress", scan_progress, 1},
        {"progress_across_waves", scan_progress_across_waves, 1},
#if defined(__x86_64__) || defined(__aarch64__)
        {"flush_denormals", scan_flush_denormals, 0},
#endif
    };
    return grid_suite("scan", cases, sizeof cases / sizeof *cases);
}
