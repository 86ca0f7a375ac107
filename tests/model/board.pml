/*
 * board.pml - one slot of the job board of lib/queue.c: an owner publishes
 * jobs on the slot one after another and retires each, while helpers find
 * the slot, take a reference (users), read the job, use it, may close the
 * slot, and leave, waking the owner if it sleeps.  Checked by spin over
 * every interleaving of the owner and two helpers (tests/model/check.sh).
 *
 * Each step is one atomic access of wq__board_publish, _enter, _leave,
 * _close or _retire; the seq_cst accesses of the C code are exactly spin's
 * sequentially consistent steps, which is why the protocol needs them.  The
 * futex is modelled as the kernel gives it: the check of the word and the
 * sleep are one step, and a wake wakes only a thread already asleep.
 *
 * What is checked:
 *   - a helper only ever uses a job that is alive (its owner has not yet
 *     returned from retire, which is when the job's memory may go);
 *   - no lost wake-up: the owner never sleeps for good on users (spin's
 *     invalid end states), whether its spin sees the slot drain or it
 *     parks;
 *   - at the end no reference is left and the slot is free;
 *   - with -DNP: no cycle in which nobody makes progress.
 */

#define JOBS 2       /* published one after the other on the same slot */
#define HELPERS 2
#define LOOKS 2      /* times each helper looks at the slot */

byte job;            /* the slot's job: 0 is NULL, else a job's id */
byte users;          /* references held by helpers */
bit parked;          /* the owner sleeps (or is about to) on users */
bit used;            /* the slot's bit in the board's bitmap */
bit alive[JOBS + 1]; /* ghost: job j's memory is still the owner's */
bit asleep;          /* ghost: the owner is inside the futex wait */

/* futex_wait(&users, seen): sleeps only if users still equals seen. */
inline futex_wait(seen)
{
    atomic {
        if
        :: users == seen -> asleep = 1
        :: else -> skip
        fi
    };
    !asleep /* blocks until a wake */
}

inline retire()
{
    job = 0;
    if
    :: users == 0 -> skip            /* nobody inside */
    :: users != 0 -> users == 0      /* the spin window saw it drain */
    :: users != 0 ->                 /* the window passed: sleep */
        do
        :: parked = 1;
           seen = users;
           if
           :: seen == 0 -> break
           :: else -> futex_wait(seen)
           fi
        od;
        parked = 0
    fi
}

proctype owner()
{
    byte j, seen;
    for (j : 1 .. JOBS) {
        alive[j] = 1;
        used = 1;
        job = j;        /* publish (release) */
        retire();
        alive[j] = 0;   /* the owner returns: the job may be freed */
        used = 0;
progress_job:
        skip
    }
}

proctype helper()
{
    byte k, j;
    bit last;
    for (k : 1 .. LOOKS) {
        if
        :: used && job != 0 ->   /* the relaxed peeks of the scan */
            users++;             /* enter: seq_cst increment ... */
            j = job;             /* ... then seq_cst load of the job */
            if
            :: j != 0 ->
                assert(alive[j]);   /* help with it */
                if              /* the range ran out: close the slot */
                :: atomic { job == j -> job = 0 }
                :: skip
                fi;
                assert(alive[j])
            :: else -> skip
            fi;
            atomic { last = (users == 1); users-- };  /* leave */
            if
            :: last && parked -> asleep = 0           /* futex_wake */
            :: else -> skip
            fi
        :: else -> skip
        fi;
progress_look:
        skip
    }
}

init
{
    byte i;
    atomic {
        run owner();
        for (i : 1 .. HELPERS) {
            run helper()
        }
    }
    (_nr_pr == 1);
    assert(users == 0 && job == 0 && !used && !asleep)
}
