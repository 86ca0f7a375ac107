#!/bin/sh
# plot.sh DATA GNUPLOT - the PNGs of a benchmark run, from the data files
# report.awk left in DATA:
#   speedup-W-N.dat   speedup against threads, a block per implementation
#   sort-TN.dat       speedup against array size on N threads (crossover)
#   sched.dat         per-chunk overhead against chunk size
#   bars-W-TN.dat     an overhead per implementation on N threads
#   solver-W-TN.dat   loop time against the serial step, W us a piece
#   solver-spin-W-TN.dat  the CPU spent during the serial steps
set -eu
data=$1 gnuplot=$2
machine="$(sed -n 's/^cpu: //p' "$data/machine.txt"), $(sed -n 's/^cores: \([0-9]*\).*/\1 CPUs/p' "$data/machine.txt")"
common="set terminal pngcairo size 900,560 font 'sans,10' noenhanced
set key outside right top
set grid
set style data linespoints"

plot_lines() { # file png title xlabel ylabel settings [more plot elements]
  "$gnuplot" <<EOF_GP
$common
set output '$2'
set title "$3\n$machine"
set xlabel '$4'
set ylabel '$5'
$6
plot for [i=0:*] '$1' index i using 1:2 title columnheader(1) lw 2 ${7:-}
EOF_GP
}

plot_bars() { # file png title ylabel
  "$gnuplot" <<EOF_GP
$common
set output '$2'
set title "$3\n$machine"
set ylabel '$4'
set key off
set style fill solid 0.7 border -1
set logscale y
set offsets 0.6, 0.6, 0, 0
set bmargin 9
set xtics rotate by -40 nomirror
# x, median, min, max, half width; wq's bar in its own colour.
plot '$1' using 0:2:3:4:(0.35):(strcol(1) eq "wq" ? 0xcc4411 : 0x4477aa):xtic(1) \
  with boxerrorbars lc rgb variable
EOF_GP
}

for f in "$data"/speedup-*.dat; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .dat); w=${name#speedup-}
  maxt=$(awk 'NF >= 2 && $1 + 0 > m { m = $1 + 0 } END { print m }' "$f")
  plot_lines "$f" "$data/$name.png" \
    "${w%-*} (size ${w##*-}): speedup over the serial loop" \
    threads speedup "set xrange [1:$maxt]; set xtics 1
set yrange [0:*]" ", x title 'ideal' dt 2 lc rgb 'gray'"
done
for f in "$data"/sort-T*.dat; do
  [ -e "$f" ] || continue
  t=$(basename "$f" .dat); t=${t#sort-T}
  plot_lines "$f" "$data/sort-crossover-T$t.png" \
    "sort: speedup on $t threads against array size (above 1: parallel wins)" \
    "array size" speedup "set logscale x
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2"
done
if [ -e "$data/sched.dat" ]; then
  plot_lines "$data/sched.dat" "$data/sched.png" \
    "per-chunk scheduling overhead (EPCC schedbench method)" \
    "chunk size (items of 0.1 us)" "overhead per chunk (ns)" \
    "set logscale xy; set xrange [0.8:1300]"
fi
for f in "$data"/bars-*.dat; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .dat); name=${name#bars-}
  w=${name%-T*}; t=${name##*-T}
  case $w in
    idle*) unit="percent of one CPU" ;;
    dispatch) unit="ns a chunk, to each thread" ;;
    *) unit="overhead (us)" ;;
  esac
  plot_bars "$f" "$data/$w-T$t.png" "$w on $t threads (median, bars min to max)" "$unit"
done
for f in "$data"/solver-*.dat; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .dat); t=${name##*-T}; w=${name%-T*}; w=${w##*-}
  case $name in
    solver-spin-*)
      title="CPU the other threads use during the serial steps, $w us a piece, $t threads"
      unit="percent of one CPU" ;;
    *)
      title="loops between serial steps: loop time, $w us a piece, $t threads"
      unit="parallel loop time (us)" ;;
  esac
  "$gnuplot" <<EOF_GP
$common
set output '$data/$name.png'
set title "$title\n$machine"
set xlabel 'serial step before each loop (us)'
set ylabel '$unit'
set yrange [0:*]
plot for [i=0:*] '$f' index i using 0:2:xtic(1) title columnheader(1) lw 2
EOF_GP
done
