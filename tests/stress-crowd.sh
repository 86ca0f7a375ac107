#!/bin/sh
# stress-crowd.sh - the stress test's crowd mode for make check: more
# application threads than WQ_CALLERS_MAX, more live groups than the job
# board's first 256 slots, for two seconds.
exec ./tests/stress crowd 2
