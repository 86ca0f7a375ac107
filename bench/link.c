/*
 * link.c - bench-link: how long a cache line takes to go from one CPU to
 * another and back, in whole nanoseconds, for run.sh's link gate.
 *
 * Two threads, pinned to the first two CPUs the process may use, pass a
 * counter back and forth; the figure is the fastest of 5 batches of 2000
 * round trips (a few milliseconds in all).  It prints 0 when the process
 * has fewer than two CPUs.
 *
 * Why the bench needs it: a virtual machine's CPUs are placed by its host,
 * and a host may move them between cores that share a cache and cores
 * that do not.  On the machine the results in the README come from, the
 * round trip is 50 to 150 ns in one placement and 350 to 440 ns in the
 * other, for seconds or minutes at a time, and every runtime's fork-join figure
 * follows it (0.28 against 0.65 us for wq).  A median over processes
 * measured partly in each placement says more about the host than about
 * the runtime, so run.sh waits for the faster placement before each
 * overhead run.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define ROUND_TRIPS 2000
#define BATCHES 5

/*
 * The ball: odd values are the first thread's serve, even values the
 * second's return.  Each side waits (acquire) for the value the other
 * stored (release), so each store is seen only after the line has crossed;
 * a batch's time is two crossings a round trip.
 */
static _Alignas(64) atomic_long ball;

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The second CPU (*arg): returns every serve, for every batch. */
static void *returner(void *arg)
{
    pin(*(const int *)arg);
    for (long v = 1; v < 2L * ROUND_TRIPS * BATCHES; v += 2) {
        while (atomic_load_explicit(&ball, memory_order_acquire) != v)
            ;
        atomic_store_explicit(&ball, v + 1, memory_order_release);
    }
    return NULL;
}

int main(void)
{
    cpu_set_t mask;
    int cpus[2], n = 0;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0)
        return 1;
    for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &mask))
            cpus[n++] = c;
    if (n < 2) {
        puts("0");
        return 0;
    }
    pthread_t t;
    atomic_store_explicit(&ball, 0, memory_order_relaxed);
    if (pthread_create(&t, NULL, returner, &cpus[1]) != 0)
        return 1;
    pin(cpus[0]);
    double best = 1e9;
    long v = 0;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now();
        for (int i = 0; i < ROUND_TRIPS; i++, v += 2) {
            atomic_store_explicit(&ball, v + 1, memory_order_release);
            while (atomic_load_explicit(&ball, memory_order_acquire) != v + 2)
                ;
        }
        double dt = (now() - t0) / ROUND_TRIPS;
        if (dt < best)
            best = dt;
    }
    pthread_join(t, NULL);
    printf("%.0f\n", best * 1e9);
    return 0;
}
