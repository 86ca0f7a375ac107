/*
 * spin.c - how a thread waits before it sleeps: spinning, and the spin
 * window an idle worker learns from how far apart its pool's loops come.
 *
 * Waking a sleeping thread costs a system call on the waker's side and a
 * scheduler round trip on the sleeper's, tens of microseconds on a virtual
 * machine, and the kernel often wakes the sleeper onto the waker's own CPU,
 * where it cannot run until the waker stops.  A loop whose pieces are
 * shorter than that is over, done by its caller alone, before the woken
 * worker arrives.  Numeric programs run their loops between serial steps (a
 * residual, a convergence test, output), so a worker that sleeps through
 * every serial step makes every loop pay for a wake-up.  An idle worker
 * therefore spins for a window it learns: when work comes back after an
 * idle period of g seconds, the next window becomes 1.5 g (never less than
 * 3/4 of the previous one, so that steps of alternating lengths keep it
 * up), between the pool's base window and its cap; an idle period longer
 * than the cap means the loops are not coming in a stream, and the window
 * falls back to the base.  A worker that saw work announced but found none
 * left (other threads took it all) starts its idle period afresh from
 * there.  If it was spinning, it lost a race, and its window becomes a
 * quarter shorter: one lost race keeps it spinning through the next serial
 * step, a worker that keeps losing (a pool larger than its loops) soon
 * sleeps.  If it was parked, the loop was over before the wake-up reached
 * it (a loop whose pieces are shorter than a wake-up, its caller taking
 * the pieces meant for the sleeper), and it learns its window from the
 * period as if it had found work: otherwise a worker that parked once
 * would never again be in time to learn.  So a pool whose loops keep coming spins through
 * the serial steps between them, as OpenMP runtimes do by spinning for
 * milliseconds after every loop, and an idle pool stops spinning at most
 * a cap after its last loop.  A window set by the user (spin_us or
 * WQ_SPIN_US) is used as it is, and so is the base in a pool of more
 * threads than CPUs, whose spinning workers would take the CPUs that the
 * callers' serial steps need (pool.c sets spin_max to 0 there).
 *
 * A loop's owner that has run out of work waits for its helpers, who are
 * running pieces of the loop, so the wait lasts about a piece: with the
 * learned window it spins up to the cap before it parks, as an OpenMP
 * barrier spins, rather than pay a wake-up at the end of every loop whose
 * pieces do not end together.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sched.h>

#include "internal.h"

/* Spin, calling done(arg) between pauses, until it returns true (then 1)
 * or until the clock passes both start + least and until (then 0), start
 * being when the spin began.  *clock, if not NULL, gets the last clock
 * reading taken (0 if none was): a time at most a few microseconds before
 * done returned true. */
static int wq__spin(double least, double until, int (*done)(void *),
                    void *arg, double *clock)
{
    if (least <= 0 && until <= 0)
        return done(arg);
    double deadline = 0, now = 0;
    for (unsigned i = 0;; i++) {
        if (done(arg)) {
            if (clock)
                *clock = now;
            return 1;
        }
        /* Read the clock once every 64 pauses: a pause is tens of cycles,
         * a clock read about a hundred. */
        if ((i & 63) == 0) {
            now = wq_now();
            if (deadline == 0) {
                deadline = now + least;
                if (until > deadline)
                    deadline = until;
            } else if (now > deadline) {
                if (clock)
                    *clock = now;
                return 0;
            }
            /* And give the CPU away for a moment: when the thread we wait
             * for shares our CPU (more threads than free CPUs, a busy
             * machine), spinning only delays it.  Uncontended, the yield
             * is a system call that returns at once. */
            if (i)
                sched_yield();
        }
        wq__cpu_relax();
    }
}

int wq__spin_until(const wq_pool *pool, int (*done)(void *), void *arg)
{
    return wq__spin(pool->spin, 0, done, arg, NULL);
}

int wq__spin_join(const wq_pool *pool, double most, int (*done)(void *),
                  void *arg)
{
    double window = pool->spin_max > pool->spin ? pool->spin_max : pool->spin;
    if (most > 0 && most < window)
        window = most;
    return wq__spin(window, 0, done, arg, NULL);
}

int wq__idle_spin(const wq_pool *pool, struct wq__idle *idle,
                  int (*done)(void *), void *arg)
{
    double until = idle->since > 0 ? idle->since + idle->window : 0;
    return wq__spin(pool->spin, until, done, arg, &idle->noticed);
}

/* The window that follows an idle period of gap seconds (see the top of
 * the file): 1.5 gap, at least 3/4 of the window before, between the base
 * and the cap; the base after a period longer than the cap. */
static double wq__idle_window(const wq_pool *pool, double gap, double before)
{
    double window = pool->spin;
    if (gap <= pool->spin_max) {
        window = 1.5 * gap;
        if (window < 0.75 * before)
            window = 0.75 * before;
        if (window > pool->spin_max)
            window = pool->spin_max;
        if (window < pool->spin)
            window = pool->spin;
    }
    return window;
}

void wq__idle_learn(const wq_pool *pool, struct wq__idle *idle)
{
    double gap = idle->noticed - idle->since;
    if (pool->spin_max > 0 && idle->since > 0 && idle->noticed > 0 &&
        gap >= 0)
        idle->window = wq__idle_window(pool, gap, idle->window);
    idle->since = 0;
    idle->noticed = 0;
}

void wq__idle_miss(const wq_pool *pool, struct wq__idle *idle)
{
    if (pool->spin_max > 0) {
        double gap = idle->noticed - idle->since;
        if (idle->parked && gap >= 0) {
            /* Woken after the loop's threads had shared out all of it: the
             * wake-up came too late, and only spinning through the next
             * period can help.  A worker too many for its pool's loops
             * loses again while it spins and shrinks its window below. */
            idle->window = wq__idle_window(pool, gap, idle->window);
        } else {
            idle->window *= 0.75;
            if (idle->window < pool->spin)
                idle->window = pool->spin;
        }
    }
    idle->since = idle->noticed;
    idle->noticed = 0;
}
