/* check_scan.c - wq_scan's outputs and totals: bitwise identical on every
 * pool size and run, the total bitwise wq_reduce's and the plan's tree's,
 * exact integer prefixes, each piece's prefix covering exactly [0, begin)
 * (a non-commutative combine), empty ranges, nesting, several callers and
 * the denormal flag.  Its errors, stops and progress reports are
 * check_scan_errors.c's. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <math.h>
#include <string.h>

#include "callers.h"
#include "scan.h"
#include "span.h"
#include "suites.h"

/* --------------------------------------------------- bitwise identical -- */

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

/* A long plan (1025 blocks in groups of 3, the last of 2): the outputs
 * and the total are still the plan's tree's, bit for bit, on 1 to 8
 * threads, with and without a total (which leaves the last block
 * unfolded, cutting the last group to one). */
START_TEST(scan_long_plan_bitwise_identical)
{
    static const size_t chunks[] = {0, 7};
    static const unsigned all[] = {1, 2, 3, 8}, few[] = {1, 3};
    const unsigned *threads = UNDER_CHECKER ? few : all;
    size_t pools = UNDER_CHECKER ? 2 : 4;
    const size_t n = 16793605; /* 1025 * 2^14 + 5 */
    for (size_t c = 0; c < (RUNNING_ON_VALGRIND ? 1 : 2); c++) {
        wq_plan plan;
        ck_assert_int_eq(wq_plan_init(&plan, n, chunks[c], sizeof(double)),
                         0);
        ck_assert_uint_eq(plan.group, 3);
        ck_assert_uint_eq(plan.blocks % plan.group, 2);
        double want_total, total, reduced;
        uint64_t want = model_sum(n, chunks[c], &want_total);
        ck_assert_int_eq(
            wq_reduce(NULL, n, chunks[c], &sum_reducer, NULL, &reduced), 0);
        ck_assert(same_bits(want_total, reduced));
        for (size_t t = 0; t < pools; t++) {
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

/* A block whose prefix is late is left pending and scanned after the
 * loop, with the same bits.  Block 0's scan (which every later prefix
 * needs) holds on until another thread has folded two blocks: that thread
 * found block 1's prefix missing, left the block and folded the next, two
 * folds with no scan between, which the callbacks see.  The outputs'
 * fingerprint then shows each of them written once, as the model has
 * it. */
struct stall {
    struct sums s; /* first: sum_scan reads it */
    _Atomic int staller_known, folds_elsewhere, twice;
    pthread_t staller;
};

static _Thread_local const struct stall *stall_seen;
static _Thread_local int stall_folds_in_row;

static void stall_note(const struct stall *st, int fold)
{
    if (stall_seen != st) {
        stall_seen = st;
        stall_folds_in_row = 0;
    }
    stall_folds_in_row = fold ? stall_folds_in_row + 1 : 0;
}

static int stall_fold(void *ctx, size_t b, size_t e, void *p)
{
    struct stall *st = ctx;
    stall_note(st, 1);
    if (stall_folds_in_row >= 2)
        atomic_store(&st->twice, 1);
    if (!atomic_load(&st->staller_known) ||
        !pthread_equal(st->staller, pthread_self()))
        atomic_fetch_add(&st->folds_elsewhere, 1);
    return sum_fold(NULL, b, e, p);
}

static int stall_scan(void *ctx, size_t b, size_t e, void *p)
{
    struct stall *st = ctx;
    stall_note(st, 0);
    if (b == 0) {
        st->staller = pthread_self();
        atomic_store(&st->staller_known, 1);
        /* No bound but a generous one: another thread joins the loop as
         * soon as it gets a CPU. */
        double until = wq_now() + 60;
        while (atomic_load(&st->folds_elsewhere) < 2 && wq_now() < until)
            usleep(100);
    }
    return sum_scan(ctx, b, e, p);
}

START_TEST(scan_late_prefix_is_pending)
{
    static const wq_scanner sc = {sizeof(double), sum_init, stall_fold,
                                  sum_combine, stall_scan};
    const size_t n = 100001; /* 512 blocks */
    double want_total;
    uint64_t want = model_sum(n, 0, &want_total);
    for (unsigned threads = 2; threads <= 3; threads++) {
        wq_pool *pool = pool_of(threads);
        for (int with_total = 0; with_total < 2; with_total++) {
            struct stall st = {.s = {.out = NULL}};
            atomic_init(&st.s.print, 0);
            atomic_init(&st.staller_known, 0);
            atomic_init(&st.folds_elsewhere, 0);
            atomic_init(&st.twice, 0);
            double total;
            ck_assert_int_eq(
                wq_scan(pool, n, 0, &sc, &st, with_total ? &total : NULL), 0);
            ck_assert_msg(atomic_load(&st.twice),
                          "threads=%u: no block was left pending", threads);
            ck_assert_msg(atomic_load(&st.s.print) == want,
                          "threads=%u: outputs differ", threads);
            ck_assert(!with_total || same_bits(total, want_total));
        }
        wq_pool_destroy(pool);
    }
}
END_TEST

/* The same model for shorter plans. */
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
            /* Groups at every pool size: scan_groups and scan_long_plan;
             * here, under a checker, one odd size. */
            if (n > 1000000 && UNDER_CHECKER && grid_threads[_i] != 3)
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

START_TEST(scan_empty_range_is_identity)
{
    folding_on_grid(&scan_folding, _i, folding_empty_range);
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

/* --------------------------------------------------------------- flags -- */

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
        {"long_plan_bitwise_identical", scan_long_plan_bitwise_identical, 0},
        {"late_prefix_is_pending", scan_late_prefix_is_pending, 0},
        {"model_bitwise_identical", scan_model_bitwise_identical, 0},
        {"sum_is_close_to_serial", scan_sum_is_close_to_serial, 1},
        {"exact_integer_prefix", scan_exact_integer_prefix, 1},
        {"piece_prefix_covers_before_it", scan_piece_prefix_covers_before_it,
         1},
        {"empty_range_identity", scan_empty_range_is_identity, 1},
        {"nested_in_for", scan_nested_in_for, 1},
        {"nested_in_scan", scan_nested_in_scan, 1},
        {"several_callers", scan_several_callers, 1},
#if defined(__x86_64__) || defined(__aarch64__)
        {"flush_denormals", scan_flush_denormals, 0},
#endif
    };
    return grid_suite("scan", cases, sizeof cases / sizeof *cases);
}
