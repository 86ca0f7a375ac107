/* check_map.c - wq_map: out[i] = fn(in[i]) over element strides, the
 * starmap pattern, NULL input, errors; on every pool of the grid. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "suites.h"
#include "util.h"

static int square(void *ctx, const void *in, void *out)
{
    (void)ctx;
    long x = *(const int *)in;
    *(long *)out = x * x;
    return 0;
}

START_TEST(map_squares_every_chunk)
{
    wq_pool *pool = grid_pool(_i);
    static const size_t chunks[] = {0, 1, 3, 100, 5000};
    enum { N = 4321 };
    int *in = malloc(N * sizeof *in);
    long *out = malloc(N * sizeof *out);
    for (int i = 0; i < N; i++)
        in[i] = i - 1000;
    for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
        memset(out, 0xff, N * sizeof *out);
        ck_assert_int_eq(wq_map(pool, N, chunks[k], in, sizeof *in, out,
                                sizeof *out, square, NULL),
                         0);
        for (int i = 0; i < N; i++)
            ck_assert_int_eq(out[i], (long)(i - 1000) * (i - 1000));
    }
    free(in);
    free(out);
    grid_release(pool);
}
END_TEST

/* Pool.starmap: the arguments travel as structs; results land in a field of
 * another struct array (strides larger than the element). */
struct pair {
    int x, y;
    char pad[24];
};
struct result {
    double skip;
    int sum;
    int calls;
};

static int add_pair(void *ctx, const void *in, void *out)
{
    const struct pair *p = in;
    struct result *r = out;
    (void)ctx;
    r->sum = p->x + p->y;
    r->calls++;
    return 0;
}

START_TEST(map_starmap_structs)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 1000 };
    struct pair *in = calloc(N, sizeof *in);
    struct result *out = calloc(N, sizeof *out);
    for (int i = 0; i < N; i++)
        in[i] = (struct pair){.x = i, .y = 2 * i};
    ck_assert_int_eq(wq_map(pool, N, 7, in, sizeof *in, out, sizeof *out,
                            add_pair, NULL),
                     0);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(out[i].sum, 3 * i);
        ck_assert_int_eq(out[i].calls, 1);
    }
    free(in);
    free(out);
    grid_release(pool);
}
END_TEST

/* in may be NULL with in_size 0: fn gets NULL and an output slot each. */
static int write_index(void *ctx, const void *in, void *out)
{
    size_t *base = ctx;
    if (in != NULL)
        return 1;
    *(size_t *)out = (size_t)((size_t *)out - base);
    return 0;
}

START_TEST(map_null_input)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 777 };
    size_t out[N];
    ck_assert_int_eq(
        wq_map(pool, N, 0, NULL, 0, out, sizeof *out, write_index, out), 0);
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_eq(out[i], i);
    grid_release(pool);
}
END_TEST

static int fail_on_negative(void *ctx, const void *in, void *out)
{
    (void)ctx;
    (void)out;
    return *(const int *)in < 0 ? 11 : 0;
}

START_TEST(map_error_returns_value)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 5000 };
    int *in = calloc(N, sizeof *in);
    char out[N];
    in[N / 2] = -1;
    ck_assert_int_eq(wq_map(pool, N, 0, in, sizeof *in, out, 1,
                            fail_on_negative, NULL),
                     11);
    in[N / 2] = 0;
    ck_assert_int_eq(wq_map(pool, N, 0, in, sizeof *in, out, 1,
                            fail_on_negative, NULL),
                     0);
    free(in);
    grid_release(pool);
}
END_TEST

struct map_failing {
    struct failing_once f;
    const char *out;
};

static int map_fail_once(void *ctx, const void *in, void *out)
{
    struct map_failing *m = ctx;
    (void)in;
    return failing_once_call(&m->f, (size_t)((const char *)out - m->out));
}

/* Once an item has failed, no thread calls fn again, even one inside a
 * chunk of several items: wherever the failure falls, with chunks of one
 * item and of three. */
START_TEST(map_error_stops_every_thread)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 2003 }; /* lanes of 83 units or more */
    static const size_t at[] = FAILING_AT(N), chunks[] = {1, 3};
    char *out = malloc(N);
    ck_assert_ptr_nonnull(out);
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
            struct map_failing m = {.out = out};
            failing_once_init(&m.f, at[k], pool);
            ck_assert_int_eq(wq_map(pool, N, chunks[c], NULL, 0, out, 1,
                                    map_fail_once, &m),
                             42);
            failing_once_check(&m.f, N);
        }
    }
    free(out);
    grid_release(pool);
}
END_TEST

static int count_map(void *ctx, const void *in, void *out)
{
    (void)in;
    (void)out;
    atomic_fetch_add((_Atomic int *)ctx, 1);
    return 0;
}

