/*
 * pool.c - worker threads: start, look for work, wait (spin.c), park, wake,
 * stop; and the process-wide default pool.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu.h"
#include "place.h"
#include "fault.h"
#include "internal.h"
#include "park.h"
#include "thread.h"

_Thread_local struct wq__thread wq__self;

/* Counts fork()s in this process's ancestry (bumped in the child).  A pool
 * remembers the count it was created under; its threads do not exist in a
 * child, so calls on it there answer ECHILD instead of waiting for them. */
_Atomic unsigned long wq__forks;

/* The default pool (see wq__pool_resolve), and the default pools that
 * earlier fork()s left behind in this process, linked through ->orphan.
 * Their memory stays: the child's groups of such a pool still read its
 * fork count to answer ECHILD, and keeping it reachable tells leak checkers
 * it is not lost. */
static _Atomic(wq_pool *) wq__default;
static pthread_mutex_t wq__default_lock = PTHREAD_MUTEX_INITIALIZER;
static wq_pool *wq__orphans;
static pthread_once_t wq__atfork_once = PTHREAD_ONCE_INIT;

/* The default pool's lock is held across fork(), so the child's copy is in
 * a known state (unlocked by the thread that took it) rather than perhaps
 * held by a thread the child does not have. */
static void wq__atfork_prepare(void)
{
    pthread_mutex_lock(&wq__default_lock);
}

static void wq__atfork_parent(void)
{
    pthread_mutex_unlock(&wq__default_lock);
}

/* In a child of fork() only the forking thread exists: the default pool's
 * workers are gone.  Set it aside so the child's first call creates a
 * working one, and make every older explicit pool answer ECHILD. */
static void wq__atfork_child(void)
{
    wq_pool *old = wq__load_relaxed(&wq__default);
    if (old) {
        old->orphan = wq__orphans;
        wq__orphans = old;
    }
    wq__fetch_add_relaxed(&wq__forks, 1);
    wq__store_relaxed(&wq__default, NULL);
    pthread_mutex_unlock(&wq__default_lock);
}

static void wq__atfork_register(void)
{
    pthread_atfork(wq__atfork_prepare, wq__atfork_parent, wq__atfork_child);
}

/* Every way into a pool passes here first (creation included: a process
 * may create a pool and fork before any other call), so the fork counter is
 * kept from before the first pool exists. */
static void wq__watch_forks(void)
{
    pthread_once(&wq__atfork_once, wq__atfork_register);
}

#if !defined(__linux__)
struct wq__lot wq__lots[64] = {
    [0 ... 63] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER}};
#endif

double wq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Publication side of parking: see the epoch/sleepers comment in
 * internal.h.  Points workers at `slot` (-1: none), then wakes at most n
 * sleepers: a loop wakes as many as it has pieces to share, a task one. */
void wq__pool_wake(wq_pool *pool, int slot, unsigned n)
{
    if (slot >= 0)
        wq__store_relaxed(&pool->recent, slot);
    wq__fetch_add_seq_cst(&pool->epoch, 1);
    if (n && wq__load_seq_cst(&pool->sleepers))
        wq__unpark(&pool->epoch, n > INT_MAX ? INT_MAX : (int)n);
}

struct wq__epoch_wait {
    wq_pool *pool;
    uint32_t seen;
};

static int wq__epoch_moved(void *arg)
{
    struct wq__epoch_wait *w = arg;
    return wq__load_acquire(&w->pool->epoch) != w->seen;
}

/* Wait until the epoch moves from seen: spin for the learned window, then
 * park.  Records in idle->noticed about when it moved. */
static void wq__worker_idle(wq_pool *pool, uint32_t seen,
                            struct wq__idle *idle)
{
    struct wq__epoch_wait w = {pool, seen};
    idle->parked = 0;
    if (wq__idle_spin(pool, idle, wq__epoch_moved, &w))
        return;
    idle->parked = 1;
    wq__fetch_add_seq_cst(&pool->sleepers, 1);
    if (wq__load_seq_cst(&pool->epoch) == seen)
        wq__park(&pool->epoch, seen);
    wq__fetch_sub_release(&pool->sleepers, 1);
    idle->noticed = wq_now();
}

