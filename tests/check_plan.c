/* check_plan.c - the reduction's plan (wq_plan_init, wq_plan_block) and its
 * two halves (wq_reduce_blocks, wq_reduce_combine): blocks cover the range
 * in order, grow with n within their bounds, and any split of the blocks
 * into calls on any pools combines to wq_reduce's bits. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "suites.h"
#include "sum.h"
#include "util.h"


/* Blocks are non-empty, in order, cover [0, n), start on chunk multiples,
 * hold at most per chunks; the tree's shape is as wq.h states. */
START_TEST(plan_blocks_cover_range_in_order)
{
    static const size_t ns[] = {0, 1, 2, 511, 512, 513, 100000,
                                ((size_t)1 << 23) + 1, 9000000,
                                1000000000, (size_t)1 << 40, SIZE_MAX};
    static const size_t chunks[] = {0, 1, 3, 1000, (size_t)1 << 30,
                                    SIZE_MAX};
    static const size_t sizes[] = {1, 8, 64, 65, 2048, 2049, 100000};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
            for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
                size_t n = ns[a], chunk = chunks[c];
                wq_plan p;
                ck_assert_int_eq(wq_plan_init(&p, n, chunk, sizes[z]), 0);
                ck_assert(p.n == n && p.chunk == chunk && p.size == sizes[z]);
                ck_assert_uint_eq(p.stride % 64, 0);
                ck_assert(p.stride >= p.size && p.stride - p.size < 64);
                ck_assert_uint_eq(p.blocks == 0, n == 0);
                ck_assert(p.blocks <= 65536);
                ck_assert(p.blocks * p.stride <= ((size_t)4 << 20) ||
                          p.blocks <= 512);
                ck_assert(p.groups <= 512);
                ck_assert_uint_eq(p.group == 1, p.blocks <= 512);
                ck_assert(p.groups * p.group >= p.blocks);
                ck_assert(!p.blocks || (p.groups - 1) * p.group < p.blocks);
                /* Walk the first and last few blocks, and some between. */
                size_t prev_end = 0;
                for (size_t b = 0; b < p.blocks; b++) {
                    if (b == 64 && p.blocks > 128) {
                        b = p.blocks - 64;
                        size_t lo, hi;
                        ck_assert_int_eq(wq_plan_block(&p, b - 1, &lo, &hi),
                                         0);
                        prev_end = hi;
                    }
                    size_t lo, hi;
                    ck_assert_int_eq(wq_plan_block(&p, b, &lo, &hi), 0);
                    ck_assert_uint_eq(lo, prev_end);
                    ck_assert(lo < hi && hi <= n);
                    if (chunk) {
                        ck_assert_uint_eq(lo % chunk, 0);
                        ck_assert((hi - lo - 1) / chunk < p.per);
                    }
                    prev_end = hi;
                }
                ck_assert_uint_eq(prev_end, n);
            }
}
END_TEST

/* Small reductions keep their 512 blocks; long ones grow, so that at 10^9
 * items 4096 ranks of 8 threads each find a block (libwq-mpi). */
START_TEST(plan_grows_with_n)
{
    wq_plan p;
    ck_assert_int_eq(wq_plan_init(&p, 100, 0, 8), 0);
    ck_assert_uint_eq(p.blocks, 100);
    ck_assert_int_eq(wq_plan_init(&p, (size_t)1 << 23, 0, 8), 0);
    ck_assert_uint_eq(p.blocks, 512);
    ck_assert_uint_eq(p.group, 1);
    ck_assert_int_eq(wq_plan_init(&p, 100000000, 0, 8), 0);
    ck_assert_uint_eq(p.blocks, 100000000 / 16384);
    ck_assert_int_eq(wq_plan_init(&p, 1000000000, 0, 8), 0);
    ck_assert(p.blocks >= 4096 * 8);
    ck_assert_int_eq(wq_plan_init(&p, 1000000000, 1000, 8), 0);
    ck_assert(p.blocks >= 4096 * 8);
    /* Growth stops at 65536 blocks, and large partials never grow. */
    ck_assert_int_eq(wq_plan_init(&p, (size_t)1 << 40, 0, 8), 0);
    ck_assert_uint_eq(p.blocks, 65536);
    ck_assert_uint_eq(p.groups, 512);
    ck_assert_int_eq(wq_plan_init(&p, (size_t)1 << 40, 0, 4096), 0);
    ck_assert_uint_eq(p.blocks, 256);
    /* The same arguments, the same plan. */
    wq_plan q;
    ck_assert_int_eq(wq_plan_init(&q, (size_t)1 << 40, 0, 4096), 0);
    ck_assert(memcmp(&p, &q, sizeof p) == 0);
}
END_TEST

