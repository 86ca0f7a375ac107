# report.awk - turn the driver's raw rows into tables, results.csv and the
# plots' data.  Input: raw rows without header, sorted so that the runs of
# one configuration are adjacent and in ascending order of their time:
#   1 workload 2 impl 3 threads 4 size 5 chunk 6 median 7 min 8 max
#   9 check 10 tuning 11 rep
# Variables: csv (the output file), machine (machine.txt), data (the folder
# for the plots' data files), order (the workloads in the order of tables).
BEGIN {
    FS = ","
    # Workloads whose figure is an overhead (seconds per construct or per
    # chunk, or a fraction of a CPU) rather than a time to compare with the
    # serial loop.
    split("forkjoin forkjoin-cold reduction sched dispatch idle idle-spin", o, " ")
    for (i in o) overhead[o[i]] = 1
    while ((getline line < machine) > 0) {
        k = line; sub(/:.*/, "", k); v = line; sub(/^[^:]*: */, "", v)
        gsub(/,/, ";", v)
        mach[k] = v
    }
    ng = 0
    bad = 0
}

function key(f) { return f[1] "," f[2] "," f[10] "," f[3] "," f[4] "," f[5] }

function close_group(   n, m) {
    if (!cur) return
    n = cnt
    m = (n % 2) ? vals[(n + 1) / 2] : (vals[n / 2] + vals[n / 2 + 1]) / 2
    ng++
    W[ng] = gw; I[ng] = gi; T[ng] = gt + 0; S[ng] = gs; C[ng] = gc
    TU[ng] = gtu; MED[ng] = m; LO[ng] = glo; HI[ng] = ghi; N[ng] = n
    CHK[ng] = gchk
    if (gfail) { CHK[ng] = "FAILED"; MED[ng] = "" }
}

{
    split($0, f, ",")
    k = key(f)
    if (k != cur) {
        close_group()
        cur = k; cnt = 0; gfail = 0
        gw = f[1]; gi = f[2]; gt = f[3]; gs = f[4]; gc = f[5]; gtu = f[10]
        glo = ""; ghi = ""; gchk = f[9]
    }
    if (f[9] == "FAILED" || f[6] == "") { gfail = 1; next }
    if (f[9] != gchk) gchk = "VARIES"
    vals[++cnt] = f[6] + 0
    if (glo == "" || f[7] + 0 < glo) glo = f[7] + 0
    if (ghi == "" || f[8] + 0 > ghi) ghi = f[8] + 0
}

# The reference of a group: the serial run of the same workload and size
# (python-serial for Python), and wq's default run beside it.
function find(w, impl, t, s, c, tu,   g) {
    for (g = 1; g <= ng; g++)
        if (W[g] == w && I[g] == impl && T[g] == t && S[g] == s &&
            (c == "" || C[g] == c) && (tu == "" || TU[g] == tu) &&
            MED[g] != "")
            return g
    return 0
}

# The name of g's line in a plot: impl, chunk if set, tuning if any.
function series(g,   s) {
    s = I[g]
    if (C[g] != 0 && W[g] != "sched") s = s " c=" C[g]
    if (TU[g] != "default") s = s " " TU[g]
    return s
}

function config(g) { return TU[g] == "default" ? I[g] : I[g] " " TU[g] }

function omp_vars(g) {
    if (I[g] !~ /^(gomp|omp)-/) return "-,-,-"
    if (TU[g] == "active") return "active,infinite,infinite"
    return "unset,unset,unset"
}

function analyse(g,   r, ref, wq) {
    SP[g] = ""; EF[g] = ""; KF[g] = ""; RW[g] = ""; UNIT[g] = "s"
    if (MED[g] == "") return
    if (W[g] ~ /^idle/ || W[g] ~ /-spin$/) UNIT[g] = "cpu"
    if (!(W[g] in overhead)) {
        ref = find(W[g], I[g] ~ /^python/ ? "python-serial" : "serial", 1, S[g], 0, "")
        if (ref && MED[g] > 0) {
            SP[g] = MED[ref] / MED[g]
            EF[g] = SP[g] / T[g]
            # Karp-Flatt: the serial fraction e that Amdahl's law would
            # need to give this speedup on T threads, overheads included.
            if (T[g] > 1 && SP[g] > 0)
                KF[g] = (1 / SP[g] - 1 / T[g]) / (1 - 1 / T[g])
            if (CHK[g] != CHK[ref]) CHK[g] = "WRONG:" CHK[g]
        }
    }
    wq = find(W[g], "wq", T[g], S[g], W[g] == "sched" ? C[g] : 0, "")
    if (!wq) wq = find(W[g], "wq", T[g], S[g], "", "")
    if (wq && MED[g] != 0) RW[g] = MED[wq] / MED[g]
    if (CHK[g] ~ /^(WRONG|FAILED|VARIES|MISSED)/) bad++
}

