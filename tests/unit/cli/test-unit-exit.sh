#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One exit status for a unit that cannot be loaded, whichever verb loads it
# (cell(1), EXIT STATUS): 1 when it is invalid, missing or no unit file at
# all (a directory), for verify, plan, run and exec alike. Rootless: each
# stops before anything is started; exec finds its "running" cell through
# a runtime state of this test's own (CELL_RUNTIME_DIR).
#
#   test-unit-exit.sh CELL
set -u

cell=$1
tmp=$(mktemp -d)
sleeper=
trap '[ -n "$sleeper" ] && kill "$sleeper"; rm -rf "$tmp"' EXIT
failed=0

# Only this test's units and running cells: no search path of the host's,
# no bus that could name a cell of the same name.
export CELL_UNIT_PATH=$tmp/units CELL_RUNTIME_DIR=$tmp/run
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-bus
mkdir -p "$CELL_UNIT_PATH" "$CELL_RUNTIME_DIR"

fail() {
        echo "FAIL: $*" >&2
        failed=1
}

expect() {      # expect STATUS DESCRIPTION -- command...
        local want=$1 what=$2 got
        shift 3
        "$@" >"$tmp/out" 2>"$tmp/err"
        got=$?
        if [ "$got" != "$want" ]; then
                fail "$what: exit $got, expected $want"
                sed 's/^/  stderr: /' "$tmp/err" >&2
        fi
}

# A missing unit, by name and by path; a directory where the unit file would be.
mkdir "$tmp/dir.cell" "$CELL_UNIT_PATH/dirunit.cell"
for verb in verify plan run; do
        expect 1 "$verb of a missing unit by name" -- "$cell" "$verb" nosuchunit
        grep -q "nosuchunit: no such unit" "$tmp/err" || fail "$verb: the missing unit is not named"
        expect 1 "$verb of a missing file" -- "$cell" "$verb" "$tmp/nosuch.cell"
        expect 1 "$verb of a directory by path" -- "$cell" "$verb" "$tmp/dir.cell"
        grep -q "dir.cell: Is a directory" "$tmp/err" || fail "$verb: the directory is not named"
        expect 1 "$verb of a directory by name" -- "$cell" "$verb" dirunit
done
# An invalid unit, for comparison: the same status.
printf '[Root]\nDirectory=relative\n' > "$tmp/bad.cell"
for verb in verify plan run; do
        expect 1 "$verb of an invalid unit" -- "$cell" "$verb" "$tmp/bad.cell"
done

# cell exec: the unit is loaded again from the file the running cell was
# started from. A runtime state as cell run writes it, for a process of ours.
start_time() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
sleep 60 &
sleeper=$!
running() {     # running NAME UNIT: NAME runs, from UNIT
        mkdir -p "$CELL_RUNTIME_DIR/$1"
        cat > "$CELL_RUNTIME_DIR/$1/state" <<EOF
NAME=$1
UNIT=$2
SERVICE=
MANAGER=none
SUPERVISOR=$$
SUPERVISOR_START=$(start_time $$)
LEADER=$sleeper
LEADER_START=$(start_time "$sleeper")
SINCE=1
EOF
}
running gone "$tmp/gone.cell"
expect 1 "exec in a cell whose unit file is gone" -- "$cell" exec gone true
grep -q "gone.cell: No such file or directory" "$tmp/err" || fail "exec: the missing file is not named"
running isdir "$tmp/dir.cell"
expect 1 "exec in a cell whose unit file is a directory now" -- "$cell" exec isdir true
running invalid "$tmp/bad.cell"
expect 1 "exec in a cell whose unit is invalid now" -- "$cell" exec invalid true
expect 3 "exec in a cell that is not running" -- "$cell" exec notrunning true

exit $failed
