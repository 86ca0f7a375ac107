#!/bin/sh
# .ci/deps.sh - install the Debian or Ubuntu packages wq needs, saying which
# and why.  Both commands of the README start with it, and .ci/run calls it,
# so CI installs exactly what a new user's machine gets.
#
#   .ci/deps.sh [GROUP...]     install the groups (default: build tests bench)
#   .ci/deps.sh --list         print every group and package, install nothing
#
# Groups:
#   build   required  compile wq from a git clone (autoreconf, configure, make)
#   tests   required  make check: the Check suites, the examples, the manual
#   bench   optional  the runtimes make compare and make bench measure wq
#                     against; each one missing is left out of the tables
#   mpi     optional  both MPI implementations, for wq's MPI layer
#   cmake   optional  CI's check that find_package(wq) works after install
#   ci      optional  the rest of CI: valgrind, spin, clang's sanitizers
#   all     every group
#
# It runs apt-get as root directly, or through sudo for any other user, and
# refuses with a clear message when it can be neither.  When every package
# asked for is installed already it says so and touches nothing (no root
# needed then).  An optional package the archive does not carry (an older
# release) is left out with a note; a required one stops the script.
set -eu

# The table: group, package, why.
table() {
  cat <<'EOF'
build build-essential   the C and C++ compilers, make and the C library headers
build autoconf          autoreconf -fi makes ./configure
build automake          makes the Makefile.in files
build libtool           builds the shared and the static library
build autoconf-archive  configure's AX_PTHREAD and AX_CHECK_COMPILE_FLAG
build pkg-config        configure finds Check and oneTBB; wq.pc is checked after install
tests check             the Check unit-test framework: make check's suites
tests librandom123-dev  Random123's Philox streams: examples 000 and 003, every benchmark
tests groff-base        tests/man.sh formats every manual page, warnings on
tests man-db            tests/man.sh reads every page through man, as users will
bench clang             compiles the libomp (LLVM OpenMP) peer
bench libomp-dev        LLVM's OpenMP runtime
bench libtbb-dev        oneTBB
bench libpthreadpool-dev pthreadpool
bench cthreadpool-dev   C-Thread-Pool (its source; the bench builds it)
bench python3           multiprocessing.Pool, the seed tutorials' own runtime
bench gnuplot-nox       the plots of make bench (bench/out/*.png)
mpi   openmpi-bin       Open MPI's mpirun, to run the MPI layer's tests
mpi   libopenmpi-dev    Open MPI's headers and mpicc
mpi   mpich             MPICH's mpiexec, the second MPI the layer is tested on
mpi   libmpich-dev      MPICH's headers and libraries
cmake cmake             builds a CMake consumer of the installed wq (.ci/eco.sh)
ci    valgrind          memcheck and DRD over every test (.ci/reliability.sh)
ci    spin              model-checks the lock-free protocols (make model-check)
ci    clang             ThreadSanitizer with clang and ASan + UBSan (.ci/run)
EOF
}

groups_all="build tests bench mpi cmake ci"
required="build tests"

usage() {
  echo "usage: $0 [--list] [GROUP...]   groups: $groups_all all" >&2
  echo "       (default: build tests bench)" >&2
  exit 2
}

if [ "${1:-}" = --list ]; then
  table | awk '{ g = $1; p = $2; $1 = $2 = ""; sub(/^ +/, "");
                 printf "%-6s %-19s %s\n", g, p, $0 }'
  exit 0
fi
case "${1:-}" in -h|--help) usage ;; esac

want=${*:-build tests bench}
case " $want " in *" all "*) want=$groups_all ;; esac
for g in $want; do
  case " $groups_all " in *" $g "*) ;; *) echo "$0: no group '$g'" >&2; usage ;; esac
done
# build comes with every group: nothing else is of use without it.
case " $want " in *" build "*) ;; *) want="build $want" ;; esac

# The packages of the groups asked for, each once, in the table's order.
packages=$(table | awk -v want=" $want " 'index(want, " " $1 " ") && !seen[$2]++ { print $2 }')

echo "deps.sh: groups $want; the packages and why:"
table | awk -v want=" $want " -v req=" $required " '
  index(want, " " $1 " ") && !seen[$2]++ {
    g = $1; p = $2; $1 = $2 = ""; sub(/^ +/, "")
    printf "  %-19s %-5s %s %s\n", p, g, index(req, " " g " ") ? "(required)" : "(optional)", $0 }'
left=
for g in $groups_all; do
  case " $want " in *" $g "*) ;; *) left="$left $g" ;; esac
done
[ -z "$left" ] || echo "deps.sh: not asked for:$left (.ci/deps.sh all installs every group)"

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps.sh: no apt-get here (not Debian or Ubuntu): install the packages above by hand" >&2
  exit 1
fi

installed() { # installed PACKAGE: true when dpkg has it fully installed
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'
}
missing=
for p in $packages; do
  installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "deps.sh: every package is installed already"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  echo "deps.sh: not root: installing through sudo"
  as_root() { sudo "$@"; }
else
  echo "deps.sh: to install$missing this needs root, or sudo for user $(id -un);" >&2
  echo "deps.sh: run it as root, or install sudo, or install those packages by hand" >&2
  exit 1
fi

# sudo resets the environment, so env sets DEBIAN_FRONTEND on the root side.
apt() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -q "$@"; }
apt update

# An optional package this release's archive lacks is left out, not fatal.
required_pkgs=$(table |
  awk -v req=" $required " 'index(req, " " $1 " ") { printf " %s", $2 }')
install=
for p in $missing; do
  case "$required_pkgs " in
    *" $p "*) install="$install $p"; continue ;;
  esac
  if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
    install="$install $p"
  else
    echo "deps.sh: $p is not in this archive: left out (optional)"
  fi
done
echo "deps.sh: installing$install"
# shellcheck disable=SC2086 # one word per package
apt install -y --no-install-recommends $install
echo "deps.sh: done"
