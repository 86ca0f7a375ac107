/*
 * random.h - the random numbers of the workloads: Random123's Philox4x32-10
 * (counter-based, so item i's numbers depend on i alone and never on which
 * thread draws them or when).
 */
#ifndef WQ_BENCH_RANDOM_H
#define WQ_BENCH_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include <Random123/philox.h>

/* The second key word of every stream; the first is the item's index. */
#define BENCH_SEED 20240611u

static inline double bench_unit_double(uint32_t hi, uint32_t lo)
{
    uint64_t bits = (uint64_t)hi << 32 | lo;
    return (double)(bits >> 11) * 0x1p-53; /* the top 53 bits, in [0, 1) */
}

/* a[0..n) = the doubles in [0, 1) of stream (item, stream id), two from
 * each Philox call. */
static inline void bench_uniforms(double *a, size_t n, uint32_t item,
                                  uint32_t stream)
{
    philox4x32_key_t key = {{item, BENCH_SEED ^ stream}};
    for (size_t j = 0; j < n; j += 2) {
        philox4x32_ctr_t ctr = {{(uint32_t)(j / 2), (uint32_t)(j >> 33), 0, 0}};
        philox4x32_ctr_t r = philox4x32(ctr, key);
        a[j] = bench_unit_double(r.v[0], r.v[1]);
        if (j + 1 < n)
            a[j + 1] = bench_unit_double(r.v[2], r.v[3]);
    }
}

#endif /* WQ_BENCH_RANDOM_H */
