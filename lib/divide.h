/*
 * divide.h - division by a divisor fixed for a whole loop, by a multiply
 * and two shifts instead of a divide instruction (T. Granlund and
 * P. Montgomery, "Division by invariant integers using multiplication",
 * PLDI 1994, section 4, figure 4.1; pthreadpool's FXdiv does the same).
 *
 * The tiled loops (tile.c) turn a tile's index into its corners with one
 * such division per dimension: setting a divisor up costs a real division
 * once per loop, every tile after that only multiplies.
 */
#ifndef WQ_DIVIDE_H
#define WQ_DIVIDE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define WQ__SIZE_BITS (sizeof(size_t) * CHAR_BIT)

/* An integer twice as wide as size_t holds the full product of two. */
#if SIZE_MAX <= UINT32_MAX
typedef uint64_t wq__wide;
#define WQ__HAVE_WIDE 1
#elif defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 wq__wide;
#define WQ__HAVE_WIDE 1
#else
#define WQ__HAVE_WIDE 0
#endif

/* x / d for every x is (t + ((x - t) >> s1)) >> s2 with t the high half
 * of m * x.  d: the divisor itself (the remainder needs it). */
struct wq__divisor {
    size_t d, m;
    unsigned s1, s2;
};

/* Set up division by d >= 1: m = floor(2^N (2^l - d) / d) + 1 with
 * l = ceil(log2 d) and N the bits of size_t; as 2^(l-1) < d <= 2^l, m
 * fits in N bits. */
static inline struct wq__divisor wq__divisor_make(size_t d)
{
    struct wq__divisor v = {d, 1, 0, 0}; /* d == 1: t = 0, q = x */
    if (d > 1) {
        unsigned l = 1;
        while (l < WQ__SIZE_BITS && ((size_t)1 << l) < d)
            l++;
        /* 2^l - d, taken modulo 2^N where l == N */
        size_t over = (l < WQ__SIZE_BITS ? (size_t)1 << l : 0) - d;
#if WQ__HAVE_WIDE
        v.m = (size_t)(((wq__wide)over << WQ__SIZE_BITS) / d) + 1;
#else
        (void)over;
#endif
        v.s1 = 1;
        v.s2 = l - 1;
    }
    return v;
}

/* x / v->d. */
static inline size_t wq__divide(const struct wq__divisor *v, size_t x)
{
#if WQ__HAVE_WIDE
    size_t t = (size_t)(((wq__wide)v->m * x) >> WQ__SIZE_BITS);
    return (t + ((x - t) >> v->s1)) >> v->s2;
#else
    return x / v->d; /* no double-width product: the plain division */
#endif
}

#endif /* WQ_DIVIDE_H */
