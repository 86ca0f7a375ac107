/* check_mpi_reduce.c - wq_mpi_reduce: bits equal to a one-process
 * wq_reduce over {the ranks this run has} x {pool sizes differing across
 * ranks, the default pool} x {chunk 0, 1, odd, large} x {n = 0, 1, fewer
 * items than ranks, large}; the combine's order; failures on the first, a
 * middle and the last rank; disagreeing arguments; MPI failures. */
#include <errno.h>
#include <string.h>

#include "../lib/mpi/common.h" /* WQ_MPI__GATHERED */
#include "mpi_util.h"
#include "span.h"
#include "sum.h"

static void check_bits(wq_pool *pool, size_t n, size_t chunk)
{
    double ref, got;
    memset(&got, 0x5a, sizeof got);
    ck_assert_int_eq(wq_reduce(pool, n, chunk, &sum_reducer, NULL, &ref), 0);
    ck_assert_int_eq(
        wq_mpi_reduce(test_comm, pool, n, chunk, &sum_reducer, NULL, &got), 0);
    ck_assert_msg(memcmp(&got, &ref, sizeof got) == 0,
                  "rank %d of %d, n=%zu chunk=%zu: %a != %a", test_rank,
                  test_size, n, chunk, got, ref);
}

START_TEST(mpi_reduce_bitwise_identical)
{
    wq_pool *pool = mpi_grid_pool(_i);
    const size_t ns[] = {0, 1, (size_t)test_size - 1, (size_t)test_size,
                         1000, 100003};
    static const size_t chunks[] = {0, 1, 7, 100000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
            check_bits(pool, ns[a], chunks[c]);
    /* Over 512 blocks: the plan's groups. */
    check_bits(pool, 9000000, 0);
    check_bits(pool, 9000000, 1000);
    mpi_grid_release(pool);
}
END_TEST

START_TEST(mpi_reduce_combine_in_order)
{
    wq_pool *pool = mpi_grid_pool(_i);
    static const size_t ns[] = {1, 5, 600, 100000, 9000000};
    static const size_t chunks[] = {0, 3, 5000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            struct span s;
            size_t chunk = chunks[c];
            ck_assert_int_eq(wq_mpi_reduce(test_comm, pool, ns[a], chunk,
                                           &span_reducer, &chunk, &s),
                             0);
            ck_assert_msg(s.ok && !s.empty && s.first == 0 &&
                              s.last == ns[a],
                          "n=%zu chunk=%zu", ns[a], chunks[c]);
        }
    mpi_grid_release(pool);
}
END_TEST

/* A fold that fails on the ranks of a set, with a value of its rank. */
struct failing {
    unsigned set; /* bit r: rank r fails */
    _Atomic int calls;
};

static int fail_fold(void *ctx, size_t begin, size_t end, void *p)
{
    struct failing *f = ctx;
    f->calls++;
    if (f->set & (1u << test_rank))
        return 10 + test_rank;
    return sum_fold(NULL, begin, end, p);
}

START_TEST(mpi_reduce_failure_on_every_rank)
{
    wq_pool *pool = mpi_grid_pool(_i);
    static const wq_reducer r = {sizeof(double), sum_init, fail_fold,
                                 sum_combine};
    int last = test_size - 1, mid = test_size / 2;
    const unsigned sets[] = {1u, 1u << mid, 1u << last,
                             1u | 1u << mid | 1u << last, 1u << last | 1u << mid};
    const int want[] = {10, 10 + mid, 10 + last, 10, 10 + mid};
    /* Many blocks (the counter), and one item a rank (equal shares). */
    const size_t ns[] = {100003, 9000000, (size_t)test_size};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
            struct failing f = {sets[k], 0};
            double x;
            int rc = wq_mpi_reduce(test_comm, pool, ns[a], 0, &r, &f, &x);
            /* A failing rank that found no block left (the others had
             * stopped the hand-out) did not fail: the lowest rank whose
             * fold ran and failed sets the value, here the intended one
             * unless it ran nothing. */
            int failed = f.calls && (sets[k] & (1u << test_rank))
                             ? test_rank
                             : test_size,
                lowest;
            MPI_Allreduce(&failed, &lowest, 1, MPI_INT, MPI_MIN, test_comm);
            ck_assert_int_lt(lowest, test_size);
            ck_assert_int_eq(rc, 10 + lowest);
            ck_assert(lowest >= want[k] - 10);
        }
    /* Still usable. */
    check_bits(pool, 1000, 0);
    mpi_grid_release(pool);
}
END_TEST

