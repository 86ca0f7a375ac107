/*
 * harness.c - the entry point of every benchmark program and the timing
 * helpers its scenarios share (see bench.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_sleep(double seconds)
{
    struct timespec ts = {(time_t)seconds,
                          (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts))
        ;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts t in place. */
double bench_median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, by_value);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

void bench_time(const struct bench_params *p, struct bench_result *r,
                void (*once)(const struct bench_params *p, void *arg),
                void *arg)
{
    int n = p->inner;
    double *t = bench_alloc((size_t)n * sizeof *t);
    once(p, arg); /* first touch of memory, lazily started threads */
    for (int i = 0; i < n; i++) {
        double t0 = bench_now();
        once(p, arg);
        t[i] = bench_now() - t0;
    }
    r->med = bench_median(t, n);
    r->lo = t[0];
    r->hi = t[n - 1];
    free(t);
}

long bench_delay_len = 1;

/* A chain of dependent additions; the empty asm makes the value opaque, so
 * the compiler can neither fold the loop nor drop it. */
void bench_delay(long len)
{
    uint64_t a = 0;
    for (long i = 0; i < len; i++) {
        a += (uint64_t)i;
        __asm__ __volatile__("" : "+r"(a));
    }
}

/* Grow the length until one delay takes `seconds`, averaged over batches of
 * 1000 (EPCC's calibration, in its spirit). */
void bench_delay_calibrate(double seconds)
{
    long len = 1;
    for (;;) {
        double t0 = bench_now();
        for (int i = 0; i < 1000; i++)
            bench_delay(len);
        if ((bench_now() - t0) / 1000 >= seconds)
            break;
        len = len + len / 10 + 1;
    }
    bench_delay_len = len;
}

double bench_delay_rate(int runs)
{
    long len = 1000;
    double t = 0;
    while (len < (1L << 40)) { /* grow to about 2 ms a run */
        double t0 = bench_now();
        bench_delay(len);
        t = bench_now() - t0;
        if (t >= 2e-3)
            break;
        len *= 2;
    }
    for (int k = 0; k < runs; k++) {
        double t0 = bench_now();
        bench_delay(len);
        double d = bench_now() - t0;
        if (d < t)
            t = d;
    }
    return (double)len / (t * 1e6);
}

size_t bench_even_chunk(size_t n, unsigned threads)
{
    size_t pieces = 8 * (size_t)threads;
    return n / pieces + (n % pieces != 0) + (n == 0);
}

struct bench_units bench_units_of(size_t n, size_t chunk, size_t blocks)
{
    struct bench_units u = {n, chunk, blocks};
    if (chunk || !blocks)
        u.chunk = chunk ? chunk : 1;
    if (u.chunk)
        u.count = n / u.chunk + (n % u.chunk != 0);
    return u;
}

struct map_call {
    const char *in;
    size_t in_size;
    char *out;
    size_t out_size;
    bench_map_fn fn;
    void *ctx;
};

static void map_range(void *arg, size_t begin, size_t end)
{
    const struct map_call *m = arg;
    for (size_t i = begin; i < end; i++)
        m->fn(m->ctx, m->in + i * m->in_size, m->out + i * m->out_size);
}

void bench_map(const struct backend *bk, size_t n, size_t chunk,
               const void *in, size_t in_size, void *out, size_t out_size,
               bench_map_fn fn, void *ctx)
{
    if (bk->pmap) {
        bk->pmap(n, chunk, in, in_size, out, out_size, fn, ctx);
        return;
    }
    struct map_call m = {in, in_size, out, out_size, fn, ctx};
    bk->pfor(n, chunk, map_range, &m);
}

struct rows_call {
    size_t nj, tile;
    bench_tile_fn body;
    void *ctx;
};

static void rows_range(void *arg, size_t begin, size_t end)
{
    const struct rows_call *c = arg;
    size_t step = c->tile ? c->tile : c->nj;
    for (size_t j = 0; j < c->nj; j += step)
        c->body(c->ctx, begin, end, j, c->nj - j < step ? c->nj : j + step);
}

