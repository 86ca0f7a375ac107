/*
 * util.h - helpers shared by the suites: the grid of pools every property is
 * checked on, and a coverage map that counts how often each index ran.
 */
#ifndef WQ_TEST_UTIL_H
#define WQ_TEST_UTIL_H

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_VALGRIND_VALGRIND_H, below */
#endif
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

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
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif
#define CHILD_THREADS (UNDER_TSAN ? 1u : 3u)

/* Valgrind runs one thread of a process at a time; tests that need two
 * threads running at once skip there, and the slowest grid points too.
 * config.h, included above for every suite that includes this header,
 * says whether valgrind's header is installed; without it
 * RUNNING_ON_VALGRIND is 0. */
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* Under a sanitizer or valgrind every memory access costs many times its
 * native price: the few cases of tens of millions of items run on fewer
 * pool sizes there (each suite says which), the rest of the grid as
 * everywhere. */
#define UNDER_CHECKER (UNDER_TSAN || UNDER_ASAN || RUNNING_ON_VALGRIND)

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

/* Every index exactly once, every piece non-empty and in bounds.  One
 * assertion for all indices: each ck_assert writes to Check's pipe, which
 * for millions of indices takes minutes. */
static inline void coverage_check_once(struct coverage *c)
{
    ck_assert_int_eq(atomic_load(&c->bad), 0);
    size_t bad = c->n;
    for (size_t i = 0; i < c->n && bad == c->n; i++)
        if (atomic_load(&c->hits[i]) != 1)
            bad = i;
    ck_assert_msg(bad == c->n, "index %zu of %zu ran %u times", bad, c->n,
                  bad < c->n ? atomic_load(&c->hits[bad]) : 1);
}

static inline void coverage_free(struct coverage *c)
{
    free(c->hits);
}

/* A callback that fails once, at index fail_at, and catches any callback
 * started afterwards by a thread that had seen the failure (which a loop
 * must not do, even a thread inside a chunk of several items).  A thread
 * that sees it sleeps a while, so that it would have time to start another
 * callback if the loop let it. */
struct failing_once {
    size_t fail_at;
    _Atomic int failed;
    unsigned char *saw; /* by worker index */
    _Atomic int late;   /* calls started by a thread that saw the failure */
    _Atomic size_t calls;
};

static inline void failing_once_init(struct failing_once *f, size_t fail_at,
                                     wq_pool *pool)
{
    f->fail_at = fail_at;
    atomic_init(&f->failed, 0);
    atomic_init(&f->late, 0);
    atomic_init(&f->calls, 0);
    f->saw = calloc(wq_pool_slots(pool), 1);
    ck_assert_ptr_nonnull(f->saw);
}

/* The callback's body for index i: 42 at fail_at, else 0. */
static inline int failing_once_call(struct failing_once *f, size_t i)
{
    unsigned me = wq_worker_index();
    atomic_fetch_add(&f->calls, 1);
    if (f->saw[me])
        atomic_store(&f->late, 1);
    if (i == f->fail_at) {
        atomic_store(&f->failed, 1);
        return 42;
    }
    if (atomic_load(&f->failed)) {
        f->saw[me] = 1;
        usleep(50 * 1000);
    }
    return 0;
}

/* After the loop: nobody started late, nothing ran twice. */
static inline void failing_once_check(struct failing_once *f, size_t n)
{
    ck_assert_msg(!atomic_load(&f->late),
                  "a thread started a callback after it had seen the "
                  "failure at %zu",
                  f->fail_at);
    ck_assert_uint_le(atomic_load(&f->calls), n);
    free(f->saw);
}

/* Where the failure falls in the error-stops tests: the first and last
 * index, and inside each thread's lane. */
#define FAILING_AT(n) {0, 10, 777, (n) / 3, (n) / 2 + 10, (n) - 1}

