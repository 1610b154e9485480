#!/bin/bash
# Run by test-vm-systemd.sh inside tests/lib/kernel-vm with
# KERNEL_VM_INIT=systemd: the host's systemd 252 is the VM's PID 1, on pure
# cgroup2 with its controllers (memory, pids, cpu, io). Prints, for the
# host side to judge (nothing is judged here):
#   @@diff CASE WHO FILE=VALUE...   a limits case's kernel files, WHO being
#                                   ref (systemd-run --scope -p), sd (cell
#                                   run, systemd scope) or fs (cell run
#                                   --cgroup-manager=cgroupfs in a scope
#                                   with Delegate=yes)
#   @@case NAME STATUS / @@out / @@err   as vm-cases.sh
#   @@before / @@after LINE         cgroups and mount points, to compare
set -u
R=/cell/root
D=/cell/data
cell=/usr/bin/cell
echo "@@kernel $(uname -r)"
echo "@@pid1 $(cat /proc/1/comm)"
echo "@@cgroupfs $(stat -fc %T /sys/fs/cgroup)"
echo "@@controllers $(cat /sys/fs/cgroup/cgroup.controllers)"
# PID 1 takes its name on the bus a moment after dbus is up.
for _ in $(seq 100); do
        busctl --system status org.freedesktop.systemd1 >/dev/null 2>&1 && break
        sleep 0.1
done
echo "@@bus $(busctl --system status org.freedesktop.systemd1 >/dev/null 2>&1 && echo yes || echo no)"
# What stays once started, before the "before" snapshot: machine.slice,
# and basic.target, which cell@.service's default dependencies pull in
# (journald, tmpfiles, udev and their mounts and cgroups).
systemctl start machine.slice basic.target
echo "@@basic $(systemctl show -P ActiveState basic.target)"
mkdir -p "$R/out"
cgroups() { find /sys/fs/cgroup -mindepth 1 -type d | sort | tr '\n' ' '; }
mounts() { awk '{ print $5 }' /proc/self/mountinfo | sort | tr '\n' ' '; }
echo "@@before cgroups $(cgroups)"
echo "@@before mounts $(mounts)"

