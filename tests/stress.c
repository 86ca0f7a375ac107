/*
 * stress.c - the stress and soak test.  Four application threads run random
 * operations (stress_ops.c checks each) for a given time on four shared
 * pools of 1 to 16 threads, on the default pool, and on short-lived private
 * pools made and destroyed as they go; a watchdog turns a hang into a
 * failure.
 *
 *   stress [SECONDS [SEED]]      run (default 2 seconds, seed from the clock)
 *   stress crowd [SECONDS [SEED]]  the same with CROWD_CALLERS application
 *                                threads (more than WQ_CALLERS_MAX) while
 *                                CROWD_GROUPS idle groups live on every
 *                                shared pool and the default one (more than
 *                                the job board's first 256 slots), on
 *                                pools of 1 to 200 outside indices
 *   stress replay SEED THREADS   run the one operation of a printed seed
 *
 * Prints the operations checked per second and the violations found; the
 * exit status is 0 only if there were none (1: violations, 2: setup, 3:
 * hang).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

#define CALLERS 4
#define CROWD_CALLERS (WQ_CALLERS_MAX + 8)
#define CROWD_GROUPS 300
#define CALLERS_MAX CROWD_CALLERS

static int ncallers = CALLERS;
static int crowd; /* the crowd mode: also vary wq_options.callers */
/* No operation finished anywhere for this long: a hang (operations take
 * milliseconds, even under a sanitizer). */
#define HANG_SECONDS 120

struct caller {
    pthread_t thread;
    struct stress_env *env;
    uint64_t seed;
    double deadline;
    _Atomic unsigned long ops; /* outermost operations finished */
    _Atomic int finished;
};

static wq_pool *make_pool(struct stress_rng *r, unsigned threads)
{
    static const int spins[] = {-1, 0, 20, 200};
    wq_options opt = {0};
    wq_pool *pool;
    opt.threads = threads ? threads : 1 + (unsigned)stress_below(r, 16);
    opt.spin_us = spins[stress_below(r, 4)];
    if (stress_below(r, 4) == 0)
        opt.flags = WQ_FLUSH_DENORMALS;
    if (crowd) { /* outside ranges smaller and larger than the callers */
        static const unsigned callers[] = {0, 1, 8, 200};
        opt.callers = callers[stress_below(r, 4)];
    }
    int rc = wq_pool_create(&pool, &opt);
    if (rc) {
        fprintf(stderr, "stress: wq_pool_create(%u threads): %s\n",
                opt.threads, wq_strerror(rc));
        exit(2);
    }
    return pool;
}

static void *caller_main(void *arg)
{
    struct caller *c = arg;
    struct stress_env *env = c->env;
    struct stress_rng r = {c->seed};
    while (wq_now() < c->deadline) {
        size_t roll = stress_below(&r, 100);
        if (roll < 2) { /* a private pool: made, used, destroyed */
            wq_pool *pool = make_pool(&r, 0);
            for (size_t k = 1 + stress_below(&r, 3); k > 0; k--)
                stress_run(env, pool, stress_next(&r), 1);
            wq_pool_destroy(pool);
            atomic_fetch_add(&env->private_pools, 1);
        } else {
            wq_pool *pool = roll < 20
                                ? NULL
                                : env->pools[stress_below(&r, STRESS_POOLS)];
            stress_run(env, pool, stress_next(&r), 1);
        }
        atomic_fetch_add(&c->ops, 1);
    }
    atomic_store(&c->finished, 1);
    return NULL;
}

static unsigned long total_ops(struct caller *c)
{
    unsigned long n = 0;
    for (int i = 0; i < ncallers; i++)
        n += atomic_load(&c[i].ops);
    return n;
}

/* Wait for the callers; a run that stops making progress, or overruns its
 * deadline by HANG_SECONDS, is a hang: say so and stop the process. */
static void watch(struct caller *c, double deadline)
{
    unsigned long last = 0;
    double last_move = wq_now();
    for (;;) {
        int running = 0;
        for (int i = 0; i < ncallers; i++)
            running += !atomic_load(&c[i].finished);
        if (!running)
            return;
        unsigned long ops = total_ops(c);
        double now = wq_now();
        if (ops != last) {
            last = ops;
            last_move = now;
        }
        if (now - last_move > HANG_SECONDS ||
            now > deadline + HANG_SECONDS) {
            fprintf(stderr, "stress: HANG: %d callers stuck, %lu operations "
                            "done, none for %.0f s\n",
                    running, ops, now - last_move);
            fflush(NULL);
            _exit(3);
        }
        usleep(100 * 1000);
    }
}

