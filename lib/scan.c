/*
 * scan.c - prefix scans whose outputs do not depend on the thread count.
 *
 * A scan is a reduction whose running value is also handed out: each piece
 * [begin, end) gets the prefix of [0, begin).  It runs on the reduction's
 * plan (plan.c), and each block b is scanned from a prefix E_b made of the
 * blocks' partials P_c (c < b) along the plan's tree: with R_k the groups
 * before group k combined left to right from init, and Q_b the partials of
 * group k's blocks before b combined left to right,
 *
 *     E_b = R_k (+) Q_b,   R_(k+1) = R_k (+) G_k,   *total = R_groups,
 *
 * which is wq_reduce's tree, so the total is bitwise wq_reduce's.
 * Everything a piece sees is fixed by (n, chunk, size), whichever thread
 * runs it, so the outputs are bitwise identical on every pool.  E_b needs
 * P_b as a fold from init gives it, so every block but the first (and,
 * without a total, the last) is folded and then scanned: twice the serial
 * loop's work, as in the reduce-then-scan scheme of Blelloch's "Prefix sums
 * and their applications" (1990).
 *
 * It is one loop over the blocks, in one pass over the input.  Blocks are
 * claimed in index order by every thread (an ordered loop: one lane), one
 * at a time, or runs of a few when blocks are short (WQ__SCAN_CLAIM_ITEMS),
 * and the thread that claims a run
 *
 *   1. folds each block b into P_b in slot b (block 0 is scanned from init
 *      instead, which writes its outputs and leaves P_0 as a fold would;
 *      without a total the last block is not folded) and arrives at step
 *      b;
 *   2. waits a while for the chain to reach each block b (wq__scan_wait),
 *      then scans it from E_b, while the run is still in its cache: the
 *      input comes from memory once.
 *
 * The chain is the sequence of steps 0, 1, ...: step c turns slot c from
 * P_c into E_(c+1) and moves R_k and Q on (wq__scan_step), exactly the
 * combines a serial walk over the partials would make, in the same order.
 * Step c needs P_c and step c - 1 done; it is run by whichever of the two
 * arrives last (wq__scan_arrive), so no thread waits to run a step, and
 * blocks are claimed in order, so the chain follows close behind the folds
 * (tests/model/chain.pml checks the protocol over every interleaving).
 *
 * A block whose prefix does not come while the chain stands still for
 * WQ__SCAN_PATIENCE (the thread folding a block before it was preempted,
 * or is in a nested call) is left pending and its thread moves on; once
 * the loop is over, every step has run (each was its block's folder's or
 * its predecessor's), and the loop's finish scans the pending blocks, in
 * parallel, reading them again.  No thread ever waits without a bound for
 * another, so a scan that a callback of the same pool runs cannot
 * deadlock.  This is the single pass of Merrill and Garland's "Single-pass
 * parallel prefix scan with decoupled look-back" (2016) without the
 * look-back: a prefix is made only from its predecessor's, never from the
 * partials further back, so the combines stay in their fixed order.  Steps
 * copy partials with memcpy, so they must be plain bytes.
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

/* Seconds a block's thread waits for its prefix while the chain does not
 * move before it leaves the block pending: a few blocks' folds of the
 * default plan (2^14 items, some microseconds each), far below a time
 * slice, so a thread that lost its CPU holds up the others for this long
 * at most, and a re-read of a pending block costs about as much. */
#define WQ__SCAN_PATIENCE 20e-6

/* Short blocks are claimed several at a time, about this many items a
 * claim: a claim's run is folded and then scanned, so it must fit the
 * thread's cache (128 KiB of doubles), and the thread after it waits for
 * its folds. */
#define WQ__SCAN_CLAIM_ITEMS ((size_t)1 << 14)

/* arrive is carved out of a byte buffer, a byte a block. */
_Static_assert(sizeof(_Atomic unsigned char) == 1,
               "an atomic byte is one byte");

