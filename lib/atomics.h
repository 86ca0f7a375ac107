/*
 * atomics.h - the memory orders wq uses, named at the call site.
 *
 * Every shared field of the library goes through these helpers, so each
 * access says which order it needs and the comment beside the field says what
 * the order pairs with.  C11 <stdatomic.h> is the only dependency; the CPU
 * hint for spin loops is the one platform corner here.
 */
#ifndef WQ_ATOMICS_H
#define WQ_ATOMICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "annotate.h"

/* Two counters on one cache line would bounce between the cores that write
 * them; 128 also covers the adjacent-line prefetch of x86 cores. */
#define WQ__CACHELINE 128
#define WQ__ALIGNED _Alignas(WQ__CACHELINE)

/* Each helper is an access of *p wrapped by WQ__ACCESS(p, rel, acq, op):
 * rel and acq say whether it carries release and acquire order, which a
 * build for valgrind's DRD turns into happens-before annotations (see
 * annotate.h); elsewhere WQ__ACCESS is op itself. */
#define wq__load_relaxed(p)                                                    \
    WQ__ACCESS(p, 0, 0, atomic_load_explicit((p), memory_order_relaxed))
#define wq__load_acquire(p)                                                    \
    WQ__ACCESS(p, 0, 1, atomic_load_explicit((p), memory_order_acquire))
#define wq__load_seq_cst(p)                                                    \
    WQ__ACCESS(p, 0, 1, atomic_load_explicit((p), memory_order_seq_cst))
#define wq__store_relaxed(p, v)                                                \
    WQ__ACCESS_VOID(p, 0, 0,                                                   \
                    atomic_store_explicit((p), (v), memory_order_relaxed))
#define wq__store_release(p, v)                                                \
    WQ__ACCESS_VOID(p, 1, 0,                                                   \
                    atomic_store_explicit((p), (v), memory_order_release))
#define wq__store_seq_cst(p, v)                                                \
    WQ__ACCESS_VOID(p, 1, 0,                                                   \
                    atomic_store_explicit((p), (v), memory_order_seq_cst))
#define wq__fetch_add_relaxed(p, v)                                            \
    WQ__ACCESS(p, 0, 0,                                                        \
               atomic_fetch_add_explicit((p), (v), memory_order_relaxed))
#define wq__fetch_add_release(p, v)                                            \
    WQ__ACCESS(p, 1, 0,                                                        \
               atomic_fetch_add_explicit((p), (v), memory_order_release))
#define wq__fetch_add_acq_rel(p, v)                                            \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_fetch_add_explicit((p), (v), memory_order_acq_rel))
#define wq__fetch_add_seq_cst(p, v)                                            \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_fetch_add_explicit((p), (v), memory_order_seq_cst))
#define wq__fetch_sub_relaxed(p, v)                                            \
    WQ__ACCESS(p, 0, 0,                                                        \
               atomic_fetch_sub_explicit((p), (v), memory_order_relaxed))
#define wq__fetch_sub_release(p, v)                                            \
    WQ__ACCESS(p, 1, 0,                                                        \
               atomic_fetch_sub_explicit((p), (v), memory_order_release))
#define wq__fetch_sub_acq_rel(p, v)                                            \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_fetch_sub_explicit((p), (v), memory_order_acq_rel))
#define wq__fetch_sub_seq_cst(p, v)                                            \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_fetch_sub_explicit((p), (v), memory_order_seq_cst))
#define wq__fetch_or_acq_rel(p, v)                                             \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_fetch_or_explicit((p), (v), memory_order_acq_rel))
#define wq__fetch_and_release(p, v)                                            \
    WQ__ACCESS(p, 1, 0,                                                        \
               atomic_fetch_and_explicit((p), (v), memory_order_release))
#define wq__exchange_relaxed(p, v)                                             \
    WQ__ACCESS(p, 0, 0,                                                        \
               atomic_exchange_explicit((p), (v), memory_order_relaxed))
#define wq__exchange_acq_rel(p, v)                                             \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_exchange_explicit((p), (v), memory_order_acq_rel))
/* Compare-and-swap; *expected is updated on failure.  The weak ones may fail
 * spuriously, for retry loops.  Success orders as named, failure relaxed
 * (acquire for cas_strong_acq_rel).  (For DRD a CAS carries its success
 * orders even when it fails: an extra edge can hide a race from it, never
 * invent one.) */
#define wq__cas_weak_acquire(p, expected, desired)                             \
    WQ__ACCESS(p, 0, 1,                                                        \
               atomic_compare_exchange_weak_explicit(                          \
                   (p), (expected), (desired), memory_order_acquire,           \
                   memory_order_relaxed))
#define wq__cas_weak_acq_rel(p, expected, desired)                             \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_compare_exchange_weak_explicit(                          \
                   (p), (expected), (desired), memory_order_acq_rel,           \
                   memory_order_relaxed))
#define wq__cas_weak_relaxed(p, expected, desired)                             \
    WQ__ACCESS(p, 0, 0,                                                        \
               atomic_compare_exchange_weak_explicit(                          \
                   (p), (expected), (desired), memory_order_relaxed,           \
                   memory_order_relaxed))
#define wq__cas_strong_relaxed(p, expected, desired)                           \
    WQ__ACCESS(p, 0, 0,                                                        \
               atomic_compare_exchange_strong_explicit(                        \
                   (p), (expected), (desired), memory_order_relaxed,           \
                   memory_order_relaxed))
#define wq__cas_strong_acq_rel(p, expected, desired)                           \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_compare_exchange_strong_explicit(                        \
                   (p), (expected), (desired), memory_order_acq_rel,           \
                   memory_order_acquire))
#define wq__cas_strong_seq_cst(p, expected, desired)                           \
    WQ__ACCESS(p, 1, 1,                                                        \
               atomic_compare_exchange_strong_explicit(                        \
                   (p), (expected), (desired), memory_order_seq_cst,           \
                   memory_order_relaxed))

/* Start moving a cache line this thread is about to write towards it. */
#define wq__prefetch_write(p) __builtin_prefetch((p), 1)

/* Tell the core we are spinning: on x86 `pause` stops the memory-order
 * speculation that a spin loop would otherwise mispredict on exit, and gives
 * the sibling hyper-thread the pipeline. */
static inline void wq__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

#endif /* WQ_ATOMICS_H */
