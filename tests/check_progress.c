/* check_progress.c - progress reports of long loops: on the calling thread,
 * total == n, done never decreasing and ending at total, at most one report
 * per interval; none from nested loops, none final after a failure, none
 * for an empty loop; for, map and reduce, chunked and chunk 0.
 *
 * No check here depends on how fast the machine runs or how its threads are
 * scheduled: the rate limit is checked against clock readings that bound
 * the library's own decisions (see check_reports), and the one test that
 * counts reports makes the loop's owner run pieces that each last an
 * interval. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "util.h"

#define MAX_REPORTS 4096
#define INTERVAL_MS 10

struct report {
    size_t done, total;
    double at, left; /* when the callback started, and when it returned */
};

struct progress {
    pthread_t caller;
    int off_caller;
    size_t count;
    struct report r[MAX_REPORTS];
};

/* Written only on the caller (checked), so plain fields suffice. */
static void on_progress(void *arg, size_t done, size_t total)
{
    struct progress *p = arg;
    if (!pthread_equal(pthread_self(), p->caller))
        p->off_caller = 1;
    if (p->count < MAX_REPORTS) {
        struct report *r = &p->r[p->count++];
        *r = (struct report){done, total, wq_now(), 0};
        r->left = wq_now();
    }
}

static struct progress *progress_new(void)
{
    struct progress *p = calloc(1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    p->caller = pthread_self();
    return p;
}

/* A pool of the grid's size (the default size for the grid's 0) that
 * reports to p every INTERVAL_MS. */
static wq_pool *progress_pool(int i, struct progress *p)
{
    wq_options opt = {0};
    opt.threads = grid_threads[i];
    opt.on_progress = on_progress;
    opt.progress_arg = p;
    opt.progress_ms = INTERVAL_MS;
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    return pool;
}

/* The properties every successful loop's reports have; t0 was read before
 * the call.  Returns how many came before the final one.
 *
 * The rate limit, exactly: the library reads the clock (t_k) before it
 * calls report k, and makes report k only if t_k >= t_(k-1) + interval,
 * the first only if t_0 >= (the loop's start) + interval.  It reads t_(k-1)
 * after report k-2 returned.  So report k starts no earlier than report
 * k-2 returned plus an interval, and report 1 no earlier than t0 plus two:
 * bounds that a thread kept waiting for its CPU, however long, only
 * widens.  The final report (done == total, after the loop) is not rate
 * limited. */
static size_t check_reports(const struct progress *p, size_t n, double t0)
{
    const double interval = INTERVAL_MS * 1e-3;
    double secs = wq_now() - t0;
    ck_assert_int_eq(p->off_caller, 0);
    ck_assert_uint_ge(p->count, 1);
    for (size_t k = 0; k < p->count; k++) {
        ck_assert_uint_eq(p->r[k].total, n);
        ck_assert_uint_le(p->r[k].done, n);
        if (k > 0)
            ck_assert_uint_ge(p->r[k].done, p->r[k - 1].done);
        if (k + 1 == p->count)
            continue;
        double earliest = k == 0   ? t0 + interval
                          : k == 1 ? (t0 + interval) + interval
                                   : p->r[k - 2].left + interval;
        ck_assert_msg(p->r[k].at >= earliest,
                      "report %zu came %.6f s before its interval was up", k,
                      earliest - p->r[k].at);
    }
    ck_assert_uint_eq(p->r[p->count - 1].done, n);
    ck_assert_uint_le(p->count, (size_t)(secs / interval) + 2);
    return p->count - 1;
}

static int slow_range(void *ctx, size_t b, size_t e)
{
    (void)ctx;
    usleep((useconds_t)(e - b) * 500);
    return 0;
}

/* Reports do come: the owner (the caller) runs pieces that each last an
 * interval, and the helpers' pieces wait until the owner has run OWNER_RUNS
 * of them, so the owner runs at least that many whatever the scheduling
 * (n leaves that many for it beside the one each helper holds), and each
 * of them ends an interval after the owner's previous report. */
#define OWNER_RUNS 3

struct paced {
    pthread_t caller;
    _Atomic unsigned owner_pieces;
};

static int owner_paced(void *ctx, size_t b, size_t e)
{
    struct paced *pc = ctx;
    (void)b;
    (void)e;
    if (pthread_equal(pthread_self(), pc->caller)) {
        double until = wq_now() + INTERVAL_MS * 1e-3;
        while (wq_now() < until)
            usleep(1000);
        atomic_fetch_add(&pc->owner_pieces, 1);
    } else {
        while (atomic_load(&pc->owner_pieces) < OWNER_RUNS)
            usleep(200);
    }
    return 0;
}

START_TEST(progress_reports_long_for)
{
    struct progress *p = progress_new();
    wq_pool *pool = progress_pool(_i, p);
    struct paced pc = {.caller = pthread_self()};
    size_t n = wq_pool_size(pool) - 1 + OWNER_RUNS;
    double t0 = wq_now();
    ck_assert_int_eq(wq_for(pool, n, 1, owner_paced, &pc), 0);
    size_t before = check_reports(p, n, t0);
    ck_assert_uint_ge(atomic_load(&pc.owner_pieces), OWNER_RUNS);
    ck_assert_uint_ge(before, OWNER_RUNS);
    wq_pool_destroy(pool);
    free(p);
}
END_TEST

START_TEST(progress_reports_chunk_zero)
{
    struct progress *p = progress_new();
    wq_pool *pool = progress_pool(_i, p);
    size_t n = 100 * wq_pool_size(pool) + 3;
    double t0 = wq_now();
    ck_assert_int_eq(wq_for(pool, n, 0, slow_range, NULL), 0);
    check_reports(p, n, t0);
    wq_pool_destroy(pool);
    free(p);
}
END_TEST

static int slow_item(void *ctx, const void *in, void *out)
{
    (void)ctx;
    usleep(300);
    *(int *)out = *(const int *)in + 1;
    return 0;
}

START_TEST(progress_reports_map)
{
    struct progress *p = progress_new();
    wq_pool *pool = progress_pool(_i, p);
    enum { N = 301 };
    static int in[N], out[N];
    double t0 = wq_now();
    ck_assert_int_eq(wq_map(pool, N, 4, in, sizeof *in, out, sizeof *out,
                            slow_item, NULL),
                     0);
    check_reports(p, N, t0);
    wq_pool_destroy(pool);
    free(p);
}
END_TEST

static void sum_init(void *ctx, void *p)
{
    (void)ctx;
    *(size_t *)p = 0;
}

static int sum_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    usleep((useconds_t)(e - b) * 200);
    *(size_t *)p += e - b;
    return 0;
}

