/*
 * reduce.c - reductions whose result does not depend on the thread count.
 *
 * Floating-point addition is not associative, so a reduction that combines
 * per-thread partials (as OpenMP's reduction clause does) changes its last
 * bits with the number of threads and with timing.  Here the range is cut
 * into the blocks of a plan fixed by (n, chunk, size) alone (plan.c); each
 * block is folded, piece by piece in index order, into a partial of its
 * own; and the partials are combined along the plan's fixed tree, groups of
 * consecutive blocks first, then the groups left to right:
 *
 *     result = ((init (+) G_0) (+) G_1) (+) ... ,  G_k = P(kg) (+) ... (+) P(kg+g-1)
 *
 * Threads only decide who folds which block, which cannot change any bit.
 * Because combine always receives the earlier partial first, an associative
 * but non-commutative operation (ordered concatenation, matrix products,
 * first/last) reduces correctly too.  This is the deterministic-reduction
 * idea of oneTBB's parallel_deterministic_reduce, with the block tree fixed by
 * the plan rather than by a grain size.  wq_reduce_blocks and
 * wq_reduce_combine give the two halves to callers that fold the blocks
 * elsewhere (libwq-mpi folds them on several processes).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fault.h"
#include "loop.h"
#include "plan.h"
#include "thread.h"

struct wq__reduce {
    const wq_plan *plan;
    const wq_reducer *r;
    void *ctx;
    size_t first;              /* the block of the loop's unit 0 */
    unsigned char *partials;   /* block b's partial at (b - first) * stride */
    /* wq_reduce of a plan with groups: per group, its blocks not yet
     * folded.  Each thread that has folded a block takes one off its group
     * with a fetch_sub (acq_rel): its release publishes the block's
     * partial, and the thread that takes the last one acquires every
     * other's, so it alone combines the group.  NULL: groups are left to
     * wq__reduce_finish's caller. */
    _Atomic size_t *left;
    void *result;
    struct wq__loop *loop; /* for the stop test between pieces of a block */
};

static unsigned char *wq__partial(const struct wq__reduce *red, size_t b)
{
    return red->partials + (b - red->first) * red->plan->stride;
}

int wq__plan_walk(const wq_plan *plan, size_t b, wq__block_fn fn, void *ctx,
                  void *p, struct wq__loop *loop)
{
    size_t begin, end;
    wq__plan_items(plan, b, &begin, &end);
    if (!plan->chunk)
        return fn(ctx, begin, end, p);
    /* Step by the piece's end, never by lo + chunk, which can wrap. */
    for (size_t lo = begin, hi; lo < end; lo = hi) {
        if (lo > begin && wq__loop_stopped(loop))
            return 0;
        hi = end - lo < plan->chunk ? end : lo + plan->chunk;
        int rc = fn(ctx, lo, hi, p);
        if (rc)
            return rc;
    }
    return 0;
}

/* Group k's partials combined left to right into its first block's. */
static void wq__combine_group(const struct wq__reduce *red, size_t k)
{
    const wq_plan *plan = red->plan;
    size_t b = k * plan->group;
    size_t last = plan->blocks - b < plan->group ? plan->blocks
                                                 : b + plan->group;
    unsigned char *head = wq__partial(red, b);
    for (size_t o = b + 1; o < last; o++)
        red->r->combine(red->ctx, head, wq__partial(red, o));
}

/* Units of the loop are blocks.  They are claimed one at a time, so a piece
 * of several blocks is a lone thread's whole range, which nothing but its
 * own failure stops: the stop test is between leaves. */
static int wq__fold_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__reduce *red = arg;
    for (size_t u = begin; u < end; u++) {
        size_t b = red->first + u;
        void *p = wq__partial(red, b);
        red->r->init(red->ctx, p);
        int rc = wq__plan_walk(red->plan, b, red->r->fold, red->ctx, p,
                               red->loop);
        if (rc)
            return rc;
        if (red->left &&
            wq__fetch_sub_acq_rel(&red->left[b / red->plan->group], 1) == 1)
            wq__combine_group(red, b / red->plan->group);
    }
    return 0;
}

/* Units of the loop are groups, each combined in place. */
static int wq__group_piece(void *arg, size_t begin, size_t end)
{
    const struct wq__reduce *red = arg;
    for (size_t k = begin; k < end && red->plan->group > 1; k++)
        wq__combine_group(red, k);
    return 0;
}

/* The loop's finish, once every group is combined: the groups left to
 * right into the result. */
static int wq__reduce_finish(struct wq__loop *loop)
{
    const struct wq__reduce *red = loop->arg;
    const wq_plan *plan = red->plan;
    red->r->init(red->ctx, red->result);
    for (size_t k = 0; k < plan->groups; k++)
        red->r->combine(red->ctx, red->result,
                        wq__partial(red, k * plan->group));
    return 0;
}

void wq__plan_loop(struct wq__loop *loop, const wq_plan *plan, size_t first,
                   size_t last, wq__piece_fn piece, void *arg)
{
    size_t begin = 0, end = plan->n, other;
    if (first != 0 || last != plan->blocks) { /* a part of the plan */
        wq__plan_items(plan, first, &begin, &other);
        wq__plan_items(plan, last - 1, &other, &end);
    }
    wq__loop_init(loop, last - first, 1, 0, piece, arg);
    /* Where blocks start, as wq__plan_items cuts them, counted from the
     * first block's start. */
    loop->total = end - begin;
    if (plan->chunk) {
        loop->per_unit = plan->per * plan->chunk;
        loop->extra = 0;
    } else {
        size_t extra = plan->n % plan->blocks;
        loop->per_unit = plan->n / plan->blocks;
        loop->extra = extra > first ? extra - first : 0;
    }
}

