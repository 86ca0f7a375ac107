/* check_mpi_pool.c - wq_mpi_pool_create: the hybrid pool size (each CPU of
 * this rank's mask shared among the node's ranks that may use it),
 * WQ_NUM_THREADS and opt->threads winning, errors the same on every rank. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "mpi_util.h"

/* The expected size, found another way than the library's: every rank's
 * mask gathered on the node, each CPU of ours counted 1/k. */
static unsigned expected_threads(void)
{
    MPI_Comm node;
    cpu_set_t mine;
    CPU_ZERO(&mine);
    ck_assert_int_eq(sched_getaffinity(0, sizeof mine, &mine), 0);
    ck_assert_int_eq(MPI_Comm_split_type(test_comm, MPI_COMM_TYPE_SHARED, 0,
                                         MPI_INFO_NULL, &node),
                     MPI_SUCCESS);
    int ranks;
    MPI_Comm_size(node, &ranks);
    cpu_set_t *all = malloc((size_t)ranks * sizeof *all);
    ck_assert_ptr_nonnull(all);
    MPI_Allgather(&mine, sizeof mine, MPI_BYTE, all, sizeof mine, MPI_BYTE,
                  node);
    MPI_Comm_free(&node);
    double share = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &mine))
            continue;
        int k = 0;
        for (int r = 0; r < ranks; r++)
            k += CPU_ISSET(cpu, &all[r]) != 0;
        share += 1.0 / k;
    }
    free(all);
    unsigned cpus = (unsigned)CPU_COUNT(&mine), usable = wq_cpu_count();
    if (usable < cpus)
        share = share * usable / cpus;
    return share < 1 ? 1 : (unsigned)(share + 1e-9);
}

START_TEST(mpi_pool_hybrid_size)
{
    wq_pool *pool;
    unsetenv("WQ_NUM_THREADS");
    unsigned want = expected_threads();
    ck_assert_int_eq(wq_mpi_pool_create(test_comm, &pool, NULL), 0);
    ck_assert_uint_eq(wq_pool_size(pool), want);
    wq_pool_destroy(pool);
    /* Ranks that share the node's CPUs never exceed them together. */
    int node_ranks, cpus = (int)wq_cpu_count(), total;
    MPI_Comm node;
    MPI_Comm_split_type(test_comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
                        &node);
    MPI_Comm_size(node, &node_ranks);
    int w = (int)want;
    MPI_Allreduce(&w, &total, 1, MPI_INT, MPI_SUM, node);
    MPI_Comm_free(&node);
    ck_assert(total <= (cpus > node_ranks ? cpus : node_ranks));
}
END_TEST

START_TEST(mpi_pool_explicit_sizes_win)
{
    wq_pool *pool;
    setenv("WQ_NUM_THREADS", "3", 1);
    ck_assert_int_eq(wq_mpi_pool_create(test_comm, &pool, NULL), 0);
    ck_assert_uint_eq(wq_pool_size(pool), 3);
    wq_pool_destroy(pool);
    wq_options opt = {0};
    opt.threads = 2;
    ck_assert_int_eq(wq_mpi_pool_create(test_comm, &pool, &opt), 0);
    ck_assert_uint_eq(wq_pool_size(pool), 2);
    wq_pool_destroy(pool);
    unsetenv("WQ_NUM_THREADS");
}
END_TEST

/* A bad option on one rank: EINVAL on all, and no rank keeps a pool. */
START_TEST(mpi_pool_errors)
{
    wq_pool *pool = NULL;
    wq_options opt = {0};
    opt.threads = test_rank == test_size - 1 ? WQ_THREADS_MAX + 1 : 2;
    ck_assert_int_eq(wq_mpi_pool_create(test_comm, &pool, &opt), EINVAL);
    ck_assert_ptr_null(pool);
    ck_assert_int_eq(wq_mpi_pool_create(test_comm, test_rank ? &pool : NULL,
                                        NULL),
                     EINVAL);
    ck_assert_ptr_null(pool);
    ck_assert_int_eq(wq_mpi_pool_create(MPI_COMM_NULL, &pool, NULL), EINVAL);
    /* The default pool serves the other calls. */
    size_t b, e;
    ck_assert_int_eq(wq_mpi_share(test_comm, NULL, 100, 0, &b, &e), 0);
}
END_TEST

Suite *suite_mpi_pool(void)
{
    static const char *const names[] = {"hybrid_size", "explicit_sizes_win",
                                        "errors"};
    const TTest *const tests[] = {
        mpi_pool_hybrid_size, mpi_pool_explicit_sizes_win, mpi_pool_errors};
    return mpi_suite("mpi_pool", names, tests, 0,
                     sizeof tests / sizeof *tests);
}
