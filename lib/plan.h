/*
 * plan.h - the reduction's plan (plan.c), shared by the reductions.
 */
#ifndef WQ_PLAN_H
#define WQ_PLAN_H

#include "internal.h"

/* Partials sit 64 bytes apart (or a multiple): two threads never write the
 * same cache line, and any partial type up to 64-byte alignment fits. */
#define WQ__PARTIAL_ALIGN 64

/* Whether plan is what wq_plan_init makes of its (n, chunk, size). */
WQ__HIDDEN int wq__plan_valid(const wq_plan *plan);

/* Items [*begin, *end) of block b < plan->blocks of a valid plan. */
WQ__HIDDEN void wq__plan_items(const wq_plan *plan, size_t b, size_t *begin,
                               size_t *end);

#endif /* WQ_PLAN_H */
