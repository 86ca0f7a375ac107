/* check_mpi_map.c - wq_mpi_map with the root first and last: every element
 * mapped exactly once, on some rank, its output on root; inputs and outputs
 * of several sizes; chunks; failures; disagreement.  Also wq_mpi_share. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "mpi_util.h"

struct mapping {
    _Atomic size_t calls;
    int fail; /* this rank's fn returns it on its first call */
};

static int square(void *ctx, const void *in, void *out)
{
    struct mapping *m = ctx;
    m->calls++;
    if (m->fail)
        return m->fail;
    uint64_t x = *(const uint64_t *)in;
    ((uint64_t *)out)[0] = x * x;
    ((uint64_t *)out)[1] = x + 1;
    return 0;
}

static int no_input(void *ctx, const void *in, void *out)
{
    struct mapping *m = ctx;
    m->calls++;
    *(uint32_t *)out = in ? 0xbad : 0x600d;
    return 0;
}

static void map_case(wq_pool *pool, int root, size_t n, size_t chunk)
{
    uint64_t *in = NULL, *out = NULL;
    struct mapping m = {0, 0};
    if (test_rank == root) {
        in = malloc((n ? n : 1) * sizeof *in);
        out = malloc((n ? n : 1) * 2 * sizeof *out);
        ck_assert(in && out);
        for (size_t i = 0; i < n; i++)
            in[i] = i * 2654435761u;
        memset(out, 0, (n ? n : 1) * 2 * sizeof *out);
    }
    ck_assert_int_eq(wq_mpi_map(test_comm, root, pool, n, chunk, in,
                                sizeof *in, out, 2 * sizeof *out, square, &m),
                     0);
    unsigned long long calls = m.calls, total;
    MPI_Allreduce(&calls, &total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM,
                  test_comm);
    ck_assert_msg(total == n, "n=%zu chunk=%zu root=%d: %llu calls", n, chunk,
                  root, total);
    if (test_rank == root) {
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            bad += out[2 * i] != in[i] * in[i] || out[2 * i + 1] != in[i] + 1;
        ck_assert_msg(!bad, "n=%zu chunk=%zu: %zu wrong", n, chunk, bad);
    }
    free(in);
    free(out);
}

START_TEST(mpi_map_each_element_once)
{
    wq_pool *pool = mpi_grid_pool(_i);
    static const size_t ns[] = {0, 1, 3, 10007, 300000};
    static const size_t chunks[] = {0, 1, 7, 100000};
    const int roots[] = {0, test_size - 1};
    for (int k = 0; k < 2; k++)
        for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
            for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
                map_case(pool, roots[k], ns[a], chunks[c]);
    mpi_grid_release(pool);
}
END_TEST

/* No input (in NULL, in_size 0) and other ranks passing NULL out. */
START_TEST(mpi_map_without_input)
{
    enum { N = 5000 };
    uint32_t *out = test_rank == 0 ? calloc(N, sizeof *out) : NULL;
    struct mapping m = {0, 0};
    ck_assert_int_eq(wq_mpi_map(test_comm, 0, NULL, N, 0, NULL, 0, out,
                                sizeof *out, no_input, &m),
                     0);
    if (!test_rank)
        for (size_t i = 0; i < N; i++)
            ck_assert_uint_eq(out[i], 0x600d);
    free(out);
}
END_TEST

START_TEST(mpi_map_failure)
{
    enum { N = 100000 };
    int root = test_size - 1, mid = test_size / 2;
    uint64_t *in = NULL, *out = NULL;
    if (test_rank == root) {
        in = calloc(N, sizeof *in);
        out = calloc(N, 2 * sizeof *out);
    }
    /* The middle rank and the last fail: the lowest of them whose fn
     * ran (the other may have found the hand-out stopped) sets it. */
    int fails = test_rank == mid || test_rank == root;
    struct mapping m = {0, fails ? 20 + test_rank : 0};
    int rc = wq_mpi_map(test_comm, root, NULL, N, 0, in, sizeof *in, out,
                        2 * sizeof *out, square, &m);
    int failed = fails && m.calls ? test_rank : test_size, lowest;
    MPI_Allreduce(&failed, &lowest, 1, MPI_INT, MPI_MIN, test_comm);
    ck_assert_int_lt(lowest, test_size);
    ck_assert_int_eq(rc, 20 + lowest);
    free(in);
    free(out);
    map_case(NULL, root, 1000, 0); /* still usable */
}
END_TEST

