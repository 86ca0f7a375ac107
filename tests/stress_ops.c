/*
 * stress_ops.c - plan one random operation from a seed, run it, and check
 * every promise wq.h makes about it:
 *
 *   - each index (element, task) ran exactly once; after a callback
 *     failed, at most once, the failing one among them, and the call
 *     returned that callback's code (tasks are never cancelled: all run);
 *   - every piece is non-empty, in bounds, and cut at chunk boundaries;
 *   - map wrote out[i] = f(in[i]) for every element that ran, and nothing
 *     else;
 *   - a tiled loop's tiles are non-empty, in bounds and, where the plan
 *     gives an extent, on its grid (ends clipped to the size);
 *   - a reduction's partials join left to right (each covers the indices
 *     right after the previous one's), and its result is bit for bit the
 *     one a single-threaded pool computes with the same (n, chunk, size);
 *   - a scan's pieces each start from a prefix covering exactly [0, begin),
 *     and its outputs and total are bit for bit the single-threaded pool's.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress.h"

#define NONE SIZE_MAX

struct plan {
    enum stress_kind kind;
    size_t n, chunk;
    size_t fail_at;    /* the index whose callback fails; NONE: none */
    int code;          /* what it returns */
    size_t nest_every; /* indices i % nest_every == 0 nest; 0: none */
    size_t in_size, out_size, pad; /* map strides, reduction padding */
    int wait_first;    /* groups: wait before destroy (else destroy waits) */
    unsigned dims;     /* tiled loops: n is the product of shape */
    size_t shape[4], tile[4];
    int tile_null, two_d; /* tile NULL; wq_for_2d for two dimensions */
    uint64_t seed;
    int depth;
};

static size_t pick_n(struct stress_rng *r, int depth, enum stress_kind kind)
{
    size_t roll = stress_below(r, 100), n;
    if (roll < 4)
        n = 0;
    else if (roll < 8)
        n = 1;
    else if (roll < 50)
        n = 2 + stress_below(r, 255);
    else if (roll < 85)
        n = 257 + stress_below(r, 4744);
    else
        n = 5001 + stress_below(r, 55000);
    size_t cap = depth == 1 ? (kind == KIND_GROUP ? 5000 : 60000)
                            : depth == 2 ? 2000 : 200;
    return n > cap ? 1 + stress_below(r, cap) : n;
}

static size_t pick_chunk(struct stress_rng *r, size_t n)
{
    switch (stress_below(r, 10)) {
    case 0: case 1: case 2:
        return 0;
    case 3:
        return 1;
    case 4:
        return SIZE_MAX;
    case 5:
        return n;
    default:
        return 1 + stress_below(r, n / 3 + 2);
    }
}

/* A tiled loop's shape, of about p->n cells (then exactly p->n): every
 * dimension but the last small, each tile extent picked as a chunk is. */
static void plan_shape(struct plan *p, struct stress_rng *r)
{
    size_t cells = 1;
    p->dims = 1 + (unsigned)stress_below(r, 4);
    for (unsigned k = 0; k + 1 < p->dims; k++) {
        p->shape[k] = stress_below(r, 9);
        cells *= p->shape[k];
    }
    p->shape[p->dims - 1] = cells ? p->n / cells : p->n;
    p->n = cells * p->shape[p->dims - 1];
    for (unsigned k = 0; k < p->dims; k++)
        p->tile[k] = pick_chunk(r, p->shape[k]);
    p->tile_null = stress_below(r, 4) == 0;
    p->two_d = p->dims == 2 && stress_below(r, 2) == 0;
}

