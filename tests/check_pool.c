/* check_pool.c - pool lifecycle: sizes, create/destroy cycles, the default
 * pool, WQ_NUM_THREADS, options, hooks, thread names, signal masks, flushing
 * denormals, and waiting: the learned spin window, an idle pool that uses no
 * CPU after it, help that finds nothing backing off. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"
#include "park.h"
#include "suites.h"
#include "util.h"

static int nothing(void *ctx, size_t b, size_t e)
{
    (void)ctx;
    (void)b;
    (void)e;
    return 0;
}

START_TEST(pool_create_destroy_cycles)
{
    for (int cycle = 0; cycle < 40; cycle++) {
        wq_pool *pool;
        wq_options opt = {0};
        opt.threads = (unsigned)(cycle % 8) + 1;
        ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
        ck_assert_uint_eq(wq_pool_size(pool), opt.threads);
        if (cycle % 2)
            ck_assert_int_eq(wq_for(pool, 100, 1, nothing, NULL), 0);
        wq_pool_destroy(pool);
    }
}
END_TEST

START_TEST(pool_default_size_is_cpu_count)
{
    unsetenv("WQ_NUM_THREADS");
    ck_assert_uint_ge(wq_cpu_count(), 1);
    ck_assert_uint_eq(wq_pool_size(NULL), wq_cpu_count());
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, NULL), 0);
    ck_assert_uint_eq(wq_pool_size(pool), wq_cpu_count());
    wq_pool_destroy(pool);
}
END_TEST

START_TEST(pool_num_threads_env)
{
    setenv("WQ_NUM_THREADS", "3", 1);
    ck_assert_uint_eq(wq_pool_size(NULL), 3);
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, NULL), 0);
    ck_assert_uint_eq(wq_pool_size(pool), 3);
    wq_pool_destroy(pool);
    /* Malformed values are ignored. */
    static const char *bad[] = {"0", "-2", "two", "3x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("WQ_NUM_THREADS", bad[i], 1);
        ck_assert_int_eq(wq_pool_create(&pool, NULL), 0);
        ck_assert_uint_eq(wq_pool_size(pool), wq_cpu_count());
        wq_pool_destroy(pool);
    }
    /* An explicit count wins. */
    setenv("WQ_NUM_THREADS", "5", 1);
    wq_options opt = {0};
    opt.threads = 2;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    ck_assert_uint_eq(wq_pool_size(pool), 2);
    wq_pool_destroy(pool);
}
END_TEST

/* Destroying the default pool is allowed; the next NULL call recreates it. */
START_TEST(pool_default_destroy_and_recreate)
{
    setenv("WQ_NUM_THREADS", "4", 1);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(wq_for(NULL, 1000, 0, nothing, NULL), 0);
        ck_assert_uint_eq(wq_pool_size(NULL), 4);
        wq_pool_destroy(NULL);
    }
    wq_pool_destroy(NULL); /* twice: nothing to do */
}
END_TEST

/* Destroying a pool from inside its own callback is refused (it does
 * nothing), and the pool keeps working. */
static int destroy_own(void *ctx, size_t b, size_t e)
{
    (void)b;
    (void)e;
    wq_pool_destroy(ctx);
    return 0;
}

START_TEST(pool_destroy_from_callback_does_nothing)
{
    wq_pool *pool = grid_pool(_i);
    ck_assert_int_eq(wq_for(pool, 64, 1, destroy_own, pool), 0);
    ck_assert_int_eq(wq_for(pool, 64, 1, nothing, NULL), 0);
    grid_release(pool);
}
END_TEST

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* The process (an idle pool, the test sleeping) uses under 1% of one CPU
 * for the next second. */
static void assert_idle_for_a_second(void)
{
    double c0 = cpu_seconds(), t0 = wq_now();
    usleep(1000 * 1000);
    double cpu = cpu_seconds() - c0, wall = wq_now() - t0;
    ck_assert_msg(cpu < 0.01 * wall, "idle pool used %.4f s of CPU in %.3f s",
                  cpu, wall);
}