function fmt(x, unit) {
    if (x == "") return "-"
    if (unit == "cpu") return sprintf("%.2f%%", 100 * x)
    if (x < 1e-6 && x > -1e-6 && x != 0) return sprintf("%.2fns", x * 1e9)
    if (x < 1e-3 && x > -1e-3) return sprintf("%.3fus", x * 1e6)
    return sprintf("%.4fs", x)
}

# Serial first, then wq, then the peers.
function rank(impl) {
    if (impl ~ /serial$/) return 0
    if (impl == "wq") return 1
    if (impl ~ /^wq-/) return 2
    return 3
}

function table_header(w, s) {
    printf "\n== %s%s\n", w, s == "" ? "" : "  (size " s ")"
    printf "%-20s %6s %4s %10s %10s %10s %8s %6s %7s %8s  %s\n", "impl",
           "chunk", "thr", "median", "min", "max", "speedup", "eff", "kf-e",
           "wq/this", "check"
}

# "kf-e" is the Karp-Flatt serial fraction; a solver row ends with the
# CPU the other threads used during the serial steps (its -spin row).
function table_row(g,   sp) {
    sp = W[g] ~ /^solver-[0-9]+$/ ? find(W[g] "-spin", I[g], T[g], S[g], C[g], TU[g]) : 0
    printf "%-20s %6s %4d %10s %10s %10s %8s %6s %7s %8s  %s%s\n", config(g),
           C[g] == 0 ? "-" : C[g], T[g],
           fmt(MED[g], UNIT[g]), fmt(LO[g], UNIT[g]), fmt(HI[g], UNIT[g]),
           SP[g] == "" ? "-" : sprintf("%.2f", SP[g]),
           EF[g] == "" ? "-" : sprintf("%.1f%%", 100 * EF[g]),
           KF[g] == "" ? "-" : sprintf("%.3f", KF[g]),
           RW[g] == "" ? "-" : sprintf("%.3f", RW[g]), CHK[g],
           sp ? "  spin " fmt(MED[sp], "cpu") : ""
}

function csv_row(g) {
    printf "%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
           W[g], I[g], T[g], S[g], C[g], TU[g], MED[g], LO[g], HI[g],
           UNIT[g], N[g], SP[g], EF[g], KF[g], RW[g], CHK[g], omp_vars(g),
           mach["cpu"], mach["cores"], mach["kernel"] > csv
}

# Plot data: one block per series, its title on the first line; gnuplot
# reads the blocks with `index` and `columnheader`.  Points arrive table by
# table, so they are kept until all are known and written series by series.
function plot_point(file, title, x, y, lo, hi,   k) {
    k = file SUBSEP title
    if (!(k in npts)) {
        if (!(file in nser)) files[++nfiles] = file
        ser[file, ++nser[file]] = title
    }
    pts[k, ++npts[k]] = x " " y " " lo " " hi
}

# Sorts the points of series k by x (an insertion sort: a few dozen).
function sort_points(k,   i, j, x, y, p) {
    for (i = 2; i <= npts[k]; i++) {
        p = pts[k, i]; split(p, x, " ")
        for (j = i; j > 1; j--) {
            split(pts[k, j - 1], y, " ")
            if (y[1] + 0 <= x[1] + 0) break
            pts[k, j] = pts[k, j - 1]
        }
        pts[k, j] = p
    }
}

# Whether series a is drawn before series b: wq's first, then by name, so
# that a runtime keeps its place, and with it its colour, from one plot to
# the next (the points arrive in the order of the runs, which differs).
function before(a, b,   wa, wb) {
    wa = a ~ /^wq( |-|$)/; wb = b ~ /^wq( |-|$)/
    if (wa != wb) return wa
    return a < b
}

# Sorts the series of file into that order (an insertion sort: a dozen).
function sort_series(file,   i, j, t) {
    for (i = 2; i <= nser[file]; i++) {
        t = ser[file, i]
        for (j = i; j > 1 && before(t, ser[file, j - 1]); j--)
            ser[file, j] = ser[file, j - 1]
        ser[file, j] = t
    }
}

function write_plots(   f, i, j, file, k) {
    for (f = 1; f <= nfiles; f++) {
        file = files[f]
        printf "" > file
        sort_series(file)
        for (i = 1; i <= nser[file]; i++) {
            k = file SUBSEP ser[file, i]
            sort_points(k)
            printf "%s\"%s\"\n", (i > 1 ? "\n\n" : ""), ser[file, i] >> file
            for (j = 1; j <= npts[k]; j++) print pts[k, j] >> file
        }
        close(file)
    }
}