static void plan_make(struct plan *p, uint64_t seed, int depth)
{
    static const size_t in_sizes[] = {0, 4, 12}, out_sizes[] = {8, 24};
    static const size_t pads[] = {0, 0, 1000, 3000, 6000};
    struct stress_rng r = {seed};
    memset(p, 0, sizeof *p);
    p->seed = seed;
    p->depth = depth;
    p->kind = (enum stress_kind)stress_below(&r, KINDS);
    p->n = pick_n(&r, depth, p->kind);
    p->chunk = pick_chunk(&r, p->n);
    if (p->kind == KIND_ND)
        plan_shape(p, &r);
    p->fail_at = NONE;
    if (p->n && stress_below(&r, 4) == 0) {
        p->fail_at = stress_below(&r, p->n);
        p->code = 1000 + (int)stress_below(&r, 1000);
    }
    if (depth < STRESS_DEPTH && p->n && stress_below(&r, 3) == 0) {
        p->nest_every = p->n / (1 + stress_below(&r, 6));
        if (!p->nest_every)
            p->nest_every = 1;
    }
    p->in_size = in_sizes[stress_below(&r, 3)];
    p->out_size = out_sizes[stress_below(&r, 2)];
    p->pad = pads[stress_below(&r, 5)];
    p->wait_first = (int)stress_below(&r, 4) != 0;
}

/* --------------------------------------------------- one running op -- */

struct op {
    struct plan p;
    struct stress_env *env;
    wq_pool *pool;
    _Atomic unsigned char *hits;
    int reference; /* the serial reduction: fold only, no checks */
    unsigned char *in, *out;
    struct task *tasks;
    wq_group *group;
};

struct task {
    struct op *op;
    size_t i;
};

static const char *const kind_names[KINDS] = {"for", "map", "reduce",
                                              "group", "scan", "nd"};

static void violation(struct op *op, const char *what, size_t where)
{
    static _Atomic unsigned printed;
    unsigned long v = atomic_fetch_add(&op->env->violations, 1);
    if (v < 20 && atomic_fetch_add(&printed, 1) < 20)
        fprintf(stderr,
                "stress: VIOLATION %s at %zu: %s n=%zu chunk=%zu fail_at=%zd "
                "depth=%d threads=%u seed=0x%016" PRIx64 "\n",
                what, where, kind_names[op->p.kind], op->p.n, op->p.chunk,
                op->p.fail_at == NONE ? (ptrdiff_t)-1 : (ptrdiff_t)op->p.fail_at,
                op->p.depth, wq_pool_size(op->pool), op->p.seed);
}

/* The pool a nested operation runs on: mostly the same one, else the
 * default pool or a shared one (a loop of one pool inside another's). */
static wq_pool *nested_pool(struct op *op, uint64_t h)
{
    switch (h % 8) {
    case 0:
        return NULL;
    case 1:
        return op->env->pools[(h >> 8) % STRESS_POOLS];
    default:
        return op->pool;
    }
}

/* The worker index of a thread running a callback of op's pool: below
 * wq_pool_slots, or WQ_NO_INDEX only when more than WQ_CALLERS_MAX outside
 * threads may hold one (the crowd mode). */
static void check_index(struct op *op)
{
    unsigned ix = wq_worker_index();
    if (ix == WQ_NO_INDEX ? !op->env->crowd : ix >= wq_pool_slots(op->pool))
        violation(op, "worker index out of bounds", ix);
}

/* Index i runs: count it, maybe nest, maybe fail. */
static int visit(struct op *op, size_t i)
{
    if (atomic_fetch_add(&op->hits[i], 1) != 0)
        violation(op, "index ran twice", i);
    if (i % 16 == 0)
        check_index(op);
    if (op->p.nest_every && i % op->p.nest_every == 0) {
        uint64_t h = stress_mix(op->p.seed ^ stress_mix(i));
        stress_run(op->env, nested_pool(op, h), h, op->p.depth + 1);
    }
    return i == op->p.fail_at ? op->p.code : 0;
}

static void check_piece(struct op *op, size_t b, size_t e)
{
    size_t c = op->p.chunk;
    if (b >= e || e > op->p.n)
        violation(op, "piece empty or out of bounds", b);
    else if (c && (b % c || (e - b != c && e != op->p.n)))
        violation(op, "piece not cut at chunk boundaries", b);
}

/* Exactly once each; or, after the planned failure, at most once, the
 * failing index among them, and its code back. */