static double reduce_sum(wq_pool *pool, size_t n, size_t chunk)
{
    double r;
    ck_assert_int_eq(wq_reduce(pool, n, chunk, &sum_reducer, NULL, &r), 0);
    return r;
}

/* Blocks folded in three calls, last third first, on three pools, then
 * combined on a fourth: wq_reduce's bits, with and without groups. */
START_TEST(plan_halves_equal_reduce)
{
    static const size_t ns[] = {1, 3, 600, 100003, 9000000};
    static const size_t chunks[] = {0, 1, 7, 1000000};
    wq_pool *pool = grid_pool(_i);
    wq_pool *other;
    wq_options opt = {0};
    opt.threads = 3;
    ck_assert_int_eq(wq_pool_create(&other, &opt), 0);
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            size_t n = ns[a], chunk = chunks[c];
            if (RUNNING_ON_VALGRIND && n > 200000 && chunk == 1)
                continue; /* a fold call an item: too slow there */
            wq_plan p;
            ck_assert_int_eq(wq_plan_init(&p, n, chunk, sizeof(double)), 0);
            unsigned char *parts = aligned_alloc(64, p.blocks * p.stride);
            ck_assert_ptr_nonnull(parts);
            memset(parts, 0xa5, p.blocks * p.stride);
            size_t cut1 = p.blocks / 3, cut2 = 2 * p.blocks / 3;
            ck_assert_int_eq(wq_reduce_blocks(other, &p, cut2, p.blocks,
                                              &sum_reducer, NULL,
                                              parts + cut2 * p.stride),
                             0);
            ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, cut1,
                                              &sum_reducer, NULL, parts),
                             0);
            ck_assert_int_eq(wq_reduce_blocks(pool, &p, cut1, cut2,
                                              &sum_reducer, NULL,
                                              parts + cut1 * p.stride),
                             0);
            double r, ref = reduce_sum(pool, n, chunk);
            ck_assert_int_eq(wq_reduce_combine(other, &p, &sum_reducer,
                                               NULL, parts, &r),
                             0);
            ck_assert_msg(memcmp(&r, &ref, sizeof r) == 0,
                          "n=%zu chunk=%zu: %a != %a", n, chunk, r, ref);
            free(parts);
        }
    wq_pool_destroy(other);
    grid_release(pool);
}
END_TEST

static int fold_fails(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    (void)p;
    return b <= 7000 && 7000 < e ? 17 : 0;
}

