/* check_handout.c - libwq-mpi's hand-out of a plan's blocks among ranks
 * (lib/mpi/handout.c), simulated in one process for 1 to 4096 ranks, no MPI:
 * every block goes to exactly one rank, every rank gets work, bigger pools
 * take more, uneven blocks balance, and the partials folded rank by rank
 * combine to wq_reduce's bits. */
#include <stdint.h>
#include <string.h>

#include "mpi/handout.h"
#include "suites.h"
#include "sum.h"
#include "util.h"

struct rank {
    size_t threads;
    double clock; /* when it next claims */
    size_t seen;  /* the counter as it last saw it */
    size_t blocks, claims;
    size_t first; /* its first batch's size */
};

struct sim {
    size_t units, ranks, total_threads;
    struct rank *rank;
    size_t *owner; /* rank + 1 of each unit, 0: nobody */
    size_t counter;
    size_t twice; /* units claimed again */
    double makespan;
    /* Optional: called on every batch won (the bitwise test folds it). */
    void (*on_batch)(void *arg, size_t rank, size_t begin, size_t end);
    void *arg;
};

/* Cost of unit u: uniform (0), or a triangle rising with u (1), the
 * triangular loop's shape. */
static double cost(const struct sim *s, int shape, size_t u)
{
    return shape ? 2.0 * (double)(u + 1) / (double)s->units : 1.0;
}

static int due_before(const struct sim *s, size_t a, size_t b)
{
    double x = s->rank[a].clock, y = s->rank[b].clock;
    return x < y || (x == y && a < b);
}

