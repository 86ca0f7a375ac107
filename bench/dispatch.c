/*
 * dispatch.c - what one chunk costs when there is nothing else to measure:
 * a loop of `size` items (10^7 in `make bench`) whose body does nothing,
 * handed out in chunks of `chunk` items (1 in `make bench`).  The figure
 * is the loop's time divided by the chunks each thread runs, so it reads
 * as schedbench's does, the cost of one more chunk to a thread, but
 * without the 0.1 us delays and the serial reference that schedbench
 * subtracts: their scatter (about 10 ns a chunk on a shared 2-CPU host)
 * is larger than the differences between the fast dynamic schedules.
 * One loop of 10^7 chunks lasts tens of milliseconds or more, so the call
 * that starts it and the wait that ends it are a part in 10^4 of the
 * figure at most.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "bench.h"
#include "epcc.h"

struct dispatch {
    size_t n, chunk;
};

/* The body each runtime calls once a chunk, through its pointer; the
 * empty asm keeps the call and its arguments from being folded away in
 * a backend that inlines its callbacks' callers. */
static void nothing(void *ctx, size_t begin, size_t end)
{
    __asm__ __volatile__("" : : "r"(ctx), "r"(begin), "r"(end) : "memory");
}

static void dispatch_once(const struct bench_params *p, void *arg)
{
    const struct dispatch *d = arg;
    p->bk->pfor(d->n, d->chunk, nothing, NULL);
}

static int dispatch_run(const struct bench_params *p, struct bench_result *r)
{
    struct dispatch d = {p->size ? p->size : 10000000, p->chunk ? p->chunk : 1};
    /* The same loop once with a body that counts: every index once. */
    r->ok = epcc_covers(p->bk, d.n, d.chunk);
    bench_time(p, r, dispatch_once, &d);
    double per = (double)((d.n + d.chunk - 1) / d.chunk) / (double)p->threads;
    r->med /= per;
    r->lo /= per;
    r->hi /= per;
    r->size = d.n;
    snprintf(r->check, sizeof r->check, "%s", r->ok ? "covered" : "MISSED");
    return 0;
}

const struct scenario scenario_dispatch = {"dispatch", dispatch_run};
