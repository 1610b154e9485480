#!/bin/bash
# SIGKILL to cell at a random moment of its setup (0..20 ms after it was
# started: before, during and after clone, the mounts, the cgroup, exec),
# with --cgroup-manager=none and cgroupfs in turn; 20 times, 200 with
# CELL_TEST_FULL=1. After each kill:
#   - the payload is gone within a second (PR_SET_PDEATHSIG, or the sync
#     socket's hang-up before it was set);
#   - the host's mount table is unchanged (all mounts were made in the
#     container's own mount namespace);
# and what cell could not remove, having been killed, is counted:
#   - the cgroupfs manager's cgroup directory (empty) and the runtime state
#     /run/cell/NAME (when the kill came after exec). Nobody is left to
#     remove them; the next `cell run` of that name replaces both and
#     removes them on exit, which the test checks at the end.
# Then: a start whose payload ended before it published its state, two
# starts of one name at once, and cell killed while the take-back helper of
# a failed start runs.
. "$(dirname "$0")/lib.sh"

loops=20
full && loops=200
mkdir -p "$root/out"

u_none=$(unit killnone "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
u_cg=$(unit killcg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")

# Processes of ours: everything with the marker on its command line.
ours_alive() { pgrep -f -- "$marker" >/dev/null; }

# kill_and_wait_gone PID WHAT: SIGKILL to the cell run PID (reaped), then
# until no process of ours is left (its payload, or the child still setting
# up), 5 s at most (1 s was tight for a loaded machine; an orphan would run
# on for good): PR_SET_PDEATHSIG, or the sync socket's hang-up before it
# was set. $waited: how many 10 ms that took.
kill_and_wait_gone() {
        kill -KILL "$1"
        wait "$1" 2>/dev/null || true
        waited=0
        while ours_alive; do
                [ "$waited" -lt 500 ] || fail "$2: still running 5 s later: $(pgrep -a -f -- "$marker")"
                sleep 0.01
                waited=$((waited + 1))
        done
}

# wait_for_state NAME PID: until the runtime state of NAME names the
# supervisor PID (the payload runs), 20 s at most (a loaded machine's start).
wait_for_state() {
        local t=0
        until grep -qsx "SUPERVISOR=$2" "/run/cell/$1/state"; do
                [ "$t" -lt 2000 ] || fail "no runtime state of $1 by supervisor $2 within 20 s"
                sleep 0.01
                t=$((t + 1))
        done
}

host_snapshot before
killed_before_exec=0 killed_after_exec=0 cgroups_left=0 states_left=0 slowest=0
for i in $(seq "$loops"); do
        if [ $((i % 2)) = 0 ]; then m=cgroupfs; uu=$u_cg; else m=none; uu=$u_none; fi
        name=$(basename "$uu" .cell)
        rm -f "$root/out/ran"
        delay=$(printf '0.%06d' $((RANDOM % 20001)))
        "$CELL" run --cgroup-manager=$m "$uu" -- /bin/sh -c "touch /out/ran; exec /bin/probe sleep 30 $marker" \
                >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill_and_wait_gone "$pid" "kill $i ($m, after ${delay}s)"
        [ "$waited" -gt "$slowest" ] && slowest=$waited
        if [ -e "$root/out/ran" ]; then
                killed_after_exec=$((killed_after_exec + 1))
        else
                killed_before_exec=$((killed_before_exec + 1))
        fi

        check_mounts "kill $i ($m, after ${delay}s)"

        # Leftovers: empty cgroups only, never one with a process; counted
        # for this kill (the cgroupfs start replaces its name's dirs).
        while read -r d; do
                [ -z "$(cat "$d/cgroup.procs" 2>/dev/null)" ] || fail "kill $i: cgroup $d still has processes"
        done < <(find /sys/fs/cgroup -type d -name "*$marker*" 2>/dev/null)
        if [ "$m" = cgroupfs ] && [ -n "$(find /sys/fs/cgroup -type d -name "cell-$name" 2>/dev/null)" ]; then
                cgroups_left=$((cgroups_left + 1))
        fi
        if grep -qsx "SUPERVISOR=$pid" "/run/cell/$name/state"; then
                states_left=$((states_left + 1))
                # A stale state names a supervisor that is gone and a payload
                # that is dead (maybe a zombie the host's init has not reaped
                # yet): cell list must not show it as running.
                ! "$CELL" list 2>/dev/null | matches -- "^$name .*running" || fail "kill $i: cell list shows the killed $name as running"
        fi
done
echo "$loops kills: $killed_before_exec before the payload's exec, $killed_after_exec after;" \
     "payload gone within $((slowest * 10)) ms at worst;" \
     "left behind: an empty cgroup after $cgroups_left of $((loops / 2)) cgroupfs kills, a runtime state dir after $states_left kills"

# The next cell of each name finds the leftovers, takes them over and
# removes them on its exit: then nothing is left at all.
for uu in "$u_none" "$u_cg"; do
        m=none; [ "$uu" = "$u_cg" ] && m=cgroupfs
        run_cell $m "$uu" -- /bin/probe exit 0
        expect "the next start after the kills ($m)" "$status" 0
        [ ! -e "/run/cell/$(basename "$uu" .cell)" ] || fail "runtime state of $(basename "$uu" .cell) left after a normal run"
done

# "cell stop NAME" of a killed cell: not running (3), and what the killed run
# left goes, with either manager: the cgroupfs one's cgroups and state, and
# the none manager's runtime state (each taken back by the name's lock its
# killed run left).
for uu in "$u_none" "$u_cg"; do
        m=none; [ "$uu" = "$u_cg" ] && m=cgroupfs
        name=$(basename "$uu" .cell)
        "$CELL" run --cgroup-manager=$m "$uu" -- /bin/probe sleep 30 "$marker" >/dev/null 2>&1 &
        pid=$!
        wait_for_state "$name" "$pid"
        kill_and_wait_gone "$pid" "the killed cell's payload ($m)"
        # "cell status" says so (it said "not running" alone), exit 3 still.
        status=0
        "$CELL" status "$name" >"$work/out" 2>&1 || status=$?
        expect "cell status of a killed cell ($m): status" "$status" 3
        left="runtime state"; [ $m = cgroupfs ] && left="runtime state and cgroups"
        grep -qF "cell $name is not running: its cell run (PID $pid) was killed and left its $left behind." \
                "$work/out" || fail "cell status of a killed cell ($m): $(cat "$work/out")"
        status=0
        "$CELL" status --json "$name" >"$work/out" 2>&1 || status=$?
        expect "cell status --json of a killed cell ($m): status" "$status" 3
        grep -q '"state": "failed"' "$work/out" && grep -q "\"manager\": \"$m\"" "$work/out" ||
                fail "cell status --json of a killed cell ($m): $(cat "$work/out")"
        # "cell list" shows it as failed (it left it out), until the stop below.
        "$CELL" list --no-legend >"$work/out" 2>&1 || fail "cell list with a killed cell ($m): $(cat "$work/out")"
        awk -v n="$name" -v m=$m '$1 == n && $2 == m && $4 == "-" && $5 == "failed"' "$work/out" | grep -q . ||
                fail "cell list of a killed cell ($m): $(cat "$work/out")"
        "$CELL" list --json >"$work/out" 2>&1 || fail "cell list --json with a killed cell ($m): $(cat "$work/out")"
        tr -d ' \n' <"$work/out" | grep -qF "{\"name\":\"$name\",\"running\":false,\"manager\":\"$m\"" ||
                fail "cell list --json of a killed cell ($m): $(cat "$work/out")"
        # Its Directory='s lock file, which no one holds now.
        place="/run/cell/place-lock/inode-$(stat -c %d "$root"):$(stat -c %i "$root")"
        [ -f "$place" ] || fail "the killed cell ($m) left no lock file of its Directory= (test broken?)"
        status=0
        "$CELL" stop "$name" >"$work/out" 2>"$work/err" || status=$?
        expect "cell stop of a killed cell ($m): status" "$status" 3
        [ ! -e "$place" ] || fail "cell stop of a killed cell ($m) left its Directory='s lock file $place"
        [ ! -e "/run/cell/$name" ] || fail "cell stop of a killed cell ($m) left its runtime state: $(ls "/run/cell/$name")"
        [ -z "$(find /sys/fs/cgroup -type d -name "cell-$name" 2>/dev/null)" ] ||
                fail "cell stop of a killed cell ($m) left its cgroups"
        "$CELL" status "$name" >"$work/out" 2>&1 || true
        grep -qx "cell $name is not running." "$work/out" || fail "cell status after the stop ($m): $(cat "$work/out")"
        "$CELL" list --no-legend >"$work/out" 2>&1 || true
        ! awk -v n="$name" '$1 == n' "$work/out" | grep -q . || fail "cell list after the stop ($m): $(cat "$work/out")"
done

# ... and the lock file of the UID range a killed PrivateUsers=pick run
# held (/run/cell/uid/BASE, naming it), with a running cell's left alone.
u_pick=$(unit killpick "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "PrivateUsers=pick")
u_keep=$(unit killkeep "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "PrivateUsers=pick")
n_pick=$(basename "$u_pick" .cell) n_keep=$(basename "$u_keep" .cell)
# (The names hold $marker: kill_and_wait_gone's wait would be for both.)
"$CELL" run --cgroup-manager=none "$u_keep" -- /bin/probe sleep 30 "kept-$$" >/dev/null 2>&1 &
keep=$!
wait_for_state "$n_keep" "$keep"
"$CELL" run --cgroup-manager=none "$u_pick" -- /bin/probe sleep 30 "picked-$$" >/dev/null 2>&1 &
pid=$!
wait_for_state "$n_pick" "$pid"
uid_file() { grep -lx "$1" /run/cell/uid/* 2>/dev/null || true; }
picked=$(uid_file "$n_pick") kept=$(uid_file "$n_keep")
[ -n "$picked" ] && [ -n "$kept" ] || fail "no UID range lock files of the picked cells: $(ls /run/cell/uid)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
t=0
while pgrep -f -- "picked-$$" >/dev/null; do
        [ "$t" -lt 500 ] || fail "the killed picked cell's payload still runs 5 s later"
        sleep 0.01
        t=$((t + 1))
done
[ -f "$picked" ] || fail "the killed cell left no UID range lock file (test broken?)"
status=0
"$CELL" stop "$n_pick" >"$work/out" 2>&1 || status=$?
expect "cell stop of a killed picked cell: status" "$status" 3
[ ! -e "$picked" ] || fail "cell stop of a killed picked cell left $picked"
[ -f "$kept" ] || fail "cell stop of a killed cell removed $kept, the running $n_keep's"
"$CELL" stop "$n_keep" >/dev/null 2>&1 || fail "cell stop $n_keep"
wait "$keep" 2>/dev/null || true
[ ! -e "$kept" ] || fail "the stopped $n_keep left $kept"

# "cell stop NAME" while that cell starts (strace holds its child at
# pivot_root for 2 s), with the cgroupfs manager: the start has no runtime
# state yet, only its name's lock. It is stopped as with a systemd scope:
# "Stopped while starting", both exit 0, nothing left. "cell stop" said
# "not running" (3), and the container started after all.
name=$(basename "$u_cg" .cell)
strace -f -o /dev/null -e inject=pivot_root:delay_enter=2000000 \
        "$CELL" run --cgroup-manager=cgroupfs "$u_cg" -- /bin/probe sleep 30 "$marker" >"$work/out" 2>"$work/err" &
pid=$!
t=0
until [ -n "$(find /sys/fs/cgroup -type d -name "cell-$name" 2>/dev/null)" ]; do
        [ "$t" -lt 2000 ] || fail "the start held by strace made no cgroup within 20 s"
        sleep 0.01
        t=$((t + 1))
done
status=0
timeout 20 "$CELL" stop "$name" >"$work/stop.out" 2>&1 || status=$?
expect "cell stop while starting (cgroupfs): status" "$status" 0
status=0
wait "$pid" || status=$?
expect "cell run stopped while starting (cgroupfs): status" "$status" 0
grep -q "Stopped while starting" "$work/err" || fail "cell run stopped while starting did not say so: $(cat "$work/err")"
nothing_left "cell stop while starting"

# "cell status" and "cell kill" of that start: status says it is starting,
# with its cell run's PID, exit 3 (as "systemctl status" of an activating
# unit); kill refuses a signal other than those that end a start (exit 3,
# "is starting"), and SIGTERM ends the start as "cell stop" does. Both said
# "not running" (3), and the container started after all.
strace -f -o /dev/null -e inject=pivot_root:delay_enter=3000000 \
        "$CELL" run --cgroup-manager=cgroupfs "$u_cg" -- /bin/probe sleep 30 "$marker" >"$work/out" 2>"$work/err" &
pid=$!
t=0
until [ -n "$(find /sys/fs/cgroup -type d -name "cell-$name" 2>/dev/null)" ]; do
        [ "$t" -lt 2000 ] || fail "the start held by strace made no cgroup within 20 s"
        sleep 0.01
        t=$((t + 1))
done
run_pid=$(pgrep -P "$pid" -x cell)
status=0
"$CELL" status "$name" >"$work/status.out" 2>&1 || status=$?
expect "cell status while starting (cgroupfs): status" "$status" 3
grep -qxF "cell $name is starting (cell run: PID $run_pid)." "$work/status.out" ||
        fail "cell status while starting: $(cat "$work/status.out") (cell run: $run_pid)"
status=0
"$CELL" status --json "$name" >"$work/status.out" 2>&1 || status=$?
expect "cell status --json while starting (cgroupfs): status" "$status" 3
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); assert {k: o[k] for k in ("name", "running", "state",
"supervisor_pid", "manager", "pid")} == {"name": sys.argv[2], "running": False, "state": "activating",
"supervisor_pid": int(sys.argv[3]), "manager": "cgroupfs", "pid": None}, o' "$work/status.out" "$name" "$run_pid" ||
        fail "cell status --json while starting: $(cat "$work/status.out")"
# ... and cell list lists it, as systemctl list-units an activating unit.
"$CELL" list --no-legend >"$work/list.out" 2>&1 || fail "cell list while starting: $(cat "$work/list.out")"
grep -qE "^$name +cgroupfs +- +- +activating " "$work/list.out" ||
        fail "cell list while starting: $(cat "$work/list.out")"
"$CELL" list --json >"$work/list.out" 2>&1 || fail "cell list --json while starting: $(cat "$work/list.out")"
python3 -c 'import json, sys; l = [o for o in json.load(open(sys.argv[1])) if o["name"] == sys.argv[2]]
assert len(l) == 1 and l[0]["running"] is False and l[0]["state"] == "activating" and \
        l[0]["supervisor_pid"] == int(sys.argv[3]), l' "$work/list.out" "$name" "$run_pid" ||
        fail "cell list --json while starting: $(cat "$work/list.out")"
status=0
"$CELL" kill "$name" USR1 >"$work/kill.out" 2>&1 || status=$?
expect "cell kill USR1 while starting (cgroupfs): status" "$status" 3
grep -qF "cell $name is starting (cell run: PID $run_pid): its payload does not run yet" "$work/kill.out" ||
        fail "cell kill USR1 while starting: $(cat "$work/kill.out")"
status=0
"$CELL" kill "$name" >"$work/kill.out" 2>&1 || status=$?
expect "cell kill while starting (cgroupfs): status" "$status" 0
status=0
timeout 20 tail --pid="$pid" -f /dev/null || fail "cell run did not end within 20 s of cell kill"
wait "$pid" || status=$?
expect "cell run killed (SIGTERM) while starting (cgroupfs): status" "$status" 0
grep -q "Stopped while starting" "$work/err" || fail "cell run killed while starting did not say so: $(cat "$work/err")"
nothing_left "cell kill while starting"

# The container's init killed during its setup (strace holds it at
# pivot_root): the start fails, naming how the init ended, and nothing is
# left. It said "the container's init died during setup: No child processes".
u_init=$(unit killinit "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
name=$(basename "$u_init" .cell)
strace -f -o /dev/null -e trace=pivot_root -e inject=pivot_root:delay_enter=3000000 \
        "$CELL" run --cgroup-manager=cgroupfs "$u_init" -- /bin/probe sleep 30 "$marker" >"$work/out" 2>"$work/err" &
pid=$!
t=0 init=
until [ -n "$init" ]; do
        [ "$t" -lt 2000 ] || fail "the start held by strace put no process in its cgroup within 20 s"
        sleep 0.01
        t=$((t + 1))
        init=$(find /sys/fs/cgroup -path "*/cell-$name/cgroup.procs" -exec cat {} + 2>/dev/null | head -n 1 || true)
done
# Once it is in pivot_root (strace's delay), not before.
sleep 0.5
kill -KILL "$init"
status=0
wait "$pid" || status=$?
expect "init killed during setup: status" "$status" 2
expect_match "init killed during setup: message" "$(grep -v '^strace' "$work/err")" \
        "^cell: $name: the container's init died during setup: killed by SIGKILL$"
nothing_left "init killed during setup"

# The same by the OOM killer: a MemoryMax= so small that the init dies of
# it while it builds the container (or the payload right after), which
# names the OOM killer, not a SIGKILL of unknown origin. Which step runs
# out first varies: a few sizes, each with one of the messages that say so.
oom_during_setup=0
for max in 96K 128K 160K 192K; do
        u_oom=$(unit "oom$max" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" \
                "[Limits]" "MemoryMax=$max" "MemorySwapMax=0")
        status=0
        timeout 20 "$CELL" run --cgroup-manager=cgroupfs "$u_oom" >"$work/out" 2>"$work/err" || status=$?
        [ "$status" != 0 ] || continue
        msg=$(cat "$work/err")
        case $msg in
        *"the container's init died during setup: killed by the OOM killer (MemoryMax=)")
                oom_during_setup=$((oom_during_setup + 1)) ;;
        *"The payload was killed by the OOM killer (MemoryMax=)."|*": Cannot allocate memory") ;;
        *) fail "MemoryMax=$max: the start ended with status $status: $msg" ;;
        esac
        nothing_left "MemoryMax=$max"
done
echo "MemoryMax= too small: the init died of it during setup $oom_during_setup times"

# The same when the next start's payload ends before that start published
# its own state (strace holds cell in reading /proc/self/cgroup, the
# publishing's first read, cg_own_unit(); the payload is a zombie then and
# names no state): the killed
# cell's state goes all the same. Found by CI: left after "probe exit 0".
name=$(basename "$u_none" .cell)
"$CELL" run --cgroup-manager=none "$u_none" -- /bin/probe sleep 30 "$marker" >/dev/null 2>&1 &
pid=$!
wait_for_state "$name" "$pid"
kill_and_wait_gone "$pid" "the killed cell's payload"
status=0
timeout 20 strace -o "$work/trace" -P /proc/self/cgroup -e trace=openat -e inject=openat:delay_enter=500000 \
        "$CELL" run --cgroup-manager=none "$u_none" -- /bin/probe exit 0 >"$work/out" 2>"$work/err" || status=$?
expect "a start whose payload ended before it published" "$status" 0
grep -q '"/proc/self/cgroup"' "$work/trace" || fail "strace did not hold the start before its state"
[ ! -e "/run/cell/$name" ] || fail "the killed cell's runtime state of $name left by a start whose payload ended at once"

# Two starts of one name at once: the none manager takes the name's lock
# too, so the second is refused (exit 2, naming the first) before it makes
# anything, and the runtime state stays the first one's. (It took no lock:
# the second overwrote the state, so that the first could no longer be
# listed or stopped, and its end removed the state.)
u_twice=$(unit twice "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 30 $marker" "Init=yes")
name=$(basename "$u_twice" .cell)
"$CELL" run --cgroup-manager=none "$u_twice" >/dev/null 2>&1 &
first=$!
wait_for_state "$name" "$first"
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u_twice" /bin/probe exit 0 >"$work/out" 2>"$work/err" || status=$?
expect "the second start of $name" "$status" 2
matches "cell $name is already running (PID $first holds /run/cell/lock/$name.lock)" < "$work/err" ||
        fail "the second start did not name the first one: $(cat "$work/err")"
grep -qsx "SUPERVISOR=$first" "/run/cell/$name/state" || fail "the second start of $name replaced or removed the first one's state"
"$CELL" list 2>/dev/null | matches -- "^$name .*running" || fail "cell list does not show the first $name"
timeout 10 "$CELL" stop "$name" || fail "cell stop $name"
kill -0 "$first" 2>/dev/null && fail "the first $name still runs after cell stop"
wait "$first" || fail "the first $name did not end with status 0 when stopped"
[ ! -e "/run/cell/$name" ] || fail "the first $name's state left after its stop"

# cell SIGKILLed while the take-back helper of a failed start is stopped
# (strace catches it at its setns() into the container's mount namespace,
# where a SIGSTOP is left for it, and strace goes): the helper goes with
# cell, and with it its copies of every fd of cell's: the start's locks,
# Image='s and the places' (exclusive for the take-back). It had no
# PR_SET_PDEATHSIG: it held them as long as it was stopped, or stuck, and
# then took back after cell had ended (faults-chaos saw an image lock held
# after cell was gone).
state_of() { sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null; }
if command -v strace >/dev/null && command -v mkfs.ext4 >/dev/null && command -v flock >/dev/null; then
        mkdir -p "$work/hostdata"
        truncate -s 32M "$work/undo.ext4"
        mkfs.ext4 -q -d "$root" "$work/undo.ext4"
        u_undo=$(unit killundo "[Root]" "Image=$work/undo.ext4" "Bind=$work/hostdata:/newdir" "[Exec]" "Exec=/nonexistent")
        locks="/run/cell/image-lock/inode-$(stat -c %d "$work/undo.ext4"):$(stat -c %i "$work/undo.ext4")
/run/cell/place-lock/inode-$(stat -c %d "$work/hostdata"):$(stat -c %i "$work/hostdata")"
        strace -f -o /dev/null -e trace=setns -e inject=setns:delay_enter=10000000 \
                "$CELL" run --cgroup-manager=none "$u_undo" >"$work/out" 2>"$work/err" &
        spid=$!
        # The helper is the child of cell that strace holds in setns() for
        # 10 s: still stopped 0.2 s later (any traced process stops a moment
        # at its clone, exec and exit too). Its failure was said before.
        helper= t=0
        while [ -z "$helper" ]; do
                [ "$t" -lt 500 ] || fail "no take-back helper held by strace within 5 s: $(cat "$work/err")"
                cpid=$(pgrep -P "$spid" || true)
                for c in $(pgrep -P "${cpid:-0}" || true); do
                        [ "$(state_of "$c")" = t ] && sleep 0.2 && [ "$(state_of "$c")" = t ] && helper=$c
                done
                sleep 0.01
                t=$((t + 1))
        done
        matches "Exec=/nonexistent: not found" < "$work/err" || fail "the start failed otherwise: $(cat "$work/err")"
        kill -STOP "$helper"
        kill -KILL "$spid"
        wait "$spid" 2>/dev/null || true
        t=0
        until [ "$(state_of "$helper")" = T ]; do
                [ "$t" -lt 500 ] || fail "the take-back helper did not stop without strace"
                sleep 0.01
                t=$((t + 1))
        done
        kill -KILL "$cpid"
        t=0
        while [ -n "$(state_of "$helper")" ] && [ "$(state_of "$helper")" != Z ]; do
                if [ "$t" -ge 100 ]; then
                        left=$(for f in $locks; do flock -n "$f" true || echo "$f"; done)
                        kill -KILL "$helper"
                        fail "the take-back helper outlives the killed cell by 1 s, holding: $left"
                fi
                sleep 0.01
                t=$((t + 1))
        done
        for f in $locks; do
                flock -n "$f" true || fail "$f held after cell was killed during its take-back"
        done
        rm -f "/run/cell/place-lock/inode-$(stat -c %d "$work/hostdata"):$(stat -c %i "$work/hostdata")"
fi

# The lock file of a place that a killed cell left, free, where the place
# is gone since (a Bind= source removed after the kill): no start of that
# place is left to take it and remove it as its last holder, and it stayed
# until reboot (found killing cell run at each millisecond of a start: from
# the places' lock on, every kill leaves their files). The next start that
# locks any place removes every free one (lock_dir_sweep(); 64 at most, of
# more).
mkdir -p "$work/gone"
u_gone=$(unit killgone "[Root]" "Directory=$root" "Bind=$work/gone:/data" "[Exec]" "Exec=/bin/probe")
name=$(basename "$u_gone" .cell)
gone_lock="/run/cell/place-lock/inode-$(stat -c %d "$work/gone"):$(stat -c %i "$work/gone")"
"$CELL" run --cgroup-manager=none "$u_gone" -- /bin/probe sleep 30 "$marker" >/dev/null 2>&1 &
pid=$!
wait_for_state "$name" "$pid"
kill_and_wait_gone "$pid" "the killed cell of a place that goes"
rmdir "$work/gone"
[ -e "$gone_lock" ] || fail "the killed $name left no lock file of its Bind= source ($gone_lock): nothing to test"
run_cell none "$u_none" -- /bin/probe exit 0
expect "a start after a killed cell's place went" "$status" 0
[ ! -e "$gone_lock" ] ||
        fail "the free lock file of a removed place that a killed cell left stays after the next start: $gone_lock"
status=0
"$CELL" stop "$name" >/dev/null 2>&1 || status=$?
expect "cell stop of the killed $name" "$status" 3

nothing_left "after the kills"
echo ok