/* Fold blocks [first, last) of the plan on the pool; finish (or NULL) runs
 * on the caller once all succeeded. */
static int wq__fold_loop(wq_pool *pool, struct wq__reduce *red, size_t last,
                         int (*finish)(struct wq__loop *))
{
    struct wq__loop loop;
    red->loop = &loop;
    wq__plan_loop(&loop, red->plan, red->first, last, wq__fold_piece, red);
    loop.finish = finish;
    return wq__loop_run(pool, &loop);
}

/* n == 0: result = init, run as fold would run (in a frame of the pool, so
 * wq_pool_destroy from inside init does nothing, and in its denormal mode);
 * a loop with n > 0 does the same through its finish. */
static void wq__reduce_empty(wq_pool *pool, const wq_reducer *r, void *ctx,
                             void *result)
{
    struct wq__frame frame;
    unsigned long fpu = 0;
    wq__frame_push(&frame, pool, NULL, NULL);
    if (pool->flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    r->init(ctx, result);
    if (pool->flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
}

static int wq__reducer_valid(const wq_reducer *r)
{
    return r && r->size && r->init && r->fold && r->combine;
}

int wq_reduce(wq_pool *pool, size_t n, size_t chunk, const wq_reducer *r,
              void *ctx, void *result)
{
    if (!wq__reducer_valid(r) || !result)
        return EINVAL;
    int rc = wq__pool_resolve(&pool);
    if (rc)
        return rc;
    if (n == 0) {
        wq__reduce_empty(pool, r, ctx, result);
        return 0;
    }

    wq_plan plan;
    rc = wq_plan_init(&plan, n, chunk, r->size);
    if (rc)
        return rc;
    /* The partials, then (with groups) the groups' counters. */
    size_t bytes = plan.blocks * plan.stride;
    size_t counters = plan.group > 1 ? plan.groups * sizeof(size_t) : 0;
    if (bytes > SIZE_MAX - counters)
        return ENOMEM;
    _Alignas(WQ__PARTIAL_ALIGN) unsigned char stack[WQ__STACK_PARTIALS];
    unsigned char *mem =
        bytes + counters <= sizeof stack
            ? stack
            : wq__aligned_alloc(WQ__PARTIAL_ALIGN, bytes + counters);
    if (!mem)
        return ENOMEM;

    struct wq__reduce red = {.plan = &plan, .r = r, .ctx = ctx,
                             .partials = mem, .result = result};
    if (counters) {
        /* bytes is a multiple of 64, so the counters are aligned. */
        red.left = (_Atomic size_t *)(void *)(mem + bytes);
        for (size_t k = 0; k < plan.groups; k++)
            atomic_init(&red.left[k], plan.blocks - k * plan.group < plan.group
                                          ? plan.blocks - k * plan.group
                                          : plan.group);
    }
    rc = wq__fold_loop(pool, &red, plan.blocks, wq__reduce_finish);
    if (mem != stack)
        free(mem);
    return rc;
}

/* -------------------------------------------------- the plan, in halves -- */

/* The arguments both halves share; 0 or EINVAL. */
static int wq__halves_valid(const wq_plan *plan, const wq_reducer *r)
{
    return wq__reducer_valid(r) && wq__plan_valid(plan) &&
                   r->size == plan->size
               ? 0
               : EINVAL;
}

int wq_reduce_blocks(wq_pool *pool, const wq_plan *plan, size_t first,
                     size_t last, const wq_reducer *r, void *ctx,
                     void *partials)
{
    int rc = wq__halves_valid(plan, r);
    if (rc || first > last || last > plan->blocks ||
        (first < last && !partials))
        return EINVAL;
    rc = wq__pool_resolve(&pool);
    if (rc || first == last)
        return rc;
    struct wq__reduce red = {
        .plan = plan, .r = r, .ctx = ctx, .first = first, .partials = partials};
    return wq__fold_loop(pool, &red, last, NULL);
}

int wq_reduce_combine(wq_pool *pool, const wq_plan *plan, const wq_reducer *r,
                      void *ctx, void *partials, void *result)
{
    int rc = wq__halves_valid(plan, r);
    if (rc || !result || (plan->blocks && !partials))
        return EINVAL;
    rc = wq__pool_resolve(&pool);
    if (rc)
        return rc;
    if (!plan->blocks) {
        wq__reduce_empty(pool, r, ctx, result);
        return 0;
    }
    struct wq__reduce red = {.plan = plan, .r = r, .ctx = ctx,
                             .partials = partials, .result = result};
    struct wq__loop loop;
    red.loop = &loop;
    /* A plan without groups has nothing to combine in parallel: one unit,
     * run inline, then the finish. */
    wq__loop_init(&loop, plan->group > 1 ? plan->groups : 1, 1, 0,
                  wq__group_piece, &red);
    loop.finish = wq__reduce_finish;
    loop.total = plan->n;
    loop.per_unit = plan->n / loop.units;
    loop.extra = plan->n % loop.units;
    return wq__loop_run(pool, &loop);
}
