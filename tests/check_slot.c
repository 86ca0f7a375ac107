/* check_slot.c - worker indices for per-thread scratch: in bounds, never
 * shared by two threads running callbacks at once (workers, several outside
 * callers, group tasks, more outside callers than WQ_CALLERS_MAX), equal to
 * the hooks' slot on workers, stable across nesting, WQ_NO_INDEX outside;
 * and WQ_NO_INDEX at once, never a wait, for an outside thread beyond
 * WQ_CALLERS_MAX or the pool's wq_options.callers (or WQ_CALLERS). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "callers.h"
#include "suites.h"
#include "util.h"

/* Scratch as a user would keep it: a busy flag proves exclusivity, a plain
 * counter lets the thread sanitizer check that handing an index on orders
 * its holders. */
struct scratch {
    _Atomic int busy;
    unsigned long uses;
    char pad[64];
};

struct slots {
    wq_pool *pool;
    unsigned bound;
    struct scratch *scratch;
    _Atomic int shared, out_of_bounds;
    /* Answers of WQ_NO_INDEX, allowed only with more than WQ_CALLERS_MAX
     * outside threads. */
    _Atomic unsigned long refused;
    int may_refuse;
    unsigned sleep_us;
};

static void slots_init(struct slots *s, wq_pool *pool, unsigned sleep_us)
{
    memset(s, 0, sizeof *s);
    s->pool = pool;
    s->bound = wq_pool_slots(pool);
    ck_assert_uint_eq(s->bound, wq_pool_size(pool) + WQ_CALLERS_MAX - 1);
    s->scratch = calloc(s->bound, sizeof *s->scratch);
    ck_assert_ptr_nonnull(s->scratch);
    s->sleep_us = sleep_us;
}

/* Use this thread's scratch entry for a moment; flag any overlap. */
static void use_scratch(struct slots *s)
{
    unsigned i = wq_worker_index();
    if (i == WQ_NO_INDEX && s->may_refuse) {
        atomic_fetch_add(&s->refused, 1); /* the user's other storage */
        return;
    }
    if (i >= s->bound) {
        atomic_store(&s->out_of_bounds, 1);
        return;
    }
    struct scratch *mine = &s->scratch[i];
    if (atomic_exchange(&mine->busy, 1))
        atomic_store(&s->shared, 1);
    mine->uses++;
    if (s->sleep_us)
        usleep(s->sleep_us);
    if (wq_worker_index() != i) /* stable within a callback */
        atomic_store(&s->shared, 1);
    atomic_store(&mine->busy, 0);
}

static unsigned long slots_check(struct slots *s)
{
    unsigned long uses = 0;
    int out = atomic_load(&s->out_of_bounds), shared = atomic_load(&s->shared);
    ck_assert_msg(!out, "an index was not below wq_pool_slots()");
    ck_assert_msg(!shared, "two threads held one index at once");
    for (unsigned i = 0; i < s->bound; i++)
        uses += s->scratch[i].uses;
    free(s->scratch);
    return uses + atomic_load(&s->refused);
}

static int range_uses_scratch(void *ctx, size_t b, size_t e)
{
    for (size_t i = b; i < e; i++)
        use_scratch(ctx);
    return 0;
}

START_TEST(slot_private_to_each_running_thread)
{
    wq_pool *pool = grid_pool(_i);
    struct slots s;
    slots_init(&s, pool, 20);
    ck_assert_int_eq(wq_for(pool, 400, 1, range_uses_scratch, &s), 0);
    ck_assert_uint_eq(slots_check(&s), 400);
    grid_release(pool);
}
END_TEST

/* Outside calls there is no index; the first outside caller gets 0; an
 * index held by a finished call is free again. */
static int record_index(void *ctx, size_t b, size_t e)
{
    (void)b;
    (void)e;
    *(unsigned *)ctx = wq_worker_index();
    return 0;
}

