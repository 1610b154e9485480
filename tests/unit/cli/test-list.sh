#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell list and cell status over runtime states (cell(1), LIFECYCLE VERBS,
# STATUS JSON): valid JSON whatever the name, columns as wide as their
# content, the legend (--no-legend, --legend=BOOL), a killed cell's
# stale state not shown as running, and one state that does not parse not
# hiding the other cells. Rootless (lib.sh: no bus).
#
#   test-list.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

json_ok() { python3 -m json.tool "$1" >/dev/null 2>&1; }

# Names as systemd spells instances and escapes: worker@a-b, a\x2db.
fake_running 'worker@a-b' "$tmp/worker@.cell"
fake_running 'a\x2db' "$tmp/a.cell"
"$cell" list >"$tmp/out" 2>"$tmp/err" || fail "list: exit $?: $(cat "$tmp/err")"
grep -q '^NAME ' "$tmp/out" || fail "list: no column headings"
grep -q '^2 cells listed\.$' "$tmp/out" || fail "list: no count: $(cat "$tmp/out")"
"$cell" list --no-legend >"$tmp/out" || fail "list --no-legend: exit $?"
[ "$(cut -d' ' -f1 "$tmp/out" | tr '\n' ' ')" = 'a\x2db worker@a-b ' ] ||
        fail "list --no-legend: not the two names alone: $(cat "$tmp/out")"
"$cell" list --json >"$tmp/out" || fail "list --json: exit $?"
json_ok "$tmp/out" || fail "list --json: not JSON: $(cat "$tmp/out")"
python3 -c 'import json, sys; l = json.load(open(sys.argv[1])); assert [c["name"] for c in l] == ["a\\x2db", "worker@a-b"], l' \
        "$tmp/out" || fail "list --json: names"
for name in 'worker@a-b' 'a\x2db'; do
        "$cell" status --json "$name" >"$tmp/out" || fail "status --json $name: exit $?"
        json_ok "$tmp/out" || fail "status --json $name: not JSON"
done
"$cell" status --json nosuch >"$tmp/out"
[ $? = 3 ] || fail "status --json of a cell that is not running: not exit 3"
json_ok "$tmp/out" || fail "status --json of a cell that is not running: not JSON"
# STATUS JSON: every key, in its order, whatever the case; a script reading
# .manager or .pid of a cell that is not running gets null, not a KeyError
# (it printed {"name", "running"} alone).
status_keys='["name", "running", "manager", "scope", "slice", "service", "description", "unit_path", "state", "pid",
"supervisor_pid", "since_usec", "uptime_usec", "control_group", "memory_current", "tasks_current"]'
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); keys = json.loads(sys.argv[2])
assert list(o) == keys, list(o)
assert o["name"] == "nosuch" and o["running"] is False, o
assert all(o[k] is None for k in keys[2:]), o' "$tmp/out" "$status_keys" ||
        fail "status --json of a cell that is not running: $(cat "$tmp/out")"
"$cell" list --json >"$tmp/out" || fail "list --json: exit $?"
python3 -c 'import json, sys; keys = json.loads(sys.argv[2])
assert all(list(o) == keys and o["running"] is True for o in json.load(open(sys.argv[1])))' "$tmp/out" "$status_keys" ||
        fail "list --json: not the keys of STATUS JSON: $(cat "$tmp/out")"

# The columns are as wide as their widest entry, as machinectl's and
# systemctl's: a name longer than any before does not shift the rest of its
# line. Every line (headings too) has each of its first six columns (up to
# UPTIME, whose "12d 3h" has a blank) where the others have it, and no
# blank at its end.
fake_running 'a-cell-with-a-name-much-longer-than-sixteen-characters' "$tmp/long.cell"
columns_aligned() {     # columns_aligned FILE: the starts of the first six columns agree
        python3 - "$1" <<'EOT'
import re, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip() and not l.startswith(("No cells", "3 cells"))]
starts = set()
for l in lines:
    m = re.match(r"(\S+) +(\S+) +(\S+) +(\S+) +(\S+) +(\S)", l)
    assert m, "not six columns: %r" % l
    assert l == l.rstrip(), "blanks at the end: %r" % l
    starts.add(tuple(m.start(k) for k in range(1, 7)))
