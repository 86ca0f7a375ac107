# rotate.sh - sourced by run.sh and scaling.sh: the order in which a
# repetition runs its configurations.
#
# rotated K WORD...: the words from the K-th (counting from 0, modulo their
# number) to the last, then the others.
rotated() {
  k=$1; shift
  [ $# -gt 0 ] || return 0
  k=$((k % $#)) i=0 front= back=
  for x in "$@"; do
    if [ $i -lt $k ]; then front="$front $x"; else back="$back $x"; fi
    i=$((i + 1))
  done
  echo $back $front
}