static void *wq__worker(void *arg)
{
    const struct wq__worker *me = arg;
    wq_pool *pool = me->pool;
    unsigned slot = me->slot;

    wq__self.pool = pool;
    wq__self.slot = slot;
    /* Before on_start, so that a hook that pins the thread has the last
     * word. */
    if (pool->home_cpu >= 0 && wq__cpu_current() == pool->home_cpu)
        wq__cpu_leave();
    wq__thread_name(pool->opt.name ? pool->opt.name : "wq", slot);
    if (pool->opt.on_start)
        pool->opt.on_start(pool->opt.hook_arg, slot);

    /* Spread the workers' first looks over the board. */
    unsigned cursor = slot * 7 % WQ__BOARD_SLOTS;
    struct wq__idle idle = {0, 0, pool->spin, 0};
    for (;;) {
        /* Acquire: pairs with the publisher's seq_cst bump, so the board
         * scan below sees every job published before this epoch. */
        uint32_t seen = wq__load_acquire(&pool->epoch);
        /* Help returns 1 only after running some work: a job that looked
         * busy but had nothing left (a stale hint) sends the worker to the
         * idle wait below, which backs off, not round this loop again. */
        int ran = wq__board_help_recent(pool) || wq__board_help(pool, &cursor);
        /* Off the job now, so its owner never waits for the move. */
        if (wq__self.crowded)
            wq__uncrowd();
        if (ran) {
            if (idle.since > 0)
                wq__idle_learn(pool, &idle);
            continue;
        }
        /* Nothing is left on the board then: wq_pool_destroy stops a
         * pool only when no loop runs on it and no group of it lives, and
         * wq_group_destroy has waited for the group's tasks. */
        if (wq__load_seq_cst(&pool->stopping))
            break;
        if (idle.since == 0)
            idle.since = wq_now();
        else if (idle.noticed > 0)
            wq__idle_miss(pool, &idle);
        wq__worker_idle(pool, seen, &idle);
    }

    if (pool->opt.on_stop)
        pool->opt.on_stop(pool->opt.hook_arg, slot);
    return NULL;
}

/* The spin windows for spin_us (see wq_options): *least always, and a
 * learned window up to *most (0: none, the window is *least). */
static void wq__spin_windows(int spin_us, double *least, double *most)
{
    *most = 0;
    if (spin_us == 0) {
        const char *env = getenv("WQ_SPIN_US");
        char *end;
        long v = env ? strtol(env, &end, 10) : 0;
        if (env && *env && !*end && v >= 0 && v <= 10 * 1000 * 1000) {
            *least = (double)v * 1e-6;
            return;
        }
        *least = WQ_SPIN_US_DEFAULT * 1e-6;
        *most = WQ_SPIN_US_LEARNED_MAX * 1e-6;
        return;
    }
    *least = spin_us < 0 ? 0 : (double)spin_us * 1e-6;
}

/* The count in the environment variable `name` if it is a positive
 * integer up to max, else 0. */
static unsigned wq__env_count(const char *name, unsigned long max)
{
    const char *env = getenv(name);
    if (env && *env) {
        char *end;
        unsigned long v = strtoul(env, &end, 10);
        /* Anything but a plain positive count is ignored, as OpenMP runtimes
         * ignore a malformed OMP_NUM_THREADS. */
        if (!*end && *env != '-' && v > 0 && v <= max)
            return (unsigned)v;
    }
    return 0;
}

static unsigned wq__default_threads(void)
{
    unsigned v = wq__env_count("WQ_NUM_THREADS", WQ_THREADS_MAX);
    return v ? v : wq_cpu_count();
}

static unsigned wq__default_callers(void)
{
    unsigned v = wq__env_count("WQ_CALLERS", WQ_CALLERS_LIMIT);
    return v ? v : WQ_CALLERS_MAX;
}

static void wq__join(wq_pool *pool, unsigned started)
{
    wq__store_seq_cst(&pool->stopping, 1);
    wq__pool_wake(pool, -1, INT_MAX);
    for (unsigned i = 0; i < started; i++)
        pthread_join(pool->workers[i].thread, NULL);
}

static int wq__start_threads(wq_pool *pool)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr))
        return ENOMEM;
    if (pool->opt.stack_size) {
        size_t size = pool->opt.stack_size;
        if (size < (size_t)PTHREAD_STACK_MIN)
            size = (size_t)PTHREAD_STACK_MIN;
        pthread_attr_setstacksize(&attr, size);
    }
    pool->home_cpu = pool->spread ? wq__cpu_current() : -1;
    sigset_t old;
    wq__block_signals(&old);
    int rc = 0;
    unsigned i;
    for (i = 0; i + 1 < pool->size; i++) {
        struct wq__worker *w = &pool->workers[i];
        w->pool = pool;
        w->slot = i + 1;
        if (wq__thread_create(&w->thread, &attr, wq__worker, w)) {
            rc = EAGAIN;
            break;
        }
    }
    wq__restore_signals(&old);
    pthread_attr_destroy(&attr);
    if (rc)
        wq__join(pool, i);
    return rc;
}

static int wq__options_valid(const wq_options *opt)
{
    if (opt->threads > WQ_THREADS_MAX || opt->callers > WQ_CALLERS_LIMIT ||
        (opt->flags & ~WQ_FLUSH_DENORMALS))
        return 0;
    for (size_t i = 0; i < sizeof opt->reserved / sizeof *opt->reserved; i++)
        if (opt->reserved[i])
            return 0;
    return 1;
}