static int counting_fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)b;
    (void)e;
    (void)p;
    (*(_Atomic int *)ctx)++;
    return 0;
}

static void counting_init(void *ctx, void *p)
{
    (void)p;
    (*(_Atomic int *)ctx)++;
}

/* Ranks that disagree (the last rank differs) get EINVAL, everywhere, and
 * no callback runs anywhere; so does a bad argument on one rank. */
START_TEST(mpi_reduce_disagreement)
{
    int last = test_rank == test_size - 1 && test_size > 1;
    _Atomic int calls = 0;
    wq_reducer r = {sizeof(double), counting_init, counting_fold,
                    sum_combine};
    wq_reducer wide = r;
    wide.size = 16;
    double x[2];
    if (test_size > 1) {
        ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, last ? 1001 : 1000, 0,
                                       &r, (void *)&calls, x),
                         EINVAL);
        ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, 1000, last ? 3 : 0,
                                       &r, (void *)&calls, x),
                         EINVAL);
        ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, 1000, 0,
                                       last ? &wide : &r, (void *)&calls, x),
                         EINVAL);
    }
    /* A bad argument on one rank only (the last, which may be the
     * only one). */
    last = test_rank == test_size - 1;
    ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, 1000, 0, last ? NULL : &r,
                                   (void *)&calls, x),
                     EINVAL);
    ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, 1000, 0, &r,
                                   (void *)&calls, test_rank ? x : NULL),
                     EINVAL);
    ck_assert_int_eq(mpi_count(calls != 0), 0);
    ck_assert_int_eq(
        wq_mpi_reduce(MPI_COMM_NULL, NULL, 1000, 0, &r, (void *)&calls, x),
        EINVAL);
    ck_assert_int_eq(calls, 0);
    /* Still usable. */
    check_bits(NULL, 1000, 7);
}
END_TEST

/* An MPI call that fails on every rank under MPI_ERRORS_RETURN: EIO, then
 * usable.  The agreement (MPI_Allgather up to WQ_MPI__GATHERED ranks, else
 * MPI_Allreduce); with several ranks, the few-block exchange (MPI_Allgather
 * for equal shares, else MPI_Allgatherv), the many-block one's first
 * MPI_Allgather, and the counter's window. */
START_TEST(mpi_reduce_mpi_failure)
{
    double x;
    /* The MPI_Allgather calls before the exchange's: the agreement's. */
    int gathered = test_size <= WQ_MPI__GATHERED;
    test_fail_next = gathered ? 1 : 3;
    ck_assert_int_eq(
        wq_mpi_reduce(test_comm, NULL, 1000, 0, &sum_reducer, NULL, &x), EIO);
    if (test_size > 1) {
        test_fail_next = 4;
        ck_assert_int_eq(
            wq_mpi_reduce(test_comm, NULL, 1, 0, &sum_reducer, NULL, &x), EIO);
        test_fail_next = 1;
        test_fail_after = gathered;
        ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, (size_t)test_size, 0,
                                       &sum_reducer, NULL, &x),
                         EIO);
        test_fail_next = 1;
        test_fail_after = gathered;
        ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, 1000, 0, &sum_reducer,
                                       NULL, &x),
                         EIO);
        test_fail_next = 2;
        ck_assert_int_eq(wq_mpi_reduce(test_comm, NULL, 100003, 0,
                                       &sum_reducer, NULL, &x),
                         EIO);
    }
    test_fail_next = 0;
    check_bits(NULL, 100003, 0);
    check_bits(NULL, 1, 0);
    check_bits(NULL, (size_t)test_size, 0);
}
END_TEST

Suite *suite_mpi_reduce(void)
{
    static const char *const names[] = {
        "bitwise_identical", "combine_in_order", "failure_on_every_rank",
        "disagreement", "mpi_failure"};
    const TTest *const tests[] = {
        mpi_reduce_bitwise_identical, mpi_reduce_combine_in_order,
        mpi_reduce_failure_on_every_rank, mpi_reduce_disagreement,
        mpi_reduce_mpi_failure};
    return mpi_suite("mpi_reduce", names, tests, 0x7,
                     sizeof tests / sizeof *tests);
}