assert len(starts) == 1, "columns not aligned:\n" + "\n".join(lines)
EOT
}
"$cell" list >"$tmp/out" || fail "list with a long name: exit $?"
columns_aligned "$tmp/out" || fail "list with a long name: $(cat "$tmp/out")"
grep -q '^3 cells listed\.$' "$tmp/out" || fail "list with a long name: no count: $(cat "$tmp/out")"
"$cell" list --no-legend >"$tmp/out" || fail "list --no-legend with a long name: exit $?"
columns_aligned "$tmp/out" || fail "list --no-legend with a long name: $(cat "$tmp/out")"
[ "$(grep -c . "$tmp/out")" = 3 ] || fail "list --no-legend: not the three cells alone: $(cat "$tmp/out")"
# systemctl's --legend=BOOL: no is --no-legend, yes the default.
"$cell" list --legend=no >"$tmp/out2" || fail "list --legend=no: exit $?"
# As --no-legend: the same rows (names), no headings, no count (an uptime in
# seconds may tick between the two runs: not compared).
[ "$(cut -d' ' -f1 "$tmp/out")" = "$(cut -d' ' -f1 "$tmp/out2")" ] && ! grep -q -e '^NAME ' -e 'listed\.$' "$tmp/out2" ||
        fail "list --legend=no: not as --no-legend: $(cat "$tmp/out2")"
"$cell" list --legend=yes >"$tmp/out2" || fail "list --legend=yes: exit $?"
grep -q '^NAME ' "$tmp/out2" || fail "list --legend=yes: no column headings"
expect 2 "list --legend=maybe" -- "$cell" list --legend=maybe
grep -q -- "--legend=maybe" "$tmp/err" || fail "list --legend=maybe: the value is not named"
rm -r "$CELL_RUNTIME_DIR/a-cell-with-a-name-much-longer-than-sixteen-characters"

# A cell whose "cell run" was SIGKILLed leaves its state: its PIDs are gone
# (or another process's now), so it is not running.
sh -c 'exit 0' & dead=$!
wait "$dead"
mkdir "$CELL_RUNTIME_DIR/stale"
printf 'NAME=stale\nUNIT=/x.cell\nSERVICE=\nMANAGER=none\nSUPERVISOR=%s\nSUPERVISOR_START=1\nLEADER=%s\nLEADER_START=1\nSINCE=1\n' \
        "$dead" "$dead" > "$CELL_RUNTIME_DIR/stale/state"
"$cell" status stale >/dev/null 2>&1
[ $? = 3 ] || fail "status of a killed cell's stale state: not exit 3"
"$cell" list --no-legend >"$tmp/out"
grep -q '^stale .*running' "$tmp/out" && fail "list: a killed cell's stale state is shown as running"
# ... but as "failed", no PID 1, no uptime, as systemctl list-units a failed
# unit (it was left out), the object "cell status --json" shows for it.
awk '$1 == "stale" && $3 == "-" && $4 == "-" && $5 == "failed" && $6 == "-"' "$tmp/out" | grep -q . ||
        fail "list: a killed cell's stale state is not shown as failed: $(cat "$tmp/out")"
"$cell" status --json stale >"$tmp/out" 2>/dev/null
"$cell" list --json >"$tmp/list" 2>/dev/null || fail "list --json with a killed cell's state: exit $?"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1]))
l = [x for x in json.load(open(sys.argv[2])) if x["name"] == "stale"]
assert o["running"] is False and o["state"] == "failed" and o["pid"] is None and o["uptime_usec"] is None, o
assert o["unit_path"] == "/x.cell" and o["manager"] == "none", o
assert l == [o], (l, o)' "$tmp/out" "$tmp/list" || fail "list --json of a killed cell: not status --json's object"