START_TEST(slot_first_outside_caller_gets_zero)
{
    ck_assert_uint_eq(wq_worker_index(), WQ_NO_INDEX);
    wq_pool *pool = grid_pool(_i);
    for (int round = 0; round < 3; round++) {
        unsigned got = WQ_NO_INDEX;
        ck_assert_int_eq(wq_for(pool, 1, 1, record_index, &got), 0);
        ck_assert_uint_eq(got, 0);
        ck_assert_uint_eq(wq_worker_index(), WQ_NO_INDEX);
    }
    grid_release(pool);
}
END_TEST

/* Workers report the slot their hooks got, in their hooks too. */
struct hook_slots {
    _Atomic int mismatch;
    _Atomic unsigned seen;
};

static void check_hook_slot(void *arg, unsigned slot)
{
    struct hook_slots *h = arg;
    if (wq_worker_index() != slot || slot == 0)
        atomic_store(&h->mismatch, 1);
    atomic_fetch_add(&h->seen, 1);
}

START_TEST(slot_matches_hooks_on_workers)
{
    struct hook_slots h = {0};
    wq_options opt = {0};
    opt.threads = 4;
    opt.on_start = check_hook_slot;
    opt.on_stop = check_hook_slot;
    opt.hook_arg = &h;
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    struct slots s;
    slots_init(&s, pool, 50);
    ck_assert_int_eq(wq_for(pool, 200, 1, range_uses_scratch, &s), 0);
    wq_pool_destroy(pool);
    ck_assert_uint_eq(slots_check(&s), 200);
    ck_assert_uint_eq(atomic_load(&h.seen), 6);
    ck_assert_int_eq(atomic_load(&h.mismatch), 0);
}
END_TEST

/* Several outside threads in one pool at once, more of them than
 * WQ_CALLERS_MAX in the last case: none shares, and those beyond the
 * limit get WQ_NO_INDEX. */
struct outside {
    struct slots *s;
    size_t n;
};

static int call_from_outside(void *arg, unsigned caller, int round,
                             unsigned *seed)
{
    const struct outside *o = arg;
    (void)caller;
    (void)round;
    (void)seed;
    return wq_for(o->s->pool, o->n, 1, range_uses_scratch, o->s);
}

static void run_callers(wq_pool *pool, unsigned threads, size_t n)
{
    struct slots s;
    slots_init(&s, pool, 200);
    s.may_refuse = threads > WQ_CALLERS_MAX;
    struct outside o = {&s, n};
    callers_run(threads, 1, call_from_outside, &o, 0, 0);
    ck_assert_uint_eq(slots_check(&s), threads * n);
}

START_TEST(slot_outside_callers_never_share)
{
    wq_pool *pool = grid_pool(_i);
    run_callers(pool, 6, 40);
    grid_release(pool);
}
END_TEST

START_TEST(slot_more_callers_than_max_never_share)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 2;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    run_callers(pool, WQ_CALLERS_MAX + 8, 3);
    wq_pool_destroy(pool);
}
END_TEST

/* The cycle an index wait would close: WQ_CALLERS_MAX outside threads
 * hold their indices until one more outside thread's callback has run, and
 * that callback asks for its index.  It must get WQ_NO_INDEX at once; had
 * it waited, the holders would give up HOLD_S seconds after it started and
 * the test fail (not hang). */
#define HOLD_S 30.0

struct cycle {
    wq_pool *pool;
    _Atomic unsigned holding;
    _Atomic int started, asked, gave_up, bad_index;
    _Atomic unsigned char *seen; /* by index: no two holders share one */
    double deadline; /* written before started is set */
    unsigned got;
};

static int hold_index(void *ctx, size_t b, size_t e)
{
    struct cycle *c = ctx;
    (void)b;
    (void)e;
    unsigned i = wq_worker_index();
    if (i >= wq_pool_slots(c->pool) || atomic_exchange(&c->seen[i], 1))
        atomic_store(&c->bad_index, 1);
    atomic_fetch_add(&c->holding, 1);
    while (!atomic_load(&c->asked)) {
        if (atomic_load(&c->started) && wq_now() > c->deadline) {
            atomic_store(&c->gave_up, 1);
            break;
        }
        usleep(100);
    }
    return 0;
}

