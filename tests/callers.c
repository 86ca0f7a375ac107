/* callers.c - the outside callers of callers.h. */
#include <pthread.h>
#include <stdlib.h>

#include "callers.h"
#include "util.h"

struct caller {
    pthread_t thread;
    const struct callers *all;
    unsigned index, seed;
    int failed_round; /* -1: none; written by the caller, read after join */
};

struct callers {
    unsigned count;
    int rounds;
    callers_round *fn;
    void *arg;
    struct caller *one;
};

static void *caller_main(void *p)
{
    struct caller *c = p;
    const struct callers *all = c->all;
    for (int r = 0; r < all->rounds; r++)
        if (all->fn(all->arg, c->index, r, &c->seed) && c->failed_round < 0)
            c->failed_round = r;
    return NULL;
}

struct callers *callers_start(unsigned count, int rounds, callers_round *fn,
                              void *arg, unsigned seed, unsigned step)
{
    struct callers *c = malloc(sizeof *c);
    ck_assert_ptr_nonnull(c);
    *c = (struct callers){count, rounds, fn, arg,
                          calloc(count, sizeof *c->one)};
    ck_assert_ptr_nonnull(c->one);
    for (unsigned k = 0; k < count; k++) {
        c->one[k] = (struct caller){
            .all = c, .index = k, .seed = seed + step * k, .failed_round = -1};
        ck_assert_int_eq(
            pthread_create(&c->one[k].thread, NULL, caller_main, &c->one[k]),
            0);
    }
    return c;
}

void callers_join(struct callers *c)
{
    unsigned bad = c->count;
    int round = -1;
    for (unsigned k = 0; k < c->count; k++) {
        ck_assert_int_eq(pthread_join(c->one[k].thread, NULL), 0);
        if (c->one[k].failed_round >= 0 && bad == c->count) {
            bad = k;
            round = c->one[k].failed_round;
        }
    }
    unsigned count = c->count;
    free(c->one);
    free(c);
    ck_assert_msg(bad == count, "caller %u of %u went wrong in round %d", bad,
                  count, round);
}

void callers_run(unsigned count, int rounds, callers_round *fn, void *arg,
                 unsigned seed, unsigned step)
{
    callers_join(callers_start(count, rounds, fn, arg, seed, step));
}