# A state this cell cannot read (a newer cell's manager, an empty file)
# leaves out that one, not every cell; status names the problem, exit 2.
# A value that is no number (an empty LEADER_START=) is one too: it made
# "cell list" fail as a whole ("Invalid argument", exit 2).
mkdir "$CELL_RUNTIME_DIR/future" "$CELL_RUNTIME_DIR/empty" "$CELL_RUNTIME_DIR/nonumber"
printf 'NAME=future\nMANAGER=future\nSUPERVISOR=1\nLEADER=1\n' > "$CELL_RUNTIME_DIR/future/state"
: > "$CELL_RUNTIME_DIR/empty/state"
printf 'NAME=nonumber\nMANAGER=none\nSUPERVISOR=%s\nSUPERVISOR_START=\nLEADER=%s\nLEADER_START=\nSINCE=1\n' \
        "$sleeper" "$sleeper" > "$CELL_RUNTIME_DIR/nonumber/state"
"$cell" list --no-legend >"$tmp/out" 2>"$tmp/err" || fail "list with a state that does not parse: exit $?: $(cat "$tmp/err")"
[ "$(grep -c . "$tmp/out")" = 3 ] ||
        fail "list with a state that does not parse: not the two cells and the killed one: $(cat "$tmp/out")"
"$cell" list --json >"$tmp/out" 2>/dev/null || fail "list --json with a state that does not parse: exit $?"
json_ok "$tmp/out" || fail "list --json with a state that does not parse: not JSON"
"$cell" status future >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "status of a state that does not parse: not exit 2"
grep -qF "its runtime state $CELL_RUNTIME_DIR/future/state does not parse" "$tmp/err" ||
        fail "status of a state that does not parse: the file is not named: $(cat "$tmp/err")"
"$cell" status nonumber >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "status of a state with a value that is no number: not exit 2"

# A cgroupfs "cell run" that holds its name's lock without a runtime state
# starts; one whose state is there (its PID 1 gone) has seen its payload end
# and cleans up: not running (3), "deactivating", not "starting"
# ("activating"), which a script waiting for its end took for a new start.
# A start under way exits 3 too, as "systemctl status" of an activating
# unit does (it exited 0, and "cell exec" of it exits 3).
fake_lock_holder ending
"$cell" status ending >"$tmp/out" 2>&1
[ $? = 3 ] || fail "status of a start under way: not exit 3: $(cat "$tmp/out")"
grep -qx "cell ending is starting (cell run: PID $holder)." "$tmp/out" || fail "status of a start: $(cat "$tmp/out")"
# --json: the object "cell list --json" shows for it, every key there.
"$cell" status --json ending >"$tmp/out" 2>/dev/null
[ $? = 3 ] || fail "status --json of a start under way: not exit 3"
"$cell" list --json >"$tmp/list" 2>/dev/null || fail "list --json with a start under way: exit $?"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); keys = json.loads(sys.argv[3])
l = [x for x in json.load(open(sys.argv[2])) if x["name"] == "ending"]
assert list(o) == keys, list(o)
assert o["running"] is False and o["state"] == "activating" and o["supervisor_pid"] == int(sys.argv[4]), o
assert o["manager"] == "cgroupfs" and o["pid"] is None, o
assert l == [o], (l, o)' "$tmp/out" "$tmp/list" "$status_keys" "$holder" ||
        fail "status --json of a start under way: $(cat "$tmp/out")"
fake_ended ending
"$cell" status ending >"$tmp/out" 2>&1
[ $? = 3 ] || fail "status of a run that cleans up after its payload: not exit 3: $(cat "$tmp/out")"
grep -qx "cell ending is stopping: its payload has exited, and its cell run (PID $holder) is cleaning up." \
        "$tmp/out" || fail "status of a run that cleans up: $(cat "$tmp/out")"
"$cell" status --json ending >"$tmp/out" 2>/dev/null
[ $? = 3 ] || fail "status --json of a run that cleans up: not exit 3"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); keys = json.loads(sys.argv[3])
assert list(o) == keys, list(o)
assert {k: o[k] for k in ("name", "running", "state", "supervisor_pid")} == \
        {"name": "ending", "running": False, "state": "deactivating", "supervisor_pid": int(sys.argv[2])}, o' \
        "$tmp/out" "$holder" "$status_keys" || fail "status --json of a run that cleans up: $(cat "$tmp/out")"
