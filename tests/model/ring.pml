/*
 * ring.pml - the task ring of lib/queue.c (D. Vyukov's bounded MPMC queue),
 * checked by spin over every interleaving of two producers and two
 * consumers on a ring of capacity 2 (tests/model/check.sh runs it).
 *
 * Each step below is one atomic access of wq__ring_push / wq__ring_pop; a
 * CAS is one atomic step.  Ghost state (aq, pushing, popping, seen, pushed)
 * is updated in the same atomic step as the access it shadows and is
 * invisible to the protocol.  Spin explores sequentially consistent
 * interleavings; that the acquire/release orders of the C code give the
 * same outcomes is argued in queue.c and tested by ThreadSanitizer.
 *
 * What is checked:
 *   - linearizability of successful operations: a push takes effect at its
 *     CAS on tail (its value joins the abstract FIFO aq), a pop at its CAS
 *     on head (it leaves aq), and the value the pop then reads from the
 *     cell is the one aq says;
 *   - the answers "full" and "empty" are true at the load of seq that gave
 *     them, except while an operation on that very cell is between its CAS
 *     and its seq store (then they are spurious: the queue is lock-free in
 *     its claims, and wq treats both answers as "look again later");
 *   - nothing lost, nothing duplicated: after all threads stop, draining
 *     the ring yields exactly what aq holds, and every pushed value came
 *     out exactly once;
 *   - lock-freedom of the claims: run with -DNP, no cycle in which no
 *     operation completes (progress labels mark completions).
 */

#define C 2          /* capacity, a power of two */
#ifndef PRODUCERS
#define PRODUCERS 2
#endif
#ifndef CONSUMERS
#define CONSUMERS 2
#endif
#ifndef OPS
#define OPS 2        /* operations each thread attempts */
#endif
#define VALUES (1 + PRODUCERS * OPS) /* value 0 is never pushed */
#define QN 8         /* room of the ghost FIFO */

byte seq[C];
byte val[C];
byte tail, head;

byte aq[QN];         /* ghost: the abstract FIFO, aq[aqh .. aqt) */
byte aqh, aqt;
byte pushing, popping; /* ghost: operations between their CAS and store */
byte seen[VALUES];   /* ghost: times each value was popped */
bit pushed[VALUES];  /* ghost: values that went in */

/* One push of v; refused is set if the ring answered "full". */
inline push(v, refused)
{
    refused = 0;
    claimed = 0;
    pos = tail;
    do
    :: claimed || refused -> break
    :: else ->
        /* The load of seq, and (ghost) whether "full" is true now. */
        atomic { s = seq[pos % C]; fair = (aqt - aqh == C || popping > 0) }
        if
        :: s == pos ->
            atomic {
                if
                :: tail == pos ->
                    tail = pos + 1;
                    aq[aqt % QN] = v; aqt++; pushing++; pushed[v] = 1;
                    claimed = 1
                :: else -> pos = tail  /* the CAS failed: reload */
                fi
            }
        :: s < pos ->
            /* The cell still holds the element C positions back: the queue
             * is full, unless that element's consumer is mid-way. */
            assert(fair);
            refused = 1
        :: s > pos -> pos = tail
        fi
    od;
    if
    :: claimed ->
        val[pos % C] = v;
        atomic { seq[pos % C] = pos + 1; pushing-- }
    :: else -> skip
    fi
}

/* One pop; got is set if it took a value (checked against aq). */
inline pop(got)
{
    got = 0;
    nothing = 0; /* set if the ring answered "empty" */
    pos = head;
    do
    :: got || nothing -> break
    :: else ->
        atomic { s = seq[pos % C]; fair = (aqt == aqh || pushing > 0) }
        if
        :: s == pos + 1 ->
            atomic {
                if
                :: head == pos ->
                    head = pos + 1;
                    want = aq[aqh % QN]; aqh++; popping++;
                    got = 1
                :: else -> pos = head
                fi
            }
        :: s < pos + 1 ->
            /* Not filled for pos: the queue is empty, unless pos's producer
             * is mid-way. */
            assert(fair);
            nothing = 1
        :: s > pos + 1 -> pos = head
        fi
    od;
    if
    :: got ->
        v = val[pos % C];
        assert(v == want);
        atomic { seen[v]++; assert(seen[v] == 1) };
        atomic { seq[pos % C] = pos + C; popping-- }
    :: else -> skip
    fi
}

proctype producer(byte id)
{
    byte pos, s, k, v;
    bit claimed, refused, fair;
    for (k : 1 .. OPS) {
        v = id * OPS + k;
        push(v, refused);
progress_push:
        skip
    }
}

proctype consumer()
{
    byte pos, s, k, v, want;
    bit got, nothing, fair;
    for (k : 1 .. OPS) {
        pop(got);
progress_pop:
        skip
    }
}

init
{
    byte i, pos, s, v, want;
    bit got, nothing, fair;
    for (i : 0 .. C - 1) {
        seq[i] = i
    }
    atomic {
        for (i : 0 .. PRODUCERS - 1) {
            run producer(i)
        }
        for (i : 1 .. CONSUMERS) {
            run consumer()
        }
    }
    (_nr_pr == 1);
    /* Alone now: drain what is left; it must be exactly aq's contents. */
    do
    :: aqh != aqt -> pop(got); assert(got)
    :: else -> break
    od;
    pop(got);
    assert(!got);
    for (i : 1 .. VALUES - 1) {
        assert(seen[i] == pushed[i])
    }
}
