/*
 * stress.h - the random-operation stress test (stress.c drives, stress_ops.c
 * runs and checks one operation).
 *
 * An operation is one wq_for, wq_map, wq_reduce, wq_scan, group (submit,
 * wait, destroy) or tiled loop (wq_for_nd, wq_for_2d), planned from a
 * 64-bit seed alone: its size, chunk, whether and where a callback fails,
 * and which of its callbacks run a nested operation (to depth 3).
 * Whatever thread runs a callback can therefore plan the
 * nested operation without shared random state, and a failing seed can be
 * replayed.
 */
#ifndef WQ_STRESS_H
#define WQ_STRESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <wq.h>

enum stress_kind { KIND_FOR, KIND_MAP, KIND_REDUCE, KIND_GROUP, KIND_SCAN,
                   KIND_ND, KINDS };

#define STRESS_DEPTH 3  /* the outermost operation is depth 1 */
#define STRESS_POOLS 4  /* shared pools besides the default one */
#define STRESS_THREADS_MAX 16

/* What every operation may reach, shared by all threads. */
struct stress_env {
    wq_pool *pools[STRESS_POOLS];
    wq_pool *serial; /* one thread: the reference for reductions */
    _Atomic unsigned long done[KINDS]; /* operations checked, all depths */
    _Atomic unsigned long nested;      /* of which at depth 2 or 3 */
    _Atomic unsigned long injected;    /* with a callback made to fail */
    _Atomic unsigned long private_pools;
    _Atomic unsigned long violations;
    /* The crowd mode: more application threads than WQ_CALLERS_MAX, and
     * more live groups than the job board's first 256 slots. */
    int crowd;
};

/* splitmix64: a good 64-bit mix, used both as the generator's step and to
 * derive a nested operation's seed from its parent's seed and index. */
static inline uint64_t stress_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

struct stress_rng {
    uint64_t state;
};

static inline uint64_t stress_next(struct stress_rng *r)
{
    r->state += 0x9e3779b97f4a7c15u;
    return stress_mix(r->state);
}

/* Uniform in [0, n), n > 0 (the bias of the modulo is irrelevant here). */
static inline size_t stress_below(struct stress_rng *r, size_t n)
{
    return (size_t)(stress_next(r) % n);
}

/* Run the operation planned by seed on pool (NULL: the default pool) at
 * depth, check everything it promises, and count it in env; a broken
 * promise is printed and counted in env->violations. */
void stress_run(struct stress_env *env, wq_pool *pool, uint64_t seed,
                int depth);

#endif /* WQ_STRESS_H */