"$cell" list --no-legend >"$tmp/out" 2>&1 || fail "list with a run that cleans up: exit $?"
grep -qE '^ending +cgroupfs +- +- +deactivating ' "$tmp/out" || fail "list with a run that cleans up: $(cat "$tmp/out")"
"$cell" list --json >"$tmp/out" 2>/dev/null || fail "list --json with a run that cleans up: exit $?"
python3 -c 'import json, sys; l = [o for o in json.load(open(sys.argv[1])) if o["name"] == "ending"]
assert len(l) == 1 and l[0]["running"] is False and l[0]["state"] == "deactivating", l' "$tmp/out" ||
        fail "list --json with a run that cleans up: $(cat "$tmp/out")"
grep -q TERM "$tmp/holder.got" && fail "status or list signalled the cell run"
touch "$tmp/holder.go"
wait "$holder"
holder=

# A "cell run" that handed over to cell-monitor (exec: same PID, its comm
# says so): status names cell-monitor, not "cell run" as it did.
cp "$(command -v sleep)" "$tmp/cell-monitor"
"$tmp/cell-monitor" 600 </dev/null >/dev/null 2>&1 &
monitor=$!
fake_running monitored "$tmp/m.cell"
sed -i "s/^SUPERVISOR=.*/SUPERVISOR=$monitor/; s/^SUPERVISOR_START=.*/SUPERVISOR_START=$(start_time $monitor)/" \
        "$CELL_RUNTIME_DIR/monitored/state"
"$cell" status monitored >"$tmp/out" 2>&1 || fail "status of a monitored cell: exit $?: $(cat "$tmp/out")"
grep -qx " Supervisor: $monitor (cell-monitor)" "$tmp/out" || fail "status of a monitored cell: $(grep Supervisor "$tmp/out")"
fake_running plain "$tmp/p.cell"
"$cell" status plain >"$tmp/out" 2>&1
grep -qx " Supervisor: $$ (cell run)" "$tmp/out" || fail "status of a cell: $(grep Supervisor "$tmp/out")"
# What the unit named (its path here, its Description= in a scope's) goes
# out as "cell plan" shows it: an escape sequence moved the terminal's
# cursor, as it would for the admin who ran "cell status".
fake_running ctl "$tmp/a$(printf '\033')[2Jb.cell"
"$cell" status ctl >"$tmp/out" 2>&1 || fail "status of a cell with an ESC in its unit's path: exit $?"
grep -qxF "       Unit: $tmp/a\x1b[2Jb.cell" "$tmp/out" || fail "status: the ESC reached the terminal: $(cat -v "$tmp/out")"
"$cell" status --json ctl >"$tmp/out" 2>&1 || fail "status --json of a cell with an ESC in its unit's path: exit $?"
grep -qF '"unit_path": "'"$tmp"'/a\u001b[2Jb.cell"' "$tmp/out" || fail "status --json: the ESC: $(cat -v "$tmp/out")"
kill "$monitor"
wait "$monitor" 2>/dev/null

# What cannot be written (a full disk) is a failure that says so, not a
# list cut short that exits 2 without a word.
fake_running plain "$tmp/p.cell"
for args in "list" "list --json" "status plain" "status --json plain" "status nosuch"; do
        # shellcheck disable=SC2086 # a word list on purpose
        "$cell" $args >/dev/full 2>"$tmp/err"
        [ $? = 2 ] || fail "$args >/dev/full: not exit 2"
        grep -q 'Failed to print' "$tmp/err" || fail "$args >/dev/full: no message: $(cat "$tmp/err")"
done

# Directories in the runtime directory whose names are no cell's (made by
# hand: with an escape sequence and a bidi override, a blank, two '@', 241
# bytes): left out, as systemd's listings leave out what is no unit's name,
# the valid one beside them listed. They were listed (the first escaped),
# names that "cell status" refuses.
odd=$(printf 'odd\033[31m\342\200\256x')
long=$(printf 'x%.0s' $(seq 241))
for name in "$odd" 'a b' 'a@b@c' "$long"; do
        fake_running "$name" "$tmp/p.cell"
