/*
 * bench.h - what the benchmark programs share: a backend (one parallel
 * runtime behind a common face), a scenario (one workload or overhead
 * measurement), and the timing helpers.
 *
 * Every runtime is driven through range callbacks, the shape wq_for uses:
 * each runtime hands out its pieces (chunks, tiles, tasks, blocks) and the
 * same compiled kernel runs on each piece.  So a comparison measures the
 * runtimes' scheduling, not two compilers' code generation of the kernel.
 *
 * A benchmark program is one backend family linked with every scenario:
 *
 *     bench-wq     serial, wq, wq-unordered
 *     bench-gomp   gomp-static, gomp-dynamic, gomp-guided  (gcc -fopenmp)
 *     bench-omp    omp-static, omp-dynamic, omp-guided     (clang -fopenmp)
 *     bench-tbb    tbb, tbb-static, tbb-det                (oneTBB)
 *     bench-ptp    ptp-1d, ptp-tile                        (pthreadpool)
 *     bench-cthp   cthpool                                 (C-Thread-Pool)
 *
 * so two runtimes never share a process.  Run one with
 *
 *     bench-X IMPL WORKLOAD [threads [size [chunk [inner]]]]
 *
 * It prints one CSV row (two for a scenario that sets bench_result.spin)
 * and exits non-zero if the result of any run was wrong.
 */
#ifndef WQ_BENCH_H
#define WQ_BENCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Work on the items [begin, end); the kernels live in the scenarios. */
typedef void (*bench_range_fn)(void *ctx, size_t begin, size_t end);
/* The sum of a term over the items [begin, end). */
typedef double (*bench_sum_fn)(void *ctx, size_t begin, size_t end);
/* out = f(in) for one item, as wq_map_fn. */
typedef int (*bench_map_fn)(void *ctx, const void *in, void *out);
/* A prefix sum's writing pass over the items [begin, end): each output is
 * carry plus the items from begin up to its own; returns carry plus the
 * sum of them all. */
typedef double (*bench_scan_fn)(void *ctx, size_t begin, size_t end,
                                double carry);
/* Work on the tile [i0, i1) x [j0, j1) of a 2-D space. */
typedef void (*bench_tile_fn)(void *ctx, size_t i0, size_t i1, size_t j0,
                              size_t j1);

/* A runtime under test.  Backends name the fields they set (designated
 * initialisers), so a field added here leaves the others in place and is
 * NULL, its documented default, in every backend that does not set it. */
struct backend {
    const char *name; /* the impl column of the results */
    /* Make ready a team of `threads` threads, the caller included, and let
     * it run once so that lazily started threads exist.  0 or -1. */
    int (*start)(unsigned threads);
    void (*stop)(void);
    /* Run body over [0, n) in pieces of `chunk` items; chunk 0: the
     * runtime's own default (see each backend). */
    void (*pfor)(size_t n, size_t chunk, bench_range_fn body, void *ctx);
    /* The sum of term over [0, n), with the runtime's own reduction. */
    double (*psum)(size_t n, size_t chunk, bench_sum_fn term, void *ctx);
    /* reps loops as pfor, back to back.  NULL: pfor in a loop.  OpenMP
     * runs them inside one parallel region, as EPCC's schedbench does. */
    void (*pfor_reps)(long reps, size_t n, size_t chunk, bench_range_fn body,
                      void *ctx);
    /* out[i] = fn(in[i]) for i in [0, n), strides in bytes.  NULL: pfor
     * with a loop that calls fn per item (what wq_map does inside). */
    void (*pmap)(size_t n, size_t chunk, const void *in, size_t in_size,
                 void *out, size_t out_size, bench_map_fn fn, void *ctx);
    /* An inclusive prefix sum over [0, n) with the runtime's own scan
     * (wq_scan, oneTBB's parallel_scan, OpenMP's scan directive): sum
     * gives a piece's sum, scan writes its outputs from the sum of all
     * before it.  NULL: the runtime has no scan. */
    void (*pscan)(size_t n, size_t chunk, bench_sum_fn sum, bench_scan_fn scan,
                  void *ctx);
    /* body on the tiles of [0, ni) x [0, nj), tile x tile cells (the last
     * of a row or column clipped), with the runtime's 2-D loop: wq_for_2d,
     * OpenMP's collapse(2), oneTBB's blocked_range2d, pthreadpool's
     * parallelize_2d_tile_2d.  tile 0: the runtime's own default (see each
     * backend).  NULL: pfor over bands of tile rows (bench_for_2d). */
    void (*pfor_2d)(size_t ni, size_t nj, size_t tile, bench_tile_fn body,
                    void *ctx);
};