static void sum_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(size_t *)p += *(const size_t *)o;
}

/* Blocks of a reduction count their items: chunked, and chunk 0 whose
 * blocks are uneven by one. */
START_TEST(progress_reports_reduce)
{
    static const size_t chunks[] = {0, 3};
    const wq_reducer r = {sizeof(size_t), sum_init, sum_fold, sum_combine};
    for (size_t c = 0; c < 2; c++) {
        struct progress *p = progress_new();
        wq_pool *pool = progress_pool(_i, p);
        size_t n = 1000 + 7, sum = 0;
        double t0 = wq_now();
        ck_assert_int_eq(wq_reduce(pool, n, chunks[c], &r, NULL, &sum), 0);
        ck_assert_uint_eq(sum, n);
        check_reports(p, n, t0);
        wq_pool_destroy(pool);
        free(p);
    }
}
END_TEST

/* Loops nested in a callback do not report; only the outer one does. */
static int nested_range(void *ctx, size_t b, size_t e)
{
    (void)b;
    (void)e;
    return wq_for(ctx, 20, 1, slow_range, NULL);
}

START_TEST(progress_nested_loops_silent)
{
    struct progress *p = progress_new();
    wq_pool *pool = progress_pool(_i, p);
    double t0 = wq_now();
    ck_assert_int_eq(wq_for(pool, 12, 1, nested_range, pool), 0);
    check_reports(p, 12, t0); /* every report says total 12 */
    wq_pool_destroy(pool);
    free(p);
}
END_TEST

static int fail_first(void *ctx, size_t b, size_t e)
{
    (void)ctx;
    usleep(200);
    return b == 0 && e > 0 ? 42 : 0;
}

/* A stopped loop ends without done == total; an empty one never reports. */
START_TEST(progress_no_final_after_failure_or_empty)
{
    struct progress *p = progress_new();
    wq_pool *pool = progress_pool(_i, p);
    ck_assert_int_eq(wq_for(pool, 400, 1, fail_first, NULL), 42);
    for (size_t k = 0; k < p->count; k++)
        ck_assert_uint_lt(p->r[k].done, 400);
    p->count = 0;
    ck_assert_int_eq(wq_for(pool, 0, 1, slow_range, NULL), 0);
    ck_assert_uint_eq(p->count, 0);
    wq_pool_destroy(pool);
    free(p);
}
END_TEST

/* The struct keeps the size it had before the progress fields took three
 * of its reserved pointers and callers a fourth. */
struct options_v0 {
    unsigned threads;
    int spin_us;
    size_t stack_size;
    const char *name;
    void (*on_start)(void *, unsigned);
    void (*on_stop)(void *, unsigned);
    void *hook_arg;
    unsigned flags;
    void *reserved[8];
};

START_TEST(progress_options_keep_their_size)
{
    ck_assert_uint_eq(sizeof(wq_options), sizeof(struct options_v0));
}
END_TEST

Suite *suite_progress(void)
{
    const struct grid_case cases[] = {
        {"reports_long_for", progress_reports_long_for, 1},
        {"reports_chunk_zero", progress_reports_chunk_zero, 1},
        {"reports_map", progress_reports_map, 1},
        {"reports_reduce", progress_reports_reduce, 1},
        {"nested_loops_silent", progress_nested_loops_silent, 1},
        {"no_final_after_failure", progress_no_final_after_failure_or_empty,
         1},
        {"options_keep_their_size", progress_options_keep_their_size, 0},
    };
    return grid_suite("progress", cases, sizeof cases / sizeof *cases);
}