struct wq__scan {
    const wq_plan *plan;
    const wq_scanner *s;
    void *ctx;
    /* Slot b, at b * stride: P_b once block b is folded (or, for b == 0,
     * scanned); E_(b+1), the running value of block b + 1's scan, once
     * step b has run (the last block's slot only holds P).  Slot b is
     * written by block b's folder, then by step b, then by block b + 1's
     * scan; each hands it on by the protocol of arrive or chained. */
    unsigned char *slots;
    unsigned char *temp; /* the chain's Q of a group of several blocks */
    void *acc;           /* the chain's R_k: the total's buffer, or a slot */
    size_t folded;       /* blocks that are folded: steps 0 .. folded - 1 */
    /* Arrivals at step c, for c < folded: block c's folder adds 1 once
     * slot c holds P_c, and the thread that ran step c - 1 adds 1 once it
     * is done (step 0 starts at 1: it has no predecessor).  The add that
     * finds 1 is the second and runs the step.  acq_rel: each add releases
     * what its thread wrote (slot c, or the chain's acc, temp and slot
     * c - 1) and the second acquires the first's, so a step sees P_c and
     * every step before it. */
    _Atomic unsigned char *arrive;
    /* pending[b]: block b was folded but not scanned.  Written by its
     * claimer, read by the owner in the finish, after the loop, whose end
     * orders every piece before it. */
    unsigned char *pending;
    struct wq__loop *loop; /* the loop running, for the stop test */
    size_t redo;           /* the first block the finish's loop covers */
    size_t claim;          /* blocks a claim (the loop's stride) */
    /* The chain's length: steps [0, chained) have run, so E_b is in slot
     * b - 1 for every b <= chained.  Stored (release) by the thread that
     * ran the step, after it; steps are ordered by arrive, so the stores
     * only grow.  Read (acquire) by threads waiting for their prefix: the
     * value they see was stored after every step below it, which
     * happens-before the store through arrive. */
    WQ__ALIGNED _Atomic size_t chained;
};

static unsigned char *wq__slot(const struct wq__scan *sc, size_t b)
{
    return sc->slots + b * sc->plan->stride;
}

/* Step b: slot b goes from P_b to E_(b+1) (unless b is the last block),
 * and acc to R_(k+1) once group k's last block is passed.  acc, and temp
 * when a group has several blocks, carry on from the step before, so the
 * combines are those of a walk over the partials from block 0, in
 * order. */
