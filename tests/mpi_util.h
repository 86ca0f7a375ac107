/*
 * mpi_util.h - what the MPI suites share: the communicator they run on, the
 * pools of the grid (sizes that differ across ranks), a per-case timeout
 * that works without Check's fork mode, and a switch that makes one MPI
 * call fail (tests/mpi_main.c interposes it through MPI's profiling
 * interface).
 *
 * The suites run in one process a rank (MPI processes must not fork), so a
 * case's timeout is an alarm: a rank that hangs dies of SIGALRM, and the
 * launcher then stops every rank and fails.
 */
#ifndef WQ_TEST_MPI_UTIL_H
#define WQ_TEST_MPI_UTIL_H

#include <check.h>
#include <mpi.h>
#include <stdlib.h>

#include <wq/mpi.h>

/* The suites' communicator: a duplicate of MPI_COMM_WORLD whose errors
 * return (so a failing call is EIO, not an abort). */
extern MPI_Comm test_comm;
extern int test_rank, test_size;

/* Non-zero: the next call on this rank of MPI_Allgather (1),
 * MPI_Win_allocate (2), MPI_Allreduce (3) or MPI_Allgatherv (4) fails
 * with MPI_ERR_OTHER, once; test_fail_after such calls pass first. */
extern int test_fail_next, test_fail_after;

/* The pool sizes of the grid: entry k on rank r has 1 + (r + k) % 3
 * threads, so neighbouring ranks differ; the last entry is the default
 * pool (NULL). */
#define MPI_GRID 4
static inline wq_pool *mpi_grid_pool(int k)
{
    if (k == MPI_GRID - 1)
        return NULL;
    wq_pool *pool;
    wq_options opt = {0};
    opt.threads = 1 + (unsigned)(test_rank + k) % 3;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    return pool;
}

static inline void mpi_grid_release(wq_pool *pool)
{
    if (pool)
        wq_pool_destroy(pool);
}

/* Seconds a case may take, scaled by CK_TIMEOUT_MULTIPLIER. */
#define MPI_TEST_TIMEOUT 60
void mpi_timeout_start(void);
void mpi_timeout_stop(void);

static inline Suite *mpi_suite(const char *name, const char *const *names,
                               const TTest *const *tests, int grid,
                               size_t count)
{
    Suite *s = suite_create(name);
    for (size_t i = 0; i < count; i++) {
        TCase *tc = tcase_create(names[i]);
        tcase_add_checked_fixture(tc, mpi_timeout_start, mpi_timeout_stop);
        tcase_add_loop_test(tc, tests[i], 0, grid & (1 << i) ? MPI_GRID : 1);
        suite_add_tcase(s, tc);
    }
    return s;
}

/* The number of ranks on which cond holds. */
static inline int mpi_count(int cond)
{
    int v = cond != 0, sum;
    ck_assert_int_eq(MPI_Allreduce(&v, &sum, 1, MPI_INT, MPI_SUM, test_comm),
                     MPI_SUCCESS);
    return sum;
}

Suite *suite_mpi_reduce(void);
Suite *suite_mpi_map(void);
Suite *suite_mpi_pool(void);

#endif /* WQ_TEST_MPI_UTIL_H */