static void check_outcome(struct op *op, int rc, int all_run)
{
    const struct plan *p = &op->p;
    int failed = p->fail_at != NONE;
    if (rc != (failed ? p->code : 0))
        violation(op, failed ? "wrong code after a failure" : "spurious error",
                  (size_t)rc);
    for (size_t i = 0; i < p->n; i++) {
        unsigned h = atomic_load_explicit(&op->hits[i], memory_order_relaxed);
        if (all_run || !failed ? h != 1 : h > 1 || (i == p->fail_at && !h)) {
            violation(op, h ? "index ran more than once" : "index lost", i);
            return;
        }
    }
}

/* ---------------------------------------------------------------- for -- */

static int for_body(void *ctx, size_t b, size_t e)
{
    struct op *op = ctx;
    check_piece(op, b, e);
    for (size_t i = b; i < e; i++) {
        int rc = visit(op, i);
        if (rc)
            return rc;
    }
    return 0;
}

static void run_for(struct op *op)
{
    check_outcome(op, wq_for(op->pool, op->p.n, op->p.chunk, for_body, op),
                  0);
}

/* ---------------------------------------------------------------- map -- */

static uint64_t map_f(uint32_t v)
{
    return (uint64_t)v * 2654435761u + 1;
}

static uint32_t map_input(const struct op *op, size_t i)
{
    uint32_t v = (uint32_t)i;
    if (op->in)
        memcpy(&v, op->in + i * op->p.in_size, sizeof v);
    return v;
}

static int map_fn(void *ctx, const void *in, void *out)
{
    struct op *op = ctx;
    size_t off = (size_t)((unsigned char *)out - op->out);
    size_t i = off / op->p.out_size;
    if (off % op->p.out_size || i >= op->p.n) {
        violation(op, "output address off the array", off);
        return 0;
    }
    if (in != (op->in ? op->in + i * op->p.in_size : NULL))
        violation(op, "input address does not match output", i);
    uint64_t y = map_f(map_input(op, i));
    memcpy(out, &y, sizeof y);
    return visit(op, i);
}

static void run_map(struct op *op)
{
    size_t n = op->p.n;
    op->in = op->p.in_size ? calloc(n + 1, op->p.in_size) : NULL;
    op->out = calloc(n ? n : 1, op->p.out_size);
    for (size_t i = 0; op->in && i < n; i++) {
        uint32_t v = (uint32_t)stress_mix(op->p.seed + i);
        memcpy(op->in + i * op->p.in_size, &v, sizeof v);
    }
    int rc = wq_map(op->pool, n, op->p.chunk, op->in, op->p.in_size, op->out,
                    op->p.out_size, map_fn, op);
    check_outcome(op, rc, 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t y;
        memcpy(&y, op->out + i * op->p.out_size, sizeof y);
        if (y != (op->hits[i] ? map_f(map_input(op, i)) : 0)) {
            violation(op, "wrong output", i);
            break;
        }
    }
    free(op->in);
    free(op->out);
}

/* ---------------------------------------------------------- tiled loop -- */

/* A tile: check it, then visit its cells in row-major order. */
static int nd_body(void *ctx, const size_t *begin, const size_t *end)
{
    struct op *op = ctx;
    const struct plan *p = &op->p;
    size_t x[4];
    for (unsigned k = 0; k < p->dims; k++) {
        size_t t = p->tile_null ? 0 : p->tile[k], n = p->shape[k];
        if (begin[k] >= end[k] || end[k] > n) {
            violation(op, "tile empty or out of bounds", begin[k]);
            return 0;
        }
        if (t && (begin[k] % t || end[k] != (n - begin[k] < t ? n
                                                              : begin[k] + t)))
            violation(op, "tile off the tile grid", begin[k]);
        x[k] = begin[k];
    }
    for (;;) {
        size_t cell = 0;
        for (unsigned k = 0; k < p->dims; k++)
            cell = cell * p->shape[k] + x[k];
        int rc = visit(op, cell);
        if (rc)
            return rc;
        unsigned k = p->dims;
        while (k > 0 && ++x[k - 1] == end[k - 1]) {
            x[k - 1] = begin[k - 1];
            k--;
        }
        if (k == 0)
            return 0;
    }
}

static int nd_body_2d(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    const size_t begin[2] = {i0, j0}, end[2] = {i1, j1};
    return nd_body(ctx, begin, end);
}