static void wq__scan_step(const struct wq__scan *sc, size_t b)
{
    const wq_plan *plan = sc->plan;
    const size_t size = plan->size, g = plan->group;
    void *ctx = sc->ctx, *acc = sc->acc;
    size_t first = b - b % g;
    size_t last = sc->folded - first < g ? sc->folded : first + g;
    unsigned char *slot = wq__slot(sc, b);
    if (b == 0)
        sc->s->init(ctx, acc);
    /* Q: the group's partials up to b; a group of several blocks keeps it
     * in temp, which its first block's partial is copied into. */
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

/* Arrive at step c; run it if this is its second arrival, and go on to
 * arrive at the next, for as long as this thread is the second. */
static void wq__scan_arrive(struct wq__scan *sc, size_t c)
{
    while (c < sc->folded && wq__fetch_add_acq_rel(&sc->arrive[c], 1) == 1) {
        wq__scan_step(sc, c);
        wq__store_release(&sc->chained, c + 1);
        c++;
    }
}

/* Whether E_b came: wait while the chain moves, and for at most
 * WQ__SCAN_PATIENCE after it last moved, or until the loop stops.  The
 * clock is read only once the first look found the chain short.  Every
 * block below b is claimed and being folded, or folded and waiting for its
 * own step, so a moving chain reaches b within a few blocks' folds. */
static int wq__scan_wait(const struct wq__scan *sc, size_t b)
{
    size_t seen = wq__load_acquire(&sc->chained);
    if (seen >= b)
        return 1;
    double until = wq_now() + WQ__SCAN_PATIENCE;
    for (unsigned spin = 1;; spin++) {
        wq__cpu_relax();
        size_t now = wq__load_acquire(&sc->chained);
        if (now >= b)
            return 1;
        if (spin % 64)
            continue;
        if (wq__loop_stopped(sc->loop))
            return 0;
        double t = wq_now();
        if (now != seen) { /* it moved: wait on */
            seen = now;
            until = t + WQ__SCAN_PATIENCE;
        } else if (t >= until) {
            return 0;
        }
    }
}

/* Fold block b into P_b in slot b (block 0: scan it from init) and arrive
 * at step b.  Returns the fold's result; a walk cut short by a stop leaves
 * no P_b to pass on, so a stopped loop arrives nowhere. */
static int wq__scan_fold_block(struct wq__scan *sc, size_t b)
{
    void *slot = wq__slot(sc, b);
    sc->s->init(sc->ctx, slot);
    int rc = wq__plan_walk(sc->plan, b, b ? sc->s->fold : sc->s->scan,
                           sc->ctx, slot, sc->loop);
    if (rc || wq__loop_stopped(sc->loop))
        return rc;
    wq__scan_arrive(sc, b);
    return 0;
}

/* Scan block b >= 1 from E_b, in slot b - 1. */
static int wq__scan_block(const struct wq__scan *sc, size_t b)
{
    return wq__plan_walk(sc->plan, b, sc->s->scan, sc->ctx,
                         wq__slot(sc, b - 1), sc->loop);
}

/* The loop's piece: a claim of blocks [begin, end), or a lone thread's
 * whole range, which it takes a claim's length at a time.  A run of
 * blocks is folded, then scanned, so that the scan reads it again from
 * the thread's cache, and the next thread's run, which needs this one's
 * folds, not its scans, can be folded meanwhile.  A lone thread never
 * waits: it ran every step below its run itself. */
static int wq__scan_block_piece(void *arg, size_t begin, size_t end)
{
    struct wq__scan *sc = arg;
    for (size_t lo = begin, hi; lo < end; lo = hi) {
        hi = end - lo < sc->claim ? end : lo + sc->claim;
        for (size_t b = lo; b < hi && b < sc->folded; b++) {
            int rc = wq__scan_fold_block(sc, b);
            if (rc || wq__loop_stopped(sc->loop))
                return rc;
        }
        /* Block 0 was scanned as it was folded. */
        for (size_t b = lo ? lo : 1; b < hi; b++) {
            if (!wq__scan_wait(sc, b)) {
                if (wq__loop_stopped(sc->loop))
                    return 0;
                sc->pending[b] = 1;
                continue;
            }
            int rc = wq__scan_block(sc, b);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* The finish's loop: unit u is block redo + u, scanned if pending. */
static int wq__scan_pending_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__scan *sc = arg;
    const size_t first = sc->redo;
    for (size_t b = first + begin; b < first + end; b++) {
        int rc = sc->pending[b] ? wq__scan_block(sc, b) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* The block loop's finish: every step has run (each ran in a piece, on
 * its second arrival, and the loop is over), so every pending block has
 * its prefix; scan them, in a loop of their own over the blocks from the
 * first pending one to the last.  It is nested in the block loop's call,
 * so it reports no progress: the block loop counted each block as it was
 * claimed, and its final report follows this. */
static int wq__scan_finish(struct wq__loop *loop)
{
    struct wq__scan *sc = loop->arg;
    const size_t blocks = sc->plan->blocks;
    const unsigned char *p = memchr(sc->pending, 1, blocks);
    if (!p)
        return 0;
    size_t first = (size_t)(p - sc->pending), last = blocks;
    while (!sc->pending[last - 1])
        last--;
    struct wq__loop pass;
    wq__loop_init(&pass, last - first, 1, 0, wq__scan_pending_piece, sc);
    pass.quiet = 1;
    sc->redo = first;
    sc->loop = &pass;
    int rc = wq__loop_run(loop->pool, &pass);
    sc->loop = loop;
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
    /* The slots, the temporary and (without a total) the accumulator,
     * then arrive and pending, a byte a block each. */
    size_t extra = total ? 1 : 2;
    if (SIZE_MAX / plan.stride - plan.blocks < extra ||
        (SIZE_MAX - (plan.blocks + extra) * plan.stride) / 2 < plan.blocks)
        return ENOMEM;
    size_t bytes = (plan.blocks + extra) * plan.stride + 2 * plan.blocks;
    _Alignas(WQ__PARTIAL_ALIGN) unsigned char stack[WQ__STACK_PARTIALS];
    unsigned char *mem = bytes <= sizeof stack
                             ? stack
                             : wq__aligned_alloc(WQ__PARTIAL_ALIGN, bytes);
    if (!mem)
        return ENOMEM;
    unsigned char *flags = mem + (plan.blocks + extra) * plan.stride;
    struct wq__scan sc = {
        .plan = &plan, .s = s, .ctx = ctx, .slots = mem,
        .temp = mem + plan.blocks * plan.stride,
        .acc = total ? total : mem + (plan.blocks + 1) * plan.stride,
        .folded = total || plan.blocks == 1 ? plan.blocks : plan.blocks - 1,
        .arrive = (_Atomic unsigned char *)(void *)flags,
        .pending = flags + plan.blocks};
    for (size_t b = 0; b < plan.blocks; b++)
        atomic_init(&sc.arrive[b], b == 0);
    memset(sc.pending, 0, plan.blocks);
    atomic_init(&sc.chained, 0);
    struct wq__loop loop;
    sc.loop = &loop;
    wq__plan_loop(&loop, &plan, 0, plan.blocks, wq__scan_block_piece, &sc);
    loop.ordered = 1;
    size_t items = plan.n / plan.blocks; /* a block's, about */
    if (items < WQ__SCAN_CLAIM_ITEMS)
        loop.stride = WQ__SCAN_CLAIM_ITEMS / items; /* a plan's blocks hold
                                                       at least one item */
    sc.claim = loop.stride;
    loop.finish = wq__scan_finish;
    rc = wq__loop_run(pool, &loop);
    if (mem != stack)
        free(mem);
    return rc;
}
