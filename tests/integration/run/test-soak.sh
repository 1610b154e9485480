#!/bin/bash
# A long-lived container must not make its supervisor grow: cell (with
# CELL_MONITOR=0) and cell-monitor, under the cgroupfs manager, measured
# after a warm-up and again after many more of the same (months of a chatty
# service, squeezed): sd_notify datagrams of every kind (a STATUS= flood,
# READY=1, WATCHDOG=1, EXTEND_TIMEOUT_USEC=, bad ones), cell exec, cell
# status and cell list, the payload's output through the relay (cell's
# stdout the "journal stream", as in a service), and children of the
# payload that exit all the time (orphans too), with Init=yes and without;
# and output at a high rate on a pty (--console=passive: cell reads it).
# Each load is measured alone, before and after: the supervisor's open fds
# must stay equal, it keeps one child (the container's init), no zombie is
# left below it, and its Pss_Anon may grow by SOAK_ANON_SLACK KiB at most
# (64: sixteen pages, which the allocator's arenas, the stack's deepest call
# so far and a first write to a page of static data on a path taken only late
# may cost once; a leak of one fd or of 16 bytes per event costs more than
# that over the thousands of events here).
# Then start/stop cycles of one unit (SIGTERM to cell run), failed starts (a
# missing Exec= binary) and Image= starts leave nothing behind: no mount,
# cgroup (v1 hierarchies and cgroup2), file under /run/cell, process or loop
# device.
#
# SOAK_SCALE=N (default 1) multiplies the counts, for a longer soak by hand;
# SOAK_MANAGER=none runs it all without cgroups (in a private mount
# namespace: unshare -m, without the integration lock).
. "$(dirname "$0")/lib.sh"
NOTIFY_PROBE=$(realpath "${4:?usage: $0 CELL PROBE MAKE_ROOT NOTIFY_PROBE}")
cp "$NOTIFY_PROBE" "$root/bin/notify-probe"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
# A cell built with the sanitizers (build-asan/): AddressSanitizer keeps
# what is freed in a quarantine of up to 256 MiB, which the Pss_Anon
# measure would count as growth (31 to 255 MiB over the notify load).
# Without the quarantine it measures the allocator's heap again; a leak
# LeakSanitizer reports at exit.
if [ "$cell_sanitized" = 1 ]; then
        export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
fi

scale=${SOAK_SCALE:-1}
manager=${SOAK_MANAGER:-cgroupfs}
anon_slack=${SOAK_ANON_SLACK:-64}
t0=$SECONDS

# The stand-in for systemd's notify socket: it counts what it gets.
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
n = 0
while True:
    s.recv(65536)
    n += 1
    if n % 50 == 0:
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write("%d\n" % n)
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
' "$work/up.sock" "$work/up.count" &
listener=$!
trap 'status=$?; set +e; kill $listener 2>/dev/null; (exit $status); cleanup' EXIT
for _ in $(seq 50); do [ -S "$work/up.sock" ] && break; sleep 0.1; done
[ -S "$work/up.sock" ] || fail "the listener did not bind $work/up.sock"

# The payload runs what the test puts in /data/cmd, one script at a time,
# and says it is done in /data/ack. A TERM ends it (sh as PID 1 needs the trap).
mkdir -p "$work/sync"
payload="trap \"exit 0\" TERM; touch /data/started; while :; do "
payload+="if [ -e /data/cmd ]; then sh /data/cmd; rm -f /data/cmd; touch /data/ack; fi; sleep 0.02; done"

# in_payload SCRIPT: runs SCRIPT in the payload and waits for it (60 s at most).
in_payload() {
        rm -f "$work/sync/ack"
        printf '%s\n' "$1" > "$work/sync/cmd.new"
        mv "$work/sync/cmd.new" "$work/sync/cmd"
        for _ in $(seq 3000); do [ -e "$work/sync/ack" ] && return 0; sleep 0.02; done
        fail "$label: the payload did not run: $1"
}

# descendants PID: PID's descendants, one per line (the children files list
# zombies too, until they are reaped).
descendants() {
        local c
        for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
                echo "$c"
                descendants "$c"
        done
}

# zombies PID: the zombies below PID, after a second's grace for a reaper
# that has not run yet.
zombies() {
        local p z
        for _ in $(seq 20); do
                z=
                for p in $(descendants "$1"); do
                        [ "$(awk '/^State:/ { print $2 }' /proc/"$p"/status 2>/dev/null)" != Z ] || z="$z $p"
                done
                [ -n "$z" ] || return 0
                sleep 0.05
        done
        echo "$z"
}