static void run_nd(struct op *op)
{
    const struct plan *p = &op->p;
    const size_t *tile = p->tile_null ? NULL : p->tile;
    int rc = p->two_d ? wq_for_2d(op->pool, p->shape[0], p->shape[1],
                                  tile ? tile[0] : 0, tile ? tile[1] : 0,
                                  nd_body_2d, op)
                      : wq_for_nd(op->pool, p->dims, p->shape, tile, nd_body,
                                  op);
    check_outcome(op, rc, 0);
}

/* ------------------------------------------------------------- reduce -- */

/* The head of a partial (padding follows, to vary the block plan). */
struct part {
    double sum;
    size_t first, end; /* the indices covered: [first, end) */
    int empty, broken; /* broken: two pieces or partials out of order */
};

/* Terms of both signs and magnitudes 2^-32 to 2^51, so that any change in
 * the order of the additions shows in the last bits. */
static double term(uint64_t seed, size_t i)
{
    uint64_t h = stress_mix(seed ^ i);
    return ldexp((double)(h % 2000001) - 1e6, (int)(h >> 58) - 32);
}

static void part_init(void *ctx, void *p)
{
    (void)ctx;
    struct part *q = p;
    memset(q, 0, sizeof *q);
    q->empty = 1;
}

/* Append [b, e) to q, which must end where it begins. */
static void part_append(struct part *q, size_t b, size_t e)
{
    if (q->empty) {
        q->first = b;
        q->empty = 0;
    } else if (q->end != b) {
        q->broken = 1;
    }
    q->end = e;
}

/* Fold [b, e) into q; visit each index (count, nest, fail) if asked, and
 * store each running sum into out (doubles) if given. */
