#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cell a lifecycle verb is given by an alias's name (cell(1), LIFECYCLE
# VERBS; cell.syntax(7), aliases): web.cell -> nginx.cell makes "web" a name
# of the unit nginx, so "cell stop web" stops the cell nginx, as "systemctl
# stop web.service" stops nginx.service, even while a cell runs under the
# name web itself (started before web.cell became an alias). Only when nginx
# does not run is that one meant. Rootless (lib.sh): each cell's "cell run"
# and PID 1 is one sleep of the test's own, which SIGTERM ends.
#
#   test-lookup.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; [ -n "$holder" ] && kill -KILL "$holder"; rm -rf "$tmp"' EXIT

# runs NAME: NAME runs (manager none); its PID is left in $pid.
runs() {
        sleep 600 </dev/null >/dev/null 2>&1 &
        pid=$!
        pids+=("$pid")
        mkdir -p "$CELL_RUNTIME_DIR/$1"
        printf 'NAME=%s\nUNIT=%s\nSERVICE=\nMANAGER=none\nSUPERVISOR=%s\nSUPERVISOR_START=%s\nLEADER=%s\nLEADER_START=%s\nSINCE=1\n' \
                "$1" "$CELL_UNIT_PATH/$1.cell" "$pid" "$(start_time "$pid")" "$pid" "$(start_time "$pid")" \
                > "$CELL_RUNTIME_DIR/$1/state"
}
alive() { kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }
name_of() {     # name_of ARG: the name of the cell "cell status --json ARG" finds
        "$cell" status --json "$1" 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])'
}

printf '[Root]\nDirectory=/srv/x\n[Exec]\nExec=/bin/true\n' > "$CELL_UNIT_PATH/nginx.cell"
ln -s nginx.cell "$CELL_UNIT_PATH/web.cell"

runs web; web=$pid
runs nginx; nginx=$pid

[ "$(name_of web)" = nginx ] || fail "status web: found the cell $(name_of web), not nginx"
[ "$(name_of nginx)" = nginx ] || fail "status nginx: found the cell $(name_of nginx)"
expect 0 "stop web while nginx runs" -- "$cell" stop web
alive "$nginx" && fail "stop web: nginx still runs"
alive "$web" || fail "stop web: stopped the cell named web, not nginx"

# nginx is gone: web now means the cell of that name.
[ "$(name_of web)" = web ] || fail "status web without nginx: found $(name_of web), not web"
expect 0 "stop web once nginx is gone" -- "$cell" stop web
alive "$web" && fail "stop web: the cell named web still runs"
expect 3 "stop web when neither runs" -- "$cell" stop web
grep -q "cell web is not running" "$tmp/err" || fail "stop web when neither runs: $(cat "$tmp/err")"

# A cgroupfs start of nginx under way (its name's lock alone): web names it,
# as it names nginx running. status says it is starting; kill of a signal
# other than those that end a start is refused; stop ends the start. All
# three said "cell web is not running" (3), and nginx started after all.
fake_lock_holder nginx
expect 3 "status web while nginx starts" -- "$cell" status web
grep -qx "cell nginx is starting (cell run: PID $holder)." "$tmp/out" || fail "status web while nginx starts: $(cat "$tmp/out")"
expect 3 "kill web USR1 while nginx starts" -- "$cell" kill web USR1
grep -q "cell nginx is starting" "$tmp/err" || fail "kill web USR1 while nginx starts: $(cat "$tmp/err")"
"$cell" stop web >"$tmp/out" 2>&1 &
stopper=$!
# (Up to 30 s: the stop, an ASan build on a loaded CI host, may start slowly.)
for _ in $(seq 1500); do grep -qx TERM "$tmp/holder.got" && break; sleep 0.02; done
grep -qx TERM "$tmp/holder.got" || fail "stop web while nginx starts: its cell run got no SIGTERM"
touch "$tmp/holder.go"
wait "$stopper" || fail "stop web while nginx starts: exit $?: $(cat "$tmp/out")"
wait "$holder"
holder=

exit $failed
