#!/bin/bash
# --cgroup-manager=cgroupfs: the payload runs in its own cgroup, sees it as
# "/" (cgroup namespace), and the cgroup is gone when the payload is.
. "$(dirname "$0")/lib.sh"

u=$(unit cg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
host_snapshot before
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run exited $status"; }
cg=$(field cgroup)
expect_match "cgroup namespace" "$cg" '(^|\\n)0::/$'
expect_nothing_left

# While it runs: a cgroup named after the unit holds exactly the payload.
u=$(unit cgsleep "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 30 $marker")
"$CELL" run --cgroup-manager=cgroupfs "$u" >/dev/null 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
        payload=$(pgrep -f "probe sleep 30 $marker" || true)
        [ -n "$payload" ] && break
        sleep 0.05
done
[ -n "$payload" ] || fail "the payload did not start: $(cat "$work/err")"
dirs=$(find /sys/fs/cgroup -type d -name "cell-$(unit_name cgsleep)")
[ -n "$dirs" ] || fail "no cgroup for the container"
for d in $dirs; do
        expect "cgroup.procs of $d" "$(cat "$d/cgroup.procs")" "$payload"
done
# The payload dies (here: from outside); cell reports it and cleans up.
kill -KILL "$payload"
status=0
wait "$pid" || status=$?
expect "status" "$status" 137
for d in $dirs; do
        [ ! -d "$d" ] || fail "cgroup $d left behind"
done
expect_nothing_left

# A SIGKILLed cell removes nothing: its cell-NAME in each hierarchy stays
# (empty once its container is gone, the PID namespace dying with its
# init). Any later cgroupfs cell started beside it takes them back, as does
# "cell stop NAME"; never a running cell's, nor a cgroup another program
# made that is named like one of cell's.
# start_sleeping NAME [LIMIT...]: a cell whose payload sleeps, in the
# background ($pid: its cell run), once its payload runs.
start_sleeping() {
        local name=$1 u
        shift
        u=$(unit "$name" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 30 $marker-$name" "[Limits]" "$@")
        "$CELL" run --cgroup-manager=cgroupfs "$u" >/dev/null 2>"$work/err-$name" &
        pid=$!
        for _ in $(seq 100); do
                pgrep -f "probe sleep 30 $marker-$name\$" >/dev/null && return 0
                sleep 0.05
        done
        fail "$name: the payload did not start: $(cat "$work/err-$name")"
}
# kill_cell NAME: SIGKILL to its cell run ($pid); back once its payload is gone.
kill_cell() {
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
                pgrep -f "probe sleep 30 $marker-$1\$" >/dev/null || return 0
                sleep 0.05
        done
        fail "$1: the payload outlived its killed cell"
}
dead=$(unit_name dead)
start_sleeping dead MemoryMax=64M TasksMax=16
kill_cell dead
left=$(find /sys/fs/cgroup -type d -name "cell-$dead")
[ "$(wc -l <<<"$left")" -ge 2 ] || fail "a killed cell: its cgroups are not all there to take back: $left"
[ -e "/run/cell/lock/$dead.lock" ] || fail "a killed cell: no lock file of it left"
start_sleeping live TasksMax=16
live=$pid
own2=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
unified=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
foreign="$unified${own2%/}/cell-${marker}foreign"
mkdir "$foreign"
run_cell cgroupfs "$(unit other "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")"
expect "a start beside a killed cell: status" "$status" 0
expect "a start beside a killed cell: the killed cell's cgroups are taken back" \
        "$(find /sys/fs/cgroup -type d -name "cell-$dead")" ""
[ ! -e "/run/cell/lock/$dead.lock" ] || fail "the killed cell's lock file is left"
[ -d "$foreign" ] || fail "another program's cgroup named like cell's was removed"
rmdir "$foreign"
[ -n "$(find /sys/fs/cgroup -type d -name "cell-$(unit_name live)")" ] || fail "a running cell's cgroups were removed"
pgrep -f "probe sleep 30 $marker-live\$" >/dev/null || fail "the running cell was stopped"
# cell status shows where the container is in each hierarchy that matters:
# on this hybrid host the v1 ones whose path differs from the unified one
# (here memory's, below another cgroup than the rest: /process_api/...).
status_out=$("$CELL" status "$(unit_name live)")
want=$(awk -F: -v n="cell-$(unit_name live)" '$1 == 0 { u = $3 } $2 ~ /(^|,)(memory|pids|cpu|cpuset|blkio)(,|$)/ { p[$2] = $3 }
        END { for (c in p) if (p[c] != u) print c " " p[c] }' "/proc/$(pgrep -f "probe sleep 30 $marker-live\$")/cgroup")
expect_match "cell status: the unified cgroup" "$status_out" "CGroup: /([^ ]*/)?cell-$(unit_name live)(\$|"$'\n'")"
while read -r c p; do
        [ -n "$c" ] || continue
        grep -qE "^ +$p \(([^)]*, )?$c(, [^)]*)?\)$" <<<"$status_out" || fail "cell status: no line for $c at $p: $status_out"
done <<<"$want"
pkill -KILL -f "probe sleep 30 $marker-live\$"
wait "$live" || true
# cell stop of a killed cell: not running (3), what it left taken back.
start_sleeping dead MemoryMax=64M TasksMax=16
kill_cell dead
status=0
"$CELL" stop "$dead" >"$work/out" 2>&1 || status=$?
expect "cell stop of a killed cell: status" "$status" 3
expect_match "cell stop of a killed cell: message" "$(cat "$work/out")" "Removed the [0-9]+ cgroups a killed run of $dead left behind"
expect "cell stop of a killed cell: its cgroups" "$(find /sys/fs/cgroup -type d -name "cell-$dead")" ""
[ ! -e "/run/cell/$dead" ] || fail "cell stop of a killed cell: its runtime state is left"
expect_nothing_left

# "cell stop NAME; cell run NAME" from two places: a start that meets the
# stop's take-back of a killed run's leftovers (which holds the name's
# lock) waits for it; it was refused as if the name ran. Made certain: a
# process the test puts in the killed cell's unified cgroup keeps the
# take-back waiting (up to 1 s, as for a dying container) until the start
# has come to the lock.
start_sleeping dead TasksMax=16
kill_cell dead
cg=$(find "$unified" -type d -name "cell-$dead" | head -n 1)
[ -n "$cg" ] || fail "stop and run: the killed cell's unified cgroup is not there"
# Named with the marker: the cleanup ends it if the test fails.
(exec -a "sleep-$marker-keeper" sleep 30) &
keeper=$!
echo "$keeper" >"$cg/cgroup.procs"
ino=$(stat -c %i "/run/cell/lock/$dead.lock")
"$CELL" stop "$dead" >"$work/out-stop" 2>&1 &
stopper=$!
held=
for _ in $(seq 200); do
        grep -qE "FLOCK +ADVISORY +WRITE +$stopper +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks && { held=1; break; }
        sleep 0.01
done
[ -n "$held" ] || fail "stop and run: cell stop did not take the killed cell's lock: $(cat "$work/out-stop")"
u=$(unit dead "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
"$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" &
runner=$!
sleep 0.4
kill "$keeper"
wait "$keeper" 2>/dev/null || true
status=0
wait "$runner" || status=$?
[ "$status" -eq 0 ] || fail "stop and run: the start was refused ($status): $(cat "$work/err")"
status=0
wait "$stopper" || status=$?
expect "stop and run: cell stop's status" "$status" 3
expect "stop and run: the killed cell's cgroups" "$(find /sys/fs/cgroup -type d -name "cell-$dead")" ""
expect_nothing_left

# An OOM kill of a process that is not the payload (here a child of its
# shell, which exits 0 after it) is reported as such, not as the payload's:
# on cgroup v1 also when the victim is in a cgroup the payload made below
# the container's (as a systemd inside would), where memory.oom_control of
# the container's cgroup does not count it. Only where the memory
# controller is a v1 one or cgroup2 has it (not this machine's cgroup2).
if grep -q '^[0-9]*:[^:]*\bmemory\b' /proc/self/cgroup ||
        grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
        mkdir -p "$work/sync"
        hog="while [ ! -e /data/go ]; do sleep 0.1; done; dd if=/dev/zero bs=1048576 count=200 2>/dev/null | tail >/dev/null; exit 0"
        for sub in "" sub; do
                rm -f "$work/sync/go"
                u=$(unit "oom$sub" "[Root]" "Directory=$root" "Bind=$work/sync:/data" "[Exec]" "Exec=/bin/sh -c '$hog'" \
                        "[Limits]" "MemoryMax=32M")
                timeout 30 "$CELL" run --cgroup-manager=cgroupfs "$u" >/dev/null 2>"$work/err" &
                pid=$!
                d=
                for _ in $(seq 100); do
                        d=$(find /sys/fs/cgroup/memory /sys/fs/cgroup -maxdepth 8 -type d -name "cell-$(unit_name "oom$sub")" 2>/dev/null | head -n 1)
                        [ -n "$d" ] && [ -n "$(cat "$d/cgroup.procs")" ] && break
                        sleep 0.05
                done
                [ -n "$d" ] || fail "oom$sub: the payload did not start: $(cat "$work/err")"
                if [ -n "$sub" ]; then
                        mkdir "$d/$sub"
                        # The shell's short-lived sleeps may be gone by their move.
                        for p in $(cat "$d/cgroup.procs"); do
                                echo "$p" 2>/dev/null > "$d/$sub/cgroup.procs" || [ ! -d "/proc/$p" ] ||
                                        fail "oom$sub: could not move $p into $sub"
                        done
                fi
                touch "$work/sync/go"
                status=0
                wait "$pid" || status=$?
                expect "oom$sub: status (the payload's shell exits 0)" "$status" 0
                grep -qx "cell: $(unit_name "oom$sub"): A process of the container was killed by the OOM killer (MemoryMax=), not the payload itself." "$work/err" ||
                        fail "oom$sub: no true word of the OOM kill: $(cat "$work/err")"
        done
        expect_nothing_left
fi

# Where cell may make no cgroup, as in a container whose /sys/fs/cgroup is
# mounted read-only: refused, saying why and what else there is (it said
# "Read-only file system" alone), nothing left behind. TasksMax= needs the
# pids hierarchy on v1, and cgroup2's cell-NAME on a pure cgroup2 host.
u=$(unit rocg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "TasksMax=8")
host_snapshot before
status=0
unshare --mount --propagation private sh -c '
        for m in $(awk '"'"'$3 == "cgroup" || $3 == "cgroup2" { print $2 }'"'"' /proc/self/mounts); do
                mount -o remount,bind,ro "$m" || exit 99
        done
        exec timeout 20 "$0" run --cgroup-manager=cgroupfs "$1"' "$CELL" "$u" >"$work/out" 2>"$work/err" || status=$?
expect "read-only cgroups: status" "$status" 2
expect_match "read-only cgroups: message" "$(cat "$work/err")" \
        "cannot create cgroup /sys/fs/cgroup/[^ ]*cell-$(unit_name rocg): the cgroup file system is mounted read-only here; the cgroupfs manager needs a cgroup it may make cgroups below \(--cgroup-manager=none"
expect_nothing_left

# A v1 hierarchy a key needs that is not mounted (here: unmounted in a
# mount namespace of the test's): refused naming the key, its file and line
# (it said "the pids cgroup controller is not mounted" alone), nothing left.
if [ -d /sys/fs/cgroup/pids ] && mountpoint -q /sys/fs/cgroup/pids; then
        u=$(unit nopids "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "TasksMax=8")
        status=0
        unshare --mount --propagation private sh -c 'umount /sys/fs/cgroup/pids || exit 99
                exec timeout 20 "$0" run --cgroup-manager=cgroupfs "$1"' "$CELL" "$u" >"$work/out" 2>"$work/err" ||
                status=$?
        expect "no pids hierarchy: status" "$status" 2
        expect_match "no pids hierarchy: message" "$(cat "$work/err")" \
                "cgroup: [^ ]*nopids[^ ]*\.cell:6: TasksMax=: the pids cgroup controller is not mounted"
        expect_nothing_left
fi

# CPUQuotaPeriodSec= and CPUWeight=idle as systemd 252 writes them; the
# memory protections only where cgroup2 has the memory controller.
if grep -q '^[0-9]*:[^:]*\bmemory\b' /proc/self/cgroup && [ -d /sys/fs/cgroup/memory ]; then
        for key in MemoryMin=16M MemoryLow=16M; do
                u=$(unit protect "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "$key")
                run_cell cgroupfs "$u"
                expect "$key on cgroup v1: status" "$status" 2
                grep -q "${key%%=*}=: cgroup v1 has no memory protection" "$work/err" ||
                        fail "$key on cgroup v1: no clear refusal: $(cat "$work/err")"
                expect_nothing_left
        done
        v1=1
else
        v1=0
fi
u=$(unit cpuidle "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 30 $marker-idle" "[Limits]" \
        "CPUQuota=50%" "CPUQuotaPeriodSec=20ms" "CPUWeight=idle" $([ "$v1" = 0 ] && echo "MemoryLow=32M"))
"$CELL" run --cgroup-manager=cgroupfs "$u" >/dev/null 2>"$work/err" &
pid=$!
payload=
for _ in $(seq 100); do
        payload=$(pgrep -f "probe sleep 30 $marker-idle" || true)
        [ -n "$payload" ] && break
        sleep 0.05
done
[ -n "$payload" ] || fail "CPUWeight=idle: the payload did not start: $(cat "$work/err")"
name=cell-$(unit_name cpuidle)
if [ "$v1" = 1 ]; then
        d=$(find /sys/fs/cgroup/cpu/ -maxdepth 6 -type d -name "$name" | head -n 1)
        expect "cpu.cfs_period_us" "$(cat "$d/cpu.cfs_period_us")" 20000
        expect "cpu.cfs_quota_us" "$(cat "$d/cpu.cfs_quota_us")" 10000
        expect "CPUWeight=idle: cpu.shares" "$(cat "$d/cpu.shares")" 2
else
        d=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$name" | head -n 1)
        expect "cpu.max" "$(cat "$d/cpu.max")" "10000 20000"
        expect "CPUWeight=idle: cpu.idle" "$(cat "$d/cpu.idle")" 1
        expect "MemoryLow=32M: memory.low" "$(cat "$d/memory.low")" 33554432
fi
kill -KILL "$payload"
wait "$pid" || true
expect_nothing_left

# CPUQuotaPeriodSec= beyond the kernel's 1s: clamped, as systemd does, with a
# notice naming the key and the period taken (systemd warns in its log; cell
# said nothing). IOWeight= where blkio has no weight file: a warning.
u=$(unit period "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max'" \
        "[Limits]" "CPUQuota=50%" "CPUQuotaPeriodSec=5s" "IOWeight=300")
run_cell cgroupfs "$u"
expect "CPUQuotaPeriodSec=5s: status" "$status" 0
expect_match "CPUQuotaPeriodSec=5s: the period taken" "$(cat "$work/out")" '^(1000000|500000 1000000)$'
grep -qF "period.cell:7: CPUQuotaPeriodSec=5000ms: the period is 1000ms instead" "$work/err" ||
        fail "CPUQuotaPeriodSec=5s: no notice of the period taken: $(cat "$work/err")"
if [ "$v1" = 1 ] && [ -d /sys/fs/cgroup/blkio ] &&
        ! ls /sys/fs/cgroup/blkio/blkio.weight /sys/fs/cgroup/blkio/blkio.bfq.weight >/dev/null 2>&1; then
        grep -qE "period.cell:8: IOWeight=300: [^ ]* has neither blkio.weight nor blkio.bfq.weight" "$work/err" ||
                fail "IOWeight= without blkio weights: no warning: $(cat "$work/err")"
fi
expect_nothing_left

# A CPUQuota= above the quota of a cgroup above cell's: cgroup v1 refuses it
# there (EINVAL), and that smaller quota holds for the container too, as
# systemd leaves its scope without one of its own (a warning in its log).
# It was refused, "CPUQuota=: the kernel refuses cpu.cfs_quota_us=150000
# ...: Invalid argument". A quota within it is the container's own.
if [ "$v1" = 1 ]; then
        own_cpu=$(awk -F: '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == "cpu") print $3 }' \
                /proc/self/cgroup)
        q=/sys/fs/cgroup/cpu${own_cpu%/}/$marker-quota
        mkdir "$q"
        echo 50000 > "$q/cpu.cfs_quota_us"
        for want in 150%:-1 40%:40000; do
                u=$(unit quota "[Root]" "Directory=$root" "[Exec]" \
                        "Exec=/bin/sh -c 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us'" "[Limits]" "CPUQuota=${want%%:*}")
                status=0
                sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" run --cgroup-manager=cgroupfs "$3"' \
                        sh "$q" "$CELL" "$u" >"$work/out" 2>"$work/err" || status=$?
                expect "CPUQuota=${want%%:*} below a quota of 50%: status ($(cat "$work/err"))" "$status" 0
                expect "CPUQuota=${want%%:*} below a quota of 50%: the container's cpu.cfs_quota_us" \
                        "$(cat "$work/out")" "${want#*:}"
                notice=0
                grep -qF "CPUQuota=150.00%: $q allows less (cpu.cfs_quota_us=50000 per cpu.cfs_period_us=100000)" \
                        "$work/err" && notice=1
                expect "CPUQuota=${want%%:*} below a quota of 50%: a notice naming it ($(cat "$work/err"))" "$notice" \
                        "$([ "${want#*:}" = -1 ] && echo 1 || echo 0)"
        done
        rmdir "$q"
        expect_nothing_left
fi

# A step of the build that runs out of memory (here the child's unshare(), made
# to fail by strace) with a memory limit: the limit is named at its line, as
# the child builds inside the container's cgroup; without one, it is not.
for lim in MemoryMax=64M ""; do
        u=$(unit nomem "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Limits]" $lim)
        host_snapshot before
        status=0
        timeout 20 strace -f -qq -o /dev/null -e trace=unshare -e inject=unshare:error=ENOMEM \
                "$CELL" run --cgroup-manager=cgroupfs "$u" >/dev/null 2>"$work/err" || status=$?
        expect "ENOMEM in the build, ${lim:-no limit}: status ($(cat "$work/err"))" "$status" 2
        grep -q ': Cannot allocate memory$' "$work/err" || fail "ENOMEM in the build: not said: $(cat "$work/err")"
        hint=0
        said="$u:6: MemoryMax=: the container's cgroup holds its set-up too (namespaces, mounts)"
        grep -qF "$said, and this limit may be too small for it" "$work/err" && hint=1
        expect "ENOMEM in the build, ${lim:-no limit}: the limit named ($(cat "$work/err"))" "$hint" \
                "$([ -n "$lim" ] && echo 1 || echo 0)"
        expect_nothing_left
done
echo ok
