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
 * applications" (1990) with the blocks of a deterministic plan.  Every
 * block but the first (and, without a total, the last) is read twice, by
 * fold and then by scan.
 *
 * A plan of up to 512 blocks is run as above, in one wave: two loops, the
 * input read twice from wherever it lives.  Past that (n above about 2^23
 * for chunk 0), the blocks are run in waves of a few blocks a thread
 * (wq__scan_wave): passes 1, 2 and 3 over one wave's blocks, then over the
 * next.  A loop's lanes give each thread about the same run of blocks in
 * both passes of a wave, so scan re-reads what fold has just read from the
 * thread's own cache, and the input comes from memory once.  Step 2 carries
 * on across waves (R_k, and Q of a group cut by a wave, stay where they
 * were), so its combines are the same calls in the same order as in one
 * wave, and so are every output and the total, bit for bit.  Step 2
 * copies partials with memcpy, so they must be plain bytes.
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

/* Blocks a wave holds per thread of the pool, once the plan has groups. */
#define WQ__SCAN_WAVE_PER_THREAD 4

struct wq__scan {
    const wq_plan *plan;
    const wq_scanner *s;
    void *ctx;
    /* Slot b, at b * stride: P_b after its wave's pass 1; after step 2,
     * E_(b+1), the running value of block b+1 in pass 3, which only that
     * block's thread touches.  Each slot is written by one thread per pass,
     * and the loops' completion orders the passes and the waves. */
    unsigned char *slots;
    unsigned char *temp; /* step 2's Q of a group of several blocks */
    void *acc;           /* step 2's R_k: the total's buffer, or a slot */
    size_t folded;       /* blocks pass 1 folds (or scans) */
    size_t wave;         /* blocks a wave (the last may have fewer) */
    /* The wave being run: blocks [first, last); a loop's unit u is block
     * first + u in pass 1, first + (first == 0) + u in pass 3. */
    size_t first, last;
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
    for (size_t b = sc->first + begin; b < sc->first + end; b++) {
        void *p = wq__slot(sc, b);
        sc->s->init(sc->ctx, p);
        int rc = wq__plan_walk(sc->plan, b, b ? sc->s->fold : sc->s->scan,
                               sc->ctx, p, sc->loop);
        if (rc)
            return rc;
    }
    return 0;
}

/* Step 2, on the caller as pass 1's finish: for the wave's folded blocks b,
 * in order, slot b becomes E_(b+1) (unless b is the last block), and acc
 * R_k once group k's last block is passed.  It carries on from the wave
 * before it: acc, and temp when a group spans two waves, keep their values
 * between waves, so the combines are the same calls in the same order as
 * in a single wave. */
static void wq__scan_prefixes(struct wq__loop *loop)
{
    const struct wq__scan *sc = loop->arg;
    const wq_plan *plan = sc->plan;
    const size_t size = plan->size, g = plan->group;
    const size_t end = sc->last < sc->folded ? sc->last : sc->folded;
    void *ctx = sc->ctx, *acc = sc->acc;
    if (sc->first == 0)
        sc->s->init(ctx, acc);
    for (size_t b = sc->first; b < end; b++) {
        size_t first = b - b % g;
        size_t last = sc->folded - first < g ? sc->folded : first + g;
        unsigned char *slot = wq__slot(sc, b);
        /* Q: the group's partials up to b; a group of several blocks keeps
         * it in temp, which its first block's partial is copied into. */
        const void *q = last - first > 1 ? sc->temp : slot;
        if (b > first)
            sc->s->combine(ctx, sc->temp, slot);
        else if (last - first > 1)
            memcpy(sc->temp, slot, size);
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

/* Pass 3: block b >= 1 is scanned from E_b, kept in slot b - 1. */
static int wq__scan_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__scan *sc = arg;
    const size_t from = sc->first + (sc->first == 0);
    for (size_t b = from + begin; b < from + end; b++) {
        int rc = wq__plan_walk(sc->plan, b, sc->s->scan, sc->ctx,
                               wq__slot(sc, b - 1), sc->loop);
        if (rc)
            return rc;
    }
    return 0;
}

/* Blocks a wave: all of them while the plan has no groups (at most 512
 * blocks), so a short scan makes its two loops as it always did, and on a
 * pool whose single wave of WQ__SCAN_WAVE_PER_THREAD blocks a thread would
 * hold them all anyway.  Past 512 blocks, blocks hold at least 2^14 items
 * on average (plan.c): a thread's share of a wave, about that many blocks
 * in each of its two loops, is at least 2^16 items, long enough that the
 * wave's fork and join cost little beside it, and (below 2^30 items, where
 * blocks hold under 2^15) within 1 MiB of 8-byte input, 2 MiB with its
 * output, so that it is still in the thread's cache when pass 3 reads it
 * again.  Longer blocks (past 2^30 items, or a long chunk) make
 * longer waves, which cost as little and gain less. */
size_t wq__scan_wave(const wq_plan *plan, unsigned threads)
{
    if (plan->group == 1 || plan->blocks / WQ__SCAN_WAVE_PER_THREAD <= threads)
        return plan->blocks;
    return (size_t)WQ__SCAN_WAVE_PER_THREAD * threads;
}

/* One wave: pass 1 with step 2 as its finish, then pass 3.  Progress is
 * pass 3's: the outputs written, out of n (block 0's in the first wave's
 * pass 1, which reports only for a plan of one block). */
static int wq__scan_wave_run(wq_pool *pool, struct wq__scan *sc)
{
    const wq_plan *plan = sc->plan;
    struct wq__loop *loop = sc->loop;
    const size_t last = sc->last < sc->folded ? sc->last : sc->folded;
    int rc = 0;
    if (sc->first < last) {
        wq__plan_loop(loop, plan, sc->first, last, wq__scan_fold_piece, sc);
        loop->finish = wq__scan_prefixes;
        loop->quiet = plan->blocks > 1;
        rc = wq__loop_run(pool, loop);
    }
    const size_t from = sc->first + (sc->first == 0);
    if (rc || from >= sc->last)
        return rc;
    size_t begin, end;
    wq__plan_loop(loop, plan, from, sc->last, wq__scan_piece, sc);
    wq__plan_items(plan, from, &loop->base, &end);
    wq__plan_items(plan, sc->last - 1, &begin, &end);
    loop->after = plan->n - end;
    loop->resume = sc->first > 0; /* the first pass 3 starts the interval */
    return wq__loop_run(pool, loop);
}

static int wq__scan_run(wq_pool *pool, struct wq__scan *sc)
{
    struct wq__loop loop;
    sc->loop = &loop;
    int rc = 0;
    for (size_t b = 0; b < sc->plan->blocks && !rc; b = sc->last) {
        sc->first = b;
        sc->last = sc->plan->blocks - b <= sc->wave ? sc->plan->blocks
                                                     : b + sc->wave;
        rc = wq__scan_wave_run(pool, sc);
    }
    return rc;
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
        .folded = total || plan.blocks == 1 ? plan.blocks : plan.blocks - 1,
        .wave = wq__scan_wave(&plan, pool->size)};
    rc = wq__scan_run(pool, &sc);
    if (mem != stack)
        free(mem);
    return rc;
}
