/* check_nest.c - callbacks that call wq on their own pool, to depth 2 and 3:
 * loops in loops, reductions in loops, groups in loops and loops in tasks.
 * Each must complete (a waiting thread helps) with every index once. */
#include <string.h>

#include "suites.h"
#include "util.h"

enum { A = 6, B = 7, C = 50 };

struct nest {
    wq_pool *pool;
    struct coverage cov; /* A * B * C leaf indices */
    size_t chunk;
};

struct at {
    struct nest *n;
    size_t base; /* leaf index of this subtree's first leaf */
};

static int inner(void *arg, size_t begin, size_t end)
{
    struct at *a = arg;
    coverage_mark(&a->n->cov, a->base + begin, a->base + end);
    return 0;
}

static int middle(void *arg, size_t begin, size_t end)
{
    struct at *a = arg;
    for (size_t j = begin; j < end; j++) {
        struct at sub = {a->n, a->base + j * C};
        int rc = wq_for(a->n->pool, C, a->n->chunk, inner, &sub);
        if (rc)
            return rc;
    }
    return 0;
}

static int outer(void *arg, size_t begin, size_t end)
{
    struct nest *n = arg;
    for (size_t i = begin; i < end; i++) {
        struct at sub = {n, i * B * C};
        int rc = wq_for(n->pool, B, n->chunk, middle, &sub);
        if (rc)
            return rc;
    }
    return 0;
}

/* Depth 3 of wq_for, with chunk 1 and chunk 0, repeated. */
START_TEST(nest_for_depth3)
{
    struct nest n = {.pool = grid_pool(_i)};
    for (int rep = 0; rep < 20; rep++) {
        n.chunk = (size_t)(rep % 2);
        coverage_init(&n.cov, A * B * C);
        ck_assert_int_eq(wq_for(n.pool, A, n.chunk, outer, &n), 0);
        coverage_check_once(&n.cov);
        coverage_free(&n.cov);
    }
    grid_release(n.pool);
}
END_TEST

/* Depth 2: each piece of a loop runs a reduction on the same pool. */
static void u_init(void *ctx, void *p)
{
    (void)ctx;
    *(size_t *)p = 0;
}

static int u_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    for (size_t i = b; i < e; i++)
        *(size_t *)p += i;
    return 0;
}

static void u_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(size_t *)p += *(const size_t *)o;
}

static const wq_reducer sum_u = {sizeof(size_t), u_init, u_fold, u_combine};

struct sums {
    wq_pool *pool;
    size_t got[64];
};

static int reduce_each(void *arg, size_t begin, size_t end)
{
    struct sums *s = arg;
    for (size_t i = begin; i < end; i++) {
        int rc = wq_reduce(s->pool, 1000 + i, 0, &sum_u, NULL, &s->got[i]);
        if (rc)
            return rc;
    }
    return 0;
}

START_TEST(nest_reduce_in_for)
{
    struct sums s = {.pool = grid_pool(_i)};
    ck_assert_int_eq(wq_for(s.pool, 64, 1, reduce_each, &s), 0);
    for (size_t i = 0; i < 64; i++)
        ck_assert_uint_eq(s.got[i], (999 + i) * (1000 + i) / 2);
    grid_release(s.pool);
}
END_TEST

/* Depth 3 mixed: for -> reduce whose fold runs a group of tasks, each task
 * running a wq_for. */
struct mixed {
    wq_pool *pool;
    _Atomic size_t leaves;
};

static int count_leaves(void *arg, size_t begin, size_t end)
{
    atomic_fetch_add(&((struct mixed *)arg)->leaves, end - begin);
    return 0;
}

static int task_loop(void *arg)
{
    struct mixed *m = arg;
    return wq_for(m->pool, 30, 0, count_leaves, m);
}

static int fold_with_group(void *ctx, size_t b, size_t e, void *p)
{
    struct mixed *m = ctx;
    for (size_t i = b; i < e; i++) {
        wq_group *g;
        int rc = wq_group_create(&g, m->pool);
        if (rc)
            return rc;
        for (int t = 0; t < 4; t++)
            if ((rc = wq_group_submit(g, task_loop, m)))
                break;
        int wrc = wq_group_wait(g);
        wq_group_destroy(g);
        if (rc || wrc)
            return rc ? rc : wrc;
        *(size_t *)p += 1;
    }
    return 0;
}

static int for_with_reduce(void *arg, size_t begin, size_t end)
{
    struct mixed *m = arg;
    static const wq_reducer r = {sizeof(size_t), u_init, fold_with_group,
                                 u_combine};
    for (size_t i = begin; i < end; i++) {
        size_t folded;
        int rc = wq_reduce(m->pool, 5, 1, &r, m, &folded);
        if (rc)
            return rc;
        if (folded != 5)
            return 77;
    }
    return 0;
}

START_TEST(nest_for_reduce_group_for)
{
    struct mixed m = {.pool = grid_pool(_i)};
    atomic_init(&m.leaves, 0);
    ck_assert_int_eq(wq_for(m.pool, 6, 1, for_with_reduce, &m), 0);
    ck_assert_uint_eq(atomic_load(&m.leaves), 6 * 5 * 4 * 30);
    grid_release(m.pool);
}
END_TEST

/* Depth 2 of groups: tasks that create, fill and wait on groups of their
 * own, from several tasks at once. */
static int leaf_task(void *arg)
{
    atomic_fetch_add((_Atomic size_t *)arg, 1);
    return 0;
}

struct gg {
    wq_pool *pool;
    _Atomic size_t leaves;
};

static int group_task(void *arg)
{
    struct gg *x = arg;
    wq_group *g;
    int rc = wq_group_create(&g, x->pool);
    if (rc)
        return rc;
    for (int i = 0; i < 20 && !rc; i++)
        rc = wq_group_submit(g, leaf_task, &x->leaves);
    int wrc = wq_group_wait(g);
    wq_group_destroy(g);
    return rc ? rc : wrc;
}

START_TEST(nest_group_in_group)
{
    struct gg x = {.pool = grid_pool(_i)};
    atomic_init(&x.leaves, 0);
    wq_group *g;
    ck_assert_int_eq(wq_group_create(&g, x.pool), 0);
    for (int i = 0; i < 30; i++)
        ck_assert_int_eq(wq_group_submit(g, group_task, &x), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    ck_assert_uint_eq(atomic_load(&x.leaves), 30 * 20);
    grid_release(x.pool);
}
END_TEST

Suite *suite_nest(void)
{
    const struct grid_case cases[] = {
        {"for_depth3", nest_for_depth3, 1},
        {"reduce_in_for", nest_reduce_in_for, 1},
        {"for_reduce_group_for", nest_for_reduce_group_for, 1},
        {"group_in_group", nest_group_in_group, 1},
    };
    return grid_suite("nest", cases, sizeof cases / sizeof *cases);
}
