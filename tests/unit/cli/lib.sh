# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the rootless tests of the cell executable: a temporary
# directory, only the test's own units and running cells, and a cell that
# "runs" without anything started (a runtime state for a process of ours).

tmp=$(mktemp -d)
sleeper=
trap '[ -n "$sleeper" ] && kill "$sleeper"; rm -rf "$tmp"' EXIT
failed=0

# No search path of the host's, no bus that could name a cell of the host's.
export CELL_UNIT_PATH=$tmp/units CELL_RUNTIME_DIR=$tmp/run
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-bus
mkdir -p "$CELL_UNIT_PATH" "$CELL_RUNTIME_DIR"

fail() {
        echo "FAIL: $*" >&2
        failed=1
}

# expect STATUS DESCRIPTION -- COMMAND...: COMMAND exits STATUS; its output
# is left in $tmp/out and $tmp/err.
expect() {
        local want=$1 what=$2 got
        shift 3
        "$@" >"$tmp/out" 2>"$tmp/err"
        got=$?
        if [ "$got" != "$want" ]; then
                fail "$what: exit $got, expected $want"
                sed 's/^/  stderr: /' "$tmp/err" >&2
        fi
}

start_time() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

# fake_running NAME UNIT: NAME runs (manager none), started from UNIT, as
# "cell run" writes its runtime state; its PID 1 is a sleep of ours.
fake_running() {
        if [ -z "$sleeper" ]; then
                sleep 600 </dev/null >/dev/null 2>&1 &
                sleeper=$!
        fi
        mkdir -p "$CELL_RUNTIME_DIR/$1"
        cat > "$CELL_RUNTIME_DIR/$1/state" <<EOT
NAME=$1
UNIT=$2
SERVICE=
MANAGER=none
SUPERVISOR=$$
SUPERVISOR_START=$(start_time $$)
LEADER=$sleeper
LEADER_START=$(start_time "$sleeper")
SINCE=1
EOT
}