/* Restore the heap of ranks by due time below entry i. */
static void heap_down(const struct sim *s, size_t *heap, size_t live,
                      size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < live && due_before(s, heap[l], heap[m]))
            m = l;
        if (l + 1 < live && due_before(s, heap[l + 1], heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* Give units [b, e) to rank r: they take it their cost over its threads,
 * or its costliest unit if that is longer (its pool balances the batch
 * as well as the longest unit lets it). */
static void sim_batch(struct sim *s, size_t r, size_t b, size_t e, int shape)
{
    struct rank *k = &s->rank[r];
    double work = 0, longest = 0;
    for (size_t u = b; u < e; u++) {
        s->twice += s->owner[u] != 0;
        s->owner[u] = r + 1;
        double c = cost(s, shape, u);
        work += c;
        longest = c > longest ? c : longest;
    }
    work /= (double)k->threads;
    k->clock += work > longest ? work : longest;
    k->blocks += e - b;
    if (s->on_batch && b < e)
        s->on_batch(s->arg, r, b, e);
}

/* Run the hand-out as the ranks would, the next claim always the one due
 * first: a rank claims, runs its batch on its threads, claims again; each
 * claim costs `latency`.  threads_of(r) sets the pools. */
static void sim_run(struct sim *s, size_t units, size_t ranks,
                    size_t (*threads_of)(size_t), int shape, double latency)
{
    s->units = units;
    s->ranks = ranks;
    s->rank = calloc(ranks, sizeof *s->rank);
    s->owner = calloc(units ? units : 1, sizeof *s->owner);
    ck_assert(s->rank && s->owner);
    s->total_threads = 0;
    for (size_t r = 0; r < ranks; r++) {
        s->rank[r].threads = threads_of(r);
        s->total_threads += s->rank[r].threads;
    }
    size_t most = 0;
    for (size_t r = 0; r < ranks; r++)
        most = s->rank[r].threads > most ? s->rank[r].threads : most;
    /* The static prefix, in proportion to pool sizes (all of the units,
     * in equal shares, when there is no counter); the counter hands out
     * the rest. */
    size_t fixed = wq_mpi__fixed(units, ranks, most), before = 0;
    for (size_t r = 0; r < ranks; r++) {
        size_t b, e;
        struct rank *k = &s->rank[r];
        if (fixed == units) /* no counter: equal shares by rank */
            wq_mpi__split(units, r, 1, ranks, &b, &e);
        else
            wq_mpi__split(fixed, before, k->threads, s->total_threads, &b,
                          &e);
        before += k->threads;
        sim_batch(s, r, b, e, shape);
        k->first = e - b;
        k->seen = fixed;
    }
    s->counter = fixed;
    if (fixed < units) {
        size_t *heap = malloc(ranks * sizeof *heap), live = ranks;
        ck_assert_ptr_nonnull(heap);
        for (size_t i = 0; i < ranks; i++)
            heap[i] = i;
        for (size_t i = ranks / 2; i-- > 0;)
            heap_down(s, heap, live, i);
        while (live) {
            /* The rank due first (the heap's top); ties to the lowest. */
            size_t r = heap[0];
            struct rank *k = &s->rank[r];
            size_t want = wq_mpi__want(units, k->seen, k->threads,
                                       s->total_threads);
            size_t got = s->counter, b, e;
            s->counter += want;
            k->clock += latency;
            if (!wq_mpi__won(units, got, want, &b, &e)) {
                heap[0] = heap[--live];
                heap_down(s, heap, live, 0);
                continue;
            }
            k->seen = got + want;
            k->claims++;
            sim_batch(s, r, b, e, shape);
            heap_down(s, heap, live, 0);
        }
        free(heap);
    }
    s->makespan = 0;
    for (size_t r = 0; r < ranks; r++)
        if (s->rank[r].clock > s->makespan)
            s->makespan = s->rank[r].clock;
    /* Check's assertions cost a system call each: one for all units. */
    size_t unclaimed = 0;
    for (size_t u = 0; u < units; u++)
        unclaimed += s->owner[u] == 0;
    ck_assert_msg(!unclaimed && !s->twice, "%zu units: %zu unclaimed, %zu twice",
                  units, unclaimed, s->twice);
}

static void sim_free(struct sim *s)
{
    free(s->rank);
    free(s->owner);
}

static size_t eight(size_t r)
{
    (void)r;
    return 8;
}

static size_t one_or_three(size_t r)
{
    return r % 2 ? 3 : 1;
}

static size_t mixed(size_t r)
{
    return 1 + r % 5;
}

static const size_t rank_counts[] = {1,   2,   3,    4,    5,    7,   8,
                                     16,  31,  64,   100,  255,  512, 1000,
                                     2048, 3000, 4095, 4096};

/* At 10^9 items every one of 4096 ranks of 8 threads (and every smaller
 * count) gets a first batch of at least one block a thread. */
START_TEST(handout_every_thread_gets_work)
{
    wq_plan p;
    ck_assert_int_eq(wq_plan_init(&p, 1000000000, 0, sizeof(double)), 0);
    for (size_t i = 0; i < sizeof rank_counts / sizeof *rank_counts; i++) {
        struct sim s = {0};
        sim_run(&s, p.blocks, rank_counts[i], eight, 0, 0.0);
        for (size_t r = 0; r < s.ranks; r++)
            ck_assert_msg(s.rank[r].first >= 8,
                          "%zu ranks: rank %zu's first batch %zu blocks",
                          s.ranks, r, s.rank[r].first);
        sim_free(&s);
    }
}
END_TEST

/* Uneven blocks (a triangle) on pools of 1 to 5 threads balance: the last
 * rank finishes within 25% of what no hand-out can beat, with a claim
 * costing a tenth of a block; on equal pools with 16 blocks a thread or
 * more, the static split takes a third longer at least. */
START_TEST(handout_balances_uneven_blocks)
{
    static const size_t units[] = {2000, 65536};
    for (size_t a = 0; a < 2; a++)
        for (size_t i = 0; i < sizeof rank_counts / sizeof *rank_counts;
             i++) {
            size_t ranks = rank_counts[i];
            struct sim s = {0};
            sim_run(&s, units[a], ranks, mixed, 1, 0.1);
            if (wq_mpi__fixed(units[a], ranks, 5) == units[a]) {
                sim_free(&s);
                continue;
            }
            double total = 0;
            for (size_t u = 0; u < units[a]; u++)
                total += cost(&s, 1, u);
            double ideal = total / (double)s.total_threads;
            /* What no hand-out can avoid: one claim, the costliest
             * block on a single thread. */
            double floor = ideal + 0.1 + 2.0;
            ck_assert_msg(s.makespan <= 1.25 * floor,
                          "%zu units, %zu ranks: %g against ideal %g",
                          units[a], ranks, s.makespan, ideal);
            sim_free(&s);
            /* Equal pools: the static split's last rank has the costliest
             * share, a third more than the dynamic hand-out or worse. */
            sim_run(&s, units[a], ranks, eight, 1, 0.1);
            double fixed = 0;
            for (size_t r = 0; r < ranks; r++) {
                size_t b, e;
                double work = 0;
                wq_mpi__split(units[a], r, 1, ranks, &b, &e);
                for (size_t u = b; u < e; u++)
                    work += cost(&s, 1, u);
                fixed = work / 8 > fixed ? work / 8 : fixed;
            }
            ck_assert_msg(units[a] < 16 * s.total_threads ||
                              s.makespan * 1.3 < fixed,
                          "%zu units, %zu ranks: %g, static %g", units[a],
                          ranks, s.makespan, fixed);
            sim_free(&s);
        }
}
END_TEST

/* Ranks of 3 threads take about three times the blocks of ranks of 1. */
START_TEST(handout_bigger_pools_take_more)
{
    for (size_t i = 1; i < sizeof rank_counts / sizeof *rank_counts; i++) {
        size_t ranks = rank_counts[i];
        struct sim s = {0};
        sim_run(&s, 65536, ranks, one_or_three, 0, 0.0);
        double small = 0, big = 0;
        size_t nsmall = 0, nbig = 0;
        for (size_t r = 0; r < ranks; r++)
            if (s.rank[r].threads == 3)
                big += (double)s.rank[r].blocks, nbig++;
            else
                small += (double)s.rank[r].blocks, nsmall++;
        double ratio = (big / (double)nbig) / (small / (double)nsmall);
        ck_assert_msg(ratio > 2.5 && ratio < 3.5, "%zu ranks: ratio %g",
                      ranks, ratio);
        sim_free(&s);
    }
}
END_TEST

/* Every block claimed once across the grid of unit counts, including fewer
 * units than ranks (the static split) and none. */
START_TEST(handout_each_unit_once)
{
    static const size_t units[] = {0, 1, 2, 3, 7, 100, 512, 4097, 65536};
    for (size_t a = 0; a < sizeof units / sizeof *units; a++)
        for (size_t i = 0; i < sizeof rank_counts / sizeof *rank_counts;
             i++) {
            struct sim s = {0};
            sim_run(&s, units[a], rank_counts[i], mixed, 1, 0.5);
            size_t sum = 0;
            for (size_t r = 0; r < s.ranks; r++)
                sum += s.rank[r].blocks;
            ck_assert_uint_eq(sum, units[a]);
            sim_free(&s);
        }
}
END_TEST

/* The partials each simulated rank folds (on its own pool, as
 * wq_reduce_blocks would there) combine to wq_reduce's bits. */
struct folding {
    const wq_plan *plan;
    unsigned char *parts;
    wq_pool *pools[3];
};


static void fold_batch(void *arg, size_t rank, size_t begin, size_t end)
{
    struct folding *f = arg;
    ck_assert_int_eq(wq_reduce_blocks(f->pools[rank % 3], f->plan, begin, end,
                                      &sum_reducer, NULL,
                                      f->parts + begin * f->plan->stride),
                     0);
}

START_TEST(handout_partials_combine_to_reduce)
{
    static const size_t ns[] = {0, 1, 3, 1000, 100003, 9000000};
    static const size_t chunks[] = {0, 1, 7, 100000};
    static const size_t ranks[] = {1, 2, 3, 4, 7, 16, 4096};
    struct folding f;
    for (int k = 0; k < 3; k++) {
        wq_options opt = {0};
        opt.threads = (unsigned)k + 1;
        ck_assert_int_eq(wq_pool_create(&f.pools[k], &opt), 0);
    }
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            if (RUNNING_ON_VALGRIND && ns[a] > 200000 && chunks[c] == 1)
                continue; /* a fold call an item: too slow there */
            wq_plan p;
            ck_assert_int_eq(
                wq_plan_init(&p, ns[a], chunks[c], sizeof(double)), 0);
            double ref;
            ck_assert_int_eq(wq_reduce(f.pools[1], ns[a], chunks[c],
                                       &sum_reducer, NULL, &ref),
                             0);
            for (size_t r = 0; r < sizeof ranks / sizeof *ranks; r++) {
                f.plan = &p;
                f.parts = aligned_alloc(64, p.blocks ? p.blocks * p.stride
                                                     : 64);
                ck_assert_ptr_nonnull(f.parts);
                struct sim s = {0};
                s.on_batch = fold_batch;
                s.arg = &f;
                sim_run(&s, p.blocks, ranks[r], mixed, 1, 0.1);
                double x;
                ck_assert_int_eq(wq_reduce_combine(f.pools[2], &p,
                                                   &sum_reducer, NULL,
                                                   f.parts, &x),
                                 0);
                ck_assert_msg(memcmp(&x, &ref, sizeof x) == 0,
                              "n=%zu chunk=%zu ranks=%zu: %a != %a", ns[a],
                              chunks[c], ranks[r], x, ref);
                sim_free(&s);
                free(f.parts);
            }
        }
    for (int k = 0; k < 3; k++)
        wq_pool_destroy(f.pools[k]);
}
END_TEST

/* The arithmetic's edges: shares of huge ranges, wants never 0. */
START_TEST(handout_arithmetic)
{
    size_t b, e;
    wq_mpi__split(SIZE_MAX, 3, 1, 4, &b, &e);
    ck_assert_uint_eq(e, SIZE_MAX);
    ck_assert(b == SIZE_MAX / 4 * 3 || b == SIZE_MAX / 4 * 3 + 2);
    wq_mpi__split(10, 0, 0, 4, &b, &e);
    ck_assert_uint_eq(b, e);
    ck_assert_uint_eq(wq_mpi__want(SIZE_MAX, 0, 1024, 1024), SIZE_MAX / 2 + 1);
    ck_assert_uint_eq(wq_mpi__want(10, 10, 1, 1), 1);
    ck_assert_uint_eq(wq_mpi__want(10, 9, 1, 4096), 1);
    ck_assert_int_eq(wq_mpi__won(10, 10, 5, &b, &e), 0);
    ck_assert_int_eq(wq_mpi__won(10, 8, 5, &b, &e), 1);
    ck_assert(b == 8 && e == 10);
    ck_assert_uint_eq(wq_mpi__fixed(100, 1, 8), 100);
    ck_assert_uint_eq(wq_mpi__fixed(7, 4, 8), 7);
    ck_assert_uint_eq(wq_mpi__fixed(8, 4, 1), 4);
    ck_assert_uint_eq(wq_mpi__fixed(1000, 4, 100), 500);
    ck_assert_uint_eq(wq_mpi__fixed(1000, 4, 150), 600);
    ck_assert_uint_eq(wq_mpi__fixed(1000, 4, 200), 750);
    ck_assert_uint_eq(wq_mpi__fixed(61035, 4096, 8), 32768);
}
END_TEST

Suite *suite_handout(void)
{
    const struct grid_case cases[] = {
        {"every_thread_gets_work", handout_every_thread_gets_work, 0},
        {"balances_uneven_blocks", handout_balances_uneven_blocks, 0},
        {"bigger_pools_take_more", handout_bigger_pools_take_more, 0},
        {"each_unit_once", handout_each_unit_once, 0},
        {"partials_combine_to_reduce", handout_partials_combine_to_reduce, 0},
        {"arithmetic", handout_arithmetic, 0},
    };
    return grid_suite("handout", cases, sizeof cases / sizeof *cases);
}
