/*
 * sum.h - a floating-point sum whose bits depend on the order of its
 * additions (terms of both signs and many magnitudes), for the suites that
 * compare a reduction's bits with wq_reduce's: the plan, the hand-out
 * simulation and libwq-mpi's.
 */
#ifndef WQ_TEST_SUM_H
#define WQ_TEST_SUM_H

#include <stddef.h>

#include <wq.h>

static inline double sum_term(size_t i)
{
    return (i % 2 ? -1.0 : 1.0) / (double)(i % 1000003 + 1) +
           (double)(i % 7) * 1e-17;
}

static inline void sum_init(void *ctx, void *p)
{
    (void)ctx;
    *(double *)p = 0.0;
}

static inline int sum_fold(void *ctx, size_t begin, size_t end, void *p)
{
    (void)ctx;
    double s = *(double *)p;
    for (size_t i = begin; i < end; i++)
        s += sum_term(i);
    *(double *)p = s;
    return 0;
}

static inline void sum_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(double *)p += *(const double *)o;
}

static const wq_reducer sum_reducer = {sizeof(double), sum_init, sum_fold,
                                       sum_combine};

#endif /* WQ_TEST_SUM_H */
