# summary.awk - the targets of the benchmark, the seed workloads and the
# loops between serial steps at the largest thread count, as Markdown, from
# results.csv (the README's tables).
#   awk -F, -f summary.awk [-v ratios=ratios.csv] results.csv
#   awk -F, -f summary.awk -v want=1 results.csv > comparisons.txt
# Every time is a median over processes; "best peer" is the fastest
# configuration of any other runtime (any schedule, chunk or tuning) in
# results.csv, the first set of processes.  A ratio wq/peer comes from
# ratios.csv (pairs.awk): the median, with its confidence interval, of the
# ratios of pairs of processes run in alternation after the first set, so
# the set that chose the peer is not the one that measures it.  The
# per-chunk target of schedbench, whose figures are differences near zero,
# is judged by the pairs' differences wq - peer instead (diff_target); the
# same target measured on empty chunks (dispatch) is a ratio again.  Without
# ratios.csv the ratio is the first set's medians' (marked "unpaired").
# With want=1 it prints instead the comparisons it needs measured, one a
# line: workload size threads, then impl chunk tuning of wq and of the peer.

BEGIN {
    if (ratios != "")
        while ((getline line < ratios) > 0) {
            nf = split(line, f, ",")
            if (nf < 14 || f[1] == "workload") continue
            k = f[1]; for (i = 2; i <= 9; i++) k = k SUBSEP f[i]
            PN[k] = f[10]; PM[k] = f[11]; PL[k] = f[12]; PH[k] = f[13]
            PC[k] = f[14]
            if (nf >= 17) { PD[k] = f[15]; PDL[k] = f[16]; PDH[k] = f[17] }
        }
}

NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
# The CPU spent during serial steps, by the solver row it belongs to.
$col["median"] != "" && $col["workload"] ~ /-spin$/ && $col["workload"] != "idle-spin" {
    spin[$col["workload"], $col["impl"], $col["threads"] + 0, $col["size"],
         $col["tuning"]] = $col["median"]
    next
}
$col["median"] != "" {
    n++
    W[n] = $col["workload"]; I[n] = $col["impl"]; T[n] = $col["threads"] + 0
    S[n] = $col["size"]; C[n] = $col["chunk"]; TU[n] = $col["tuning"]
    M[n] = $col["median"] + 0; SP[n] = $col["speedup"]; EF[n] = $col["efficiency"]
    KF[n] = $col["karp_flatt"]
    if (T[n] > maxt && W[n] != "slowadd") maxt = T[n]
    if (W[n] ~ /^solver-[0-9]+$/) solver = 1
    if (!cpu) { cpu = $col["cpu"]; cores = $col["cores"]; kernel = $col["kernel"] }
}

function name(k) {
    return I[k] (C[k] != 0 && W[k] != "sched" && W[k] != "dispatch" ? \
                 " c=" C[k] : "") \
           (TU[k] != "default" ? " " TU[k] : "")
}

# The row of impl (chunk c, "" for any) for workload w, size s, threads t.
function row(w, s, t, impl, c,   k) {
    for (k = 1; k <= n; k++)
        if (W[k] == w && (s == "" || S[k] == s) && T[k] == t && I[k] == impl &&
            (c == "" || C[k] == c) && TU[k] == "default")
            return k
    return 0
}

# The fastest row whose impl matches the regular expression re (and whose
# tuning is tu, "" for any).
function best(w, s, t, re, c, tu,   k, b) {
    b = 0
    for (k = 1; k <= n; k++)
        if (W[k] == w && (s == "" || S[k] == s) && T[k] == t && I[k] ~ re &&
            (c == "" || C[k] == c) && (tu == "" || TU[k] == tu) &&
            (!b || M[k] < M[b]))
            b = k
    return b
}

# The comparison of rows a (wq's) and b (the peer's): its key in ratios.csv.
function pair_key(a, b) {
    return W[a] SUBSEP S[a] SUBSEP T[a] SUBSEP I[a] SUBSEP C[a] SUBSEP \
           TU[a] SUBSEP I[b] SUBSEP C[b] SUBSEP TU[b]
}