wait_file() {   # wait_file PATH [PID]: up to 30 s, while PID runs
        for _ in $(seq 300); do
                [ -e "$1" ] && return 0
                [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}
cg() { echo "/sys/fs/cgroup$(systemctl show -P ControlGroup "$1")"; }
read_files() {  # read_files DIR FILE...: FILE=VALUE (lines joined by ","), "missing"
        local f v out=
        for f in "${@:2}"; do
                v=missing
                [ -r "$1/$f" ] && v=$(tr '\n' ',' < "$1/$f" | sed 's/,$//')
                out+="$f=$v "
        done
        echo "$out"
}
unit() {        # unit NAME ROOT KEY=VALUE...: /tmp/NAME.cell, its payload waiting
        { printf '[Root]\nDirectory=%s\n[Exec]\n' "$2"
          printf "Exec=/bin/sh -c 'trap \"exit 0\" TERM; echo up > /out/%s; sleep 1000 & wait'\n" "$1"
          printf '[Limits]\n'
          printf '%s\n' "${@:3}"; } > "/tmp/$1.cell"
}
# The cgroupfs case's container at the same time as the systemd scope's:
# a root of its own (cell locks a Directory= while it runs).
R2=/cell/root2
cp -a "$R" "$R2"

# diff_case "KEY=VALUE;..." FILE...: the same limits three ways at once
# (systemd-run's scope, cell's systemd scope, cell's cgroupfs in a
# delegated scope), their files.
i=0
diff_case() {
        local line=$1 kvs props=() kv ref sd fs
        shift
        i=$((i + 1))
        IFS=";" read -ra kvs <<< "$line"
        for kv in "${kvs[@]}"; do props+=(-p "$kv"); done
        echo "@@limits $i $line"
        rm -f "$R/out/sd$i" "$R2/out/fs$i"
        systemd-run --quiet --scope --unit="ref$i" "${props[@]}" sleep 300 > "/tmp/ref$i.log" 2>&1 &
        ref=$!
        unit "sd$i" "$R" "${kvs[@]}"
        $cell run --cgroup-manager=systemd "/tmp/sd$i.cell" > "/tmp/sd$i.log" 2>&1 &
        sd=$!
        unit "fs$i" "$R2" "${kvs[@]}"
        systemd-run --quiet --scope -p Delegate=yes --unit="cgfs$i" \
                $cell run --cgroup-manager=cgroupfs "/tmp/fs$i.cell" > "/tmp/fs$i.log" 2>&1 &
        fs=$!
        for _ in $(seq 300); do
                [ "$(systemctl show -P ActiveState "ref$i.scope" 2>/dev/null)" = active ] && break
                sleep 0.1
        done
        echo "@@diff $i ref $(read_files "$(cg "ref$i.scope")" "$@")"
        if wait_file "$R/out/sd$i" $sd; then
                echo "@@diff $i sd $(read_files "$(cg "cell-sd$i.scope")" "$@")"
        else
                echo "@@diff $i sd did not start: $(tr '\n' ' ' < "/tmp/sd$i.log")"
        fi
        if wait_file "$R2/out/fs$i" $fs; then
                echo "@@diff $i fs $(read_files "$(cg "cgfs$i.scope")/cell-fs$i" "$@")"
        else
                echo "@@diff $i fs did not start: $(tr '\n' ' ' < "/tmp/fs$i.log")"
        fi
        kill -TERM $sd 2>/dev/null
        systemctl stop "ref$i.scope" "cgfs$i.scope" 2>/dev/null
        wait $ref
        wait $sd || echo "@@diff $i sd exit $?: $(tr '\n' ' ' < "/tmp/sd$i.log")"
        wait $fs
        sed "s/^/@@log $i sd /" "/tmp/sd$i.log"
        sed "s/^/@@log $i fs /" "/tmp/fs$i.log"
}

MEM="memory.max memory.high memory.low memory.swap.max"
CPU="cpu.max cpu.weight cpu.idle"
PIDS="pids.max"
IO="io.weight io.max"
diff_case "MemoryMax=65536.5K" $MEM
diff_case "MemoryMax=33.33%" $MEM
diff_case "MemoryMax=100M;MemoryHigh=80M;MemoryLow=16M;MemorySwapMax=0" $MEM
diff_case "MemoryHigh=50%;MemoryLow=10%;MemorySwapMax=1G" $MEM
diff_case "CPUQuota=33%" $CPU
diff_case "CPUQuota=250%;CPUQuotaPeriodSec=2s" $CPU
diff_case "CPUQuota=12.5%;CPUQuotaPeriodSec=7ms" $CPU
diff_case "CPUQuota=1%;CPUQuotaPeriodSec=1ms" $CPU
diff_case "CPUWeight=1" $CPU
diff_case "CPUWeight=10000" $CPU
diff_case "CPUWeight=idle" $CPU
diff_case "TasksMax=42" $PIDS
diff_case "TasksMax=33%" $PIDS
diff_case "MemoryMax=1G" $PIDS
diff_case "MemoryMax=infinity;MemoryMin=8M;TasksMax=infinity" $MEM memory.min $PIDS
diff_case "CPUQuota=0.5%" $CPU
diff_case "AllowedCPUs=1;AllowedMemoryNodes=0" cpuset.cpus cpuset.mems
diff_case "IOWeight=500" $IO
diff_case "StartupCPUWeight=50;CPUWeight=300" $CPU
diff_case "StartupAllowedCPUs=0;AllowedCPUs=1" cpuset.cpus cpuset.mems
diff_case "IOWeight=1;CPUWeight=idle;CPUQuota=20%" $IO $CPU
# A block device for IO*Max=: a loop device of a file on tmpfs.
truncate -s 8M /tmp/io.img
loop=$(losetup --find --show /tmp/io.img)
diff_case "IOReadBandwidthMax=$loop 1M;IOWriteIOPSMax=$loop 100" $IO
# Debian 12's kernel has no blk-iolatency (no io.latency): systemd runs
# the scope without the target (its debug log), cell's cgroupfs too, saying so.
diff_case "IODeviceLatencyTargetSec=$loop 25ms" $IO
diff_case "IODeviceWeight=$loop 200;IOReadIOPSMax=$loop 1K;IOWriteBandwidthMax=$loop 2G" $IO
losetup -d "$loop"

# start NAME CELL-ARGS...: cell run in the background, $pid its PID (with
# --cgroup-manager=cgroupfs in a scope with Delegate=yes: systemd-run
# --scope execs cell, the same PID).
start() {
        local name=$1
        shift
        if [ "$1" = --cgroup-manager=cgroupfs ]; then
                systemd-run --quiet --scope -p Delegate=yes --unit="cgfs-$name" \
                        $cell run "$@" > "/tmp/$name.out" 2> "/tmp/$name.err" &
        else
                $cell run "$@" > "/tmp/$name.out" 2> "/tmp/$name.err" &
        fi
        pid=$!
}
# finish NAME: start's cell run waited for (120 s at most, then killed),
# its status and output.
finish() {
        local status=0
        for _ in $(seq 1200); do
                kill -0 $pid 2>/dev/null || break
                sleep 0.1
        done
        kill -KILL $pid 2>/dev/null
        wait $pid || status=$?
        echo "@@case $1 $status"
        sed 's/^/@@out /' "/tmp/$1.out"
        sed 's/^/@@err /' "/tmp/$1.err"
}
# run NAME CELL-ARGS...: cell run, its status and output.
run() {
        start "$@"
        finish "$1"
}
# MemoryMax= enforced: a payload that fills 64M at once is killed, and cell
# says so; also one killed in its first moments (MemoryMax=64K), whose scope
# systemd removes at once: cell's watch of its memory.events is set up while
# the payload execs (it was first set up on the event loop's first turn, and
# such a kill was told as a plain SIGKILL). The kernel's own count of OOM
# kills (its log) is the case's ground truth: with a systemd scope on
# cgroup2 cell may still tell the kill as a plain SIGKILL (note57).
# oom_kills: the memory cgroup OOM kills in the kernel's log so far.
oom_kills() { dmesg | grep -c 'Memory cgroup out of memory: Killed process' || true; }
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/dd if=/dev/zero of=/dev/null bs=64M count=1\n' "$R" > /tmp/oom.cell
sed 's/^Exec=.*/&\n[Limits]\nMemoryMax=64K/' /tmp/oom.cell > /tmp/oomtiny.cell
printf '[Limits]\nMemoryMax=32M\nMemorySwapMax=0\n' >> /tmp/oom.cell
for m in systemd cgroupfs; do
        k=$(oom_kills)
        run oom-$m --cgroup-manager=$m /tmp/oom.cell
        echo "@@out kernel-kills $(($(oom_kills) - k))"
done
k=$(oom_kills)
run oomtiny-systemd --cgroup-manager=systemd /tmp/oomtiny.cell
echo "@@out kernel-kills $(($(oom_kills) - k))"
# TasksMax= stops a fork loop: the payload's shell dies at the fork refused.
printf '[Root]\nDirectory=%s\n[Exec]\n' "$R" > /tmp/tasks.cell
printf "Exec=/bin/sh -c 'i=0; while [ \$i -lt 40 ]; do %s; done; echo all'\n" \
        'sleep 30 & i=$((i + 1)); echo $i > /out/forks' >> /tmp/tasks.cell
printf '[Limits]\nTasksMax=10\n' >> /tmp/tasks.cell
for m in systemd cgroupfs; do
        rm -f "$R/out/forks"
        run tasks-$m --cgroup-manager=$m /tmp/tasks.cell
        echo "@@out forks $(cat "$R/out/forks" 2>/dev/null)"
done

# An OOM kill after cell has handed over to cell-monitor (the payload runs
# past MONITOR_AFTER_USEC, 1 s): cell-monitor watches the scope's
# memory.events. The payload waits on a FIFO for the VM's word, given once
# cell's process is cell-monitor; then fills 64M under MemoryMax=32M:
# itself (exec dd: 137, said so), or a child of its shell, which exits 0
# a second after it ("not the payload itself"): the kernel may tell a
# change of memory.events up to 10 ms late, and a payload that ended at
# once could take its scope along before cell-monitor read the kill (the
# race oomtiny's case shows).
# fifo_unit NAME ROOT EXEC-AFTER-THE-WORD [LIMIT...]: /tmp/NAME.cell.
fifo_unit() {
        { printf '[Root]\nDirectory=%s\n[Exec]\n' "$2"
          printf "Exec=/bin/sh -c 'mkfifo /out/go-%s; read x < /out/go-%s; %s'\n" "$1" "$1" "$3"
          printf '[Limits]\n'
          printf '%s\n' "${@:4}"; } > "/tmp/$1.cell"
}
# go NAME ROOT: the word to NAME's payload, once its FIFO is there (10 s at most).
go() {
        wait_file "$2/out/go-$1" $pid && timeout 10 sh -c "echo > '$2/out/go-$1'"
        rm -f "$2/out/go-$1"
}
# handed PID: "cell-monitor" once cell's PID is cell-monitor's (10 s at most), else its comm.
handed() {
        for _ in $(seq 100); do
                [ "$(cat "/proc/$1/comm" 2>/dev/null)" = cell-monitor ] && break
                sleep 0.1
        done
        cat "/proc/$1/comm" 2>/dev/null || echo gone
}
fifo_unit late "$R" 'exec dd if=/dev/zero of=/dev/null bs=64M count=1' MemoryMax=32M MemorySwapMax=0
fifo_unit lateother "$R" 'dd if=/dev/zero of=/dev/null bs=64M count=1; echo "dd $?" > /out/lateother; sleep 1; exit 0' \
        MemoryMax=32M MemorySwapMax=0
for c in late lateother; do
        for m in systemd cgroupfs; do
                rm -f "$R/out/$c"
                k=$(oom_kills)
                start $c-$m --cgroup-manager=$m /tmp/$c.cell
                comm=$(handed $pid)
                go $c "$R"
                finish $c-$m
                echo "@@out kernel-kills $(($(oom_kills) - k))"
                echo "@@out comm $comm"
                echo "@@out payload $(cat "$R/out/$c" 2>/dev/null)"
        done
done

# cell status / cell list --json of a running cell: memory.current and
# pids.current (a systemd scope's MemoryCurrent and TasksCurrent). The
# payload holds 24M (dd's buffer, its write to a pipe nobody reads
# blocked) in 4 processes (sh, dd, two sleeps). The systemd scope has no
# limit (systemd's DefaultMemoryAccounting=yes turns memory on); the
# cgroupfs manager turns the memory controller on only for a memory
# limit, so that cell has one.
for m in systemd cgroupfs; do
        { printf '[Root]\nDirectory=%s\n[Exec]\n' "$R"
          printf "Exec=/bin/sh -c 'trap \"exit 0\" TERM; %s & sleep 1000 & echo up > /out/hold; wait'\n" \
                'dd if=/dev/zero bs=24M count=1 2>/dev/null | sleep 1000'
          [ $m = systemd ] || printf '[Limits]\nMemoryMax=200M\n'; } > /tmp/hold.cell
        rm -f "$R/out/hold"
        start hold-$m --cgroup-manager=$m /tmp/hold.cell
        wait_file "$R/out/hold" $pid
        if [ $m = systemd ]; then dir=$(cg cell-hold.scope); else dir=$(cg cgfs-hold-$m.scope)/cell-hold; fi
        # dd's buffer filled (10 s at most; at once without the file).
        for _ in $(seq 100); do
                [ "$(cat "$dir/memory.current" 2>/dev/null || echo 99999999999)" -ge 25165824 ] && break
                sleep 0.1
        done
        files=$(read_files "$dir" memory.current pids.current)
        json=$($cell status --json hold 2>&1 | tr -d '\n')
        list=$($cell list --json 2>&1 | tr -d '\n')
        text=$($cell status hold 2>&1)
        timeout 60 $cell stop hold > /dev/null 2>&1
        finish hold-$m
        echo "@@out files $files"
        echo "@@out json $json"
        echo "@@out list $list"
        sed 's/^/@@out text /' <<< "$text"
done

# Delegate=yes: the container's root (PrivateUsers=yes: a tree shifted to
# 524288, as the kernel's tmpfs idmaps nothing before 6.3) makes cgroups
# in its /sys/fs/cgroup as a systemd or a nested runtime inside would:
# itself into init/ (no process may stay in a cgroup that hands controllers
# on), +memory +pids in the scope's cgroup.subtree_control, sub/ with a
# sleep; then, at the VM's word, dd fills 64M in sub/, where the scope's
# MemoryMax=32M holds. Its limits stay the host's (memory.max not
# writable). cell status meanwhile: the container's figures, not init/'s.
R3=/cell/root3
cp -a "$R" "$R3"
chown -hR 524288:524288 "$R3"
deleg='c=/sys/fs/cgroup; r() { echo "$1 $?" >> /out/deleg; }; mkdir $c/init; r mkdir-init; echo 0 > $c/init/cgroup.procs; r move-self'
deleg+='; echo "+memory +pids" > $c/cgroup.subtree_control; r enable; mkdir $c/sub; r mkdir-sub'
deleg+='; echo "sub-controllers $(cat $c/sub/cgroup.controllers)" >> /out/deleg'
deleg+='; sh -c "echo 0 > $c/sub/cgroup.procs && exec sleep 1000" & s=$!'
deleg+='; echo max > $c/memory.max; r write-max; echo "memory.max $(cat $c/memory.max)" >> /out/deleg'
deleg+='; mkfifo /out/go-deleg; read x < /out/go-deleg'
deleg+='; sh -c "echo 0 > $c/sub/cgroup.procs && exec dd if=/dev/zero of=/dev/null bs=64M count=1"; r dd'
deleg+='; echo "oom_kill $(sed -n "s/^oom_kill //p" $c/sub/memory.events)" >> /out/deleg; kill $s; exit 0'
{ printf '[Root]\nDirectory=%s\n[Exec]\n' "$R3"
  printf "Exec=/bin/sh -c '%s'\n" "$deleg"
  printf '[Isolation]\nPrivateUsers=yes\n[Limits]\nMemoryMax=32M\nMemorySwapMax=0\n'; } > /tmp/deleg.cell
for m in systemd cgroupfs; do
        rm -f "$R3/out/deleg"
        start deleg-$m --cgroup-manager=$m /tmp/deleg.cell
        wait_file "$R3/out/go-deleg" $pid
        # systemd leaves a delegated subtree alone, a reload too.
        if [ $m = systemd ]; then
                delegate=$(systemctl show -P Delegate cell-deleg.scope)
                systemctl daemon-reload
        fi
        # cell exec: into its PID 1's cgroup (init/): the container's own has
        # controllers on for its children, and so may hold no process.
        exec_cg=$(timeout 60 $cell exec deleg /bin/cat /proc/self/cgroup 2>&1 | tr '\n' ' ')
        json=$($cell status --json deleg 2>&1 | tr -d '\n')
        if [ $m = systemd ]; then dir=$(cg cell-deleg.scope); else dir=$(cg cgfs-deleg-$m.scope)/cell-deleg; fi
        sub=$(tr '\n' ' ' 2>/dev/null < "$dir/sub/cgroup.procs")
        go deleg "$R3"
        finish deleg-$m
        sed 's/^/@@out /' "$R3/out/deleg" 2>/dev/null
        echo "@@out json $json"
        echo "@@out exec $exec_cg"
        echo "@@out sub-procs $sub"
        [ $m = cgroupfs ] || echo "@@out delegate $delegate"
done
rm -rf "$R3"

# No --cgroup-manager with a bus: a systemd scope, in Slice='s (a-b.slice
# in a.slice), its limits there; "cell stop" leaves no scope.
unit auto "$R" Slice=cellvm-test.slice MemoryMax=40M
rm -f "$R/out/auto"
$cell run /tmp/auto.cell > /tmp/auto.log 2>&1 &
pid=$!
echo "@@case auto $(wait_file "$R/out/auto" $pid && echo up || echo down)"
echo "@@out scope $(systemctl show -P ControlGroup cell-auto.scope)"
echo "@@out files $(read_files "$(cg cell-auto.scope)" memory.max)"
status=0
timeout 60 $cell stop auto || status=$?
echo "@@out stop $status"
status=0
wait $pid || status=$?
echo "@@out run $status"
echo "@@out after $(systemctl show -P ActiveState cell-auto.scope)"
sed 's/^/@@err /' /tmp/auto.log
systemctl stop cellvm-test.slice cellvm.slice

# cell@.service from the build tree, for a cell of /etc/cell: active (READY=1),
# its limits in its scope's files, and nothing left after the stop.
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$D/cell@.service")
if [ "$exec_path" != $cell ]; then
        mkdir -p "$(dirname "$exec_path")"
        cp $cell "$exec_path"
        cp "$(dirname $cell)/cell-monitor" "$(dirname "$exec_path")/"
fi
cp "$D/cell@.service" /etc/systemd/system/
mkdir -p /etc/cell
unit svc "$R" MemoryMax=48M TasksMax=20 CPUWeight=50
cp /tmp/svc.cell /etc/cell/svc.cell
systemctl daemon-reload
rm -f "$R/out/svc"
status=0
timeout 60 systemctl start cell@svc.service || status=$?
echo "@@case service $status"
wait_file "$R/out/svc" && echo "@@out payload up"
echo "@@out active $(systemctl show -P ActiveState cell@svc.service)"
echo "@@out status $(systemctl show -P StatusText cell@svc.service)"
echo "@@out notify $(systemctl show -P Type cell@svc.service) $(systemctl show -P NotifyAccess cell@svc.service)"
scope=$(cg cell-svc.scope)
echo "@@out scope $scope"
echo "@@out files $(read_files "$scope" memory.max pids.max cpu.weight)"
timeout 120 systemctl stop cell@svc.service || echo "@@out stop failed $?"
echo "@@out after $(systemctl show -P ActiveState cell@svc.service) $(systemctl show -P ActiveState cell-svc.scope)"
echo "@@out scope_left $([ -d "$scope" ] && echo yes || echo no)"
systemctl status cell@svc.service --no-pager 2>&1 | sed 's/^/@@err /'
rm -f /etc/cell/svc.cell

# Nothing of cell's left: its scopes, cgroups and mounts as before.
sleep 0.5
echo "@@after cgroups $(cgroups)"
echo "@@after mounts $(mounts)"
echo "@@units $(systemctl list-units --all --plain --no-legend 'cell-*.scope' 'cell@*' 'ref*' 'cgfs*' |
        awk '{ print $1 }' | tr '\n' ' ')"
