/*
 * check_fault.c - every allocation and every thread creation the library
 * makes is made to fail, one at a time (configure --enable-fault-injection,
 * lib/fault.h).  For each scenario and each kind of fault the test walks n
 * = 1, 2, ... : the n-th call of that kind fails, and the scenario must
 * answer ENOMEM (allocation) or EAGAIN (thread), run no callback when the
 * failure comes before any work, and leave the library working: the same
 * scenario run again without the fault must succeed.  The walk ends when n
 * passes the number of calls the scenario made.  Leaks show under ASan/LSan
 * (each test ends its process), hangs as Check timeouts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "fault.h"
#include "util.h"

/* What a scenario checks besides its return code. */
static _Atomic unsigned long callbacks;
static _Atomic unsigned hooks_started, hooks_stopped;

static int cover(void *ctx, size_t b, size_t e)
{
    atomic_fetch_add(&callbacks, 1);
    coverage_mark(ctx, b, e);
    return 0;
}

/* A loop that must see every index once; 0 or the loop's error. */
static int checked_loop(wq_pool *pool)
{
    struct coverage c;
    coverage_init(&c, 2000);
    int rc = wq_for(pool, c.n, 3, cover, &c);
    if (!rc)
        coverage_check_once(&c);
    coverage_free(&c);
    return rc;
}

static void on_start(void *arg, unsigned slot)
{
    (void)arg;
    (void)slot;
    atomic_fetch_add(&hooks_started, 1);
}

static void on_stop(void *arg, unsigned slot)
{
    (void)arg;
    (void)slot;
    atomic_fetch_add(&hooks_stopped, 1);
}

/* Creation of pools of several sizes (each worker is one allocation and one
 * thread).  A failed creation leaves no thread behind: every worker that
 * started has stopped. */
static int create_pools(wq_pool *unused)
{
    static const unsigned sizes[] = {1, 2, 5, 16};
    (void)unused;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        wq_options opt = {0};
        wq_pool *pool;
        opt.threads = sizes[i];
        opt.on_start = on_start;
        opt.on_stop = on_stop;
        atomic_store(&hooks_started, 0);
        atomic_store(&hooks_stopped, 0);
        int rc = wq_pool_create(&pool, &opt);
        if (rc) {
            ck_assert_uint_eq(atomic_load(&hooks_started),
                              atomic_load(&hooks_stopped));
            return rc;
        }
        rc = checked_loop(pool);
        wq_pool_destroy(pool);
        ck_assert_uint_eq(atomic_load(&hooks_started), sizes[i] - 1);
        ck_assert_uint_eq(atomic_load(&hooks_stopped), sizes[i] - 1);
        if (rc)
            return rc;
    }
    return 0;
}

/* The default pool is created by the first call that needs it: a failure
 * comes back from that call, and the next call tries again. */
static int default_pool(wq_pool *unused)
{
    (void)unused;
    atomic_store(&callbacks, 0);
    int rc = checked_loop(NULL);
    if (rc)
        ck_assert_uint_eq(atomic_load(&callbacks), 0);
    wq_pool_destroy(NULL);
    return rc;
}

struct big {
    double sum;
    char pad[5000]; /* partials over the 4 KiB kept on the stack */
};

static void big_init(void *ctx, void *p)
{
    atomic_fetch_add((_Atomic unsigned long *)ctx, 1);
    ((struct big *)p)->sum = 0;
}

static int big_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    for (size_t i = b; i < e; i++)
        ((struct big *)p)->sum += (double)i;
    return 0;
}

static void big_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    ((struct big *)p)->sum += ((const struct big *)o)->sum;
}

static const wq_reducer big_reducer = {sizeof(struct big), big_init, big_fold,
                                       big_combine};

/* A reduction whose partials are allocated: ENOMEM before any callback. */
static int reduce_large(wq_pool *pool)
{
    struct big result;
    _Atomic unsigned long inits = 0;
    int rc = wq_reduce(pool, 10000, 7, &big_reducer, (void *)&inits, &result);
    if (rc)
        ck_assert_uint_eq(atomic_load(&inits), 0);
    else
        ck_assert(result.sum == 10000.0 * 9999.0 / 2);
    return rc;
}

/* The same as a scan, whose partials (and two more) are allocated. */
struct scan_out {
    _Atomic unsigned long inits; /* first: big_init counts here */
    double *out;
};