# wq/peer for rows a and b: the paired median if measured, else the ratio
# of the medians; sets RLO and RHI (its interval, "" if none).  With want,
# records the comparison instead.
function ratio(a, b,   k) {
    k = pair_key(a, b)
    RLO = RHI = ""
    if (want) {
        if (!(k in wanted)) {
            wanted[k] = 1
            print W[a], S[a], T[a], I[a], C[a], TU[a], I[b], C[b], TU[b]
        }
    } else if (k in PM && PN[k] > 0) {
        RLO = PL[k]; RHI = PH[k]
        return PM[k] + 0
    }
    return M[b] != 0 ? M[a] / M[b] : 0
}

# The ratio as the tables print it: "0.98 [0.95, 1.01]", or "0.98
# (unpaired)" when no pairs measured it.
function show(x, digits,   f) {
    f = "%." digits "f"
    if (RLO == "") return sprintf(f " (unpaired)", x)
    return sprintf(f " [" f ", " f "]", x, RLO, RHI)
}

function us(x) { return sprintf("%.3f us", x * 1e6) }
function secs(x) { return x < 1e-3 ? us(x) : sprintf("%.4f s", x) }
function verdict(ok) { return ok ? "met" : "**missed**" }

# The verdict of a ratio x (interval RLO to RHI) against an upper bound: a
# miss whose interval holds the bound is said to be within the noise.
function bound_verdict(x, bound) {
    if (x <= bound) return "met"
    if (RLO != "" && RLO + 0 <= bound) return "**missed** (within noise)"
    return "**missed**"
}

# One target line: what, wq's figure, the peers', wq/peer, the verdict.
function target(what, mine, theirs, r, v) {
    if (!want)
        printf "| %s | %s | %s | %s | %s |\n", what, mine, theirs, r, v
}

# A target "wq/peer <= bound" of rows a and b.
function ratio_target(what, a, b, mine, theirs, digits, bound,   x) {
    x = ratio(a, b)
    target(what, mine, theirs " (" name(b) ")", show(x, digits),
           bound_verdict(x, bound))
}

# A target "wq's figure <= the peer's" of rows a and b judged by the
# paired differences wq - peer (ratios.csv), for figures that are
# themselves differences near zero (pairs.awk says why); shown in ns, and
# judged as a ratio is, against a bound of 0.  Without pairs, the
# difference of the first set's medians (unpaired).
function diff_target(what, a, b,   k, x, shown) {
    if (want) { ratio(a, b); return } # records the comparison
    k = pair_key(a, b)
    RLO = ""
    if (k in PD && PN[k] > 0) {
        x = PD[k] * 1e9; RLO = PDL[k] * 1e9
        shown = sprintf("wq - peer %+.1f ns [%+.1f, %+.1f]", x, RLO,
                        PDH[k] * 1e9)
    } else {
        x = (M[a] - M[b]) * 1e9
        shown = sprintf("wq - peer %+.1f ns (unpaired)", x)
    }
    target(what, sprintf("%.1f ns", M[a] * 1e9),
           sprintf("%.1f ns", M[b] * 1e9) " (" name(b) ")", shown,
           bound_verdict(x, 0))
}

function overhead_target(w, label, re,   a, b) {
    a = row(w, "", maxt, "wq", ""); b = best(w, "", maxt, re, "")
    if (a && b) ratio_target(label, a, b, us(M[a]), us(M[b]), 2, 1)
}

