/*
 * scan.c - prefix scans whose outputs do not depend on the thread count.
 *
 * A scan is a reduction whose running value is also handed out: each piece
 * [begin, end) gets the prefix of [0, begin).  Run on the reduction's plan
 * (plan.c), it takes two parallel passes over the blocks and a short serial
 * step between them:
 *
 *   1. every block but the last is folded into its own partial P_b, as
 *      wq_reduce folds it (the last too when the total is wanted); block 0,
 *      whose prefix is init, is scanned instead, which writes its outputs
 *      and leaves P_0 as a fold would;
 *   2. the caller turns the partials into each block's prefix E_b, along
 *      the plan's tree: with R_k the groups before group k combined left
 *      to right from init, and Q the partials of group k's blocks before b
 *      combined left to right,
 *
 *          E_b = R_k (+) Q,   R_(k+1) = R_k (+) G_k,   *total = R_groups,
 *
 *      which is wq_reduce's tree, so the total is bitwise wq_reduce's;
 *   3. every block but the first is scanned from its prefix.
 *
 * Everything a piece sees is fixed by (n, chunk, size), whichever thread
 * runs it, so the outputs are bitwise identical on every pool.  This is the
 * reduce-then-scan scheme of Blelloch's "Prefix sums and their
 * applications" (1990) with the blocks of a deterministic plan; it reads
 * the input twice, except for the first block and, without a total, the
 * last.  Step 2 copies partials with memcpy, so they must be plain bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "plan.h"

struct wq__scan {
    const wq_plan *plan;
    const wq_scanner *s;
    void *ctx;
    /* Slot b, at b * stride: P_b after pass 1; after step 2, E_(b+1), the
     * running value of block b+1 in pass 3, which only that block's thread
     * touches.  Each slot is written by one thread per pass, and the loops'
     * completion orders the passes. */
    unsigned char *slots;
    unsigned char *temp; /* step 2's Q of a group of several blocks */
    void *acc;           /* step 2's R_k: the total's buffer, or a slot */
    size_t folded;       /* blocks pass 1 folds (or scans) */
    struct wq__loop *loop;
};

static unsigned char *wq__slot(const struct wq__scan *sc, size_t b)
{
    return sc->slots + b * sc->plan->stride;
}

/* Pass 1: block 0 is scanned from init, the others folded from it. */
static int wq__scan_fold_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__scan *sc = arg;
    for (size_t b = begin; b < end; b++) {
        void *p = wq__slot(sc, b);
        sc->s->init(sc->ctx, p);
        int rc = wq__plan_walk(sc->plan, b, b ? sc->s->fold : sc->s->scan,
                               sc->ctx, p, sc->loop);
        if (rc)
            return rc;
    }
    return 0;
}

/* Step 2, on the caller between the passes: slot b becomes E_(b+1) for
 * every b below blocks - 1, and acc R_k group after group. */
static void wq__scan_prefixes(struct wq__loop *loop)
{
    const struct wq__scan *sc = loop->arg;
    const wq_plan *plan = sc->plan;
    const size_t size = plan->size;
    void *ctx = sc->ctx, *acc = sc->acc;
    sc->s->init(ctx, acc);
    for (size_t first = 0; first < sc->folded; first += plan->group) {
        size_t last = sc->folded - first < plan->group ? sc->folded
                                                        : first + plan->group;
        /* Q: the group's first partial, copied aside when later blocks of
         * the group are to be combined into it. */
        const void *q = wq__slot(sc, first);
        if (last - first > 1) {
            memcpy(sc->temp, q, size);
            q = sc->temp;
        }
        for (size_t b = first; b < last; b++) {
            unsigned char *slot = wq__slot(sc, b);
            if (b > first)
                sc->s->combine(ctx, sc->temp, slot);
            if (b + 1 == last) { /* R_(k+1) = R_k (+) G_k = E_last */
                sc->s->combine(ctx, acc, q);
                if (last < plan->blocks)
                    memcpy(slot, acc, size);
            } else { /* E_(b+1) = R_k (+) Q */
                memcpy(slot, acc, size);
                sc->s->combine(ctx, slot, q);
            }
        }
    }
}

/* Pass 3: block b >= 1 is scanned from E_b, kept in slot b - 1. */
static int wq__scan_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__scan *sc = arg;
    for (size_t b = begin + 1; b <= end; b++) {
        int rc = wq__plan_walk(sc->plan, b, sc->s->scan, sc->ctx,
                               wq__slot(sc, b - 1), sc->loop);
        if (rc)
            return rc;
    }
    return 0;
}

static int wq__scan_run(wq_pool *pool, struct wq__scan *sc)
{
    const wq_plan *plan = sc->plan;
    struct wq__loop loop;
    sc->loop = &loop;
    wq__plan_loop(&loop, plan, 0, sc->folded, wq__scan_fold_piece, sc);
    loop.finish = wq__scan_prefixes;
    /* Progress counts written outputs: pass 3's, after block 0's. */
    loop.quiet = plan->blocks > 1;
    int rc = wq__loop_run(pool, &loop);
    if (rc || plan->blocks == 1)
        return rc;
    size_t first;
    wq__plan_loop(&loop, plan, 1, plan->blocks, wq__scan_piece, sc);
    wq__plan_items(plan, 0, &first, &loop.base);
    return wq__loop_run(pool, &loop);
}

int wq_scan(wq_pool *pool, size_t n, size_t chunk, const wq_scanner *s,
            void *ctx, void *total)
{
    if (!s || !s->size || !s->init || !s->fold || !s->combine || !s->scan)
        return EINVAL;
    const wq_reducer r = {s->size, s->init, s->fold, s->combine};
    if (n == 0) { /* the pool resolved, and *total = init, as wq_reduce */
        int rc = total ? wq_reduce(pool, 0, chunk, &r, ctx, total)
                       : wq__pool_resolve(&pool);
        return rc;
    }
    int rc = wq__pool_resolve(&pool);
    if (rc)
        return rc;
    wq_plan plan;
    rc = wq_plan_init(&plan, n, chunk, s->size);
    if (rc)
        return rc;
    /* The slots, the temporary and (without a total) the accumulator. */
    size_t extra = total ? 1 : 2;
    if (SIZE_MAX / plan.stride - plan.blocks < extra)
        return ENOMEM;
    size_t bytes = (plan.blocks + extra) * plan.stride;
    _Alignas(WQ__PARTIAL_ALIGN) unsigned char stack[WQ__STACK_PARTIALS];
    unsigned char *mem = bytes <= sizeof stack
                             ? stack
                             : wq__aligned_alloc(WQ__PARTIAL_ALIGN, bytes);
    if (!mem)
        return ENOMEM;
    struct wq__scan sc = {
        .plan = &plan, .s = s, .ctx = ctx, .slots = mem,
        .temp = mem + plan.blocks * plan.stride,
        .acc = total ? total : mem + (plan.blocks + 1) * plan.stride,
        .folded = total || plan.blocks == 1 ? plan.blocks : plan.blocks - 1};
    rc = wq__scan_run(pool, &sc);
    if (mem != stack)
        free(mem);
    return rc;
}
