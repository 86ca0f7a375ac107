# summary.awk - the targets of the benchmark and the seed workloads at the
# largest thread count, as Markdown, from results.csv (the README's tables).
#   awk -F, -f summary.awk results.csv
# Every figure is a median over processes; "best peer" is the fastest
# configuration of any other runtime (any schedule, chunk or tuning).

NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
$col["median"] != "" {
    n++
    W[n] = $col["workload"]; I[n] = $col["impl"]; T[n] = $col["threads"] + 0
    S[n] = $col["size"]; C[n] = $col["chunk"]; TU[n] = $col["tuning"]
    M[n] = $col["median"] + 0; SP[n] = $col["speedup"]; EF[n] = $col["efficiency"]
    if (T[n] > maxt && W[n] != "slowadd") maxt = T[n]
    if (!cpu) { cpu = $col["cpu"]; cores = $col["cores"]; kernel = $col["kernel"] }
}

function name(k) {
    return I[k] (C[k] != 0 && W[k] != "sched" ? " c=" C[k] : "") \
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

# The fastest row whose impl matches the regular expression re.
function best(w, s, t, re, c,   k, b) {
    b = 0
    for (k = 1; k <= n; k++)
        if (W[k] == w && (s == "" || S[k] == s) && T[k] == t && I[k] ~ re &&
            (c == "" || C[k] == c) && (!b || M[k] < M[b]))
            b = k
    return b
}

function us(x) { return sprintf("%.3f us", x * 1e6) }
function secs(x) { return x < 1e-3 ? us(x) : sprintf("%.4f s", x) }
function verdict(ok) { return ok ? "met" : "**missed**" }

# One target line: what, wq's figure, the peers', wq/peer, met or not.
function target(what, mine, theirs, ratio, ok) {
    printf "| %s | %s | %s | %s | %s |\n", what, mine, theirs, ratio, verdict(ok)
}

function overhead_target(w, label, re,   a, b) {
    a = row(w, "", maxt, "wq", ""); b = best(w, "", maxt, re, "")
    if (a && b)
        target(label, us(M[a]), us(M[b]) " (" name(b) ")",
               sprintf("%.2f", M[a] / M[b]), M[a] <= M[b])
}

function targets(   a, b, k, t, worst, wc, w, u) {
    printf "| target (%d threads) | wq | best peer | wq/peer | |\n", maxt
    printf "| --- | --- | --- | --- | --- |\n"
    overhead_target("forkjoin", "fork-join overhead <= best peer's (aim 1/2)",
                    "^(gomp|omp|tbb|ptp)")
    overhead_target("forkjoin-cold", "(info) fork-join from sleep, after the spin window",
                    "^(gomp|omp|tbb|ptp)")
    overhead_target("reduction", "(info) reduction overhead", "^(gomp|omp|tbb|ptp)")
    # Per-chunk overhead: the worst ratio over the chunk sizes measured.
    worst = 0
    for (k = 1; k <= n; k++) {
        if (W[k] != "sched" || I[k] != "wq" || T[k] != maxt) continue
        b = best("sched", "", maxt, "^(gomp-dynamic|omp-dynamic|tbb$|ptp-1d)", C[k])
        if (b && M[b] > 0 && (!worst || M[k] / M[b] > M[worst] / M[wc])) {
            worst = k; wc = b
        }
    }
    a = row("sched", "", maxt, "wq", "1")
    b = best("sched", "", maxt, "^(gomp-dynamic|omp-dynamic|tbb$|ptp-1d)", "1")
    if (a && b)
        target("per-chunk overhead <= best dynamic schedule, chunk 1",
               sprintf("%.1f ns", M[a] * 1e9),
               sprintf("%.1f ns", M[b] * 1e9) " (" name(b) ")",
               sprintf("%.2f", M[a] / M[b]), M[a] <= M[b])
    if (worst)
        target("(info) per-chunk overhead, worst ratio over chunk sizes (" \
               C[worst] ")", sprintf("%.1f ns", M[worst] * 1e9),
               sprintf("%.1f ns", M[wc] * 1e9) " (" name(wc) ")",
               sprintf("%.2f", M[worst] / M[wc]), M[worst] <= M[wc])
    for (t = 1; t <= maxt; t++) {
        a = row("pi", "", t, "wq", "")
        if (a) target("pi efficiency >= 97.5%, " t " thread" (t > 1 ? "s" : ""),
                      sprintf("%.1f%%", 100 * EF[a]), "-", "-", EF[a] >= 0.975)
    }
    split("tri expo", u, " ")
    for (w = 1; w <= 2; w++) {
        a = row(u[w], "", maxt, "wq", "0"); b = best(u[w], "", maxt, "^(gomp|omp)-", "")
        if (a && b) target(u[w] " with chunk 0 within 5% of best OpenMP schedule",
                           secs(M[a]), secs(M[b]) " (" name(b) ")",
                           sprintf("%.3f", M[a] / M[b]), M[a] <= 1.05 * M[b])
    }
    a = row("pi", "", maxt, "wq", ""); b = row("pi", "", maxt, "wq-unordered", "")
    if (a && b) target("deterministic reduce <= 3% slower than unordered (pi)",
                       secs(M[a]), secs(M[b]) " (wq-unordered)",
                       sprintf("%.3f", M[a] / M[b]), M[a] <= 1.03 * M[b])
    a = row("idle", "", maxt, "wq", "")
    b = best("idle", "", maxt, "^(gomp|omp|tbb|ptp|cthpool)", "")
    if (a) target("idle pool < 1% of a CPU", sprintf("%.3f%%", 100 * M[a]),
                  b ? sprintf("%.3f%%", 100 * M[b]) " (" name(b) ")" : "-", "-",
                  M[a] < 0.01)
}

# The seed workloads: serial time, wq, and the best peer, at maxt threads.
function seeds(   k, w, s, r, a, b, p, seen) {
    printf "\n| workload (%d threads) | serial | wq | speedup | best peer | its speedup | wq/peer |\n", maxt
    printf "| --- | --- | --- | --- | --- | --- | --- |\n"
    for (k = 1; k <= n; k++) {
        w = W[k]; s = S[k]
        if (I[k] != "serial" || (w SUBSEP s) in seen) continue
        seen[w SUBSEP s] = 1
        a = row(w, s, w == "slowadd" ? 10 : maxt, "wq", "")
        b = best(w, s, w == "slowadd" ? 10 : maxt, "^(gomp|omp|tbb|ptp|cthpool)", "")
        if (!a) continue
        printf "| %s %s%s | %s | %s | %.2f | %s | %s | %.2f |\n", w, s,
               w == "slowadd" ? " (10 threads)" : "", secs(M[k]), secs(M[a]),
               SP[a], b ? secs(M[b]) " " name(b) : "-",
               b ? sprintf("%.2f", SP[b]) : "-", b ? M[a] / M[b] : 0
    }
    p = best("pi", "", maxt, "^python-pool", "")
    if (p) printf "| pi (Python Pool.map) | %s | - | %.2f | | | |\n", secs(M[p]), SP[p]
}

END {
    if (!n) exit 1
    printf "Machine: %s, %s; %s.\n\n", cpu, cores, kernel
    targets()
    seeds()
}
