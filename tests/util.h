/*
 * util.h - helpers shared by the suites: the grid of pools every property is
 * checked on, and a coverage map that counts how often each index ran.
 */
#ifndef WQ_TEST_UTIL_H
#define WQ_TEST_UTIL_H

#include <check.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <wq.h>

/* ThreadSanitizer cannot follow threads created in the child of a
 * multithreaded process: it still counts the parent's threads as alive
 * there, and aborts ("dup thread with used id") when a new thread reuses the
 * id of one of them, which is why it dies after such a fork unless told
 * die_after_fork=0.  So under TSan the children of fork tests keep their
 * pools to one thread: every answer is still checked, no thread is made. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif
#define CHILD_THREADS (UNDER_TSAN ? 1u : 3u)

/* The pool sizes of the grid; 0 stands for the default pool (NULL). */
static const unsigned grid_threads[] = {1, 2, 3, 8, 0};
#define GRID_SIZE ((int)(sizeof grid_threads / sizeof *grid_threads))

/* Seconds a test may take before Check fails it; sanitizers and valgrind
 * scale it with CK_TIMEOUT_MULTIPLIER. */
#define TEST_TIMEOUT 60

static inline wq_pool *grid_pool(int i)
{
    wq_pool *pool = NULL;
    if (grid_threads[i]) {
        wq_options opt = {0};
        opt.threads = grid_threads[i];
        ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
        ck_assert_uint_eq(wq_pool_size(pool), grid_threads[i]);
    }
    return pool;
}

static inline void grid_release(wq_pool *pool)
{
    if (pool)
        wq_pool_destroy(pool);
}

/* How often each index in [0, n) was visited. */
struct coverage {
    size_t n;
    _Atomic unsigned *hits;
    _Atomic size_t pieces;
    _Atomic int bad; /* a piece was empty or out of bounds */
};

static inline void coverage_init(struct coverage *c, size_t n)
{
    c->n = n;
    c->hits = calloc(n ? n : 1, sizeof *c->hits);
    ck_assert_ptr_nonnull(c->hits);
    atomic_init(&c->pieces, 0);
    atomic_init(&c->bad, 0);
}

static inline void coverage_mark(struct coverage *c, size_t begin, size_t end)
{
    atomic_fetch_add(&c->pieces, 1);
    if (begin >= end || end > c->n) {
        atomic_store(&c->bad, 1);
        return;
    }
    for (size_t i = begin; i < end; i++)
        atomic_fetch_add_explicit(&c->hits[i], 1, memory_order_relaxed);
}

/* Every index exactly once, every piece non-empty and in bounds. */
static inline void coverage_check_once(struct coverage *c)
{
    ck_assert_int_eq(atomic_load(&c->bad), 0);
    for (size_t i = 0; i < c->n; i++)
        ck_assert_msg(atomic_load(&c->hits[i]) == 1,
                      "index %zu of %zu ran %u times", i, c->n,
                      atomic_load(&c->hits[i]));
}

static inline void coverage_free(struct coverage *c)
{
    free(c->hits);
}

/* A suite of test cases, each with a timeout; a grid case runs once per pool
 * of the grid (its _i indexes grid_threads), the others once. */
struct grid_case {
    const char *name;
    const TTest *test;
    int grid;
};

static inline Suite *grid_suite(const char *name, const struct grid_case *cases,
                                size_t count)
{
    Suite *s = suite_create(name);
    for (size_t i = 0; i < count; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, TEST_TIMEOUT);
        tcase_add_loop_test(tc, cases[i].test, 0,
                            cases[i].grid ? GRID_SIZE : 1);
        suite_add_tcase(s, tc);
    }
    return s;
}

#endif
