# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the rootless tests of the cell executable: a temporary
# directory, only the test's own units and running cells, and a cell that
# "runs" without anything started (a runtime state for a process of ours).

tmp=$(mktemp -d)
sleeper=
holder=
trap '[ -n "$sleeper" ] && kill "$sleeper"; [ -n "$holder" ] && kill -KILL "$holder"; rm -rf "$tmp"' EXIT
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

# need_strace: the test counts system calls with strace; where it is missing
# or cannot trace (ptrace refused: a container's seccomp, Yama), it skips.
need_strace() {
        if ! command -v strace >/dev/null; then
                echo "SKIP: strace is not installed"
                exit 77
        fi
        if ! strace -o /dev/null true 2>"$tmp/strace.err"; then
                echo "SKIP: strace cannot trace here: $(head -n 1 "$tmp/strace.err")"
                exit 77
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

# fake_lock_holder NAME: a process of ours ($holder) holds NAME's lock as a
# cgroupfs "cell run" does (its PID in the file), notes each SIGTERM and
# SIGUSR1 it gets in $tmp/holder.got and ends once $tmp/holder.go exists.
fake_lock_holder() {
        rm -f "$tmp/holder.got" "$tmp/holder.go"
        mkdir -p "$CELL_RUNTIME_DIR/lock"
        python3 -c 'import fcntl, os, signal, sys, time
path, got, go = sys.argv[1:4]
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, b"%d\n" % os.getpid())
note = lambda s: open(got, "a").write(s + "\n")
signal.signal(signal.SIGTERM, lambda *a: note("TERM"))
signal.signal(signal.SIGUSR1, lambda *a: note("USR1"))
note("ready")
while not os.path.exists(go):
    time.sleep(0.02)' "$CELL_RUNTIME_DIR/lock/$1.lock" "$tmp/holder.got" "$tmp/holder.go" </dev/null &
        holder=$!
        # (Up to 30 s: python starts slowly on a loaded CI host.)
        for _ in $(seq 1500); do grep -qx ready "$tmp/holder.got" 2>/dev/null && return 0; sleep 0.02; done
        fail "fake_lock_holder $1: not ready"
}

# fake_ended NAME: the holder's run is past its start, its payload gone: its
# runtime state names it as "cell run", with a PID 1 that has exited.
fake_ended() {
        local dead
        sh -c 'exit 0' & dead=$!
        wait "$dead"
        mkdir -p "$CELL_RUNTIME_DIR/$1"
        printf 'NAME=%s\nUNIT=/x.cell\nSERVICE=\nMANAGER=cgroupfs\nSUPERVISOR=%s\nSUPERVISOR_START=%s\nLEADER=%s\nLEADER_START=1\nSINCE=1\n' \
                "$1" "$holder" "$(start_time "$holder")" "$dead" > "$CELL_RUNTIME_DIR/$1/state"
}
