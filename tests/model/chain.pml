/*
 * chain.pml - the chain of prefixes of lib/scan.c, checked by spin over
 * every interleaving of THREADS threads scanning B blocks (tests/model/
 * check.sh runs it): with a total (every block folded) and, with -DNOTOTAL,
 * without one (the last block only scanned).
 *
 * Each thread claims blocks in index order from one counter (the ordered
 * loop's lane), folds its block (block 0: scans it from init), arrives at
 * the block's step, and then either scans the block, if the chain has
 * reached it, or leaves it pending: the choice is free at every moment, as
 * the patience of wq__scan_wait may run out at any time.  The arrival is
 * wq__scan_arrive: one fetch_add on arrive[c]; the thread that finds 1 runs
 * step c, publishes chained = c + 1 and arrives at step c + 1.  Once every
 * thread has left the loop, the finish scans the pending blocks.
 *
 * What is checked:
 *   - each step runs exactly once, in order, and only once its block is
 *     folded (the ghost `steps` counts them; a step asserts its
 *     predecessors ran and its partial is there);
 *   - a block is scanned only once its prefix is made (steps >= b), and
 *     exactly once in all, in the loop or in the finish;
 *   - when the loop is over every step has run, so the finish never
 *     waits;
 *   - no thread ever blocks: no invalid end state, and with -DNP no cycle
 *     without progress.
 *
 * Spin explores sequentially consistent interleavings; the acq_rel of the
 * fetch_add and the release/acquire of chained that make them hold in C
 * are argued in scan.c and tested by ThreadSanitizer.
 */

#ifndef THREADS
#define THREADS 3
#endif
#define B 4 /* blocks */
#ifdef NOTOTAL
#define FOLDED (B - 1)
#else
#define FOLDED B
#endif

byte next;          /* the lane's claim counter (fetch_add) */
byte arrive[B];     /* arrivals at each step */
byte chained;       /* steps [0, chained) have run */
bit folded[B];      /* ghost: P_b is in slot b */
byte steps;         /* ghost: steps run, in order */
byte scanned[B];    /* ghost: scans of each block */
bit pending[B];
byte left = THREADS; /* threads still in the loop */

/* wq__scan_arrive */
inline arrive_at(c)
{
    do
    :: c < FOLDED ->
        atomic { old = arrive[c]; arrive[c]++ };
        if
        :: old == 1 ->
            assert(folded[c] && steps == c);
            steps++;
            chained = c + 1;
            c++
        :: else -> break
        fi
    :: else -> break
    od
}

proctype worker()
{
    byte b, c, old;
    do
    :: atomic { b = next; next++ };
        if
        :: b >= B -> break
        :: else -> skip
        fi;
        if
        :: b < FOLDED ->
            folded[b] = 1;
            if
            :: b == 0 -> scanned[0]++ /* scanned as it is folded */
            :: else -> skip
            fi;
            c = b;
            arrive_at(c)
        :: else -> skip
        fi;
        if
        :: b == 0 -> skip
        :: b > 0 && chained >= b -> /* the wait saw its prefix */
            assert(steps >= b);
            scanned[b]++
        :: b > 0 -> pending[b] = 1  /* patience ran out */
        fi;
progress_claim:
        skip
    od;
    left--
}

init
{
    byte i;
    arrive[0] = 1;
    atomic {
        for (i : 1 .. THREADS) {
            run worker()
        }
    };
    left == 0;
    /* wq__scan_finish: every step ran in the loop */
    assert(steps == FOLDED && chained == FOLDED);
    for (i : 0 .. B - 1) {
        if
        :: pending[i] -> assert(chained >= i); scanned[i]++
        :: else -> skip
        fi;
        assert(scanned[i] == 1)
    }
}
