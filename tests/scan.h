/*
 * scan.h - the scanners of the two wq_scan suites (check_scan.c for the
 * outputs and totals, check_scan_errors.c for errors, stops and progress):
 * a floating-point running sum whose bits depend on the order of its
 * additions, and an exact integer exclusive prefix.
 */
#ifndef WQ_TEST_SCAN_H
#define WQ_TEST_SCAN_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <wq.h>

#include "folding.h"
#include "sum.h"
#include "util.h"

/* ------------------------------------------------ a floating-point sum -- */

/* The running sums of sum.h's terms (whose bits change with the order of
 * the additions) as outputs, or (out NULL) a fingerprint of them: the XOR
 * of a hash of (index, output bits), which any change of one output bit
 * changes and which does not depend on the order the pieces ran in. */
struct sums {
    double *out;
    _Atomic uint64_t print;
};

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 29);
}

static inline int sum_scan(void *ctx, size_t begin, size_t end, void *p)
{
    struct sums *s = ctx;
    double run = *(double *)p;
    uint64_t print = 0;
    for (size_t i = begin; i < end; i++) {
        run += sum_term(i);
        if (s->out)
            s->out[i] = run;
        else {
            uint64_t bits;
            memcpy(&bits, &run, sizeof bits);
            print ^= mix(bits ^ mix(i));
        }
    }
    if (!s->out)
        atomic_fetch_xor(&s->print, print);
    *(double *)p = run;
    return 0;
}

static const wq_scanner sum_scanner = {sizeof(double), sum_init, sum_fold,
                                       sum_combine, sum_scan};

static inline int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* One scan into out (or a fingerprint); *total unless total is NULL. */
static inline uint64_t scan_sum(wq_pool *pool, size_t n, size_t chunk,
                                double *out, double *total)
{
    struct sums s = {.out = out};
    atomic_init(&s.print, 0);
    if (total)
        memset(total, 0xa5, sizeof *total);
    ck_assert_int_eq(wq_scan(pool, n, chunk, &sum_scanner, &s, total), 0);
    return atomic_load(&s.print);
}

static inline wq_pool *pool_of(unsigned threads)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = threads;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    return pool;
}

/* ------------------------------------------------ exact integer prefix -- */

static inline uint64_t value(size_t i)
{
    return (uint64_t)(i * 7919 % 1009);
}

static inline void u64_init(void *ctx, void *p)
{
    (void)ctx;
    *(uint64_t *)p = 0;
}

static inline int u64_fold(void *ctx, size_t begin, size_t end, void *p)
{
    (void)ctx;
    for (size_t i = begin; i < end; i++)
        *(uint64_t *)p += value(i);
    return 0;
}

static inline void u64_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(uint64_t *)p += *(const uint64_t *)o;
}

/* Exclusive: out[i] is the sum before i. */
static inline int u64_scan(void *ctx, size_t begin, size_t end, void *p)
{
    uint64_t *out = ctx, run = *(uint64_t *)p;
    for (size_t i = begin; i < end; i++) {
        out[i] = run;
        run += value(i);
    }
    *(uint64_t *)p = run;
    return 0;
}

static const wq_scanner u64_scanner = {sizeof(uint64_t), u64_init, u64_fold,
                                       u64_combine, u64_scan};

/* wq_scan as the shared cases of folding.h call it. */
static inline int scan_call(wq_pool *pool, size_t n, size_t chunk,
                            const wq_scanner *sc, void *ctx, void *out)
{
    return wq_scan(pool, n, chunk, sc, ctx, out);
}

static const struct folding scan_folding = {scan_call, 1, 1};

#endif /* WQ_TEST_SCAN_H */
