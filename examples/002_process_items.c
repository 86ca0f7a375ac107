/*
 * 002_process_items.c - process every item of a dataset independently.
 *
 * The Python pattern it replaces: a new dataset is built from an old one by
 * applying processItem to each item, with a loop that appends, a list
 * comprehension, or map.  Pool().map(processItem, dataset) does the same on
 * one worker process per core; close() and join() then tell the workers to
 * finish and wait for them.
 *
 * In C the datasets are arrays and wq_map is Pool.map.  The pool is created
 * once (a pool of threads starts in microseconds, but there is still no
 * reason to pay for it per call), and wq_pool_destroy is close() and join()
 * together.  Here processItem follows the Collatz sequence from the item
 * (n -> n/2 or 3n+1) down to 1, and reports the steps it took and the
 * highest value it passed: items of very uneven cost, which chunk 0 spreads
 * over the threads without any tuning.
 *
 *   ./002_process_items [items]        (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wq.h>

#include "bar.h"

struct result {
    unsigned long long peak;
    unsigned long long steps; /* no padding: results compare with memcmp */
};

static struct result process_item(unsigned long long n)
{
    struct result r = {n, 0};
    while (n != 1) {
        n = n % 2 ? 3 * n + 1 : n / 2;
        r.peak = n > r.peak ? n : r.peak;
        r.steps++;
    }
    return r;
}

/* wq_map's function: one item in, one result out. */
static int process(void *ctx, const void *in, void *out)
{
    (void)ctx;
    *(struct result *)out = process_item(*(const unsigned long long *)in);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    unsigned long long *dataset = malloc((n ? n : 1) * sizeof *dataset);
    struct result *serial = calloc(n ? n : 1, sizeof *serial);
    struct result *parallel = calloc(n ? n : 1, sizeof *parallel);
    wq_options opt = bar_options("items");
    wq_pool *pool;
    int rc = wq_pool_create(&pool, &opt);
    if (!n || !dataset || !serial || !parallel || rc) {
        fprintf(stderr, "usage: %s [items] (%s)\n", argv[0],
                wq_strerror(rc));
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        dataset[i] = i + 1;

    /* The serial loop... */
    double t0 = wq_now();
    for (size_t i = 0; i < n; i++)
        serial[i] = process_item(dataset[i]);
    double t_serial = wq_now() - t0;

    /* ...and the same loop on the pool. */
    t0 = wq_now();
    rc = wq_map(pool, n, 0, dataset, sizeof *dataset, parallel,
                sizeof *parallel, process, NULL);
    double t_parallel = wq_now() - t0;
    if (rc) {
        fprintf(stderr, "wq_map: %s\n", wq_strerror(rc));
        return 1;
    }

    size_t longest = 0;
    unsigned long long steps = 0;
    for (size_t i = 0; i < n; i++) {
        steps += parallel[i].steps;
        if (parallel[i].steps > parallel[longest].steps)
            longest = i;
    }
    printf("%zu items, %llu steps in all\n", n, steps);
    printf("longest: from %llu, %llu steps, peak %llu\n", dataset[longest],
           parallel[longest].steps, parallel[longest].peak);
    printf("parallel results equal serial ones: %s\n",
           memcmp(serial, parallel, n * sizeof *serial) ? "NO" : "yes");
    fprintf(stderr, "serial %.3f s, %u threads %.3f s: %.2fx\n", t_serial,
            wq_pool_size(pool), t_parallel, t_serial / t_parallel);

    wq_pool_destroy(pool); /* Pool.close() and Pool.join() */
    free(dataset);
    free(serial);
    free(parallel);
    return 0;
}