static int ask_index(void *ctx, size_t b, size_t e)
{
    struct cycle *c = ctx;
    (void)b;
    (void)e;
    c->got = wq_worker_index();
    atomic_store(&c->asked, 1);
    return 0;
}

/* An outside thread: one call of a one-piece loop. */
struct one_call {
    struct cycle *c;
    wq_range_fn body;
};

static int call_once(void *arg, unsigned caller, int round, unsigned *seed)
{
    const struct one_call *o = arg;
    (void)caller;
    (void)round;
    (void)seed;
    if (wq_for(o->c->pool, 1, 1, o->body, o->c))
        atomic_store(&o->c->bad_index, 1);
    return 0;
}

/* The cycle on a pool of 2 with the given wq_options.callers (0: the
 * default); holders: how many outside indices that makes. */
static void run_cycle(unsigned callers, unsigned holders)
{
    struct cycle c = {0};
    wq_options opt = {0};
    opt.threads = 2;
    opt.callers = callers;
    ck_assert_int_eq(wq_pool_create(&c.pool, &opt), 0);
    ck_assert_uint_eq(wq_pool_slots(c.pool), 2 + holders - 1);
    c.seen = calloc(wq_pool_slots(c.pool), sizeof *c.seen);
    ck_assert_ptr_nonnull(c.seen);
    struct one_call hold = {&c, hold_index}, ask = {&c, ask_index};
    struct callers *held = callers_start(holders, 1, call_once, &hold, 0, 0);
    while (atomic_load(&c.holding) < holders)
        usleep(100);
    c.deadline = wq_now() + HOLD_S;
    atomic_store(&c.started, 1);
    callers_run(1, 1, call_once, &ask, 0, 0);
    callers_join(held);
    ck_assert_msg(!atomic_load(&c.gave_up),
                  "the outside thread beyond the pool's callers waited");
    ck_assert_int_eq(atomic_load(&c.bad_index), 0);
    ck_assert_uint_eq(c.got, WQ_NO_INDEX);
    /* The holders are gone: an index is free again. */
    atomic_store(&c.asked, 0);
    c.got = WQ_NO_INDEX;
    ck_assert_int_eq(wq_for(c.pool, 1, 1, ask_index, &c), 0);
    ck_assert_uint_eq(c.got, 0);
    wq_pool_destroy(c.pool);
    free(c.seen);
}

START_TEST(slot_beyond_max_never_waits)
{
    run_cycle(0, WQ_CALLERS_MAX);
}
END_TEST

/* wq_options.callers sizes the outside range (over several words of the
 * bitmap, and down to one index), and the answer beyond it is the same. */
START_TEST(slot_callers_option)
{
    run_cycle(WQ_CALLERS_MAX + 70, WQ_CALLERS_MAX + 70);
    run_cycle(1, 1);
    wq_options opt = {0};
    opt.callers = WQ_CALLERS_LIMIT + 1;
    wq_pool *pool = NULL;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), EINVAL);
    ck_assert_ptr_null(pool);
}
END_TEST

/* WQ_CALLERS sets the default; a malformed or too large value is ignored. */
START_TEST(slot_callers_from_environment)
{
    static const struct {
        const char *value;
        unsigned callers;
    } cases[] = {{"100", 100},     {"1", 1},  {"0", WQ_CALLERS_MAX},
                 {"-3", WQ_CALLERS_MAX},    {"12x", WQ_CALLERS_MAX},
                 {"65537", WQ_CALLERS_MAX}, {"", WQ_CALLERS_MAX}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        ck_assert_int_eq(setenv("WQ_CALLERS", cases[k].value, 1), 0);
        wq_options opt = {0};
        opt.threads = 3;
        wq_pool *pool;
        ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
        ck_assert_uint_eq(wq_pool_slots(pool), 3 + cases[k].callers - 1);
        wq_pool_destroy(pool);
    }
    unsetenv("WQ_CALLERS");
}
END_TEST

/* Group tasks run by workers and by the waiting thread never share. */
static int task_uses_scratch(void *arg)
{
    use_scratch(arg);
    return 0;
}

