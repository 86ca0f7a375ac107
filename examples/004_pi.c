/*
 * 004_pi.c - pi as a reduction, and why a CPU clock cannot time it.
 *
 * The Python pattern it replaces: pi is approximated by summing the series
 * 4/1 - 4/3 + 4/5 - ... over a hundred million terms.  The loop is rewritten
 * to sum a range [start, end), the range is split by hand into one interval
 * per process (the last taking any remainder), Pool.map sums each interval
 * and sum() adds the partial results: a reduction.  Timed with time.clock(),
 * the parallel run then claimed to take 0.03 s: that clock counted only the
 * CPU time of the parent process, which sat waiting while its children
 * worked.  Timed with time.time(), a wall clock, it took about a quarter of
 * the serial time on four processes.
 *
 * In C, wq_reduce does the splitting and the adding: fold sums a range into
 * a partial, combine adds two partials.  The partials are combined in a
 * fixed order, so the digits printed below are the same on any thread
 * count (they differ from the serial loop's last digits only because the
 * terms are added in another grouping).
 *
 * With threads, the CPU clock errs the other way.  clock() adds up the CPU
 * time of every thread of the process, so the parallel run looks as slow as
 * the serial one (or slower), however much sooner it finished.  Wall-clock
 * time, wq_now(), is what the user waits for and what a speed-up is made of.
 *
 *   ./004_pi [terms]        (default 100000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <wq.h>

#include "bar.h"
#include "pi.h"

struct clocks {
    double wall, cpu;
};

static struct clocks clocks_now(void)
{
    return (struct clocks){wq_now(), (double)clock() / CLOCKS_PER_SEC};
}

static void print_pi(const char *how, double pi, struct clocks t0)
{
    struct clocks t1 = clocks_now();
    printf("%-8s pi = %.16f, error %.3e\n", how, pi, pi > PI ? pi - PI : PI - pi);
    fprintf(stderr, "    wall clock (wq_now) %7.3f s   CPU clock (clock) %7.3f s\n",
            t1.wall - t0.wall, t1.cpu - t0.cpu);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000000;
    wq_options opt = bar_options("pi");
    wq_pool *pool;
    int rc = wq_pool_create(&pool, &opt);
    if (rc)
        return fprintf(stderr, "wq_pool_create: %s\n", wq_strerror(rc)), 1;
    fprintf(stderr, "%zu terms, %u threads\n", n, wq_pool_size(pool));

    struct clocks t0 = clocks_now();
    print_pi("serial:", pi_terms(0, n), t0);

    const wq_reducer pi_sum = {sizeof(double), zero, fold, combine};
    double pi;
    t0 = clocks_now();
    rc = wq_reduce(pool, n, 0, &pi_sum, NULL, &pi);
    if (rc)
        return fprintf(stderr, "wq_reduce: %s\n", wq_strerror(rc)), 1;
    print_pi("wq:", pi, t0);
    fprintf(stderr, "The CPU clock adds every thread's time: only the wall "
                    "clock shows the speed-up.\n");
    wq_pool_destroy(pool);
    return 0;
}
