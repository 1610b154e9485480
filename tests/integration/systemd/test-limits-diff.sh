#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential: the same [Limits] given to a systemd scope (systemd-run
# --scope -p KEY=VALUE) and to cell run --cgroup-manager=cgroupfs put the
# same values into the kernel's files, on the layout at hand: rounding of
# memory sizes and percentages, the CPU period clamps, the v1 cpu.shares of
# CPUWeight= (idle too), TasksMax= percentages. The differences that
# cell.unit(5) documents (MemoryHigh= and MemorySwapMax= on v1, IOPS limits
# on v1) are not compared here.
. "$(dirname "$0")/lib.sh"

setup_cell
write_payload diff-payload <<'EOF'
trap 'exit 0' TERM
echo up > /out/$1
sleep 1000 & wait
EOF

# The files of a case: CONTROLLER:V1FILE:V2FILE (- where a layout has none).
MEM="memory:memory.limit_in_bytes:memory.max"
CPU="cpu:cpu.cfs_quota_us:- cpu:cpu.cfs_period_us:- cpu:-:cpu.max"
SHARES="cpu:cpu.shares:cpu.weight cpu:-:cpu.idle"
PIDS="pids:pids.max:pids.max"

sd_dir() { host_cgroup_of "$1" "ref$i.scope"; }
cell_dir() { echo "$(host_cgroup_of "$1" "cgfs-c$i.scope")/cell-c$i"; }
# read_files DIRFN FILES...: "file=value ..." of the files this layout has.
read_files() {
        local dirfn=$1 f c v1 v2 name out=; shift
        for f in "$@"; do
                IFS=: read -r c v1 v2 <<< "$f"
                name=$v1; [ "$SEALED_CGROUP" = v2 ] && name=$v2
                [ "$name" = - ] && continue
                out+="$name=$(cat "$($dirfn "$c")/$name" 2>/dev/null || echo missing) "
        done
        echo "$out"
}

i=0 compared=0
# case "KEY=VALUE;..." FILES...: both managers, the files compared.
case_() {
        local line=$1 kvs props=() kv ctl sysd cellv; shift
        i=$((i + 1))
        for kv in "$@"; do
                controller_available "${kv%%:*}" || { echo "skip - $line: no ${kv%%:*} controller here"; return; }
        done
        IFS=";" read -ra kvs <<< "$line"
        for kv in "${kvs[@]}"; do props+=(-p "$kv"); done
        in_sealed systemd-run --quiet --scope --unit="ref$i" "${props[@]}" sleep 300 > "$WORK/ref$i.log" 2>&1 &
        { printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/diff-payload c%s\n[Limits]\n' "$ROOT" "$i"
          printf '%s\n' "${kvs[@]}"; } | install_cell "c$i"
        rm -f "$ROOT/out/c$i"
        in_sealed systemd-run --quiet --scope -p Delegate=yes --unit="cgfs-c$i" \
                "$CELL" run --cgroup-manager=cgroupfs "c$i" > "$WORK/c$i.log" 2>&1 &
        if wait_for 10 state_is "ref$i.scope" active && wait_for 10 test -e "$ROOT/out/c$i"; then
                sysd=$(read_files sd_dir "$@")
                cellv=$(read_files cell_dir "$@")
                expect_eq "$line: as systemd's scope" "$sysd" "$cellv"
                compared=$((compared + 1))
        else
                fail "$line: did not start: $(cat "$WORK/ref$i.log" "$WORK/c$i.log")"
        fi
        in_sealed systemctl stop "ref$i.scope" "cgfs-c$i.scope" 2>/dev/null
        wait
}

# Memory: sizes the kernel rounds down to pages, percentages of the
# machine's memory (UINT32 scale, whole pages).
case_ "MemoryMax=65536.5K" $MEM
case_ "MemoryMax=67109864" $MEM
case_ "MemoryMax=50%" $MEM
case_ "MemoryMax=100%" $MEM
case_ "MemoryMax=33.33%" $MEM
# CPU: the quota per period, the period clamped to 1ms..1s and to at least
# 1ms of CPU per period.
case_ "CPUQuota=1%" $CPU
case_ "CPUQuota=33%" $CPU
case_ "CPUQuota=33.33%" $CPU
case_ "CPUQuota=250%" $CPU
case_ "CPUQuota=0.5%" $CPU
case_ "CPUQuota=1%;CPUQuotaPeriodSec=1ms" $CPU
case_ "CPUQuota=33%;CPUQuotaPeriodSec=1ms" $CPU
case_ "CPUQuota=33%;CPUQuotaPeriodSec=10ms" $CPU
case_ "CPUQuota=33%;CPUQuotaPeriodSec=2s" $CPU
case_ "CPUQuota=250%;CPUQuotaPeriodSec=2s" $CPU
case_ "CPUQuota=12.5%;CPUQuotaPeriodSec=7ms" $CPU
case_ "CPUQuota=100%;CPUQuotaPeriodSec=1500us" $CPU
# Weights: cpu.shares on v1 (weight * 1024 / 100, 2..262144; idle is 2).
case_ "CPUWeight=1" $SHARES
case_ "CPUWeight=100" $SHARES
case_ "CPUWeight=10000" $SHARES
case_ "CPUWeight=idle" $SHARES
# Tasks: percentages of the system's limit (UINT32 scale), the default.
case_ "TasksMax=50%" $PIDS
case_ "TasksMax=33%" $PIDS
case_ "TasksMax=infinity" $PIDS
case_ "MemoryMax=1G" $PIDS
# A layout whose cgroup2 has none of these controllers (this kind of host's
# v2 run) compared nothing: skipped, not passed.
if [ "$compared" = 0 ] && [ "$failures" = 0 ]; then
        echo "SKIP: no case could be compared on $SEALED_CGROUP here (no controller)"
        exit 77
fi
finish