START_TEST(slot_group_tasks_never_share)
{
    wq_pool *pool = grid_pool(_i);
    struct slots s;
    slots_init(&s, pool, 30);
    wq_group *g;
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(wq_group_submit(g, task_uses_scratch, &s), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    ck_assert_uint_eq(slots_check(&s), 300);
    grid_release(pool);
}
END_TEST

/* Nested on the same pool: the thread keeps its index.  Nested into another
 * pool: the index is the inner pool's while there, the outer's after. */
struct nest {
    wq_pool *outer, *inner;
    _Atomic int bad;
};

static int inner_range(void *ctx, size_t b, size_t e)
{
    struct nest *n = ctx;
    (void)b;
    (void)e;
    if (wq_worker_index() >= wq_pool_slots(n->inner))
        atomic_store(&n->bad, 1);
    return 0;
}

static int same_index_inside(void *ctx, size_t b, size_t e)
{
    unsigned outer_index = *(unsigned *)ctx;
    (void)b;
    (void)e;
    return wq_worker_index() == outer_index ? 0 : 1;
}

static int outer_range(void *ctx, size_t b, size_t e)
{
    struct nest *n = ctx;
    unsigned mine = wq_worker_index();
    (void)b;
    (void)e;
    /* Same pool: every piece that runs on this thread sees its index;
     * pieces helped by others see theirs, so only check inline (n = 1). */
    if (wq_for(n->outer, 1, 1, same_index_inside, &mine))
        atomic_store(&n->bad, 1);
    if (wq_for(n->inner, 16, 1, inner_range, n))
        atomic_store(&n->bad, 1);
    if (wq_worker_index() != mine)
        atomic_store(&n->bad, 1);
    return 0;
}

START_TEST(slot_nested_calls)
{
    struct nest n = {.outer = grid_pool(_i)};
    wq_options opt = {0};
    opt.threads = 3;
    ck_assert_int_eq(wq_pool_create(&n.inner, &opt), 0);
    ck_assert_int_eq(wq_for(n.outer, 64, 1, outer_range, &n), 0);
    ck_assert_int_eq(atomic_load(&n.bad), 0);
    wq_pool_destroy(n.inner);
    grid_release(n.outer);
}
END_TEST

/* A reduction's final combine runs on the caller, inside the call. */
static void idx_init(void *ctx, void *p)
{
    (void)ctx;
    *(unsigned *)p = 0;
}

static int idx_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    (void)b;
    (void)e;
    (void)p;
    return 0;
}

static void idx_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    (void)o;
    if (wq_worker_index() != 0)
        *(unsigned *)p = 1;
}

START_TEST(slot_reduce_combine_on_caller)
{
    wq_pool *pool = grid_pool(_i);
    const wq_reducer r = {sizeof(unsigned), idx_init, idx_fold, idx_combine};
    unsigned bad = 2;
    ck_assert_int_eq(wq_reduce(pool, 1000, 10, &r, NULL, &bad), 0);
    ck_assert_uint_eq(bad, 0);
    grid_release(pool);
}
END_TEST

Suite *suite_slot(void)
{
    const struct grid_case cases[] = {
        {"private_to_each_thread", slot_private_to_each_running_thread, 1},
        {"first_outside_caller_zero", slot_first_outside_caller_gets_zero, 1},
        {"matches_hooks", slot_matches_hooks_on_workers, 0},
        {"outside_callers_never_share", slot_outside_callers_never_share, 1},
        {"more_callers_than_max", slot_more_callers_than_max_never_share, 0},
        {"beyond_max_never_waits", slot_beyond_max_never_waits, 0},
        {"callers_option", slot_callers_option, 0},
        {"callers_from_environment", slot_callers_from_environment, 0},
        {"group_tasks_never_share", slot_group_tasks_never_share, 1},
        {"nested_calls", slot_nested_calls, 1},
        {"reduce_combine_on_caller", slot_reduce_combine_on_caller, 1},
    };
    return grid_suite("slot", cases, sizeof cases / sizeof *cases);
}
