/*
 * idle.c - what an idle pool costs: the CPU time of the whole process
 * (every thread) while the calling thread sleeps after one loop, as a
 * fraction of one CPU:
 *
 *   idle-spin  over the first second after the loop, spin window included;
 *   idle       over a second that starts half a second after the loop,
 *              when every default spin window has passed (libomp's 200 ms
 *              is the longest): the steady cost of a pool nobody uses.
 *
 * bench-quick uses windows of 0.2 s.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <time.h>

#include "epcc.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPUs used over [after, after + window) seconds past the end of a loop. */
static double idle_cost(const struct bench_params *p, double after,
                        double window)
{
    p->bk->pfor(p->threads, 1, epcc_delay_items, NULL);
    if (after > 0)
        bench_sleep(after);
    double c0 = cpu_seconds(), t0 = bench_now();
    bench_sleep(window);
    return (cpu_seconds() - c0) / (bench_now() - t0);
}

static int idle_measure(const struct bench_params *p, struct bench_result *r,
                        double after)
{
    double window = p->quick ? 0.2 : 1.0, t[16];
    int n = p->inner < 16 ? p->inner : 16;
    bench_delay_calibrate(EPCC_DELAY);
    for (int k = 0; k < n; k++)
        t[k] = idle_cost(p, after * window, window);
    r->med = bench_median(t, n);
    r->lo = t[0];
    r->hi = t[n - 1];
    r->size = p->threads;
    r->ok = epcc_covers(p->bk, p->threads, 1);
    snprintf(r->check, sizeof r->check, "%s", r->ok ? "covered" : "MISSED");
    return 0;
}

static int idle_run(const struct bench_params *p, struct bench_result *r)
{
    return idle_measure(p, r, 0.5);
}

static int idle_spin_run(const struct bench_params *p, struct bench_result *r)
{
    return idle_measure(p, r, 0);
}

const struct scenario scenario_idle = {"idle", idle_run};
const struct scenario scenario_idle_spin = {"idle-spin", idle_spin_run};