done
fake_running plain "$tmp/p.cell"
"$cell" list >"$tmp/out" 2>"$tmp/err" || fail "list with odd names: exit $?: $(cat "$tmp/err")"
grep -q $'\033' "$tmp/out" && fail "list: an escape character reached the output: $(cat -v "$tmp/out")"
grep -q -e '^odd' -e '^a b' -e '^a@b@c' -e '^xxx' "$tmp/out" &&
        fail "list: an invalid name listed: $(cat -v "$tmp/out")"
grep -q '^plain ' "$tmp/out" || fail "list: the valid name beside odd ones not listed: $(cat -v "$tmp/out")"
# Each is said at debug level ($SYSTEMD_LOG_LEVEL, as systemd's tools), escaped.
SYSTEMD_LOG_LEVEL=debug "$cell" list >"$tmp/out" 2>"$tmp/err" || fail "list at debug level: exit $?"
[ "$(grep -c 'not a valid cell name' "$tmp/err")" = 4 ] ||
        fail "list at debug level: not one line for each odd name: $(cat -v "$tmp/err")"
grep -q $'\033' "$tmp/err" && fail "list at debug level: an escape character reached stderr: $(cat -v "$tmp/err")"
grep -q '"a b": not a valid cell name' "$tmp/err" || fail "list at debug level: \"a b\" not named: $(cat -v "$tmp/err")"
SYSTEMD_LOG_LEVEL=info "$cell" list >"$tmp/out" 2>"$tmp/err" || fail "list at info level: exit $?"
[ -s "$tmp/err" ] && fail "list at info level: $(cat -v "$tmp/err")"
"$cell" list --json >"$tmp/out" || fail "list --json with odd names: exit $?"
python3 -c 'import json, sys
n = [c["name"] for c in json.load(open(sys.argv[1]))]
assert "plain" in n and not [x for x in n if x.startswith(("odd", "a b", "a@b@c", "xxx"))], n' \
        "$tmp/out" || fail "list --json with odd names: $(cat -v "$tmp/out")"
for name in "$odd" 'a b' 'a@b@c' "$long"; do
        rm -r "${CELL_RUNTIME_DIR:?}/$name"
done

# A state whose NAME= is not its directory's (a copy made by hand): no cell
# of either name, a state that does not parse; it was listed, and found by
# "cell status copy", under the name in the file, an escape sequence and all.
fake_running copy "$tmp/p.cell"
sed -i "s/^NAME=.*/NAME=$(printf 'ev\033[2Jil')/" "$CELL_RUNTIME_DIR/copy/state"
"$cell" list --no-legend >"$tmp/out" 2>"$tmp/err" || fail "list with a copied state: exit $?: $(cat "$tmp/err")"
grep -q -e '^ev' -e '^copy' "$tmp/out" &&
        fail "list: a state named otherwise than its directory listed: $(cat -v "$tmp/out")"
expect 2 "status of a state named otherwise" -- "$cell" status copy
grep -qF "copy/state does not parse" "$tmp/err" || fail "status copy: $(cat -v "$tmp/err") $(cat -v "$tmp/out")"
grep -q $'\033' "$tmp/out" && fail "status copy: the ESC reached the terminal: $(cat -v "$tmp/out")"
rm -r "${CELL_RUNTIME_DIR:?}/copy"

# No cell: machinectl's "No machines.", without headings; nothing at all
# without the legend.
rm -r "${CELL_RUNTIME_DIR:?}"/*
"$cell" list >"$tmp/out" || fail "list of no cells: exit $?"
[ "$(cat "$tmp/out")" = "No cells." ] || fail "list of no cells: $(cat "$tmp/out")"
"$cell" list --no-legend >"$tmp/out" || fail "list --no-legend of no cells: exit $?"
[ -s "$tmp/out" ] && fail "list --no-legend of no cells: $(cat "$tmp/out")"

exit $failed
