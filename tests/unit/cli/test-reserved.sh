#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A lifecycle verb given one of cell's reserved names ("lock", "port",
# ".web": what cell keeps in its runtime directory beside the cells'
# states) says that the name is reserved, and why, as verify, plan and run
# say of a unit of that name (and of --name=lock): it said "not a valid cell
# name", of a name that is valid as far as its characters go. A name that
# is no name at all (".a b", "a/b") is still said to be invalid. So are "."
# and ".." (also as "..cell"): the runtime directory itself and its parent,
# no file of cell's; they were said to be reserved, "cell keeps its own
# files in /run/cell/..". Exit 2.
#
#   test-reserved.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

for verb in status stop kill exec; do
        extra=()
        [ "$verb" = exec ] && extra=(true)
        for n in lock lock.cell port uid image-lock .web .web.cell; do
                expect 2 "$verb $n" -- "$cell" "$verb" "$n" "${extra[@]}"
                stem=${n%.cell}
                want="cell: \"$stem\" is a reserved name, no cell's: cell keeps its own files in"
                want+=" $CELL_RUNTIME_DIR/$stem, where a cell of that name would keep its runtime state."
                grep -qxF "$want" "$tmp/err" ||
                        fail "$verb $n: not said to be reserved: $(cat "$tmp/err")"
        done
        for n in ".a b" "a/b" "a b" . .. ..cell ...cell; do
                expect 2 "$verb $n" -- "$cell" "$verb" "$n" "${extra[@]}"
                grep -qxF "cell: \"$n\" is not a valid cell name." "$tmp/err" ||
                        fail "$verb '$n': $(cat "$tmp/err")"
        done
done
# status --json of a reserved name prints nothing: no object for a name no cell can have.
expect 2 "status --json lock" -- "$cell" status --json lock
[ ! -s "$tmp/out" ] || fail "status --json lock printed: $(cat "$tmp/out")"

exit $failed
