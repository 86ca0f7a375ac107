/* check_errors.c - every error code: bad arguments answer EINVAL and run no
 * callback; fork() children get ECHILD from inherited pools and a working
 * default pool; the pool stays usable after any error. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "util.h"

static _Atomic int calls;

static int body(void *ctx, size_t b, size_t e)
{
    (void)ctx;
    (void)b;
    (void)e;
    atomic_fetch_add(&calls, 1);
    return 0;
}

static void r_init(void *ctx, void *p)
{
    (void)ctx;
    atomic_fetch_add(&calls, 1);
    *(int *)p = 0;
}

static int r_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    (void)b;
    (void)e;
    (void)p;
    atomic_fetch_add(&calls, 1);
    return 0;
}

static void r_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    (void)p;
    (void)o;
    atomic_fetch_add(&calls, 1);
}

static int task(void *arg)
{
    (void)arg;
    atomic_fetch_add(&calls, 1);
    return 0;
}

START_TEST(errors_einval_runs_nothing)
{
    wq_pool *pool = grid_pool(_i);
    atomic_store(&calls, 0);
    int out;
    ck_assert_int_eq(wq_for(pool, 10, 0, NULL, NULL), EINVAL);
    ck_assert_int_eq(wq_for(pool, 0, 0, NULL, NULL), EINVAL);

    wq_reducer ok = {sizeof(int), r_init, r_fold, r_combine};
    wq_reducer r;
    ck_assert_int_eq(wq_reduce(pool, 10, 0, NULL, NULL, &out), EINVAL);
    ck_assert_int_eq(wq_reduce(pool, 10, 0, &ok, NULL, NULL), EINVAL);
    r = ok;
    r.size = 0;
    ck_assert_int_eq(wq_reduce(pool, 10, 0, &r, NULL, &out), EINVAL);
    r = ok;
    r.init = NULL;
    ck_assert_int_eq(wq_reduce(pool, 10, 0, &r, NULL, &out), EINVAL);
    r = ok;
    r.fold = NULL;
    ck_assert_int_eq(wq_reduce(pool, 0, 0, &r, NULL, &out), EINVAL);
    r = ok;
    r.combine = NULL;
    ck_assert_int_eq(wq_reduce(pool, 10, 0, &r, NULL, &out), EINVAL);

    wq_group *g;
    ck_assert_int_eq(wq_group_create(NULL, pool), EINVAL);
    ck_assert_int_eq(wq_group_submit(NULL, task, NULL), EINVAL);
    ck_assert_int_eq(wq_group_wait(NULL), EINVAL);
    wq_group_destroy(NULL);
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    ck_assert_int_eq(wq_group_submit(g, NULL, NULL), EINVAL);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    ck_assert_int_eq(atomic_load(&calls), 0);

    /* Usable afterwards. */
    ck_assert_int_eq(wq_for(pool, 10, 1, body, NULL), 0);
    ck_assert_int_eq(atomic_load(&calls), 10);
    grid_release(pool);
}
END_TEST

START_TEST(errors_pool_options)
{
    wq_pool *pool = NULL;
    wq_options opt = {0};
    ck_assert_int_eq(wq_pool_create(NULL, NULL), EINVAL);
    opt.threads = WQ_THREADS_MAX + 1;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), EINVAL);
    opt.threads = UINT32_MAX;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), EINVAL);
    opt = (wq_options){0};
    opt.flags = 0x80;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), EINVAL);
    for (size_t i = 0; i < sizeof opt.reserved / sizeof *opt.reserved; i++) {
        opt = (wq_options){0};
        opt.reserved[i] = &opt;
        ck_assert_int_eq(wq_pool_create(&pool, &opt), EINVAL);
    }
    ck_assert_ptr_null(pool);
    wq_pool_destroy(pool); /* NULL with no default pool: nothing */
}
END_TEST

START_TEST(errors_strerror_names_every_code)
{
    static const int codes[] = {0, EINVAL, ENOMEM, EAGAIN, EDEADLK, ECHILD,
                                42, -1};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        const char *text = wq_strerror(codes[i]);
        ck_assert_ptr_nonnull(text);
        ck_assert_uint_gt(strlen(text), 0);
    }
}
END_TEST

/* In a child of fork() a pool made before the fork answers ECHILD (its
 * threads are gone) and never hangs; the default pool is recreated and
 * works; the parent is unaffected. */
START_TEST(errors_fork_child)
{
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 3;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    ck_assert_int_eq(wq_for(NULL, 100, 1, body, NULL), 0);
    ck_assert_int_eq(wq_for(pool, 100, 1, body, NULL), 0);
    wq_group *g;
    ck_assert_int_eq(wq_group_create(&g, pool), 0);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int bad = 0;
        if (UNDER_TSAN)
            setenv("WQ_NUM_THREADS", "1", 1);
        atomic_store(&calls, 0);
        bad |= wq_for(pool, 100, 1, body, NULL) != ECHILD;
        bad |= wq_group_submit(g, task, NULL) != ECHILD;
        bad |= wq_group_wait(g) != ECHILD;
        bad |= atomic_load(&calls) != 0;
        bad |= wq_for(NULL, 1000, 1, body, NULL) != 0;
        bad |= atomic_load(&calls) != 1000;
        wq_group_destroy(g);
        wq_pool_destroy(pool);
        _exit(bad);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_eq(wq_group_submit(g, task, NULL), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    ck_assert_int_eq(wq_for(pool, 100, 1, body, NULL), 0);
    wq_pool_destroy(pool);
}
END_TEST

/* ENOMEM: a partial too large to address is refused before any callback;
 * EAGAIN: threads whose stacks cannot be mapped are not created, and no
 * thread is left running.  The pool works after both. */
START_TEST(errors_enomem_and_eagain)
{
    wq_pool *pool = grid_pool(_i);
    atomic_store(&calls, 0);
    wq_reducer huge = {SIZE_MAX - 8, r_init, r_fold, r_combine};
    char out[64];
    ck_assert_int_eq(wq_reduce(pool, 1000, 0, &huge, NULL, out), ENOMEM);
    ck_assert_int_eq(atomic_load(&calls), 0);
    grid_release(pool);

    wq_pool *big = NULL;
    wq_options opt = {0};
    opt.threads = 3;
    opt.stack_size = SIZE_MAX / 4; /* no address space holds it */
    ck_assert_int_eq(wq_pool_create(&big, &opt), EAGAIN);
    ck_assert_ptr_null(big);
    ck_assert_int_eq(wq_for(NULL, 10, 1, body, NULL), 0);
    ck_assert_int_eq(atomic_load(&calls), 10);
}
END_TEST

Suite *suite_errors(void)
{
    const struct grid_case cases[] = {
        {"einval_runs_nothing", errors_einval_runs_nothing, 1},
        {"pool_options", errors_pool_options, 0},
        {"enomem_eagain", errors_enomem_and_eagain, 1},
        {"strerror", errors_strerror_names_every_code, 0},
        {"fork_child", errors_fork_child, 0},
    };
    return grid_suite("errors", cases, sizeof cases / sizeof *cases);
}
