/*
 * plan.c - the reduction's plan: how [0, n) is cut into blocks, and the
 * fixed tree their partials are combined along, from (n, chunk, size) alone.
 *
 * Blocks are the unit of scheduling and of determinism: each is folded,
 * piece by piece in index order, into a partial of its own, by one thread.
 * Their number grows with n, so that a long reduction has work for many
 * threads (and, through libwq-mpi, for many ranks of many threads), yet a
 * short one keeps few blocks and costs what it did.  The combine follows a
 * two-level tree, so that its cost on the calling thread stays bounded:
 *
 *     G_k    = P(kg) (+) P(kg+1) (+) ... (+) P(kg+g-1)     (in P(kg)'s place)
 *     result = ((init (+) G_0) (+) G_1) (+) ... (+) G_(K-1)
 *
 * with g = plan.group blocks a group and K = plan.groups groups.  With no
 * more than WQ__GROUPS_MAX blocks g is 1 and this is the plain left-to-right
 * combination of every partial.  Groups are combined by whichever thread
 * folds their last block; only the K group partials are left to the caller.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>

#include "plan.h"

/* Up to this many blocks at every n, and as many groups at most. */
#define WQ__BLOCKS_BASE 512
/* Past WQ__BLOCKS_BASE blocks, one block per this many items: long
 * reductions get more blocks, each still long enough that its claim and
 * its partial cost little beside its work. */
#define WQ__ITEMS_PER_BLOCK ((size_t)1 << 14)
/* The most blocks any plan has: 4 MiB of 64-byte partials. */
#define WQ__BLOCKS_MAX ((size_t)1 << 16)
/* Partials of a plan above WQ__BLOCKS_BASE blocks stay within this. */
#define WQ__PLAN_BYTES ((size_t)4 << 20)
/* Partials larger than this never grow in number: their blocks stay near
 * 1 MiB in all, and at least WQ__BLOCKS_FEW. */
#define WQ__LARGE_PARTIAL 2048
#define WQ__LARGE_BYTES ((size_t)1 << 20)
#define WQ__BLOCKS_FEW 16

static size_t wq__ceil_div(size_t a, size_t b)
{
    return a / b + (a % b != 0);
}

/* The most blocks a plan of n items and stride-byte partials may have. */
static size_t wq__blocks_most(size_t n, size_t stride)
{
    if (stride > WQ__LARGE_PARTIAL) {
        size_t most = WQ__LARGE_BYTES / stride;
        return most < WQ__BLOCKS_FEW ? WQ__BLOCKS_FEW : most;
    }
    size_t most = n / WQ__ITEMS_PER_BLOCK;
    if (most > WQ__BLOCKS_MAX)
        most = WQ__BLOCKS_MAX;
    if (most > WQ__PLAN_BYTES / stride)
        most = WQ__PLAN_BYTES / stride;
    return most < WQ__BLOCKS_BASE ? WQ__BLOCKS_BASE : most;
}

int wq_plan_init(wq_plan *plan, size_t n, size_t chunk, size_t size)
{
    if (!plan || !size)
        return EINVAL;
    if (size > SIZE_MAX - WQ__PARTIAL_ALIGN)
        return ENOMEM;
    wq_plan p = {.n = n, .chunk = chunk, .size = size};
    p.stride = wq__ceil_div(size, WQ__PARTIAL_ALIGN) * WQ__PARTIAL_ALIGN;
    size_t most = wq__blocks_most(n, p.stride);
    if (!chunk) {
        p.blocks = n < most ? n : most;
        p.per = 1;
    } else {
        size_t leaves = wq__ceil_div(n, chunk);
        p.per = leaves ? wq__ceil_div(leaves, most) : 1;
        p.blocks = wq__ceil_div(leaves, p.per);
    }
    p.group = p.blocks > WQ__BLOCKS_BASE
                  ? wq__ceil_div(p.blocks, WQ__BLOCKS_BASE)
                  : 1;
    p.groups = p.group == 1 ? p.blocks : wq__ceil_div(p.blocks, p.group);
    if (p.blocks && p.stride > SIZE_MAX / p.blocks)
        return ENOMEM;
    *plan = p;
    return 0;
}

int wq__plan_valid(const wq_plan *plan)
{
    wq_plan p;
    return plan && !wq_plan_init(&p, plan->n, plan->chunk, plan->size) &&
           p.stride == plan->stride && p.blocks == plan->blocks &&
           p.per == plan->per && p.group == plan->group &&
           p.groups == plan->groups;
}

void wq__plan_items(const wq_plan *plan, size_t b, size_t *begin, size_t *end)
{
    if (!plan->chunk) {
        size_t base = plan->n / plan->blocks, extra = plan->n % plan->blocks;
        *begin = b * base + (b < extra ? b : extra);
        *end = *begin + base + (b < extra);
        return;
    }
    /* Block b < blocks starts at leaf b * per < ceil(n / chunk), so its
     * first item is below n: neither product overflows. */
    size_t leaves = wq__ceil_div(plan->n, plan->chunk);
    size_t first = b * plan->per;
    size_t last = leaves - first <= plan->per ? leaves : first + plan->per;
    *begin = first * plan->chunk;
    *end = last == leaves ? plan->n : last * plan->chunk;
}

int wq_plan_block(const wq_plan *plan, size_t block, size_t *begin,
                  size_t *end)
{
    if (!begin || !end || !wq__plan_valid(plan) || block >= plan->blocks)
        return EINVAL;
    wq__plan_items(plan, block, begin, end);
    return 0;
}