static void report(const struct stress_env *env, double seconds,
                   uint64_t seed, const unsigned *sizes)
{
    static const char *const names[KINDS] = {"for", "map", "reduce",
                                             "group", "scan", "nd"};
    unsigned long all = 0;
    for (int k = 0; k < KINDS; k++)
        all += atomic_load(&env->done[k]);
    printf("stress: %.1f s, seed 0x%016" PRIx64 ", %d callers, pools of",
           seconds, seed, ncallers);
    for (int i = 0; i < STRESS_POOLS; i++)
        printf(" %u", sizes[i]);
    printf(" threads, the default pool of %u, %lu private pools\n",
           wq_pool_size(NULL), atomic_load(&env->private_pools));
    printf("stress: %lu operations checked (%.0f/s):", all, all / seconds);
    for (int k = 0; k < KINDS; k++)
        printf(" %s %lu%s", names[k], atomic_load(&env->done[k]),
               k + 1 < KINDS ? "," : ";");
    printf(" %lu nested (depth 2-3), %lu with a failing callback\n",
           atomic_load(&env->nested), atomic_load(&env->injected));
    printf("stress: %lu violations\n", atomic_load(&env->violations));
}

static int replay(uint64_t seed, unsigned threads, struct stress_env *env)
{
    struct stress_rng r = {seed};
    wq_pool *pool = make_pool(&r, threads);
    stress_run(env, pool, seed, 1);
    wq_pool_destroy(pool);
    printf("stress: replay 0x%016" PRIx64 " on %u threads: %lu violations\n",
           seed, threads, atomic_load(&env->violations));
    return 0;
}

int main(int argc, char **argv)
{
    static struct stress_env env;
    static struct caller callers[CALLERS_MAX];
    static wq_group *idle[STRESS_POOLS + 1][CROWD_GROUPS];
    struct stress_rng r = {(uint64_t)time(NULL) ^ (uint64_t)getpid() << 32};
    wq_options one = {0};
    one.threads = 1;
    if (wq_pool_create(&env.serial, &one))
        return 2;
    if (argc == 4 && !strcmp(argv[1], "replay")) {
        replay(strtoull(argv[2], NULL, 0), (unsigned)atoi(argv[3]), &env);
        wq_pool_destroy(env.serial);
        return atomic_load(&env.violations) ? 1 : 0;
    }
    if (argc > 1 && !strcmp(argv[1], "crowd")) {
        env.crowd = crowd = 1;
        ncallers = CROWD_CALLERS;
        argc--;
        argv++;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : stress_next(&r);
    r.state = seed;

    unsigned sizes[STRESS_POOLS];
    for (int i = 0; i < STRESS_POOLS; i++) {
        env.pools[i] = make_pool(&r, 0);
        sizes[i] = wq_pool_size(env.pools[i]);
    }
    char threads[16];
    snprintf(threads, sizeof threads, "%zu", 1 + stress_below(&r, 16));
    setenv("WQ_NUM_THREADS", threads, 0); /* unless the user chose */

    for (int i = 0; env.crowd && i <= STRESS_POOLS; i++)
        for (int k = 0; k < CROWD_GROUPS; k++)
            if (wq_group_create(&idle[i][k],
                                i < STRESS_POOLS ? env.pools[i] : NULL))
                return 2;

    double start = wq_now(), deadline = start + seconds;
    for (int i = 0; i < ncallers; i++) {
        callers[i].env = &env;
        callers[i].seed = stress_next(&r);
        callers[i].deadline = deadline;
        if (pthread_create(&callers[i].thread, NULL, caller_main,
                           &callers[i]))
            return 2;
    }
    watch(callers, deadline);
    for (int i = 0; i < ncallers; i++)
        pthread_join(callers[i].thread, NULL);
    report(&env, wq_now() - start, seed, sizes);
    for (int i = 0; env.crowd && i <= STRESS_POOLS; i++)
        for (int k = 0; k < CROWD_GROUPS; k++)
            wq_group_destroy(idle[i][k]);
    for (int i = 0; i < STRESS_POOLS; i++)
        wq_pool_destroy(env.pools[i]);
    wq_pool_destroy(env.serial);
    wq_pool_destroy(NULL);
    return atomic_load(&env.violations) ? 1 : 0;
}