static int big_scan(void *ctx, size_t b, size_t e, void *p)
{
    double *out = ((struct scan_out *)ctx)->out;
    for (size_t i = b; i < e; i++)
        out[i] = ((struct big *)p)->sum += (double)i;
    return 0;
}

static int scan_large(wq_pool *pool)
{
    static const wq_scanner sc = {sizeof(struct big), big_init, big_fold,
                                  big_combine, big_scan};
    enum { N = 10000 };
    struct scan_out so = {.out = malloc(N * sizeof(double))};
    struct big total;
    ck_assert_ptr_nonnull(so.out);
    atomic_init(&so.inits, 0);
    int rc = wq_scan(pool, N, 7, &sc, &so, &total);
    if (rc)
        ck_assert_uint_eq(atomic_load(&so.inits), 0);
    else
        ck_assert(so.out[N - 1] == total.sum &&
                  total.sum == (double)N * (N - 1) / 2);
    free(so.out);
    return rc;
}

static int count_task(void *arg)
{
    atomic_fetch_add((_Atomic unsigned long *)arg, 1);
    return 0;
}

/* A group (its own memory and its ring's), with more tasks than the ring. */
static int group(wq_pool *pool)
{
    wq_group *g;
    _Atomic unsigned long ran = 0;
    int rc = wq_group_create(&g, pool);
    if (rc)
        return rc;
    for (int t = 0; t < 3000; t++)
        ck_assert_int_eq(wq_group_submit(g, count_task, (void *)&ran), 0);
    rc = wq_group_wait(g);
    wq_group_destroy(g);
    ck_assert_uint_eq(atomic_load(&ran), 3000);
    return rc;
}

/* Reductions, scans and groups inside a loop's callbacks, on every thread: the
 * failure surfaces in some callback, which returns it, and the loop returns
 * it. */
static int nested_body(void *ctx, size_t b, size_t e)
{
    wq_pool *pool = ctx;
    for (size_t i = b; i < e; i++) {
        int rc = i % 3 == 1 ? reduce_large(pool)
                 : i % 3 == 2 ? scan_large(pool)
                              : group(pool);
        if (rc)
            return rc;
    }
    return 0;
}

static int nested(wq_pool *pool)
{
    return wq_for(pool, 8, 1, nested_body, pool);
}

/* ----------------------------------------------------------- tiled loops -- */

static int cover_nd(void *ctx, const size_t *begin, const size_t *end)
{
    struct coverage *c = ctx;
    atomic_fetch_add(&callbacks, 1);
    for (size_t i = begin[0]; i < end[0]; i++)
        for (size_t j = begin[1]; j < end[1]; j++)
            coverage_mark(c, (i * 30 + j) * 20 + begin[2],
                          (i * 30 + j) * 20 + end[2]);
    return 0;
}

/* A 3-D tiled loop that must see every cell once; 0 or its error, and
 * then no callback ran. */
static int checked_nd(wq_pool *pool)
{
    const size_t n[3] = {40, 30, 20}, tile[3] = {3, 0, 7};
    struct coverage c;
    coverage_init(&c, 40 * 30 * 20);
    atomic_store(&callbacks, 0);
    int rc = wq_for_nd(pool, 3, n, tile, cover_nd, &c);
    if (rc)
        ck_assert_uint_eq(atomic_load(&callbacks), 0);
    else
        coverage_check_once(&c);
    coverage_free(&c);
    return rc;
}

/* The default pool, made by a tiled loop. */
static int nd_default_pool(wq_pool *unused)
{
    (void)unused;
    int rc = checked_nd(NULL);
    wq_pool_destroy(NULL);
    return rc;
}

/* Reductions and groups in the tiles of a 2-D loop, on every thread. */
static int nested_2d(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    (void)j1;
    return nested_body(ctx, i0 * 2 + j0, i1 * 2 + j0 + 1);
}

static int nd_nested(wq_pool *pool)
{
    return wq_for_2d(pool, 4, 2, 1, 1, nested_2d, pool);
}

struct scenario {
    const char *name;
    int (*run)(wq_pool *pool);
    unsigned threads; /* of a pool made for it outside the walk; 0: none */
};

