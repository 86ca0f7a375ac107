/*
 * solver.c - loops separated by serial work, the shape of an iterative
 * solver, a time-stepping simulation or a Monte Carlo driver: again and
 * again, a serial step on the calling thread (a residual, a convergence
 * test), then a parallel loop in which each thread gets one piece.
 *
 *   solver-S   S is the serial step in microseconds (solver-0: loops back
 *              to back); size is the work of one piece in microseconds
 *              (default 30).
 *
 * The serial step is busy work on the caller until S microseconds have
 * passed (it spins, it does not sleep, as a real serial step computes);
 * each piece is a busy loop of the size's length (see delay_rate).  A process
 * runs a fixed number of loops, set by S and the size alone (so it is the
 * same for every runtime), and prints two rows:
 *
 *   solver-S        the parallel loop's wall time, the serial step
 *                   excluded: the mean over the loops in the median
 *                   column, the fastest and slowest loop beside it;
 *   solver-S-spin   (S > 0) the CPU time every thread but the caller used
 *                   during the serial steps, as a fraction of one CPU:
 *                   what the runtime's waiting threads burn (spinning,
 *                   yielding, waking) while the program is serial.
 *
 * Each loop checks that it ran every piece exactly once.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define SOLVER_WORK_US 30

/* Delay iterations a microsecond: run.sh measures the rate once for a
 * whole run and passes it in BENCH_DELAY_RATE, so that a piece is the very
 * same work in every process and runtime (the loop time includes the
 * pieces' own time, and a calibration of each process would differ by
 * what interrupted it, or by what the runtime's waiting threads did to the
 * caller's core meanwhile).  Run alone, a process measures its own. */
static double delay_rate(int quick)
{
    const char *e = getenv("BENCH_DELAY_RATE");
    double rate = e ? strtod(e, NULL) : 0;
    return rate > 0 ? rate : bench_delay_rate(quick ? 2 : 10);
}

static double cpu_clock(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts))
        return 0; /* the thread has exited: its time no longer moves */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define SOLVER_MAX_CLOCKS 1024

/* The CPU clocks of the process's threads other than the caller, read one
 * by one: reading another thread's own clock brings its time up to date,
 * while the process clock adds the others' time only when they next
 * switch or the scheduler ticks, so a worker's last piece would be booked
 * in the serial step where it parks. */
struct others {
    int n;                 /* -1: no /proc; use the process clock instead */
    clockid_t clock[SOLVER_MAX_CLOCKS];
};

/* Linux's clock id of thread tid's CPU time (CPUCLOCK_SCHED of a thread,
 * as glibc's pthread_getcpuclockid builds it). */
static clockid_t thread_clock(long tid)
{
    return (clockid_t)((~(unsigned long)tid << 3) | 6u);
}

/* Lists the threads that exist now (the runtime's, once it has run). */
static void others_find(struct others *o)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    long self = (long)gettid();
    o->n = d ? 0 : -1;
    while (d && (e = readdir(d)) && o->n < SOLVER_MAX_CLOCKS) {
        long tid = strtol(e->d_name, NULL, 10);
        if (tid > 0 && tid != self)
            o->clock[o->n++] = thread_clock(tid);
    }
    if (d)
        closedir(d);
}

/* CPU seconds of the other threads so far (without /proc: of the whole
 * process less the caller). */
static double others_cpu(const struct others *o)
{
    double sum = 0;
    if (o->n < 0)
        return cpu_clock(CLOCK_PROCESS_CPUTIME_ID) -
               cpu_clock(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < o->n; i++)
        sum += cpu_clock(o->clock[i]);
    return sum;
}

#define SOLVER_MAX_THREADS 256

/* The runs of one piece in the current loop, a cache line each, so that
 * no two threads' pieces write to the same line. */
struct runs {
    _Alignas(64) unsigned char n;
};

struct solver {
    long piece; /* delay iterations of one piece */
    struct runs seen[SOLVER_MAX_THREADS];
};

static void solver_piece(void *arg, size_t begin, size_t end)
{
    struct solver *s = arg;
    for (size_t i = begin; i < end; i++) {
        bench_delay(s->piece);
        s->seen[i].n++;
    }
}

/* The serial step: the caller computes until `us` microseconds passed. */
static void serial_step(double us)
{
    double end = bench_now() + us * 1e-6;
    while (bench_now() < end)
        bench_delay(100);
}

/* Loops a process: about a quarter of a second of them, and never fewer
 * than 100 (bench-quick: a fiftieth, at least 10). */
static long solver_loops(double serial_us, double work_us, int quick)
{
    double budget = quick ? 2e4 : 2.5e5, least = quick ? 10 : 100;
    double loops = budget / (serial_us + work_us + 1);
    if (loops < least)
        loops = least;
    if (loops > 2000)
        loops = 2000;
    return (long)loops;
}

static int solver_run(const struct bench_params *p, struct bench_result *r)
{
    static struct solver s;
    static struct others o;
    size_t n = p->threads;
    double work_us = p->size ? (double)p->size : SOLVER_WORK_US;
    double serial_us = (double)p->arg;
    if (p->arg < 0 || n > SOLVER_MAX_THREADS) {
        fprintf(stderr, "solver: the serial step goes in the name "
                        "(solver-200: 200 us); at most %d threads\n",
                SOLVER_MAX_THREADS);
        return -1;
    }
    s.piece = (long)(work_us * delay_rate(p->quick) + 0.5);
    long loops = solver_loops(serial_us, work_us, p->quick);
    double sum = 0, lo = 0, hi = 0, others = 0, serial = 0;
    long bad = 0;
    p->bk->pfor(n, 1, solver_piece, &s); /* untimed: every thread awake */
    others_find(&o);
    for (long k = 0; k <= loops; k++) {
        for (size_t i = 0; i < n; i++) {
            bad += s.seen[i].n != 1;
            s.seen[i].n = 0;
        }
        if (k == loops)
            break;
        if (serial_us > 0) {
            double t0 = bench_now(), c0 = others_cpu(&o);
            serial_step(serial_us);
            others += others_cpu(&o) - c0;
            serial += bench_now() - t0;
        }
        double t0 = bench_now();
        p->bk->pfor(n, 1, solver_piece, &s);
        double t = bench_now() - t0;
        sum += t;
        if (!k || t < lo)
            lo = t;
        if (!k || t > hi)
            hi = t;
    }
    r->med = sum / (double)loops;
    r->lo = lo;
    r->hi = hi;
    r->size = (size_t)work_us;
    r->ok = !bad;
    r->spin = serial > 0 ? (others > 0 ? others : 0) / serial : -1;
    snprintf(r->check, sizeof r->check, "%s%ldx%zu", bad ? "MISSED-" : "",
             loops, n);
    return 0;
}

const struct scenario scenario_solver = {"solver-N", solver_run};
