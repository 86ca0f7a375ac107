/*
 * plan.h - the reduction's plan (plan.c), shared by the reductions.
 */
#ifndef WQ_PLAN_H
#define WQ_PLAN_H

#include "loop.h"

/* Partials sit 64 bytes apart (or a multiple): two threads never write the
 * same cache line, and any partial type up to 64-byte alignment fits. */
#define WQ__PARTIAL_ALIGN 64

/* Whether plan is what wq_plan_init makes of its (n, chunk, size). */
WQ__HIDDEN int wq__plan_valid(const wq_plan *plan);

/* Items [*begin, *end) of block b < plan->blocks of a valid plan. */
WQ__HIDDEN void wq__plan_items(const wq_plan *plan, size_t b, size_t *begin,
                               size_t *end);

/* Partials up to this many bytes in all live on the stack. */
#define WQ__STACK_PARTIALS 4096

/* A reducer's fold or a scanner's scan. */
typedef int (*wq__block_fn)(void *ctx, size_t begin, size_t end, void *p);

/* Run fn over block b of plan into partial p, piece by piece in index
 * order (one piece for chunk 0), testing loop's stop flag between pieces.
 * Returns the first non-zero fn returned, or 0 (also when stopped). */
WQ__HIDDEN int wq__plan_walk(const wq_plan *plan, size_t b, wq__block_fn fn,
                             void *ctx, void *p, struct wq__loop *loop);

/* Set loop up over blocks [first, last) of plan, one unit a block, with
 * progress counted in items. */
WQ__HIDDEN void wq__plan_loop(struct wq__loop *loop, const wq_plan *plan,
                              size_t first, size_t last, wq__piece_fn piece,
                              void *arg);

#endif /* WQ_PLAN_H */