static int part_add(struct op *op, struct part *q, size_t b, size_t e,
                    int visits, unsigned char *out)
{
    if (!op->reference)
        check_piece(op, b, e);
    part_append(q, b, e);
    for (size_t i = b; i < e; i++) {
        q->sum += term(op->p.seed, i);
        if (out)
            memcpy(out + i * sizeof q->sum, &q->sum, sizeof q->sum);
        int rc = visits && !op->reference ? visit(op, i) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

static int part_fold(void *ctx, size_t b, size_t e, void *p)
{
    return part_add(ctx, p, b, e, 1, NULL);
}

static void part_combine(void *ctx, void *p, const void *o)
{
    struct part *q = p;
    const struct part *r = o;
    (void)ctx;
    if (r->empty)
        return;
    part_append(q, r->first, r->end);
    q->sum += r->sum;
    q->broken |= r->broken;
}

static void run_reduce(struct op *op)
{
    const wq_reducer r = {sizeof(struct part) + op->p.pad, part_init,
                          part_fold, part_combine};
    struct part *got = malloc(r.size), *want = malloc(r.size);
    int rc = wq_reduce(op->pool, op->p.n, op->p.chunk, &r, op, got);
    check_outcome(op, rc, 0);
    if (!rc) {
        struct op ref = *op;
        ref.reference = 1;
        if (wq_reduce(op->env->serial, op->p.n, op->p.chunk, &r, &ref, want))
            violation(op, "the serial reference failed", 0);
        else if (got->broken || (op->p.n ? got->empty || got->first ||
                                               got->end != op->p.n
                                         : !got->empty))
            violation(op, "partials not joined in index order", got->end);
        else if (memcmp(&got->sum, &want->sum, sizeof got->sum))
            violation(op, "result differs from the serial reference", 0);
    }
    free(got);
    free(want);
}

/* --------------------------------------------------------------- scan -- */

/* A scan's fold only sums: its indices are visited once, by the scan. */
static int scan_fold(void *ctx, size_t b, size_t e, void *p)
{
    return part_add(ctx, p, b, e, 0, NULL);
}

/* The running partial must cover exactly [0, b). */
static int scan_piece(void *ctx, size_t b, size_t e, void *p)
{
    struct op *op = ctx;
    const struct part *q = p;
    if (!op->reference &&
        (q->broken || (b ? q->empty || q->first || q->end != b : !q->empty)))
        violation(op, "a piece's prefix is not [0, begin)", b);
    return part_add(op, p, b, e, 1, op->out);
}

/* Outputs and total bit for bit those of the one-thread pool; half the
 * scans ask for no total. */
static void run_scan(struct op *op)
{
    const wq_scanner s = {sizeof(struct part) + op->p.pad, part_init,
                          scan_fold, part_combine, scan_piece};
    size_t n = op->p.n, bytes = (n ? n : 1) * sizeof(double);
    int with_total = (op->p.seed >> 7) & 1;
    struct part *got = malloc(s.size), *want = malloc(s.size);
    unsigned char *ref_out = calloc(1, bytes);
    op->out = calloc(1, bytes);
    int rc = wq_scan(op->pool, n, op->p.chunk, &s, op,
                     with_total ? got : NULL);
    check_outcome(op, rc, 0);
    if (!rc) {
        struct op ref = *op;
        ref.reference = 1;
        ref.out = ref_out;
        if (wq_scan(op->env->serial, n, op->p.chunk, &s, &ref, want))
            violation(op, "the serial reference failed", 0);
        else if (memcmp(op->out, ref_out, bytes))
            violation(op, "outputs differ from the serial reference", 0);
        else if (with_total &&
                 (got->broken || (n ? got->empty || got->first ||
                                          got->end != n
                                    : !got->empty)))
            violation(op, "the total does not cover [0, n) in order", 0);
        else if (with_total && memcmp(&got->sum, &want->sum, sizeof got->sum))
            violation(op, "total differs from the serial reference", 0);
    }
    free(op->out);
    free(ref_out);
    free(got);
    free(want);
}

/* -------------------------------------------------------------- group -- */

/* Task i runs, then submits task i + half: tasks submitting tasks to their
 * own group, from every thread. */
static int group_task(void *arg)
{
    struct task *t = arg;
    struct op *op = t->op;
    int rc = visit(op, t->i);
    size_t half = (op->p.n + 1) / 2;
    if (t->i < half && t->i + half < op->p.n &&
        wq_group_submit(op->group, group_task, &op->tasks[t->i + half]))
        violation(op, "submit from a task failed", t->i);
    return rc;
}

static void run_group(struct op *op)
{
    size_t n = op->p.n, half = (n + 1) / 2;
    int rc = wq_group_create(&op->group, op->pool);
    if (rc) {
        violation(op, "group_create failed", (size_t)rc);
        return;
    }
    op->tasks = malloc((n ? n : 1) * sizeof *op->tasks);
    for (size_t i = 0; i < n; i++)
        op->tasks[i] = (struct task){op, i};
    for (size_t i = 0; i < half; i++)
        if (wq_group_submit(op->group, group_task, &op->tasks[i]))
            violation(op, "submit failed", i);
    if (op->p.wait_first) {
        check_outcome(op, wq_group_wait(op->group), 1);
        if (wq_group_wait(op->group))
            violation(op, "a second wait still reports the error", 0);
    }
    wq_group_destroy(op->group);
    if (!op->p.wait_first) /* destroy waited: every task has run */
        check_outcome(op, op->p.fail_at == NONE ? 0 : op->p.code, 1);
    free(op->tasks);
}

/* ---------------------------------------------------------------- run -- */

void stress_run(struct stress_env *env, wq_pool *pool, uint64_t seed,
                int depth)
{
    static void (*const run[KINDS])(struct op *) = {
        run_for, run_map, run_reduce, run_group, run_scan, run_nd};
    struct op op = {.env = env, .pool = pool};
    plan_make(&op.p, seed, depth);
    op.hits = calloc(op.p.n ? op.p.n : 1, sizeof *op.hits);
    if (!op.hits) {
        violation(&op, "out of memory in the test", op.p.n);
        return;
    }
    run[op.p.kind](&op);
    free(op.hits);
    atomic_fetch_add_explicit(&env->done[op.p.kind], 1, memory_order_relaxed);
    if (depth > 1)
        atomic_fetch_add_explicit(&env->nested, 1, memory_order_relaxed);
    if (op.p.fail_at != NONE)
        atomic_fetch_add_explicit(&env->injected, 1, memory_order_relaxed);
}
