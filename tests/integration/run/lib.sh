# Sourced by the tests of this folder: test-NAME.sh CELL PROBE MAKE_ROOT
#
# Each test gets a fresh busybox root with the probe (tests/lib/make-root)
# in its own temporary directory, removed on exit, and the helpers below.
# Tests run as root with --cgroup-manager=none or cgroupfs: there is no
# systemd bus on the test machines (tests/integration/systemd/ has one).
set -euo pipefail

# SIGHUP, SIGINT and SIGQUIT at their defaults: a suite started under nohup
# (or as a script's background job) would pass its ignored ones to every cell
# started here, which keeps them ignored (as nohup asks), and the tests that
# send cell those would wait for nothing. A shell cannot undo an ignore it
# inherited: env does, in a new one. (This shell's own background jobs get
# SIGINT and SIGQUIT ignored again: test-signals.sh.)
if [ -z "${CELL_TEST_SIGHUP_RESET:-}" ]; then
        CELL_TEST_SIGHUP_RESET=1 exec env --default-signal=HUP,INT,QUIT "$BASH" "$0" "$@"
fi

if [ "$(id -u)" -ne 0 ]; then
        echo "skipped: needs root"
        exit 77
fi

CELL=$(realpath "${1:?usage: $0 CELL PROBE MAKE_ROOT}")
PROBE=$(realpath "${2:?}")
MAKE_ROOT=$(realpath "${3:?}")

work=$(mktemp -d /tmp/cell-run-test.XXXXXX)
root=$work/root
# A unique word in every unit name, to find stray processes and cgroups.
marker=celltest$$x$RANDOM

