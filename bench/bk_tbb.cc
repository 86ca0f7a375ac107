/*
 * bk_tbb.cc - oneTBB backends of bench-tbb:
 *
 *   tbb         parallel_for, parallel_reduce and parallel_scan; chunk 0:
 *               the auto_partitioner (TBB's default), else the
 *               simple_partitioner with `chunk` as grain size;
 *   tbb-static  the static_partitioner (one range a thread, no stealing);
 *   tbb-det     parallel_for as tbb, and parallel_deterministic_reduce,
 *               whose grain must not depend on the thread count: `chunk`,
 *               or for chunk 0 about 512 leaves as wq_reduce makes.
 *
 * 2-D loops are parallel_for over a blocked_range2d, with the same
 * partitioner as a loop and `tile` as the grain in both dimensions
 * (tile 0: grain 1 and the auto_partitioner, TBB's defaults).
 *
 * A task_arena of `threads` slots (the caller included) and a
 * global_control that lets that many threads exist bound the team.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <memory>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/blocked_range2d.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/parallel_scan.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "bench.h"

namespace {

using range = tbb::blocked_range<size_t>;
using range2d = tbb::blocked_range2d<size_t>;

std::unique_ptr<tbb::global_control> control;
std::unique_ptr<tbb::task_arena> arena;

int tbb_start(unsigned threads)
{
    control = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, threads);
    arena = std::make_unique<tbb::task_arena>(static_cast<int>(threads));
    arena->initialize();
    // Let the workers start before anything is timed.
    arena->execute([] {
        tbb::parallel_for(range(0, 1024, 1),
                          [](const range &) {}, tbb::simple_partitioner());
    });
    return arena->max_concurrency() == static_cast<int>(threads) ? 0 : -1;
}

void tbb_stop()
{
    arena.reset();
    control.reset();
}

// Run f(partitioner, grain) with the partitioner a configuration asks for.
template <typename F> void partitioned(size_t chunk, bool fixed, F f)
{
    if (fixed) {
        tbb::static_partitioner p;
        f(p, chunk ? chunk : 1);
    } else if (chunk) {
        tbb::simple_partitioner p;
        f(p, chunk);
    } else {
        tbb::auto_partitioner p;
        f(p, size_t{1});
    }
}

template <bool fixed>
void tbb_for(size_t n, size_t chunk, bench_range_fn body, void *ctx)
{
    arena->execute([&] {
        partitioned(chunk, fixed, [&](auto &part, size_t grain) {
            tbb::parallel_for(
                range(0, n, grain),
                [&](const range &r) { body(ctx, r.begin(), r.end()); }, part);
        });
    });
}

template <bool fixed>
void tbb_for_2d(size_t ni, size_t nj, size_t tile, bench_tile_fn body,
                void *ctx)
{
    arena->execute([&] {
        partitioned(tile, fixed, [&](auto &part, size_t grain) {
            tbb::parallel_for(
                range2d(0, ni, grain, 0, nj, grain),
                [&](const range2d &r) {
                    body(ctx, r.rows().begin(), r.rows().end(),
                         r.cols().begin(), r.cols().end());
                },
                part);
        });
    });
}

template <bool fixed>
double tbb_sum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    double s = 0.0;
    arena->execute([&] {
        partitioned(chunk, fixed, [&](auto &part, size_t grain) {
            s = tbb::parallel_reduce(
                range(0, n, grain), 0.0,
                [&](const range &r, double acc) {
                    return acc + term(ctx, r.begin(), r.end());
                },
                [](double a, double b) { return a + b; }, part);
        });
    });
    return s;
}

double det_sum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    size_t grain = chunk ? chunk : n / 512 + 1;
    double s = 0.0;
    arena->execute([&] {
        s = tbb::parallel_deterministic_reduce(
            range(0, n, grain), 0.0,
            [&](const range &r, double acc) {
                return acc + term(ctx, r.begin(), r.end());
            },
            [](double a, double b) { return a + b; },
            tbb::simple_partitioner());
    });
    return s;
}

// The pre-scan pass sums a range onto the running sum; the final pass
// writes the range's outputs from it.  parallel_scan takes the auto and
// simple partitioners only.
template <typename P>
void scan_with(size_t n, size_t grain, bench_sum_fn sum, bench_scan_fn scan,
               void *ctx, const P &part)
{
    tbb::parallel_scan(
        range(0, n, grain), 0.0,
        [&](const range &r, double carry, bool is_final) {
            return is_final ? scan(ctx, r.begin(), r.end(), carry)
                            : carry + sum(ctx, r.begin(), r.end());
        },
        [](double a, double b) { return a + b; }, part);
}

void tbb_scan(size_t n, size_t chunk, bench_sum_fn sum, bench_scan_fn scan,
              void *ctx)
{
    arena->execute([&] {
        if (chunk)
            scan_with(n, chunk, sum, scan, ctx, tbb::simple_partitioner());
        else
            scan_with(n, 1, sum, scan, ctx, tbb::auto_partitioner());
    });
}

/* In struct backend's order, each field named: C++17, this file's
 * standard, has no designated initialisers (C++20 does). */
const backend tbb_auto = {
    "tbb",             /* name */
    tbb_start,         /* start */
    tbb_stop,          /* stop */
    tbb_for<false>,    /* pfor */
    tbb_sum<false>,    /* psum */
    nullptr,           /* pfor_reps */
    nullptr,           /* pmap */
    tbb_scan,          /* pscan */
    tbb_for_2d<false>, /* pfor_2d */
};
const backend tbb_static = {
    "tbb-static",     /* name */
    tbb_start,        /* start */
    tbb_stop,         /* stop */
    tbb_for<true>,    /* pfor */
    tbb_sum<true>,    /* psum */
    nullptr,          /* pfor_reps */
    nullptr,          /* pmap */
    nullptr,          /* pscan */
    tbb_for_2d<true>, /* pfor_2d */
};
const backend tbb_det = {
    "tbb-det",         /* name */
    tbb_start,         /* start */
    tbb_stop,          /* stop */
    tbb_for<false>,    /* pfor */
    det_sum,           /* psum */
    nullptr,           /* pfor_reps */
    nullptr,           /* pmap */
    nullptr,           /* pscan */
    tbb_for_2d<false>, /* pfor_2d */
};

} // namespace

extern "C" const backend *const bench_backends[] = {&tbb_auto, &tbb_static,
                                                    &tbb_det, nullptr};
