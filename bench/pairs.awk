# pairs.awk - the paired ratios of a benchmark run's second set of
# processes.  run.sh runs each comparison of comparisons.txt (summary.awk
# want=1: workload size threads, then impl chunk tuning of wq and of the
# peer) as pairs of processes, wq and the peer one right after the other,
# the order swapped from one pair to the next; the rows (raw.csv's columns)
# carry "ID:K" as their rep: comparison ID (its line), pair K.
#   awk -F, -f pairs.awk -v comparisons=comparisons.txt pairs.csv > ratios.csv
# For each comparison: the number of pairs where both ran and were right,
# the median of the pairs' ratios wq/peer, and a distribution-free
# confidence interval of that median from the order statistics: the k-th
# smallest and k-th largest ratio, k the largest for which the binomial
# coverage 1 - 2 P(Bin(n, 1/2) < k) is at least 95% (with 5 pairs or fewer
# no k reaches it, and the interval is the smallest to the largest ratio,
# its coverage said beside it).  Then the same for the pairs' differences
# wq - peer (in the rows' unit), the statistic for figures that are
# themselves differences near zero, such as schedbench's per-chunk
# overhead: a ratio of two such figures is unstable (a pair in which the
# peer's figure is a little below zero gives a large negative ratio),
# while their difference stays on the scale of the noise.

BEGIN {
    while ((getline line < comparisons) > 0) {
        nc++
        split(line, f, " ")
        KEY[nc] = f[1]
        for (i = 2; i <= 9; i++) KEY[nc] = KEY[nc] "," f[i]
        WS[nc] = f[1] "," f[2]
        A[nc] = f[4] "," f[5] "," f[6]
        B[nc] = f[7] "," f[8] "," f[9]
    }
    print "workload,size,threads,impl,chunk,tuning,peer,peer_chunk," \
          "peer_tuning,pairs,ratio,ratio_lo,ratio_hi,coverage,diff,diff_lo," \
          "diff_hi"
}

$9 != "FAILED" && $6 != "" && split($11, r, ":") == 2 {
    id = r[1]; k = r[2]
    if ($1 "," $4 != WS[id]) next # a second row of the process (-spin)
    who = $2 "," $5 "," $10
    if (who == A[id]) a[id, k] = $6 + 0
    else if (who == B[id]) b[id, k] = $6 + 0
    if (k > kmax) kmax = k
}

# P(Bin(n, 1/2) <= j).
function binom_cdf(n, j,   p, c, i) {
    p = 0; c = 1
    for (i = 0; i <= j; i++) {
        p += c
        c = c * (n - i) / (i + 1)
    }
    return p / 2 ^ n
}

# Sorts x[1..n] (an insertion sort: a few dozen values).
function sort_x(n,   i, j, t) {
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && x[j - 1] > x[j]; j--) {
            t = x[j]; x[j] = x[j - 1]; x[j - 1] = t
        }
}

function median_x(n) {
    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
}

END {
    for (id = 1; id <= nc; id++) {
        n = 0
        for (k = 1; k <= kmax; k++)
            if ((id, k) in a && (id, k) in b && b[id, k] != 0) {
                x[++n] = a[id, k] / b[id, k]
                d[n] = a[id, k] - b[id, k]
            }
        if (!n) continue
        lo = 1
        while (lo < n / 2 && 1 - 2 * binom_cdf(n, lo) >= 0.95) lo++
        cover = n > 1 ? 1 - 2 * binom_cdf(n, lo - 1) : 0
        sort_x(n)
        printf "%s,%d,%.6g,%.6g,%.6g,%.3f", KEY[id], n, median_x(n), x[lo],
               x[n + 1 - lo], cover
        for (i = 1; i <= n; i++) x[i] = d[i]
        sort_x(n)
        printf ",%.6g,%.6g,%.6g\n", median_x(n), x[lo], x[n + 1 - lo]
    }
}
