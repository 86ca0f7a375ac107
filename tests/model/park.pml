/*
 * park.pml - how idle workers sleep and are woken (lib/pool.c: epoch and
 * sleepers; lib/group.c uses the same protocol with signal and waiters).
 * A publisher puts jobs up one at a time, bumping epoch and waking one
 * sleeper each time, then stops the pool (stopping, epoch bump, wake all),
 * as wq_pool_destroy does; two workers scan, spin, and park.  Checked by
 * spin over every interleaving (tests/model/check.sh).
 *
 *   worker:    seen = epoch; scan; sleepers++; if (epoch == seen) park
 *   publisher: publish; epoch++; if (sleepers) wake
 *
 * All these accesses are seq_cst in the C code, as spin's steps are; the
 * futex is modelled as the kernel gives it (check and sleep in one step; a
 * wake wakes only threads already asleep, here any one of them).
 *
 * What is checked: the workers take every job with nothing but the
 * publications' own wake-ups (the publisher waits for that before it
 * stops the pool), and no worker sleeps for good after the stop (spin's
 * invalid end states: a lost wake-up leaves someone blocked); with -DNP, no
 * cycle without progress.
 */

#define WORKERS 2
#define JOBS 2

byte epoch;
byte sleepers;
byte jobs;           /* published, not yet taken */
byte taken;
bit stopping;
bit asleep[WORKERS]; /* ghost: worker i is inside the futex wait */

inline futex_wait(me, seen)
{
    atomic {
        if
        :: epoch == seen -> asleep[me] = 1
        :: else -> skip
        fi
    };
    !asleep[me]
}

inline wake_one()
{
    if
    :: atomic { asleep[0] -> asleep[0] = 0 }
    :: atomic { asleep[1] -> asleep[1] = 0 }
    :: else -> skip
    fi
}

proctype worker(byte me)
{
    byte seen;
    do
    :: seen = epoch;
       if
       :: atomic { jobs > 0 -> jobs--; taken++ }  /* the board scan */
progress_take:
          skip
       :: else ->
          if
          :: stopping && jobs == 0 -> break
          :: else ->
             if
             :: epoch != seen -> skip     /* the spin window saw it */
             :: true ->                   /* the window passed */
                sleepers++;
                if
                :: epoch == seen -> futex_wait(me, seen)
                :: else -> skip
                fi;
                sleepers--
             fi
          fi
       fi
    od
}

proctype publisher()
{
    byte k;
    for (k : 1 .. JOBS) {
        jobs++;
        epoch++;
        if
        :: sleepers > 0 -> wake_one()
        :: else -> skip
        fi
    }
    /* Nothing else will happen until the workers take the jobs: a worker
     * that slept through a publication would block this for good. */
    taken == JOBS;
    stopping = 1;
    epoch++;
    asleep[0] = 0; /* wake all */
    asleep[1] = 0
}

init
{
    atomic {
        run worker(0);
        run worker(1);
        run publisher()
    }
    (_nr_pr == 1);
    assert(taken == JOBS && jobs == 0)
}