function targets(   a, b, k, t, worst, wc, w, u, dyn) {
    if (!want) {
        printf "| target (%d threads) | wq | best peer | wq/peer [CI] | |\n", maxt
        printf "| --- | --- | --- | --- | --- |\n"
    }
    overhead_target("forkjoin", "fork-join overhead <= best peer's (aim 1/2)",
                    "^(gomp|omp|tbb|ptp)")
    overhead_target("forkjoin-cold", "(info) fork-join from sleep, after the spin window",
                    "^(gomp|omp|tbb|ptp)")
    overhead_target("reduction", "(info) reduction overhead", "^(gomp|omp|tbb|ptp)")
    # Per-chunk overhead: the worst ratio of medians over the chunk sizes
    # (chosen on the first set, measured in pairs as every other).  The
    # peers are the dynamic schedules the target names (bench/plan.sh).
    dyn = "^(gomp-dynamic|omp-dynamic|tbb$|ptp-1d)"
    worst = 0
    for (k = 1; k <= n; k++) {
        if (W[k] != "sched" || I[k] != "wq" || T[k] != maxt) continue
        b = best("sched", "", maxt, dyn, C[k])
        if (b && M[b] > 0 && (!worst || M[k] / M[b] > M[worst] / M[wc])) {
            worst = k; wc = b
        }
    }
    a = row("sched", "", maxt, "wq", "1")
    b = best("sched", "", maxt, dyn, "1")
    if (a && b)
        diff_target("per-chunk overhead <= best dynamic schedule, chunk 1",
                    a, b)
    a = row("dispatch", "", maxt, "wq", "1")
    b = best("dispatch", "", maxt, dyn, "1")
    if (a && b)
        ratio_target("per-chunk cost <= best dynamic schedule, chunk 1, empty body",
                     a, b, sprintf("%.2f ns", M[a] * 1e9),
                     sprintf("%.2f ns", M[b] * 1e9), 2, 1)
    if (worst)
        ratio_target("(info) per-chunk overhead, worst ratio over chunk sizes (" \
                     C[worst] ")", worst, wc, sprintf("%.1f ns", M[worst] * 1e9),
                     sprintf("%.1f ns", M[wc] * 1e9), 2, 1)
    for (t = 1; t <= maxt; t++) {
        a = row("pi", "", t, "wq", "")
        if (a) target("pi efficiency >= 97.5%, " t " thread" (t > 1 ? "s" : ""),
                      sprintf("%.1f%%", 100 * EF[a]), "-", "-",
                      verdict(EF[a] >= 0.975))
    }
    split("tri expo", u, " ")
    for (w = 1; w <= 2; w++) {
        a = row(u[w], "", maxt, "wq", "0"); b = best(u[w], "", maxt, "^(gomp|omp)-", "")
        if (a && b)
            ratio_target(u[w] " with chunk 0 within 5% of best OpenMP schedule",
                         a, b, secs(M[a]), secs(M[b]), 3, 1.05)
    }
    a = row("pi", "", maxt, "wq", ""); b = row("pi", "", maxt, "wq-unordered", "")
    if (a && b)
        ratio_target("deterministic reduce <= 3% slower than unordered (pi)",
                     a, b, secs(M[a]), secs(M[b]), 3, 1.03)
    a = row("scan", "", maxt, "wq", "")
    b = best("scan", "", maxt, "^(gomp|omp|tbb)", "")
    if (a && b)
        ratio_target("prefix sum (scan) <= best of oneTBB and OpenMP scan",
                     a, b, secs(M[a]), secs(M[b]), 3, 1)
    a = row("stencil", "", maxt, "wq", "0")
    b = best("stencil", "", maxt, "^(gomp|omp|tbb|ptp)", "")
    if (a && b)
        ratio_target("tiled 2-D stencil (tile 0) <= best peer's 2-D loop",
                     a, b, secs(M[a]), secs(M[b]), 2, 1)
    a = row("idle", "", maxt, "wq", "")
    b = best("idle", "", maxt, "^(gomp|omp|tbb|ptp|cthpool)", "")
    if (a) target("idle pool < 1% of a CPU", sprintf("%.3f%%", 100 * M[a]),
                  b ? sprintf("%.3f%%", 100 * M[b]) " (" name(b) ")" : "-", "-",
                  verdict(M[a] < 0.01))
}

# Karp-Flatt's serial fraction of row k, "-" on one thread.
function kf(k) { return KF[k] == "" ? "-" : sprintf("%.3f", KF[k]) }

