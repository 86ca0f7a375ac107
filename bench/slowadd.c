/*
 * slowadd.c - seed 001's slow add: ten pairs, each added by a task that
 * first sleeps 0.1 s (0.01 s for bench-quick), like a call that waits on
 * something.  Latency-bound, not CPU-bound: a pool of more threads than
 * cores still helps, ten threads finish in one sleep.  Chunk 1, one pair a
 * piece, as Pool.map hands out ten items to five or ten processes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <time.h>

#include "bench.h"

#define PAIRS 10

struct slow {
    long nap_ns;
    int sum[PAIRS];
};

static void slow_add(void *arg, size_t begin, size_t end)
{
    struct slow *s = arg;
    for (size_t i = begin; i < end; i++) {
        struct timespec nap = {0, s->nap_ns};
        while (nanosleep(&nap, &nap))
            ;
        int x = (int)i + 1, y = 10 - (int)i;
        s->sum[i] = x + y;
    }
}

static void slow_once(const struct bench_params *p, void *arg)
{
    struct slow *s = arg;
    for (int i = 0; i < PAIRS; i++)
        s->sum[i] = 0;
    p->bk->pfor(PAIRS, p->chunk, slow_add, s);
}

static int slow_run(const struct bench_params *p, struct bench_result *r)
{
    struct slow s = {p->quick ? 10000000 : 100000000, {0}};
    bench_time(p, r, slow_once, &s);
    int total = 0;
    r->ok = 1;
    for (int i = 0; i < PAIRS; i++) {
        r->ok &= s.sum[i] == 11;
        total += s.sum[i];
    }
    r->size = PAIRS;
    snprintf(r->check, sizeof r->check, "%d", total);
    return 0;
}

const struct scenario scenario_slowadd = {"slowadd", slow_run};