int wq_pool_create(wq_pool **out, const wq_options *opt)
{
    static const wq_options defaults;
    if (!out)
        return EINVAL;
    if (!opt)
        opt = &defaults;
    if (!wq__options_valid(opt))
        return EINVAL;
    wq__watch_forks();

    /* Aligned for the cache-line-padded counters inside. */
    wq_pool *pool = wq__aligned_alloc(WQ__CACHELINE, sizeof *pool);
    if (!pool)
        return ENOMEM;
    memset(pool, 0, sizeof *pool);
    pool->opt = *opt;
    pool->size = opt->threads ? opt->threads : wq__default_threads();
    pool->flags = opt->flags;
    pool->spread = pool->size >= 2 && pool->size <= wq__affinity_cpus();
    pool->refs_apart = pool->size > 2;
    wq__spin_windows(opt->spin_us, &pool->spin, &pool->spin_max);
    /* Spinning through a caller's serial step pays only where the spinner
     * has a CPU of its own; with more threads than CPUs it would take the
     * CPU the caller's step needs. */
    if (!pool->spread)
        pool->spin_max = 0;
    pool->progress = (double)(opt->progress_ms ? opt->progress_ms
                                               : WQ_PROGRESS_MS_DEFAULT) *
                     1e-3;
    pool->forks = wq__load_relaxed(&wq__forks);
    atomic_init(&pool->words, WQ__BOARD_WORDS);
    pool->workers = wq__calloc(pool->size, sizeof *pool->workers);
    if (!pool->workers ||
        wq__callers_init(pool, opt->callers ? opt->callers
                                            : wq__default_callers())) {
        free(pool->workers);
        free(pool);
        return ENOMEM;
    }
    int rc = wq__start_threads(pool);
    if (rc) {
        wq__callers_fini(pool);
        free(pool->workers);
        free(pool);
        return rc;
    }
    *out = pool;
    return 0;
}

static int wq__frames_reach(const struct wq__frame *f, const wq_pool *pool,
                            const struct wq_group *group)
{
    for (; f; f = f->up)
        if ((pool && f->pool == pool) || (group && f->group == group) ||
            wq__frames_reach(f->origin, pool, group))
            return 1;
    return 0;
}

int wq__nested_in(const wq_pool *pool, const struct wq_group *group)
{
    return wq__frames_reach(wq__self.frames, pool, group);
}

/* True if the calling thread is one of pool's workers (in its hooks, say)
 * or its work is nested in one of the pool's calls. */
int wq__pool_in_use_here(const wq_pool *pool)
{
    return wq__self.pool == pool || wq__nested_in(pool, NULL);
}

/* Destroying the pool now would pull it from under someone: the caller is
 * using it, or a group of the pool still exists. */
static int wq__pool_busy(const wq_pool *pool)
{
    return wq__pool_in_use_here(pool) ||
           wq__load_acquire(&pool->groups) != 0;
}

static void wq__pool_free(wq_pool *pool)
{
    wq__board_free(pool);
    wq__callers_fini(pool);
    free(pool->workers);
    free(pool);
}

static void wq__pool_stop(wq_pool *pool)
{
    wq__join(pool, pool->size - 1);
    wq__pool_free(pool);
}

/* ---------------------------------------------------------- default pool -- */

/* Resolve NULL to the default pool, creating it on first use; check that an
 * explicit pool still has its threads (not a pool inherited through fork).
 * Acquire on the pointer pairs with the release store after creation. */
int wq__pool_resolve(wq_pool **pool)
{
    wq__watch_forks();
    if (*pool)
        return (*pool)->forks == wq__load_relaxed(&wq__forks) ? 0 : ECHILD;
    wq_pool *p = wq__load_acquire(&wq__default);
    if (!p) {
        int rc = 0;
        pthread_mutex_lock(&wq__default_lock);
        p = wq__load_relaxed(&wq__default);
        if (!p) {
            rc = wq_pool_create(&p, NULL);
            if (!rc)
                wq__store_release(&wq__default, p);
        }
        pthread_mutex_unlock(&wq__default_lock);
        if (rc)
            return rc;
    }
    *pool = p;
    return 0;
}

void wq_pool_destroy(wq_pool *pool)
{
    if (!pool) {
        pthread_mutex_lock(&wq__default_lock);
        pool = wq__load_relaxed(&wq__default);
        if (pool && wq__pool_busy(pool))
            pool = NULL;
        if (pool)
            wq__store_release(&wq__default, NULL);
        pthread_mutex_unlock(&wq__default_lock);
        if (!pool)
            return;
    } else if (wq__pool_busy(pool)) {
        return;
    }
    if (pool->forks != wq__load_relaxed(&wq__forks)) {
        wq__pool_free(pool); /* its threads do not exist here */
        return;
    }
    wq__pool_stop(pool);
}

unsigned wq_pool_size(const wq_pool *pool)
{
    wq_pool *p = (wq_pool *)pool;
    if (wq__pool_resolve(&p) && !pool)
        return 0;
    return p->size;
}