START_TEST(mpi_map_disagreement)
{
    int last = test_rank == test_size - 1 && test_size > 1;
    uint64_t in[10] = {0}, out[20];
    struct mapping m = {0, 0};
    if (test_size > 1) {
        ck_assert_int_eq(wq_mpi_map(test_comm, last ? 1 : 0, NULL, 10, 0, in,
                                    sizeof *in, out, 2 * sizeof *out, square,
                                    &m),
                         EINVAL);
        ck_assert_int_eq(wq_mpi_map(test_comm, 0, NULL, last ? 9 : 10, 0, in,
                                    sizeof *in, out, 2 * sizeof *out, square,
                                    &m),
                         EINVAL);
        ck_assert_int_eq(wq_mpi_map(test_comm, 0, NULL, 10, 0, in,
                                    last ? 4 : sizeof *in, out,
                                    2 * sizeof *out, square, &m),
                         EINVAL);
    }
    last = test_rank == test_size - 1; /* now maybe the only rank */
    ck_assert_int_eq(wq_mpi_map(test_comm, test_size, NULL, 10, 0, in,
                                sizeof *in, out, 2 * sizeof *out, square, &m),
                     EINVAL);
    ck_assert_int_eq(wq_mpi_map(test_comm, 0, NULL, 10, 0, in, sizeof *in,
                                test_rank ? out : NULL, 2 * sizeof *out,
                                square, &m),
                     EINVAL);
    ck_assert_int_eq(wq_mpi_map(test_comm, 0, NULL, 10, 0, in, sizeof *in,
                                out, 2 * sizeof *out, last ? NULL : square,
                                &m),
                     EINVAL);
    ck_assert_int_eq(mpi_count(m.calls != 0), 0);
}
END_TEST

/* Shares: in rank order, disjoint, covering, on chunk boundaries, in
 * proportion to pool sizes that differ across ranks. */
START_TEST(mpi_share_proportional)
{
    wq_pool *pool = mpi_grid_pool(_i);
    static const size_t ns[] = {0, 1, 3, 1000, 1000003, SIZE_MAX};
    static const size_t chunks[] = {0, 1, 7, 100000};
    unsigned long long *all = malloc(3 * (size_t)test_size * sizeof *all);
    ck_assert_ptr_nonnull(all);
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            size_t n = ns[a], chunk = chunks[c], b, e;
            ck_assert_int_eq(wq_mpi_share(test_comm, pool, n, chunk, &b, &e),
                             0);
            unsigned long long mine[3] = {b, e, wq_pool_size(pool)};
            MPI_Allgather(mine, 3, MPI_UNSIGNED_LONG_LONG, all, 3,
                          MPI_UNSIGNED_LONG_LONG, test_comm);
            double threads = 0;
            for (int k = 0; k < test_size; k++)
                threads += (double)all[3 * k + 2];
            ck_assert_uint_eq(all[0], 0);
            ck_assert_uint_eq(all[3 * (test_size - 1) + 1], n);
            for (int k = 0; k < test_size; k++) {
                ck_assert(all[3 * k] <= all[3 * k + 1]);
                if (k)
                    ck_assert_uint_eq(all[3 * k], all[3 * k - 2]);
                if (chunk && all[3 * k] < n)
                    ck_assert_uint_eq(all[3 * k] % chunk, 0);
                /* Within one unit of the exact proportion. */
                double want = (double)n * (double)all[3 * k + 2] / threads;
                double got = (double)(all[3 * k + 1] - all[3 * k]);
                double unit = chunk ? (double)chunk : 1.0;
                ck_assert_msg(got <= want + 2 * unit + want * 1e-9 &&
                                  got + 2 * unit + want * 1e-9 >= want,
                              "n=%zu chunk=%zu rank %d: %g for %g", n, chunk,
                              k, got, want);
            }
        }
    ck_assert_int_eq(wq_mpi_share(test_comm, pool, 10, 0, NULL, NULL),
                     EINVAL);
    if (test_size > 1) {
        size_t b, e;
        ck_assert_int_eq(wq_mpi_share(test_comm, pool,
                                      test_rank == 1 ? 11 : 10, 0, &b, &e),
                         EINVAL);
    }
    free(all);
    mpi_grid_release(pool);
}
END_TEST

Suite *suite_mpi_map(void)
{
    static const char *const names[] = {"each_element_once", "without_input",
                                        "failure", "disagreement",
                                        "share_proportional"};
    const TTest *const tests[] = {
        mpi_map_each_element_once, mpi_map_without_input, mpi_map_failure,
        mpi_map_disagreement, mpi_share_proportional};
    return mpi_suite("mpi_map", names, tests, 0x11,
                     sizeof tests / sizeof *tests);
}