/* After the spin window an idle pool sleeps: under 1% of one CPU. */
START_TEST(pool_idle_uses_no_cpu)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 8;
    opt.spin_us = 2000;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    ck_assert_int_eq(wq_for(pool, 10000, 1, nothing, NULL), 0);
    usleep(100 * 1000); /* well past the 2 ms window */
    assert_idle_for_a_second();
    wq_pool_destroy(pool);
}
END_TEST

/* The window a worker learns (spin.c), fed idle periods by hand: 1.5 times
 * the latest period, never below 3/4 of the previous window nor outside
 * [spin, spin_max]; a period beyond spin_max falls back to spin; a miss
 * (work announced, none found) shortens it by a quarter; a window the user
 * set never moves; a miss after a park (woken too late) learns the window
 * from the period as work found would. */
static double learned(const wq_pool *pool, struct wq__idle *idle,
                      double period)
{
    idle->since = 100.0;
    idle->noticed = 100.0 + period;
    wq__idle_learn(pool, idle);
    ck_assert(idle->since == 0 && idle->noticed == 0);
    return idle->window;
}

START_TEST(pool_spin_window_learned)
{
    wq_pool pool;
    memset(&pool, 0, sizeof pool);
    pool.spin = 100e-6;
    pool.spin_max = 20e-3;
    struct wq__idle idle = {0, 0, pool.spin, 0};
    ck_assert_double_eq_tol(learned(&pool, &idle, 1e-3), 1.5e-3, 1e-12);
    /* Shorter periods: the window decays by a quarter a loop... */
    ck_assert_double_eq_tol(learned(&pool, &idle, 1e-5), 1.125e-3, 1e-12);
    for (int k = 0; k < 40; k++)
        learned(&pool, &idle, 1e-5);
    /* ... down to the base, never below. */
    ck_assert_double_eq_tol(idle.window, pool.spin, 1e-12);
    ck_assert_double_eq_tol(learned(&pool, &idle, 10e-3), 15e-3, 1e-12);
    ck_assert_double_eq_tol(learned(&pool, &idle, 19e-3), 20e-3, 1e-12);
    /* A pause longer than the cap: loops are not coming in a stream. */
    ck_assert_double_eq_tol(learned(&pool, &idle, 21e-3), pool.spin, 1e-12);
    /* An idle period of unknown end teaches nothing. */
    idle.since = 1.0;
    idle.noticed = 0;
    wq__idle_learn(&pool, &idle);
    ck_assert_double_eq_tol(idle.window, pool.spin, 1e-12);
    /* Work announced but gone: the period restarts then, a window a
     * quarter shorter, never below the base. */
    learned(&pool, &idle, 10e-3); /* 15 ms */
    idle.since = 5.0;
    idle.noticed = 5.01;
    wq__idle_miss(&pool, &idle);
    ck_assert(idle.since == 5.01 && idle.noticed == 0);
    ck_assert_double_eq_tol(idle.window, 11.25e-3, 1e-12);
    for (int k = 0; k < 40; k++)
        wq__idle_miss(&pool, &idle);
    ck_assert_double_eq_tol(idle.window, pool.spin, 1e-12);
    /* A sleeper woken after its loop was shared out (a period of 5 ms):
     * it learns 7.5 ms, the period restarting then, and loses no more of
     * it to later late wake-ups of the same period. */
    idle.parked = 1;
    idle.since = 7.0;
    idle.noticed = 7.005;
    wq__idle_miss(&pool, &idle);
    ck_assert(idle.since == 7.005 && idle.noticed == 0);
    ck_assert_double_eq_tol(idle.window, 7.5e-3, 1e-9);
    idle.since = 8.0;
    idle.noticed = 8.001;
    wq__idle_miss(&pool, &idle);
    ck_assert_double_eq_tol(idle.window, 5.625e-3, 1e-9);
    /* ... and past the cap, the base. */
    idle.since = 9.0;
    idle.noticed = 9.5;
    wq__idle_miss(&pool, &idle);
    ck_assert_double_eq_tol(idle.window, pool.spin, 1e-12);
    idle.parked = 0;
    /* A window the user set (spin_max 0) stays. */
    pool.spin_max = 0;
    ck_assert_double_eq_tol(learned(&pool, &idle, 1e-3), pool.spin, 1e-12);
}
END_TEST

