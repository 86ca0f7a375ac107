/*
 * pi.h - the reduction of 004_pi and 004_pi_mpi: the alternating series
 * 4/1 - 4/3 + 4/5 - ... as fold and combine.  One copy for both, so that
 * they add the very same terms and can print the very same bits.
 */
#ifndef WQ_EXAMPLES_PI_H
#define WQ_EXAMPLES_PI_H

#include <stddef.h>

#define PI 3.14159265358979323846

/* The serial loop of the tutorial, over a range of terms. */
static inline double pi_terms(size_t begin, size_t end)
{
    double pi = 0.0;
    for (size_t i = begin; i < end; i++)
        pi += (double)(4 - 8 * (int)(i % 2)) / (double)(2 * i + 1);
    return pi;
}

static inline void zero(void *ctx, void *partial)
{
    (void)ctx;
    *(double *)partial = 0.0;
}

static inline int fold(void *ctx, size_t begin, size_t end, void *partial)
{
    (void)ctx;
    *(double *)partial += pi_terms(begin, end);
    return 0;
}

static inline void combine(void *ctx, void *partial, const void *other)
{
    (void)ctx;
    *(double *)partial += *(const double *)other;
}

#endif /* WQ_EXAMPLES_PI_H */