cleanup() {
        local status=$?
        # Anything of ours still running is a bug; do not leave it behind:
        # cell first (gracefully, so it removes its cgroup), then the rest.
        pkill -TERM -f -- "$CELL run .*$marker" 2>/dev/null && sleep 0.5
        pkill -KILL -f -- "$marker" 2>/dev/null && sleep 0.2
        # With what an init inside made below them (PrivateUsers= delegates).
        local d
        for d in $(find /sys/fs/cgroup -type d -name "*$marker*" -prune 2>/dev/null); do
                find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        done
        # The runtime state (and name lock file) a cell killed by the test could not remove.
        rm -rf /run/cell/*"$marker"* /run/cell/lock/*"$marker"*
        # Image='s lock files (named by the inode) of the images made here,
        # and the places' of its directories, which a cell the test killed
        # (SIGKILL) could not remove.
        local f
        for f in $(find "$work" -maxdepth 1 -type f 2>/dev/null); do
                rm -f "/run/cell/image-lock/inode-$(stat -c %d "$f"):$(stat -c %i "$f")"
        done
        for f in $(find "$work" -maxdepth 3 -type d 2>/dev/null); do
                rm -f "/run/cell/place-lock/inode-$(stat -c %d "$f"):$(stat -c %i "$f")"
        done
        rm -rf "$work"
        exit $status
}
trap cleanup EXIT

"$MAKE_ROOT" "$root" "$PROBE"

# cell_sanitized: 1 for a cell built with the sanitizers (build-asan/).
cell_sanitized=0
grep -qa 'libasan\.so' "$CELL" && cell_sanitized=1
# There LeakSanitizer's check at exit cannot run under ptrace, and would fail
# every cell a test runs under strace for that alone. What strace runs here
# goes without the leak check, through an strace first in PATH (the tests call
# it bare, under timeout too).
if [ "$cell_sanitized" = 1 ] && command -v strace >/dev/null; then
        mkdir "$work/bin"
        # Named "strace" still (exec -a), as the tests find its own messages.
        printf '#!/bin/bash\nASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" exec -a strace %s "$@"\n' \
                "$(command -v strace)" > "$work/bin/strace"
        chmod 755 "$work/bin/strace"
        PATH=$work/bin:$PATH
fi

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

# grep -q for a pipe, reading the pipe to its end: with pipefail, grep -q
# leaves at its first match and a writer with more to say dies of SIGPIPE,
# which fails the pipe ("ip -o addr" writes a line at a time; seen failing
# test-zone.sh in 1 run of 10).
matches() {
        local in
        in=$(cat)
        grep -q "$@" <<< "$in"
}

# The unit name for NAME: the marker and NAME without dashes (which unit
# name escaping would turn into "\x2d" in cgroup names).
unit_name() {
        echo "$marker${1//-/}"
}

# unit NAME LINES...: writes the unit file for NAME, prints its path.
unit() {
        local name=$1; shift
        local f
        f=$work/$(unit_name "$name").cell
        printf '%s\n' "$@" > "$f"
        echo "$f"
}

# merged_root DIR: a copy of $root at DIR with /bin and /sbin merged into
# /usr (symbolic links left in their place), for Volatile=yes, which takes
# only an image's /usr.
merged_root() {
        local d
        cp -a "$root" "$1"
        for d in bin sbin; do
                mkdir -p "$1/usr/$d"
                cp -a "$1/$d/." "$1/usr/$d/"
                rm -rf "${1:?}/$d"
                ln -s "usr/$d" "$1/$d"
        done
}

# run_cell MANAGER UNIT [ARGS...]: cell run, stdout to $work/out, stderr to
# $work/err; sets $status.
run_cell() {
        local manager=$1 u=$2; shift 2
        status=0
        timeout 20 "$CELL" run --cgroup-manager="$manager" "$u" "$@" >"$work/out" 2>"$work/err" || status=$?
}

# A container that runs until told: start_waiting NAME ROOT_KEY... makes
# unit NAME of those [Root] keys, with $work/sync at /data and a payload
# that says it started and waits for /data/done, starts it in the
# background (no cgroup manager, its output in $work/out1) and returns once
# it runs; end_waiting NAME tells it to end and expects status 0.
start_waiting() {
        local name=$1 u
        shift
        mkdir -p "$work/sync"
        rm -f "$work/sync/started" "$work/sync/done"
        u=$(unit "$name" "[Root]" "$@" "Bind=$work/sync:/data" "[Exec]" \
                "Exec=/bin/sh -c 'touch /data/started; while [ ! -e /data/done ]; do sleep 0.1; done'")
        timeout 20 "$CELL" run --cgroup-manager=none "$u" >"$work/out1" 2>&1 &
        waiting=$!
        for _ in $(seq 100); do [ -e "$work/sync/started" ] && break; sleep 0.1; done
        [ -e "$work/sync/started" ] || fail "$name: did not start: $(cat "$work/out1")"
}

end_waiting() {
        local s=0
        touch "$work/sync/done"
        wait "$waiting" || s=$?
        expect "$1: status" "$s" 0
}

# A container to "cell exec" into: start_cell MANAGER UNIT [OPTION...]
# starts cell run of UNIT (with the OPTIONs before it) in the background,
# its stdin /dev/null, its output in $work/run.err, its PID in $runpid, and
# returns once "cell exec" reaches the cell (named as the file, as unit()
# names it); else the test fails with what cell run said. stop_cell ends
# it (SIGTERM to cell run) and waits for it.
start_cell() {
        local manager=$1 u=$2
        shift 2
        "$CELL" run --cgroup-manager="$manager" "$@" "$u" >"$work/run.err" 2>&1 </dev/null &
        runpid=$!
        wait_execable "$(basename "$u" .cell)" "$runpid" ||
                fail "$(basename "$u" .cell): did not start: $(cat "$work/run.err")"
}

# wait_execable NAME [PID]: 0 once "cell exec NAME true" works, within 10 s;
# 1 if it does not, or as soon as PID (the cell run) is gone.
wait_execable() {
        local _
        for _ in $(seq 200); do
                "$CELL" exec "$1" true </dev/null >/dev/null 2>&1 && return 0
                [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
                sleep 0.05
        done
        return 1
}

stop_cell() {
        kill -TERM "$runpid" 2>/dev/null || true
        wait "$runpid" || true
}

# is_monitor PID: the process PID (a cell run) is cell-monitor, which cell
# execs a second after its payload started (the same PID).
is_monitor() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = cell-monitor ]; }

# wait_handed_over PID [SECONDS]: 0 once cell run PID has handed over to
# cell-monitor, within SECONDS (10 by default); 1 if it has not by then, or
# as soon as PID is gone.
wait_handed_over() {
        local n=$(( ${2:-10} * 20 ))
        while [ "$n" -gt 0 ]; do
                is_monitor "$1" && return 0
                kill -0 "$1" 2>/dev/null || return 1
                sleep 0.05
                n=$((n - 1))
        done
        return 1
}

# no_loop_left WHAT: no loop device of a file in $work is left (the kernel
# detaches an Image='s, autoclear, once its last mount is gone: the
# container's namespace, cell's fd), after waiting 5 s at most for it.
no_loop_left() {
        local i
        for i in $(seq 50); do
                losetup -a | grep -qF "$work/" || return 0
                sleep 0.1
        done
        fail "$1: loop devices left behind: $(losetup -a | grep -F "$work/")"
}

# field KEY [FILE]: the value of a top-level "KEY": line of the probe's JSON
# (one key per line), without quotes and the trailing comma.
field() {
        local f=${2:-$work/out}
        grep -m1 "^  \"$1\": " "$f" | sed -e "s/^  \"$1\": //" -e 's/,$//' -e 's/^"\(.*\)"$/\1/'
}

# expect NAME GOT WANT
expect() {
        [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_match NAME GOT REGEX
expect_match() {
        [[ $2 =~ $3 ]] || fail "$1: '$2' does not match /$3/"
}

# The host's state that a failed start must leave alone.
host_snapshot() {
        cut -d' ' -f5 /proc/self/mountinfo | sort > "$work/mounts.$1"
        { find /sys/fs/cgroup -name "*$marker*" 2>/dev/null || true; } > "$work/cgroups.$1"
}

expect_nothing_left() {
        host_snapshot after
        diff -u "$work/mounts.before" "$work/mounts.after" >&2 || fail "the host's mount table changed"
        [ ! -s "$work/cgroups.after" ] || fail "cgroups left behind: $(cat "$work/cgroups.after")"
        if pgrep -f -- "$marker" >/dev/null; then
                fail "processes left behind: $(pgrep -a -f -- "$marker")"
        fi
}

# expect_oom_lowered NAME WHERE DOWN: the run just made ($status,
# $work/out, $work/err) of OOMScoreAdjust=DOWN, below the caller's own:
# with CAP_SYS_RESOURCE, the payload's score is DOWN; without it, exit 2
# and "cell: NAME: WHERE: OOMScoreAdjust=DOWN: ..." naming the capability.
expect_oom_lowered() {
        local name=$1 where=$2 down=$3
        local why="lowering it needs CAP_SYS_RESOURCE, which cell itself does not hold"
        if capsh --has-p=cap_sys_resource 2>/dev/null; then
                expect "lowered: status ($(cat "$work/err"))" "$status" 0
                expect "lowered: oom_score_adj" "$(cat "$work/out")" "$down"
        else
                expect "lowered without CAP_SYS_RESOURCE: status" "$status" 2
                expect "lowered without CAP_SYS_RESOURCE: message" "$(cat "$work/err")" \
                        "cell: $name: $where: OOMScoreAdjust=$down: $why: Permission denied"
        fi
}

# credential_error MANAGER NAME WANT [LINE...]: a unit NAME whose [Exec]
# has LINE... fails its start with exit 2 and the message
# "cell: NAME: FILE:WANT" (WANT a regex from the line number on) before
# anything is made: no /run/host in the image, nothing left on the host.
credential_error() {
        local manager=$1 name=$2 want=$3; shift 3
        host_snapshot before
        run_cell "$manager" "$(unit "$name" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "$@")"
        expect "$name: status" "$status" 2
        expect_match "$name: message" "$(grep -v 'Running without' "$work/err")" \
                "^cell: $(unit_name "$name"): $work/$(unit_name "$name")\\.cell:$want"
        [ ! -e "$root/run/host" ] || fail "$name: the image got $root/run/host"
        expect_nothing_left
}

# plan_value KEY: from $work/plan (cell plan --json), the value of the first
# line "KEY": ..., without quotes and the trailing comma.
plan_value() {
        grep -m1 "^ *\"$1\": " "$work/plan" | sed -e "s/^ *\"$1\": //" -e 's/,$//' -e 's/^"\(.*\)"$/\1/'
}

# caps_hex '["CAP_A", "CAP_B"]': the mask as /proc/self/status prints it,
# with the numbers from the kernel's header.
caps_hex() {
        local mask=0 name n
        for name in $(grep -o 'CAP_[A-Z_]*' <<<"$1"); do
                n=$(awk -v c="$name" '$1 == "#define" && $2 == c { print $3 }' /usr/include/linux/capability.h)
                [ -n "$n" ] || fail "unknown capability $name"
                mask=$((mask | (1 << n)))
        done
        printf '%016x\n' "$mask"
}

# held MASK [WITHHELD]: MASK without what cell itself cannot grant (the
# default set is cut to the host's own bounding set, e.g. in a container),
# and without WITHHELD (a number).
host_bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
held() {
        printf '%016x\n' $((0x$1 & 0x$host_bnd & ~${2:-0}))
}

# compare_with_plan UNIT: the probe's report in $work/out against the plan
# (and the capabilities cell run said, in $work/err, it withheld: CAP_MKNOD
# where no device policy applies).
compare_with_plan() {
        local withheld=0
        grep -q "CAP_MKNOD is withheld" "$work/err" && withheld=$((1 << 27))
        "$CELL" plan --json "$1" > "$work/plan" || fail "cell plan --json $1 failed"
        expect "plan: CapBnd" "$(field CapBnd)" "$(held "$(caps_hex "$(plan_value bounding)")" "$withheld")"
        expect "plan: CapInh" "$(field CapInh)" "$(held "$(caps_hex "$(plan_value inheritable)")" "$withheld")"
        expect "plan: CapAmb" "$(field CapAmb)" "$(held "$(caps_hex "$(plan_value ambient)")" "$withheld")"
        if [ "$(plan_value user)" = null ] || [ "$(field uid)" = 0 ]; then
                expect "plan: CapEff" "$(field CapEff)" "$(held "$(caps_hex "$(plan_value effective)")" "$withheld")"
        fi
        expect "plan: NoNewPrivs" "$(field NoNewPrivs)" "$([ "$(plan_value no_new_privileges)" = true ] && echo 1 || echo 0)"
        [ "$(plan_value enabled)" = true ] && expect "plan: Seccomp" "$(field Seccomp)" 2
        expect "plan: hostname" "$(field hostname)" "$(plan_value hostname)"
        expect "plan: cwd" "$(field cwd)" "$(plan_value working_directory)"
        expect "plan: umask" "$(field Umask)" "$(plan_value umask)"
        if [[ $(plan_value namespaces) == *'"net"'* ]]; then
                expect "plan: private network" "$(field interfaces)" '{"lo": {"up": true, "flags": 73}}'
        fi
        if [[ $(plan_value namespaces) == *'"pid"'* ]]; then
                expect "plan: PID namespace" "$(field pid)" 1
        fi
        local e
        while read -r e; do
                [ -n "$e" ] || continue
                [[ $(field environment) == *"$e"* ]] || fail "plan: environment lacks $e"
        done < <(sed -n '/^  "environment": \[/,/^  \]/p' "$work/plan" | sed -n 's/^    \("[^"]*"\),\{0,1\}$/\1/p')
}