static void pause_seconds(double s)
{
    usleep((useconds_t)(s * 1e6));
}

/* With the learned window (the default), a pool whose loops came 5 ms
 * apart spins through such pauses, and still uses under 1% of a CPU from
 * 1 s after its last loop: the window is capped, and falls back. */
START_TEST(pool_idle_after_stream_uses_no_cpu)
{
    unsetenv("WQ_SPIN_US");
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 4;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    for (int k = 0; k < 40; k++) {
        ck_assert_int_eq(wq_for(pool, 64, 1, nothing, NULL), 0);
        pause_seconds(5e-3);
    }
    pause_seconds(1.0);
    assert_idle_for_a_second();
    wq_pool_destroy(pool);
}
END_TEST

/* A job on the board whose hint says it has work but which has none (a
 * stale hint): a worker that joins it and finds nothing must back off into
 * its idle wait, not join it again at once, for ever. */
struct stale_job {
    struct wq__job job;
    _Atomic unsigned long calls;
};

static int stale_help(struct wq__job *job, int slot)
{
    (void)slot;
    atomic_fetch_add(&((struct stale_job *)(void *)job)->calls, 1);
    return 0;
}

START_TEST(pool_stale_hint_backs_off)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 2;
    opt.spin_us = 1000;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    struct stale_job j = {{stale_help, 0}, 0};
    int slot = wq__board_publish(pool, &j.job, 1);
    ck_assert_int_ge(slot, 0);
    wq__pool_wake(pool, slot, 1);
    /* Long enough for a worker looping on the job to join it many thousand
     * times, even under valgrind; one that backs off joins it once per
     * epoch, and nothing moves the epoch meanwhile. */
    pause_seconds(0.3);
    unsigned long calls = atomic_load(&j.calls);
    wq__board_retire(pool, slot, NULL);
    ck_assert_msg(calls <= 4, "the worker joined a job with nothing to do "
                              "%lu times",
                  calls);
    wq_pool_destroy(pool);
}
END_TEST

/* Options: hooks run once per worker slot, names show, stacks take. */
struct hooks {
    _Atomic unsigned started[16], stopped[16];
};

static void on_start(void *arg, unsigned slot)
{
    atomic_fetch_add(&((struct hooks *)arg)->started[slot], 1);
}

static void on_stop(void *arg, unsigned slot)
{
    atomic_fetch_add(&((struct hooks *)arg)->stopped[slot], 1);
}

START_TEST(pool_hooks_run_once_per_worker)
{
    static struct hooks h;
    memset(&h, 0, sizeof h);
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 6;
    opt.on_start = on_start;
    opt.on_stop = on_stop;
    opt.hook_arg = &h;
    opt.stack_size = 1; /* raised to PTHREAD_STACK_MIN */
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    ck_assert_int_eq(wq_for(pool, 1000, 1, nothing, NULL), 0);
    wq_pool_destroy(pool);
    ck_assert_uint_eq(atomic_load(&h.started[0]), 0);
    ck_assert_uint_eq(atomic_load(&h.stopped[0]), 0);
    for (unsigned s = 1; s < 6; s++) {
        ck_assert_uint_eq(atomic_load(&h.started[s]), 1);
        ck_assert_uint_eq(atomic_load(&h.stopped[s]), 1);
    }
}
END_TEST

struct seen_worker {
    pthread_t caller;
    _Atomic int bad_name, unblocked, on_worker;
};

