/*
 * place.c - where a worker runs.
 *
 * A pool with no more threads than CPUs means every thread to have a CPU
 * of its own.  The kernel does not always see it that way, and a worker
 * that finds itself on the CPU of the thread whose loop it helps moves off
 * it (see wq__uncrowd); wq__loop_help decides when.
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sched.h>

#include "place.h"

#ifdef __linux__
int wq__cpu_current(void)
{
    /* glibc reads it from the thread's rseq area: a load, not a call. */
    return sched_getcpu();
}

/* Why a worker moves at all: see wq__uncrowd below.  Taking the CPU
 * out of the mask makes the kernel move the thread at once; the old mask,
 * put back right after, does not move it again.
 *
 * The fixed-size set covers 1024 CPUs; a larger machine's kernel refuses
 * it (EINVAL) and nothing happens.  A mask changed by another thread
 * between the two calls here would be lost; programs that pin threads do it
 * in wq_options.on_start, before the worker helps any loop. */
void wq__cpu_leave(void)
{
    cpu_set_t set;
    int cpu = sched_getcpu();
    CPU_ZERO(&set);
    if (cpu < 0 || cpu >= CPU_SETSIZE ||
        sched_getaffinity(0, sizeof set, &set) != 0 ||
        !CPU_ISSET(cpu, &set) || CPU_COUNT(&set) < 2)
        return;
    CPU_CLR(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return;
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
}
#else
int wq__cpu_current(void)
{
    return -1;
}

void wq__cpu_leave(void)
{
}
#endif


/* Why a worker moves: a new thread starts on its creator's CPU more often
 * than not, and a sleeper woken by a loop's owner is often put on the
 * owner's CPU (the kernel's wake-affine rule), while another CPU is idle.
 * The kernel's balancer moves one of the two only once it has not run for
 * a while (it keeps a recently run task where its cache is), and a worker
 * that spins, yields and helps loop after loop always has.  Seen on a
 * 2-CPU machine: the two shared one CPU for tens of milliseconds, and loops
 * ran at one CPU's speed.  At most once an interval: the owner's CPU is a
 * hint that may be stale, and where a busy machine makes threads share
 * CPUs anyway, moving on every loop would only cost. */
void wq__uncrowd(void)
{
    wq__self.crowded = 0;
    double now = wq_now();
    if (now - wq__self.left_at < WQ__UNCROWD_INTERVAL)
        return;
    wq__self.left_at = now;
    wq__cpu_leave();
}