# Lines worth drawing: a plot with every configuration is unreadable, so a
# speedup plot shows, for each runtime, its fastest configuration on the
# most threads; the sort plot the default tuning; the schedbench plot the
# dynamic schedules that its target names.
function family(impl) {
    if (impl ~ /^(wq|serial|python)/) return impl
    sub(/-.*/, "", impl)
    return impl
}

function choose_lines(   g, k) {
    for (g = 1; g <= ng; g++)
        if (MED[g] != "" && T[g] > top[W[g], S[g]]) top[W[g], S[g]] = T[g]
    for (g = 1; g <= ng; g++) {
        if (MED[g] == "" || T[g] != top[W[g], S[g]]) continue
        k = W[g] SUBSEP S[g] SUBSEP family(I[g])
        if (!(k in rep) || MED[g] < MED[rep[k]]) rep[k] = g
    }
}

function drawn(g,   r) {
    if (W[g] == "sort") return TU[g] == "default"
    if (W[g] == "sched")
        return I[g] ~ /^(wq|gomp-dynamic|omp-dynamic|tbb|ptp-1d|cthpool)$/
    r = rep[W[g], S[g], family(I[g])]
    return r && I[r] == I[g] && C[r] == C[g] && TU[r] == TU[g]
}

function plot_data(g,   t, k, f, st) {
    if (MED[g] == "" || data == "") return
    t = series(g)
    if (W[g] ~ /^solver-/) {
        # Against the serial step, one file per work and thread count:
        # the loop time in us, or the spin in percent of a CPU.
        st = W[g]; sub(/^solver-/, "", st); sub(/-spin$/, "", st)
        if (W[g] ~ /-spin$/)
            plot_point(data "/solver-spin-" S[g] "-T" T[g] ".dat", t, st,
                       MED[g] * 100, LO[g] * 100, HI[g] * 100)
        else
            plot_point(data "/solver-" S[g] "-T" T[g] ".dat", t, st,
                       MED[g] * 1e6, LO[g] * 1e6, HI[g] * 1e6)
        return
    }
    if (!(W[g] in overhead) && !drawn(g)) return
    if (W[g] == "sched" && !drawn(g)) return
    if (W[g] == "sched")
        plot_point(data "/sched.dat", t, C[g], MED[g] * 1e9, LO[g] * 1e9, HI[g] * 1e9)
    else if (W[g] in overhead) {
        # Bars: one file per thread count; microseconds, nanoseconds (a
        # chunk's cost), or percent of a CPU.
        k = UNIT[g] == "cpu" ? 100 : W[g] == "dispatch" ? 1e9 : 1e6
        f = data "/bars-" W[g] "-T" T[g] ".dat"
        if (!(f in bars)) { bars[f] = 1; printf "" > f }
        printf "\"%s\" %g %g %g\n", t, MED[g] * k, LO[g] * k, HI[g] * k >> f
    }
    else if (W[g] == "sort" && SP[g] != "")
        plot_point(data "/sort-T" T[g] ".dat", t, S[g], SP[g], 0, 0)
    else if (SP[g] != "")
        plot_point(data "/speedup-" W[g] "-" S[g] ".dat", t, T[g], SP[g], 0, 0)
}

END {
    close_group()
    print "workload,impl,threads,size,chunk,tuning,median,min,max,unit,runs," \
          "speedup,efficiency,karp_flatt,ratio_wq,check,omp_wait_policy,gomp_spincount," \
          "kmp_blocktime,cpu,cores,kernel" > csv
    for (g = 1; g <= ng; g++) analyse(g)
    choose_lines()
    # A table per workload and size, workloads in plan order.
    nw = split(order, wl, " ")
    for (g = 1; g <= ng; g++)
        if (W[g] ~ /^solver-.*-spin$/) { csv_row(g); plot_data(g); done[g] = 1 }
    for (i = 1; i <= nw; i++)
        for (g = 1; g <= ng; g++)
            if (W[g] == wl[i] && !done[g]) table(g)
    for (g = 1; g <= ng; g++)
        if (!done[g]) table(g)
    write_plots()
    if (bad) { printf "\n%d configurations gave a wrong or varying result\n", bad; exit 1 }
}

# The table of g's workload and size, rows in rank order.
function table(g,   pass, h) {
    table_header(W[g], W[g] in overhead ? "" : S[g])
    for (pass = 0; pass < 4; pass++)
        for (h = g; h <= ng; h++)
            if (!done[h] && W[h] == W[g] &&
                (S[h] == S[g] || W[g] in overhead) && rank(I[h]) == pass) {
                table_row(h); csv_row(h); plot_data(h); done[h] = 1
            }
}