void bench_for_2d(const struct backend *bk, size_t ni, size_t nj, size_t tile,
                  bench_tile_fn body, void *ctx)
{
    if (bk->pfor_2d) {
        bk->pfor_2d(ni, nj, tile, body, ctx);
        return;
    }
    struct rows_call c = {nj, tile, body, ctx};
    bk->pfor(ni, tile, rows_range, &c);
}

/* Cache-line aligned, for padded per-piece partials. */
void *bench_alloc(size_t bytes)
{
    size_t size = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, size ? size : 64);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return p;
}

/* ----------------------------------------------------------------- main -- */

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s IMPL WORKLOAD [threads [size [chunk [inner]]]] "
            "[quick]\n       %s --list\n       %s --delay-rate\n",
            argv0, argv0, argv0);
}

static void list(void)
{
    for (int i = 0; bench_backends[i]; i++)
        printf("%s%s", i ? " " : "", bench_backends[i]->name);
    printf("\n");
    for (int i = 0; bench_scenarios[i]; i++)
        printf("%s%s", i ? " " : "", bench_scenarios[i]->name);
    printf("\n");
}

static const struct backend *find_backend(const char *name)
{
    for (int i = 0; bench_backends[i]; i++)
        if (!strcmp(bench_backends[i]->name, name))
            return bench_backends[i];
    return NULL;
}

/* The scenario of that name, or of NAME-N for a number (set in *arg). */
static const struct scenario *find_scenario(const char *name, long *arg)
{
    *arg = -1;
    for (int i = 0; bench_scenarios[i]; i++) {
        const struct scenario *s = bench_scenarios[i];
        size_t len = strlen(s->name);
        if (!strcmp(s->name, name))
            return s;
        if (len > 2 && !strcmp(s->name + len - 2, "-N") &&
            !strncmp(s->name, name, len - 1) && name[len - 1] >= '0' &&
            name[len - 1] <= '9') {
            char *end;
            *arg = strtol(name + len - 1, &end, 10);
            if (!*end)
                return s;
        }
    }
    return NULL;
}

/* Numbers may be written as 1e8. */
static size_t count_arg(int argc, char **argv, int i, size_t dflt)
{
    return argc > i ? (size_t)strtod(argv[i], NULL) : dflt;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--list"))
        return list(), 0;
    if (argc == 2 && !strcmp(argv[1], "--delay-rate"))
        return printf("%.9g\n", bench_delay_rate(20)), 0;
    int quick = argc > 3 && !strcmp(argv[argc - 1], "quick");
    argc -= quick;
    if (argc < 3)
        return usage(argv[0]), 2;
    struct bench_params p = {find_backend(argv[1]), 0, 0, 0, 0, quick, -1};
    const struct scenario *s = find_scenario(argv[2], &p.arg);
    if (!p.bk || !s) {
        fprintf(stderr, "%s: unknown %s\n", argv[0],
                p.bk ? "workload" : "implementation");
        return 2;
    }
    p.threads = (unsigned)count_arg(argc, argv, 3, 1);
    p.size = count_arg(argc, argv, 4, 0);
    p.chunk = count_arg(argc, argv, 5, 0);
    p.inner = (int)count_arg(argc, argv, 6, 1);
    if (p.threads < 1 || p.inner < 1)
        return usage(argv[0]), 2;
    if (p.bk->start(p.threads)) {
        fprintf(stderr, "%s: cannot start %u threads\n", p.bk->name,
                p.threads);
        return 2;
    }
    struct bench_result r = {0};
    r.spin = -1;
    int rc = s->run(&p, &r);
    p.bk->stop();
    /* The rows the driver collects; see bench/run.sh for the columns. */
    printf("%s,%s,%u,%zu,%zu,%.9g,%.9g,%.9g,%s\n", argv[2], p.bk->name,
           p.threads, r.size, p.chunk, r.med, r.lo, r.hi, r.check);
    if (r.spin >= 0)
        printf("%s-spin,%s,%u,%zu,%zu,%.9g,%.9g,%.9g,%s\n", argv[2],
               p.bk->name, p.threads, r.size, p.chunk, r.spin, r.spin,
               r.spin, r.check);
    if (rc || !r.ok) {
        fprintf(stderr, "%s %s: wrong result (%s)\n", s->name, p.bk->name,
                r.check);
        return 1;
    }
    return 0;
}