/* Every error code: nothing runs on EINVAL; a failing fold's value. */
START_TEST(plan_errors)
{
    wq_plan p, bad;
    double x[8];
    size_t lo, hi;
    static const wq_reducer failing = {sizeof(double), sum_init, fold_fails,
                                       sum_combine};
    static const wq_reducer wide = {16, sum_init, sum_fold, sum_combine};
    static const wq_reducer nofold = {sizeof(double), sum_init, NULL,
                                      sum_combine};
    ck_assert_int_eq(wq_plan_init(NULL, 10, 0, 8), EINVAL);
    ck_assert_int_eq(wq_plan_init(&p, 10, 0, 0), EINVAL);
    ck_assert_int_eq(wq_plan_init(&p, 10, 0, SIZE_MAX), ENOMEM);
    ck_assert_int_eq(wq_plan_init(&p, 10, 0, SIZE_MAX / 4), ENOMEM);
    ck_assert_int_eq(wq_plan_init(&p, 20000, 0, sizeof(double)), 0);
    ck_assert_int_eq(wq_plan_block(NULL, 0, &lo, &hi), EINVAL);
    ck_assert_int_eq(wq_plan_block(&p, p.blocks, &lo, &hi), EINVAL);
    ck_assert_int_eq(wq_plan_block(&p, 0, NULL, &hi), EINVAL);
    ck_assert_int_eq(wq_plan_block(&p, 0, &lo, NULL), EINVAL);
    bad = p;
    bad.blocks++;
    ck_assert_int_eq(wq_plan_block(&bad, 0, &lo, &hi), EINVAL);
    unsigned char *parts = aligned_alloc(64, p.blocks * p.stride);
    ck_assert_ptr_nonnull(parts);
    ck_assert_int_eq(wq_reduce_blocks(NULL, &bad, 0, 1, &sum_reducer, NULL,
                                      parts),
                     EINVAL);
    ck_assert_int_eq(
        wq_reduce_blocks(NULL, NULL, 0, 1, &sum_reducer, NULL, parts),
        EINVAL);
    ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, 1, NULL, NULL, parts),
                     EINVAL);
    ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, 1, &nofold, NULL, parts),
                     EINVAL);
    ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, 1, &wide, NULL, parts),
                     EINVAL);
    ck_assert_int_eq(
        wq_reduce_blocks(NULL, &p, 2, 1, &sum_reducer, NULL, parts), EINVAL);
    ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, p.blocks + 1,
                                      &sum_reducer, NULL, parts),
                     EINVAL);
    ck_assert_int_eq(
        wq_reduce_blocks(NULL, &p, 0, 1, &sum_reducer, NULL, NULL), EINVAL);
    ck_assert_int_eq(
        wq_reduce_blocks(NULL, &p, 1, 1, &sum_reducer, NULL, NULL), 0);
    ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, p.blocks, &failing, NULL,
                                      parts),
                     17);
    ck_assert_int_eq(
        wq_reduce_combine(NULL, &bad, &sum_reducer, NULL, parts, x), EINVAL);
    ck_assert_int_eq(
        wq_reduce_combine(NULL, &p, &sum_reducer, NULL, parts, NULL), EINVAL);
    ck_assert_int_eq(
        wq_reduce_combine(NULL, &p, &sum_reducer, NULL, NULL, x), EINVAL);
    ck_assert_int_eq(wq_reduce_combine(NULL, &p, &wide, NULL, parts, x),
                     EINVAL);
    /* Still usable; an empty plan combines to init. */
    ck_assert_int_eq(wq_reduce_blocks(NULL, &p, 0, p.blocks, &sum_reducer,
                                      NULL, parts),
                     0);
    ck_assert_int_eq(
        wq_reduce_combine(NULL, &p, &sum_reducer, NULL, parts, x), 0);
    ck_assert(x[0] == reduce_sum(NULL, 20000, 0));
    ck_assert_int_eq(wq_plan_init(&p, 0, 0, sizeof(double)), 0);
    x[0] = 5.0;
    ck_assert_int_eq(wq_reduce_combine(NULL, &p, &sum_reducer, NULL, NULL, x),
                     0);
    ck_assert(x[0] == 0.0);
    free(parts);
}
END_TEST

Suite *suite_plan(void)
{
    const struct grid_case cases[] = {
        {"blocks_cover_range_in_order", plan_blocks_cover_range_in_order, 0},
        {"grows_with_n", plan_grows_with_n, 0},
        {"halves_equal_reduce", plan_halves_equal_reduce, 1},
        {"errors", plan_errors, 0},
    };
    return grid_suite("plan", cases, sizeof cases / sizeof *cases);
}
