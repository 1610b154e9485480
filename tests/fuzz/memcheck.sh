#!/bin/bash
# cell verify and cell plan --json under valgrind memcheck, over every
# example unit, every unit and drop-in file of the tests (valid and invalid)
# and the fuzz seeds and regression inputs: no memory error, no leak of any
# kind. Exit 77 (skip) in a sanitizer build and without valgrind.
#
#   memcheck.sh CELL SOURCE_ROOT
set -euo pipefail

cell=$1 top=$2

if [ "${CELL_B_SANITIZE:-none}" != none ]; then
        echo "memcheck: skipped, this build uses -fsanitize=$CELL_B_SANITIZE"
        exit 77
fi
if ! command -v valgrind >/dev/null; then
        echo "memcheck: skipped, valgrind is not installed"
        exit 77
fi

vg=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
    --error-exitcode=99 --track-fds=no --quiet)

mapfile -t units < <({
        ls "$top"/units/examples/*.cell
        find "$top/tests" \( -name '*.cell' -o -name '*.conf' \) -type f
} | sort -u)
mapfile -t inputs < <(find "$top/tests/fuzz/regressions/fuzz-unit" -type f ! -name '.*' | sort)

status=0
check() {       # check DESCRIPTION CMD...: fails on a valgrind error (99) or a crash
        local what=$1 rc=0
        shift
        "${vg[@]}" "$@" >/dev/null 2>"$tmp" || rc=$?
        if [ $rc -eq 99 ] || [ $rc -gt 2 ]; then
                echo "memcheck: FAIL (exit $rc): $what"
                cat "$tmp"
                status=1
        else
                echo "memcheck: ok (exit $rc): $what"
        fi
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# An empty search path: a unit named in a drop-in must not pull in the host's.
export CELL_UNIT_PATH=

# verify takes them all at once (and reports all problems of all files);
# plan takes one at a time.
check "cell verify (${#units[@]} files)" "$cell" verify "${units[@]}"
for u in "${units[@]}"; do
        check "cell plan --json ${u#"$top"/}" "$cell" plan --json "$u"
done
# The fuzzers' inputs have no unit name for a file name.
for f in "${inputs[@]}"; do
        check "cell verify --name fuzz ${f#"$top"/}" "$cell" verify --name fuzz "$f"
        check "cell plan --json --name fuzz ${f#"$top"/}" "$cell" plan --json --name fuzz "$f"
done
exit $status