/* A chunk that waits for all the others: the callback for index hold does
 * not return until every index outside hold's chunk (of `chunk` items) has
 * run (pthreadpool's work-stealing test).  It completes only if no chunk
 * that has not started is held back behind it, on any thread; after
 * `patience` seconds it gives up and records that it did, so the test fails
 * instead of hanging. */
struct waiting_piece {
    size_t n, lo, hi; /* hold's chunk is [lo, hi) */
    size_t hold;
    double patience;
    _Atomic size_t ran; /* indices outside [lo, hi) that have run */
    _Atomic size_t ran_inside;
    _Atomic int gave_up;
};

static inline void waiting_piece_init(struct waiting_piece *w, size_t n,
                                      size_t chunk, size_t hold)
{
    w->n = n;
    w->hold = hold;
    w->lo = hold / chunk * chunk;
    w->hi = n - w->lo < chunk ? n : w->lo + chunk;
    w->patience = 20.0;
    atomic_init(&w->ran, 0);
    atomic_init(&w->ran_inside, 0);
    atomic_init(&w->gave_up, 0);
}

/* For index i; wq_now() is only the give-up bound, never the property. */
static inline void waiting_piece_item(struct waiting_piece *w, size_t i)
{
    if (i < w->lo || i >= w->hi) {
        atomic_fetch_add(&w->ran, 1);
        return;
    }
    if (i == w->hold) {
        double until = wq_now() + w->patience;
        while (atomic_load(&w->ran) < w->n - (w->hi - w->lo)) {
            if (wq_now() > until) {
                atomic_store(&w->gave_up, 1);
                break;
            }
            usleep(50); /* let the threads it waits for run, valgrind too */
        }
    }
    atomic_fetch_add(&w->ran_inside, 1);
}

static inline void waiting_piece_check(struct waiting_piece *w)
{
    ck_assert_msg(!atomic_load(&w->gave_up),
                  "index %zu waited in vain: chunks not yet started were "
                  "held back behind its chunk",
                  w->hold);
    ck_assert_uint_eq(atomic_load(&w->ran) + atomic_load(&w->ran_inside),
                      w->n);
}

/* Where the waiting index falls: the first, inside each thread's lane, the
 * last. */
#define WAITING_AT(n) {0, 1, (n) / 3, (n) / 2 + 1, (n) - 2, (n) - 1}

/* A pool's progress reports, as the loops' progress properties need them:
 * every report on the calling thread, done never going back and never past
 * total, total always the one expected.  on_progress runs only on the
 * caller (checked), so plain fields suffice. */
struct progress_log {
    pthread_t caller;
    size_t total; /* what every report's total must be */
    int off_caller, backwards, other_total;
    size_t count, last_done, last_total;
};

static inline void progress_log_report(void *arg, size_t done, size_t total)
{
    struct progress_log *p = arg;
    if (!pthread_equal(pthread_self(), p->caller))
        p->off_caller = 1;
    if (p->count && done < p->last_done)
        p->backwards = 1;
    if (total != p->total || done > total)
        p->other_total = 1;
    p->count++;
    p->last_done = done;
    p->last_total = total;
}

/* A pool of `threads` (0: the default size) reporting into p every
 * millisecond, to the calling thread; p->total is set by the test. */
static inline wq_pool *progress_log_pool(struct progress_log *p,
                                         unsigned threads)
{
    *p = (struct progress_log){.caller = pthread_self()};
    wq_options opt = {0};
    opt.threads = threads;
    opt.on_progress = progress_log_report;
    opt.progress_arg = p;
    opt.progress_ms = 1;
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    return pool;
}

/* A finished loop's reports: at least one, each of them as above, the last
 * at done == total. */
static inline void progress_log_check(const struct progress_log *p)
{
    ck_assert_uint_ge(p->count, 1);
    ck_assert_int_eq(p->off_caller, 0);
    ck_assert_int_eq(p->backwards, 0);
    ck_assert_int_eq(p->other_total, 0);
    ck_assert_uint_eq(p->last_done, p->total);
    ck_assert_uint_eq(p->last_total, p->total);
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