# The seed workloads: serial time, wq, and the best peer, at maxt threads.
function seeds(   k, w, s, t, a, b, p, x, seen) {
    if (!want) {
        printf "\n| workload (%d threads) | serial | wq | speedup | serial fraction | best peer | its speedup | wq/peer [CI] |\n", maxt
        printf "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
    }
    for (k = 1; k <= n; k++) {
        w = W[k]; s = S[k]
        if (I[k] != "serial" || (w SUBSEP s) in seen) continue
        seen[w SUBSEP s] = 1
        t = w == "slowadd" ? 10 : maxt
        a = row(w, s, t, "wq", "")
        b = best(w, s, t, "^(gomp|omp|tbb|ptp|cthpool)", "")
        if (!a) continue
        x = b ? ratio(a, b) : 0
        if (!want)
            printf "| %s %s%s | %s | %s | %.2f | %s | %s | %s | %s |\n", w, s,
                   w == "slowadd" ? " (10 threads)" : "", secs(M[k]),
                   secs(M[a]), SP[a], kf(a), b ? secs(M[b]) " " name(b) : "-",
                   b ? sprintf("%.2f", SP[b]) : "-", b ? show(x, 2) : "-"
    }
    p = best("pi", "", maxt, "^python-pool", "")
    if (p && !want)
        printf "| pi (Python Pool.map) | %s | - | %.2f | %s | | | |\n",
               secs(M[p]), SP[p], kf(p)
}

# A solver cell: the loop time and, after a serial step, the CPU the
# runtime's other threads used during the steps.
function loop_cell(k,   sp) {
    if (!k) return "-"
    sp = spin[W[k] "-spin", I[k], T[k], S[k], TU[k]]
    return secs(M[k]) (sp == "" ? "" : sprintf(" (%.1f%%)", 100 * sp))
}

# Loops between serial steps: a row per work and serial step, wq against
# the best of the OpenMP runtimes, oneTBB and pthreadpool at their
# defaults (the active OpenMP policies are shown, not chosen).
function solver_table(   k, w, st, s, a, b, x, m, i, list, sorter, cells, re) {
    if (!solver) return
    re = "^(gomp|omp|tbb|ptp)"
    if (!want) {
        printf "\n| work a thread (%d threads) | serial step | wq | libgomp | libomp | oneTBB | pthreadpool | libgomp active | libomp active | wq/best [CI] | <= 1.02 |\n", maxt
        printf "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    }
    m = 0
    for (k = 1; k <= n; k++) {
        if (W[k] !~ /^solver-[0-9]+$/ || I[k] != "wq" || T[k] != maxt) continue
        st = W[k]; sub(/^solver-/, "", st)
        list[++m] = k; sorter[m] = S[k] * 1e9 + st
    }
    # By work, then serial step (an insertion sort: a few dozen rows).
    for (i = 2; i <= m; i++)
        for (k = i; k > 1 && sorter[k - 1] > sorter[k]; k--) {
            x = sorter[k]; sorter[k] = sorter[k - 1]; sorter[k - 1] = x
            x = list[k]; list[k] = list[k - 1]; list[k - 1] = x
        }
    for (i = 1; i <= m; i++) {
        a = list[i]; w = W[a]; s = S[a]
        st = w; sub(/^solver-/, "", st); st += 0
        b = best(w, s, maxt, re, "", "default")
        x = b ? ratio(a, b) : 0
        if (want) continue
        cells = ""
        cells = cells " | " loop_cell(row(w, s, maxt, "gomp-static", ""))
        cells = cells " | " loop_cell(row(w, s, maxt, "omp-static", ""))
        cells = cells " | " loop_cell(row(w, s, maxt, "tbb", ""))
        cells = cells " | " loop_cell(row(w, s, maxt, "ptp-1d", ""))
        cells = cells " | " loop_cell(tuned(w, s, maxt, "gomp-static", "active"))
        cells = cells " | " loop_cell(tuned(w, s, maxt, "omp-static", "active"))
        printf "| %s us | %s | %s%s | %s | %s |\n", s, step_name(st),
               loop_cell(a), cells, b ? show(x, 2) : "-",
               b ? bound_verdict(x, 1.02) : "-"
    }
}

function step_name(u) {
    if (u == 0) return "0"
    return u >= 1000 ? (u / 1000) " ms" : u " us"
}

# The row of impl at tuning tu.
function tuned(w, s, t, impl, tu,   k) {
    for (k = 1; k <= n; k++)
        if (W[k] == w && S[k] == s && T[k] == t && I[k] == impl && TU[k] == tu)
            return k
    return 0
}

END {
    if (!n) exit 1
    if (!want) printf "Machine: %s, %s; %s.\n\n", cpu, cores, kernel
    targets()
    seeds()
    solver_table()
}