static int inspect_thread(void *ctx, size_t b, size_t e)
{
    struct seen_worker *w = ctx;
    (void)b;
    (void)e;
    usleep(100); /* slow enough that the workers get pieces */
    if (pthread_equal(pthread_self(), w->caller))
        return 0;
    atomic_store(&w->on_worker, 1);
    char name[32];
    if (pthread_getname_np(pthread_self(), name, sizeof name) ||
        strncmp(name, "crunch-", 7) != 0)
        atomic_store(&w->bad_name, 1);
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    if (!sigismember(&mask, SIGINT) || !sigismember(&mask, SIGTERM) ||
        !sigismember(&mask, SIGUSR1))
        atomic_store(&w->unblocked, 1);
    return 0;
}

/* Workers carry the configured name and block asynchronous signals. */
START_TEST(pool_workers_named_and_signal_free)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 3;
    opt.name = "crunch";
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    struct seen_worker w = {.caller = pthread_self()};
    for (int r = 0; r < 50 && !atomic_load(&w.on_worker); r++)
        ck_assert_int_eq(wq_for(pool, 64, 1, inspect_thread, &w), 0);
    ck_assert_int_eq(atomic_load(&w.on_worker), 1);
    ck_assert_int_eq(atomic_load(&w.bad_name), 0);
    ck_assert_int_eq(atomic_load(&w.unblocked), 0);
    wq_pool_destroy(pool);
}
END_TEST

#if defined(__x86_64__) || defined(__aarch64__)
static int denormal_check(void *ctx, size_t b, size_t e)
{
    volatile double tiny = 1e-310; /* a denormal */
    (void)b;
    (void)e;
    if (tiny * 0.5 != 0.0)
        atomic_store((_Atomic int *)ctx, 1);
    return 0;
}

/* WQ_FLUSH_DENORMALS flushes on every thread during the call, and only
 * then.  (Not under valgrind, which ignores the FTZ and DAZ bits of MXCSR,
 * as its manual says, and computes denormals in full.) */
START_TEST(pool_flush_denormals)
{
    if (RUNNING_ON_VALGRIND)
        return;
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 3;
    opt.flags = WQ_FLUSH_DENORMALS;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    _Atomic int kept = 0;
    ck_assert_int_eq(wq_for(pool, 300, 1, denormal_check, &kept), 0);
    ck_assert_int_eq(atomic_load(&kept), 0);
    volatile double tiny = 1e-310;
    ck_assert(tiny * 0.5 != 0.0); /* restored on the caller */
    wq_pool_destroy(pool);
}
END_TEST
#endif

START_TEST(pool_now_is_monotonic_wall_clock)
{
    double a = wq_now();
    usleep(20000);
    double b = wq_now();
    ck_assert(b - a >= 0.019 && b - a < 5.0);
}
END_TEST

START_TEST(pool_version)
{
    ck_assert_str_eq(wq_version_string(), WQ_VERSION_STRING);
    ck_assert_uint_eq(wq_version(), WQ_VERSION_HEX);
}
END_TEST

Suite *suite_pool(void)
{
    const struct grid_case cases[] = {
        {"create_destroy_cycles", pool_create_destroy_cycles, 0},
        {"default_size", pool_default_size_is_cpu_count, 0},
        {"num_threads_env", pool_num_threads_env, 0},
        {"default_destroy_recreate", pool_default_destroy_and_recreate, 0},
        {"destroy_from_callback", pool_destroy_from_callback_does_nothing, 1},
        {"idle_no_cpu", pool_idle_uses_no_cpu, 0},
        {"spin_window_learned", pool_spin_window_learned, 0},
        {"idle_after_stream", pool_idle_after_stream_uses_no_cpu, 0},
        {"stale_hint_backs_off", pool_stale_hint_backs_off, 0},
        {"hooks", pool_hooks_run_once_per_worker, 0},
        {"names_and_signals", pool_workers_named_and_signal_free, 0},
#if defined(__x86_64__) || defined(__aarch64__)
        {"flush_denormals", pool_flush_denormals, 0},
#endif
        {"now", pool_now_is_monotonic_wall_clock, 0},
        {"version", pool_version, 0},
    };
    return grid_suite("pool", cases, sizeof cases / sizeof *cases);
}
