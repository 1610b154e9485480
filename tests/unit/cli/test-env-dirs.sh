#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# $CELL_RUNTIME_DIR and $CELL_CACHE_DIR replace /run/cell and /var/cache/cell
# as absolute paths only. A relative one was replaced by the default without
# a word (the state of a cell meant to be apart went into the host's
# /run/cell); now every verb refuses it with exit 2, naming the variable,
# before anything is read or made. Empty is unset.
#
#   test-env-dirs.sh CELL
set -u

cell=$(realpath "$1")
. "$(dirname "$0")/lib.sh"

printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n' >"$CELL_UNIT_PATH/web.cell"
mkdir "$tmp/cwd"
cd "$tmp/cwd" || exit 1

for var in CELL_RUNTIME_DIR CELL_CACHE_DIR; do
        for value in run "./run" "run/cell" "~/cell"; do
                for verb in "verify web" "plan web" "list" "status web" "stop web" "kill web" \
                            "run --cgroup-manager=none web" "exec web /bin/true"; do
                        # shellcheck disable=SC2086
                        expect 2 "$var=$value $verb" -- env "$var=$value" "$cell" $verb
                        grep -qxF "cell: \$$var=$value is not an absolute path, refusing it (unset, it is $(
                                [ $var = CELL_RUNTIME_DIR ] && echo /run/cell || echo /var/cache/cell))." \
                                "$tmp/err" || fail "$var=$value $verb: not said: $(cat "$tmp/err")"
                        [ -s "$tmp/out" ] && fail "$var=$value $verb: printed $(cat "$tmp/out")"
                done
        done
done
# Nothing was made where a relative one would have pointed.
[ -z "$(ls -A "$tmp/cwd")" ] || fail "a relative one was made: $(ls -A "$tmp/cwd")"

# Absolute, or empty (unset): as before.
expect 0 "an absolute \$CELL_RUNTIME_DIR" -- "$cell" list
expect 0 "an empty \$CELL_RUNTIME_DIR" -- env CELL_RUNTIME_DIR= "$cell" verify web
expect 0 "an empty \$CELL_CACHE_DIR" -- env CELL_CACHE_DIR= "$cell" verify web
expect 0 "an absolute \$CELL_CACHE_DIR" -- env CELL_CACHE_DIR="$tmp/cache" "$cell" verify web
# --help and --version need neither.
expect 0 "--version with a relative one" -- env CELL_RUNTIME_DIR=run "$cell" --version

exit $failed