/* Each program's backends, NULL-terminated (defined by its backend file). */
extern const struct backend *const bench_backends[];

/* What one run of a scenario is told. */
struct bench_params {
    const struct backend *bk;
    unsigned threads;
    size_t size;  /* the workload's size; 0: its default */
    size_t chunk; /* 0: the runtime's default */
    int inner;    /* timed repetitions inside this process */
    int quick;    /* small sizes and short windows (make bench-quick) */
    long arg;     /* N of a workload named NAME-N (see scenario); else -1 */
};

/* What one run reports: a time in seconds (or a fraction of a CPU for the
 * idle measurements) as median, min and max over its inner repetitions, and
 * a fingerprint of the result that must be the same for every runtime. */
struct bench_result {
    double med, lo, hi;
    size_t size; /* the size actually used */
    char check[64];
    int ok; /* the result was verified */
    /* A second figure, printed as its own row under WORKLOAD-spin: the CPU
     * the runtime's other threads used while the caller worked alone, as a
     * fraction of one CPU.  Below 0 (as the harness sets it): none. */
    double spin;
};

struct scenario {
    /* The workload column.  A name ending in "-N" (solver-N) takes a
     * number: run as solver-200, the scenario reads 200 from p->arg. */
    const char *name;
    int (*run)(const struct bench_params *p, struct bench_result *r);
};

extern const struct scenario *const bench_scenarios[];

/* ------------------------------------------------------------- helpers -- */

double bench_now(void);
void bench_sleep(double seconds);
double bench_median(double *t, int n);

/* Time `once` p->inner times after one untimed warm-up run, filling the
 * median, min and max of r. */
void bench_time(const struct bench_params *p, struct bench_result *r,
                void (*once)(const struct bench_params *p, void *arg),
                void *arg);

/* EPCC's delay: spin for about `bench_delay_len` iterations of a dependent
 * chain the compiler cannot remove; calibrated once to 0.1 us. */
extern long bench_delay_len;
void bench_delay(long len);
void bench_delay_calibrate(double seconds);
/* bench_delay's iterations a microsecond: the fastest of `runs` runs of
 * about 2 ms each, the one no interruption slowed (`bench-X --delay-rate`
 * prints it). */
double bench_delay_rate(int runs);

/* Chunk for runtimes with no automatic partitioning when asked for their
 * default: eight pieces a thread, a common hand choice. */
size_t bench_even_chunk(size_t n, unsigned threads);

/* [0, n) as units: pieces of `chunk` items, or for chunk 0 `count` even
 * blocks (count set by the caller).  For the backends that hand out
 * indices rather than ranges. */
struct bench_units {
    size_t n, chunk, count;
};
struct bench_units bench_units_of(size_t n, size_t chunk, size_t blocks);

/* Inline: it runs once per dispatched piece, inside what is measured. */
static inline void bench_unit_range(const struct bench_units *u, size_t k,
                                    size_t *lo, size_t *hi)
{
    if (!u->chunk) {
        /* k * n may overflow for huge n; split base and remainder. */
        size_t base = u->n / u->count, extra = u->n % u->count;
        *lo = k * base + (k < extra ? k : extra);
        *hi = *lo + base + (k < extra);
    } else {
        *lo = k * u->chunk;
        *hi = u->n - *lo < u->chunk ? u->n : *lo + u->chunk;
    }
}

/* Map through pfor (see backend.pmap). */
void bench_map(const struct backend *bk, size_t n, size_t chunk,
               const void *in, size_t in_size, void *out, size_t out_size,
               bench_map_fn fn, void *ctx);

/* A 2-D loop through pfor_2d, or through pfor where the runtime has no
 * 2-D loop: pieces of `tile` rows (0: pfor's chunk 0), each cut into
 * tiles of `tile` columns (0: whole rows). */
void bench_for_2d(const struct backend *bk, size_t ni, size_t nj, size_t tile,
                  bench_tile_fn body, void *ctx);

/* A checked allocation, aligned to a cache line: exits on failure (a
 * benchmark cannot go on).  Freed with free(). */
void *bench_alloc(size_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* WQ_BENCH_H */
