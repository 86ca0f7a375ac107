/* check_group.c - task groups (Pool.apply_async): every task once, the
 * first error, tasks that spawn tasks, a full queue, concurrent submitters,
 * EDEADLK; on every pool of the grid; more live groups than the job board's
 * first 256 slots. */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "callers.h"
#include "suites.h"
#include "util.h"

struct counter {
    _Atomic unsigned *hits;
    size_t n;
};

struct task_arg {
    struct counter *c;
    size_t i;
    int rc;
};

static int hit(void *arg)
{
    struct task_arg *t = arg;
    atomic_fetch_add(&t->c->hits[t->i], 1);
    return t->rc;
}

static struct task_arg *make_tasks(struct counter *c, size_t n)
{
    c->n = n;
    c->hits = calloc(n, sizeof *c->hits);
    struct task_arg *t = calloc(n, sizeof *t);
    for (size_t i = 0; i < n; i++)
        t[i] = (struct task_arg){c, i, 0};
    return t;
}

static void check_each_once(struct counter *c)
{
    for (size_t i = 0; i < c->n; i++)
        ck_assert_msg(atomic_load(&c->hits[i]) == 1, "task %zu ran %u times",
                      i, atomic_load(&c->hits[i]));
}

/* More tasks than the group's queue holds: none dropped, none repeated. */
START_TEST(group_runs_every_task_once)
{
    wq_pool *pool = grid_pool(_i);
    wq_group *g;
    struct counter c;
    struct task_arg *t = make_tasks(&c, 5000);
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    for (size_t i = 0; i < c.n; i++)
        ck_assert_int_eq(wq_group_submit(g, hit, &t[i]), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    check_each_once(&c);
    wq_group_destroy(g);
    free(t);
    free(c.hits);
    grid_release(pool);
}
END_TEST

/* wait returns a non-zero task result, then the group starts afresh. */
START_TEST(group_wait_returns_error_then_resets)
{
    wq_pool *pool = grid_pool(_i);
    wq_group *g;
    struct counter c;
    struct task_arg *t = make_tasks(&c, 200);
    t[77].rc = 3;
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    for (size_t i = 0; i < c.n; i++)
        ck_assert_int_eq(wq_group_submit(g, hit, &t[i]), 0);
    ck_assert_int_eq(wq_group_wait(g), 3);
    check_each_once(&c); /* tasks are never cancelled */
    t[77].rc = 0;
    ck_assert_int_eq(wq_group_submit(g, hit, &t[0]), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    ck_assert_uint_eq(atomic_load(&c.hits[0]), 2);
    wq_group_destroy(g);
    free(t);
    free(c.hits);
    grid_release(pool);
}
END_TEST

/* Tasks that submit tasks to their own group: a binary tree of 2^13 - 1
 * tasks; wait covers the tasks submitted by running tasks. */
struct tree {
    wq_group *g;
    _Atomic int nodes;
};

struct node {
    struct tree *t;
    int depth;
};

static int grow(void *arg)
{
    struct node *n = arg;
    atomic_fetch_add(&n->t->nodes, 1);
    if (n->depth > 0) {
        for (int k = 0; k < 2; k++) {
            struct node *child = malloc(sizeof *child);
            *child = (struct node){n->t, n->depth - 1};
            if (wq_group_submit(n->t->g, grow, child))
                return 1;
        }
    }
    free(n);
    return 0;
}

START_TEST(group_tasks_submit_tasks)
{
    wq_pool *pool = grid_pool(_i);
    struct tree t;
    atomic_init(&t.nodes, 0);
    ck_assert_int_eq(wq_group_create(&t.g, pool), 0);
    struct node *root = malloc(sizeof *root);
    *root = (struct node){&t, 12};
    ck_assert_int_eq(wq_group_submit(t.g, grow, root), 0);
    ck_assert_int_eq(wq_group_wait(t.g), 0);
    ck_assert_int_eq(atomic_load(&t.nodes), (1 << 13) - 1);
    wq_group_destroy(t.g);
    grid_release(pool);
}
END_TEST

/* destroy waits for the tasks it was given. */
static int slow_hit(void *arg)
{
    usleep(200);
    return hit(arg);
}

START_TEST(group_destroy_waits)
{
    wq_pool *pool = grid_pool(_i);
    wq_group *g;
    struct counter c;
    struct task_arg *t = make_tasks(&c, 300);
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    for (size_t i = 0; i < c.n; i++)
        ck_assert_int_eq(wq_group_submit(g, slow_hit, &t[i]), 0);
    wq_group_destroy(g);
    check_each_once(&c);
    free(t);
    free(c.hits);
    grid_release(pool);
}
END_TEST

/* Waiting on a group from inside one of its tasks could never finish. */
struct self_wait {
    wq_group *g;
    _Atomic int rc;
};

static int wait_on_own_group(void *arg)
{
    struct self_wait *s = arg;
    atomic_store(&s->rc, wq_group_wait(s->g));
    wq_group_destroy(s->g); /* does nothing from inside */
    return 0;
}

START_TEST(group_wait_from_own_task_is_edeadlk)
{
    wq_pool *pool = grid_pool(_i);
    struct self_wait s;
    atomic_init(&s.rc, -1);
    ck_assert_int_eq(wq_group_create(&s.g, pool), 0);
    ck_assert_int_eq(wq_group_submit(s.g, wait_on_own_group, &s), 0);
    ck_assert_int_eq(wq_group_wait(s.g), 0);
    ck_assert_int_eq(atomic_load(&s.rc), EDEADLK);
    wq_group_destroy(s.g);
    grid_release(pool);
}
END_TEST

struct submitting {
    wq_group *g;
    struct task_arg *t;
};

enum { SUBMITTERS = 4, EACH = 2000 };

/* Round r of caller k submits task k * EACH + r. */
static int submit_one(void *arg, unsigned caller, int round, unsigned *seed)
{
    const struct submitting *s = arg;
    (void)seed;
    return wq_group_submit(s->g, hit, &s->t[caller * EACH + (size_t)round]);
}

/* Four threads submit to one group at once. */
START_TEST(group_concurrent_submitters)
{
    wq_pool *pool = grid_pool(_i);
    struct counter c;
    struct submitting s = {.t = make_tasks(&c, SUBMITTERS * EACH)};
    ck_assert_int_eq(wq_group_create(&s.g, pool), 0);
    callers_run(SUBMITTERS, EACH, submit_one, &s, 0, 0);
    ck_assert_int_eq(wq_group_wait(s.g), 0);
    check_each_once(&c);
    wq_group_destroy(s.g);
    free(s.t);
    free(c.hits);
    grid_release(pool);
}
END_TEST

/* Several groups on one pool, waited on in turn. */
START_TEST(group_many_groups)
{
    wq_pool *pool = grid_pool(_i);
    enum { G = 40, T = 50 };
    wq_group *g[G];
    struct counter c;
    struct task_arg *t = make_tasks(&c, G * T);
    for (int k = 0; k < G; k++) {
        ck_assert_int_eq(wq_group_create(&g[k], pool), 0);
        for (int j = 0; j < T; j++)
            ck_assert_int_eq(wq_group_submit(g[k], hit, &t[k * T + j]), 0);
    }
    for (int k = G - 1; k >= 0; k--) {
        ck_assert_int_eq(wq_group_wait(g[k]), 0);
        for (int j = 0; j < T; j++)
            ck_assert_uint_eq(atomic_load(&c.hits[k * T + j]), 1);
        wq_group_destroy(g[k]);
    }
    free(t);
    free(c.hits);
    grid_release(pool);
}
END_TEST

/* More live groups than the 256 slots the job board starts with (three
 * segments' worth), then a loop and one more group: the loop is still
 * helped by the worker, and the late group's task runs on the pool while
 * its submitter goes on (it waits for what the submitter does after
 * submit).  Each wait gives up after WAIT_S seconds, so a regression fails
 * instead of hanging. */
#define LIVE_GROUPS 600
#define WAIT_S 20.0

struct rendezvous {
    pthread_t caller;
    _Atomic int elsewhere, submitted, gave_up;
};

static void await_flag(struct rendezvous *r, _Atomic int *flag)
{
    double give_up = wq_now() + WAIT_S;
    while (!atomic_load(flag))
        if (wq_now() > give_up) {
            atomic_store(&r->gave_up, 1);
            return;
        } else {
            usleep(100);
        }
}

/* Two pieces: the one on the caller waits for the other to run elsewhere,
 * which only a helper can do. */
static int meet_helper(void *ctx, size_t b, size_t e)
{
    struct rendezvous *r = ctx;
    (void)b;
    (void)e;
    if (pthread_equal(pthread_self(), r->caller))
        await_flag(r, &r->elsewhere);
    else
        atomic_store(&r->elsewhere, 1);
    return 0;
}

static int wait_for_submitter(void *arg)
{
    struct rendezvous *r = arg;
    await_flag(r, &r->submitted);
    return atomic_load(&r->gave_up);
}

START_TEST(group_more_groups_than_board_slots)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 2;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    wq_group **live = calloc(LIVE_GROUPS, sizeof *live);
    ck_assert_ptr_nonnull(live);
    for (int k = 0; k < LIVE_GROUPS; k++)
        ck_assert_int_eq(wq_group_create(&live[k], pool), 0);
    struct rendezvous r = {.caller = pthread_self()};
    ck_assert_int_eq(wq_for(pool, 2, 1, meet_helper, &r), 0);
    ck_assert_msg(!atomic_load(&r.gave_up), "no worker helped the loop");
    wq_group *late;
    ck_assert_int_eq(wq_group_create(&late, pool), 0);
    ck_assert_int_eq(wq_group_submit(late, wait_for_submitter, &r), 0);
    atomic_store(&r.submitted, 1);
    ck_assert_int_eq(wq_group_wait(late), 0);
    ck_assert_msg(!atomic_load(&r.gave_up), "submit ran the task itself");
    wq_group_destroy(late);
    /* Every group still works: a task in each, all waited on. */
    struct counter c;
    struct task_arg *t = make_tasks(&c, LIVE_GROUPS);
    for (int k = 0; k < LIVE_GROUPS; k++)
        ck_assert_int_eq(wq_group_submit(live[k], hit, &t[k]), 0);
    for (int k = 0; k < LIVE_GROUPS; k++) {
        ck_assert_int_eq(wq_group_wait(live[k]), 0);
        wq_group_destroy(live[k]);
    }
    check_each_once(&c);
    free(t);
    free(c.hits);
    free(live);
    wq_pool_destroy(pool);
}
END_TEST

Suite *suite_group(void)
{
    const struct grid_case cases[] = {
        {"every_task_once", group_runs_every_task_once, 1},
        {"error_then_reset", group_wait_returns_error_then_resets, 1},
        {"tasks_submit_tasks", group_tasks_submit_tasks, 1},
        {"destroy_waits", group_destroy_waits, 1},
        {"edeadlk", group_wait_from_own_task_is_edeadlk, 1},
        {"concurrent_submitters", group_concurrent_submitters, 1},
        {"many_groups", group_many_groups, 1},
        {"more_groups_than_board_slots", group_more_groups_than_board_slots,
         0},
    };
    return grid_suite("group", cases, sizeof cases / sizeof *cases);
}