# measure PID NAME: the supervisor's fds, Pss_Anon, children and Pss (KiB)
# into $work/m.NAME. Pss_Anon is its heap, stack and data: what a leak
# grows. Pss also counts its share of the pages of files (cell's libraries)
# that it shares, which changes with what else runs on the host and maps
# them (seen: +70 KiB while a CI ran beside it): reported, not judged.
measure() {
        local fds anon kids pss
        fds=$(ls /proc/"$1"/fd | wc -l)
        # (Pss_Anon: Linux 5.13; before it, the private dirty pages.)
        anon=$(awk '/^Pss_Anon:/ { a = $2 } /^Private_Dirty:/ { d = $2 } END { print a != "" ? a : d }' \
                /proc/"$1"/smaps_rollup)
        kids=$(cat /proc/"$1"/task/*/children | wc -w)
        pss=$(awk '/^Pss:/ { print $2 }' /proc/"$1"/smaps_rollup)
        echo "$fds $anon $kids $pss" > "$work/m.$2"
        echo "$label: $2 (at $((SECONDS - t0)) s): fds $fds, Pss $pss KiB (anon $anon), children $kids," \
                "$(cat /proc/"$1"/comm)"
}

# compare WHAT BEFORE AFTER: the measures BEFORE and AFTER.
compare() {
        local f0 a0 k0 f1 a1 k1
        read -r f0 a0 k0 _ < "$work/m.$2"
        read -r f1 a1 k1 _ < "$work/m.$3"
        expect "$label: $1: the supervisor's open fds" "$f1" "$f0"
        expect "$label: $1: the supervisor's children" "$k1" "$k0"
        [ "$((a1 - a0))" -le "$anon_slack" ] ||
                fail "$label: $1: the supervisor's Pss_Anon grew from $a0 to $a1 KiB (more than $anon_slack)"
}

# The loads, N a unit each (N: 1 warm-up, 9 the soak; SOAK_SCALE more).
load_notify() {
        # A flood of STATUS= (blocking sends: none lost on the way in), then
        # the other kinds, each a notify-probe of its own (a process per
        # datagram is dear): READY=1 (the first counts), WATCHDOG=1 (the
        # service's watchdog is on), EXTEND_TIMEOUT_USEC=, and bad ones:
        # no "=", an empty key, an unknown key, numbers that do not parse,
        # a key that is not the payload's to say, an empty line.
        in_payload "notify-probe --flood $(($1 * 2000)) >/dev/null
i=0; while [ \$i -lt $(($1 * 8)) ]; do
notify-probe --no-wait READY=1 \"STATUS=ready \$i\"
notify-probe --no-wait WATCHDOG=1
notify-probe --no-wait EXTEND_TIMEOUT_USEC=1000000
notify-probe --no-wait garbage = WHAT=ever EXTEND_TIMEOUT_USEC=x WATCHDOG_USEC=nope MAINPID=1 ''
i=\$((i + 1)); done"
}
load_exec() {
        local i
        for i in $(seq $(($1 * 30))); do
                "$CELL" exec "$name" /bin/true </dev/null >/dev/null 2>>"$work/exec.err" ||
                        fail "$label: cell exec $i failed: $(tail -3 "$work/exec.err")"
        done
}
load_status() {
        local i
        for i in $(seq $(($1 * 30))); do
                "$CELL" status "$name" >/dev/null 2>>"$work/status.err" ||
                        fail "$label: cell status $i failed: $(tail -3 "$work/status.err")"
                "$CELL" list >/dev/null 2>>"$work/status.err" ||
                        fail "$label: cell list $i failed: $(tail -3 "$work/status.err")"
        done
}
load_output() {
        # Lines at the payload's fastest on both streams, and a large write.
        in_payload "i=0; while [ \$i -lt $(($1 * 1000)) ]; do
echo \"line \$i of a payload that says a lot\"; echo \"err \$i\" >&2; i=\$((i + 1)); done
head -c $(($1 * 4000000)) /dev/zero | tr '\\0' x; echo"
        [ "$console" != pipe ] || grep -q "^line $(($1 * 1000 - 1)) of a payload" "$work/relay.out" ||
                fail "$label: the payload's output did not come through"
}
load_children() {
        # Children that exit at once, and orphans (their parent gone first:
        # PID 1's to reap), of the payload and of a cell exec.
        in_payload "i=0; while [ \$i -lt $(($1 * 20)) ]; do
/bin/true; (/bin/true &) ; sh -c '/bin/true & exit 0'; i=\$((i + 1)); done; wait"
        "$CELL" exec "$name" /bin/sh -c "i=0; while [ \$i -lt $(($1 * 10)) ]; do (/bin/true &); i=\$((i + 1)); done" \
                </dev/null >/dev/null || fail "$label: cell exec of orphans failed"
}

# soak SUPERVISOR INIT LOAD...: one container, the LOADs after a warm-up
# (each once) and then again (${more[LOAD]} times, 9 if unset), each alone,
# measured before and after.
declare -A more
soak() {
        local supervisor=$1 init=$2 l u z
        shift 2
        label="$supervisor, Init=$init"
        name=$(unit_name "soak$supervisor$init")
        u=$(unit "soak$supervisor$init" "[Root]" "Directory=$root" "Bind=$work/sync:/data" "[Exec]" \
                "Exec=/bin/sh -c '$payload'" "Init=$init")
        rm -f "$work/sync/"*
        : > "$work/relay.out"
        console=pipe
        case $supervisor in
        cell)           export CELL_MONITOR=0 ;;
        cell-monitor)   unset CELL_MONITOR ;;
        # A pty of the container's, read and dropped by cell, which stays the supervisor.
        cell-passive)   unset CELL_MONITOR; console=passive ;;
        esac
        # Cell's stdout is the "journal stream" (its device and inode): the
        # payload's output goes through cell's relay. The watchdog is on (a
        # day), so that the payload's WATCHDOG=1 goes up.
        NOTIFY_SOCKET=$work/up.sock WATCHDOG_USEC=86400000000 \
                JOURNAL_STREAM=$(stat -c '%d:%i' "$work/relay.out") \
                "$CELL" run --cgroup-manager="$manager" --console="$console" "$u" \
                >>"$work/relay.out" 2>"$work/run.err" </dev/null &
        runpid=$!
        for _ in $(seq 200); do [ -e "$work/sync/started" ] && break; sleep 0.05; done
        [ -e "$work/sync/started" ] || fail "$label: did not start: $(cat "$work/run.err")"
        if [ "$supervisor" = cell-monitor ]; then
                wait_handed_over "$runpid" || fail "$label: no hand-over to cell-monitor: $(cat "$work/run.err")"
        else
                sleep 1.2
                ! is_monitor "$runpid" || fail "$label: handed over to cell-monitor"
        fi
        for l in "$@"; do "load_$l" 1; done
        measure "$runpid" warm
        for l in "$@"; do
                measure "$runpid" "before.$l" >/dev/null
                "load_$l" $(( ${more[$l]:-9} * scale ))
                measure "$runpid" "after.$l"
                compare "$l" "before.$l" "after.$l"
                z=$(zombies "$runpid")
                [ -z "$z" ] || fail "$label: $l: zombies left: $z"
        done
        compare "all loads" warm "after.$l"
        stop_cell
        [[ " $* " != *" notify "* ]] || [ -s "$work/up.count" ] || fail "$label: no datagram reached the stand-in"
        echo "$label: done at $((SECONDS - t0)) s; datagrams up so far: $(cat "$work/up.count" 2>/dev/null || echo 0)"
}

# cell-monitor, the supervisor of a container that runs for months: 300
# cell exec, 300 cell status and cell list, 20,000 datagrams and more. cell
# itself (CELL_MONITOR=0): a third of the exec, status and list (a leak of
# one fd per exec shows after a few).
# Children: 120 rounds of 3 (and 60 orphans of a cell exec) a container.
more[children]=5
soak cell-monitor yes notify exec status output children
more[exec]=3 more[status]=3
soak cell no notify exec status output children
more=([children]=5)
soak cell-monitor no children
soak cell yes children
soak cell-passive no output
echo "soak: the supervisors at $((SECONDS - t0)) s"

# --- Start/stop cycles leave nothing behind. What is compared: the mount
# table, the cgroups below the caller's own in every hierarchy (cgroup v1's
# and the cgroup2 tree), the files under /run/cell, our processes, loop
# devices of our image. /run/cell may keep, from the first start on, cell's
# own lock files, which are made once and reused, never removed: the
# shared places' locks (place-lock/inode-DEV:INO of Directory= and of a
# Bind= source) and the image's (image-lock/inode-DEV:INO); the name's lock
# (lock/NAME.lock) and the runtime state (NAME.json, ...) go with the
# container. So the state after the first cycle of each kind is the one the
# others must leave.
# (Below the caller's cgroup: the slice a cgroup manager made, and every
# cgroup of ours below it, named with the marker.)
cgroup_dirs() {
        local line h path
        while IFS= read -r line; do
                h=${line#*:}; h=${h%%:*}; path=${line#*:*:}
                case $h in
                "")             h=unified ;;
                name=*)         h=${h#name=} ;;
                esac
                [ -d "/sys/fs/cgroup/$h$path" ] || continue
                find "/sys/fs/cgroup/$h$path" -mindepth 1 -maxdepth 1 -type d 2>/dev/null
                find "/sys/fs/cgroup/$h$path" -mindepth 1 -type d -name "*$marker*" 2>/dev/null
        done < /proc/self/cgroup | sort -u
}
snapshot() {
        findmnt -rn -o TARGET,SOURCE,FSTYPE | sort > "$work/snap.$1"
        cgroup_dirs | sed 's/^/cgroup /' >> "$work/snap.$1"
        { find /run/cell 2>/dev/null || true; } | sort | sed 's/^/file /' >> "$work/snap.$1"
        { pgrep -a -f -- "$marker" || true; } | sed 's/^/process /' >> "$work/snap.$1"
        { losetup -a | grep -F "$work/" || true; } | sed 's/^/loop /' >> "$work/snap.$1"
}
# same_as BEFORE AFTER WHAT: a snapshot AFTER, which must be BEFORE's.
same_as() {
        snapshot "$2"
        diff -u "$work/snap.$1" "$work/snap.$2" >&2 || fail "$3: left behind (+) or taken (-), against $1"
        local f=$work/snap.$2
        echo "$3: nothing left behind (mounts $(grep -Evc '^(cgroup|file|process|loop) ' "$f" || true)," \
                "cgroups $(grep -c '^cgroup ' "$f" || true), files $(grep -c '^file ' "$f" || true))"
}

mkdir -p "$work/cyc"
u=$(unit cycle "[Root]" "Directory=$root" "Bind=$work/cyc:/data" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"exit 0\" TERM; touch /data/up; while :; do sleep 0.05; done'")
bad=$(unit cyclebad "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/no-such-binary")
unset CELL_MONITOR
label=cycles
cycle() {
        local s=0
        rm -f "$work/cyc/up"
        "$CELL" run --cgroup-manager="$manager" "$u" </dev/null >"$work/cyc.out" 2>&1 &
        runpid=$!
        for _ in $(seq 200); do [ -e "$work/cyc/up" ] && break; sleep 0.02; done
        [ -e "$work/cyc/up" ] || fail "cycle $1: did not start: $(cat "$work/cyc.out")"
        # What is compared must show the container while it runs: its
        # cgroups (one a hierarchy) and its runtime state.
        if [ "$1" = 1 ]; then
                snapshot running
                [ "$manager" = none ] || [ "$(grep -c "^cgroup .*$marker" "$work/snap.running")" -ge 1 ] ||
                        fail "cycle 1: the container's cgroups are not where the test looks: $(cgroup_dirs)"
                [ "$(grep -c '^file ' "$work/snap.running")" -gt "$(grep -c '^file ' "$work/snap.before")" ] ||
                        fail "cycle 1: no runtime state under /run/cell while the container runs"
        fi
        kill -TERM "$runpid"
        wait "$runpid" || s=$?
        expect "cycle $1: cell's exit status after SIGTERM ($(cat "$work/cyc.out"))" "$s" 0
}
failed_start() {
        local s=0
        "$CELL" run --cgroup-manager="$manager" "$bad" </dev/null >"$work/cyc.out" 2>&1 || s=$?
        expect "failed start $1: exit status ($(cat "$work/cyc.out"))" "$s" 2
}
cycles=$((60 * scale)) images=$((5 * scale))
snapshot before
cycle 1
failed_start 1
snapshot first
{ diff "$work/snap.before" "$work/snap.first" || true; } |
        sed -n 's/^> file /cycles: kept by cell from the first start on: /p'
echo "cycles: /run/cell after the first: $(sed -n 's/^file //p' "$work/snap.first" | tr '\n' ' ')"
for i in $(seq 2 "$cycles"); do
        cycle "$i"
        [ $((i % 4)) -ne 0 ] || failed_start "$i"
done
same_as first after "after $cycles cycles and $((cycles / 4 + 1)) failed starts"

# Image= (a loop device of cell's, autoclear): the same, a few times.
img=$work/cycle.ext4
truncate -s 32M "$img"
mkfs.ext4 -q -d "$root" "$img"
ui=$(unit cycleimg "[Root]" "Image=$img" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"exit 0\" TERM; while :; do sleep 0.05; done'")
image_cycle() {
        local s=0
        "$CELL" run --cgroup-manager="$manager" "$ui" </dev/null >"$work/cyc.out" 2>&1 &
        runpid=$!
        wait_execable "$(unit_name cycleimg)" "$runpid" || fail "image cycle $1: did not start: $(cat "$work/cyc.out")"
        kill -TERM "$runpid"
        wait "$runpid" || s=$?
        expect "image cycle $1: cell's exit status after SIGTERM ($(cat "$work/cyc.out"))" "$s" 0
        no_loop_left "image cycle $1"
}
snapshot beforeimage
image_cycle 1
snapshot firstimage
{ diff "$work/snap.beforeimage" "$work/snap.firstimage" || true; } |
        sed -n 's/^> file /cycles: kept by cell from the first Image= start on: /p'
for i in $(seq 2 "$images"); do image_cycle "$i"; done
same_as firstimage afterimage "after $images Image= cycles"
echo "soak: $((SECONDS - t0)) s in all"