/* An empty map reads and writes nothing (DESIGN.md, "Empty loops"): in and
 * out may both be NULL, whatever the strides, at every chunk; fn is still
 * checked first, and a map with elements still refuses a NULL out. */
START_TEST(map_empty_accepts_null)
{
    wq_pool *pool = grid_pool(_i);
    _Atomic int calls = 0;
    const size_t chunks[] = {0, 1, 7, SIZE_MAX};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        ck_assert_int_eq(wq_map(pool, 0, chunks[c], NULL, 0, NULL, 0,
                                count_map, &calls),
                         0);
        ck_assert_int_eq(wq_map(pool, 0, chunks[c], NULL, 8, NULL, 8,
                                count_map, &calls),
                         0);
        ck_assert_int_eq(wq_map(pool, 0, chunks[c], NULL, SIZE_MAX, NULL,
                                SIZE_MAX, count_map, &calls),
                         0);
        ck_assert_int_eq(
            wq_map(pool, 0, chunks[c], NULL, 8, NULL, 8, NULL, &calls),
            EINVAL);
    }
    ck_assert_int_eq(atomic_load(&calls), 0);
    ck_assert_int_eq(wq_map(pool, 1, 0, NULL, 0, NULL, 8, count_map, &calls),
                     EINVAL);
    ck_assert_int_eq(atomic_load(&calls), 0);
    grid_release(pool);
}
END_TEST

/* Strides whose product with n overflows are refused before anything runs;
 * so are NULL output and NULL input with a stride. */
START_TEST(map_bad_arguments)
{
    wq_pool *pool = grid_pool(_i);
    _Atomic int calls = 0;
    char buf[16];
    ck_assert_int_eq(wq_map(pool, SIZE_MAX / 2 + 2, 0, buf, 2, buf, 1,
                            count_map, &calls),
                     EINVAL);
    ck_assert_int_eq(wq_map(pool, SIZE_MAX / 8, 0, NULL, 0, buf, 16,
                            count_map, &calls),
                     EINVAL);
    ck_assert_int_eq(
        wq_map(pool, 4, 0, buf, 1, NULL, 1, count_map, &calls), EINVAL);
    ck_assert_int_eq(
        wq_map(pool, 4, 0, NULL, 1, buf, 1, count_map, &calls), EINVAL);
    ck_assert_int_eq(wq_map(pool, 4, 0, buf, 1, buf, 1, NULL, &calls),
                     EINVAL);
    ck_assert_int_eq(
        wq_map(pool, 0, 0, NULL, 0, buf, 1, count_map, &calls), 0);
    ck_assert_int_eq(atomic_load(&calls), 0);
    /* Zero strides are legal: every call sees the same element. */
    ck_assert_int_eq(
        wq_map(pool, 100, 0, buf, 0, buf, 0, count_map, &calls), 0);
    ck_assert_int_eq(atomic_load(&calls), 100);
    grid_release(pool);
}
END_TEST

static int waiting_map(void *arg, const void *in, void *out)
{
    waiting_piece_item(arg, *(const size_t *)in);
    *(size_t *)out = *(const size_t *)in;
    return 0;
}

/* As for_slow_chunk_delays_only_itself: with a user's chunk, an element
 * that waits for all the others holds back no element not yet started. */
START_TEST(map_slow_chunk_delays_only_itself)
{
    wq_pool *pool = grid_pool(_i);
    enum { N = 2003 };
    size_t *in = malloc(N * sizeof *in), *out = malloc(N * sizeof *out);
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < N; i++)
        in[i] = i;
    const size_t chunks[] = {1, 5}, at[] = WAITING_AT(N);
    for (size_t k = 0; wq_pool_size(pool) >= 2 && k < 2; k++)
        for (size_t a = 0; a < sizeof at / sizeof *at; a++) {
            struct waiting_piece w;
            waiting_piece_init(&w, N, chunks[k], at[a]);
            ck_assert_int_eq(wq_map(pool, N, chunks[k], in, sizeof *in, out,
                                    sizeof *out, waiting_map, &w),
                             0);
            waiting_piece_check(&w);
            for (size_t i = 0; i < N; i++)
                ck_assert_uint_eq(out[i], i);
        }
    free(in);
    free(out);
    grid_release(pool);
}
END_TEST

Suite *suite_map(void)
{
    const struct grid_case cases[] = {
        {"squares", map_squares_every_chunk, 1},
        {"starmap_structs", map_starmap_structs, 1},
        {"null_input", map_null_input, 1},
        {"empty_accepts_null", map_empty_accepts_null, 1},
        {"error", map_error_returns_value, 1},
        {"error_stops_every_thread", map_error_stops_every_thread, 1},
        {"bad_arguments", map_bad_arguments, 1},
        {"slow_chunk_delays_only_itself", map_slow_chunk_delays_only_itself,
         1},
    };
    return grid_suite("map", cases, sizeof cases / sizeof *cases);
}