static const struct scenario scenarios[] = {
    {"create_pools", create_pools, 0}, {"default_pool", default_pool, 0},
    {"reduce_large", reduce_large, 4}, {"group", group, 4},
    {"group_one_thread", group, 1},    {"nested", nested, 3},
    {"scan_large", scan_large, 4},
    {"nd_default_pool", nd_default_pool, 0}, {"nd_nested", nd_nested, 3},
};
#define SCENARIOS ((int)(sizeof scenarios / sizeof *scenarios))

/* Walk one kind of fault over a scenario.  Each walk reports on stderr
 * (kept in the test log) how many faults it injected. */
static void walk(const struct scenario *s, wq_pool *pool,
                 enum wq__fault_kind kind)
{
    const int want = kind == WQ__FAULT_ALLOC ? ENOMEM : EAGAIN;
    unsigned long n;
    for (n = 1;; n++) {
        wq__fault_arm(kind, n);
        int rc = s->run(pool);
        unsigned long calls = wq__fault_calls(kind);
        wq__fault_arm(kind, 0);
        if (n > calls) {
            ck_assert_msg(rc == 0, "%s: %d without a fault", s->name, rc);
            break;
        }
        ck_assert_msg(rc == want, "%s: failing %s call %lu of %lu gave %d",
                      s->name, kind == WQ__FAULT_ALLOC ? "allocation" : "thread",
                      n, calls, rc);
        ck_assert_msg(s->run(pool) == 0, "%s: broken after fault %lu", s->name,
                      n);
    }
    fprintf(stderr, "fault: %s: %lu %s failures answered\n", s->name, n - 1,
            kind == WQ__FAULT_ALLOC ? "allocation" : "thread-creation");
}

START_TEST(fault_every_allocation_and_thread)
{
    const struct scenario *s = &scenarios[_i];
    setenv("WQ_NUM_THREADS", "4", 1); /* the default pool skips cgroup reads */
    for (int kind = 0; kind < WQ__FAULT_KINDS; kind++) {
        wq_pool *pool = NULL;
        if (s->threads) {
            wq_options opt = {0};
            opt.threads = s->threads;
            ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
        }
        walk(s, pool, (enum wq__fault_kind)kind);
        if (pool)
            wq_pool_destroy(pool);
    }
}
END_TEST

/* wq_cpu_count reads the cgroup quota into allocated scratch space: when
 * that allocation fails it counts the affinity mask alone (cpu.h), never
 * fails, never returns 0. */
START_TEST(fault_cpu_count_falls_back)
{
    wq__fault_arm(WQ__FAULT_ALLOC, 1);
    unsigned fallback = wq_cpu_count();
    ck_assert_uint_eq(wq__fault_calls(WQ__FAULT_ALLOC), 1);
    wq__fault_arm(WQ__FAULT_ALLOC, 0);
    ck_assert_uint_eq(fallback, wq__cpu_count_from(wq__affinity_cpus(), 0.0));
}
END_TEST

/* A tiled loop on a pool whose job board has every slot taken (a group
 * holds one for its life) needs the board to grow: when that allocation
 * fails, the loop answers ENOMEM before any tile runs, and the next one
 * grows the board and runs.  (Armed after the set-up: a walk over the
 * groups' own allocations would only repeat the group scenario.) */
START_TEST(fault_nd_board_full)
{
    enum { SLOTS = 256 }; /* the board's first slots (wq.h) */
    wq_options opt = {0};
    wq_pool *pool;
    wq_group *g[SLOTS];
    opt.threads = 3;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    for (int k = 0; k < SLOTS; k++)
        ck_assert_int_eq(wq_group_create(&g[k], pool), 0);
    wq__fault_arm(WQ__FAULT_ALLOC, 1);
    ck_assert_int_eq(checked_nd(pool), ENOMEM);
    ck_assert_uint_eq(wq__fault_calls(WQ__FAULT_ALLOC), 1);
    wq__fault_arm(WQ__FAULT_ALLOC, 0);
    ck_assert_int_eq(checked_nd(pool), 0);
    for (int k = 0; k < SLOTS; k++)
        wq_group_destroy(g[k]);
    wq_pool_destroy(pool);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("walk");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_loop_test(tc, fault_every_allocation_and_thread, 0, SCENARIOS);
    tcase_add_test(tc, fault_cpu_count_falls_back);
    tcase_add_test(tc, fault_nd_board_full);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
