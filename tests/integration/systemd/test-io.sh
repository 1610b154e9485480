#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The IO per-device limits (IOReadBandwidthMax=, IOWriteIOPSMax=, ...): the
# disk found from a path as systemd finds it, the limits in the kernel's
# files with a systemd scope and with the cgroupfs manager, a read really
# throttled, and what neither can enforce here refused before anything runs.
. "$(dirname "$0")/lib.sh"

setup_cell

# The disk the test root is on, MAJ:MIN: IO limits are the whole disk's.
dev=$(stat -c '%Hd:%Ld' "$ROOT")
case $dev in
0:*)    echo "skip - the test root is on no block device (tmpfs, overlayfs): nothing to limit"
        finish ;;
esac
if [ -e "/sys/dev/block/$dev/dm" ]; then
        echo "skip - the test root is on a device-mapper device: this test reads sysfs for plain disks only"
        finish
fi
[ -e "/sys/dev/block/$dev/partition" ] && dev=$(cat "/sys/dev/block/$dev/../dev")
echo "# the test root is on disk $dev"

# io is there when cgroup2 has it (v2) or the blkio hierarchy is mounted (hybrid).
if [ "$SEALED_CGROUP" = v2 ]; then io=io; else io=blkio; fi
have_io=0
controller_available "$io" && have_io=1

write_payload io-payload <<'EOF'
trap 'exit 0' TERM
echo up > /out/io-up
sleep 1000 & wait
EOF
# io_unit NAME LIMIT...: NAME.cell running io-payload with the [Limits] lines given.
io_unit() {
        local name=$1; shift
        { printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/io-payload\n[Limits]\n' "$ROOT"
          printf '%s\n' "$@"; } | install_cell "$name"
}
# cgfs NAME: cell run --cgroup-manager=cgroupfs NAME in a delegated scope
# cgfs-NAME.scope (IOAccounting=yes: on v1 systemd puts a scope in blkio's
# hierarchy only then, and cell makes its cgroups below its own)
cgfs() {
        in_sealed systemd-run --quiet --scope -p Delegate=yes -p IOAccounting=yes --unit="cgfs-$1" \
                "$CELL" run --cgroup-manager=cgroupfs "$1"
}
# The file of the container's cgroup: systemd's scope, or cell-NAME below the cgroupfs run's scope.
scope_file() { echo "$(host_cgroup_of "$io" "cell-$1.scope")/$2"; }
cgfs_file() { echo "$(host_cgroup_of "$io" "cgfs-$1.scope")/cell-$1/$2"; }
# started CMD...: runs CMD in the background until the payload says it is up.
started() {
        rm -f "$ROOT/out/io-up"
        "$@" > "$WORK/run.log" 2>&1 &
        wait_for 10 test -e "$ROOT/out/io-up"
}

io_unit bw "IOReadBandwidthMax=$ROOT 500K" "IOWriteBandwidthMax=$ROOT/bin 2M"
io_unit iops "IOReadIOPSMax=$ROOT 40" "IOWriteIOPSMax=$ROOT/bin infinity" "IOWriteIOPSMax=$ROOT 50"
io_unit lat "IODeviceLatencyTargetSec=$ROOT 25ms"
# A key two lines set: a refusal of it as a whole names the first and how many more.
io_unit two "IOWriteIOPSMax=$ROOT/bin 30" "IOWriteIOPSMax=$ROOT 50"

if [ "$have_io" = 0 ]; then
        # No io controller in this tree (the host's v1 blkio holds it): refused, never run unlimited.
        for run in "in_sealed $CELL run bw" "cgfs bw"; do
                rm -f "$ROOT/out/io-up"
                $run > "$WORK/refused.log" 2>&1
                expect_eq "no io controller ($run): exit status" 2 "$?"
                check "no io controller ($run): says so, naming the line: $(tail -n 1 "$WORK/refused.log")" \
                        grep -q 'bw\.cell:6: IOReadBandwidthMax=: .*\(io controller\|blkio cgroup controller\)' \
                        "$WORK/refused.log"
                check "no io controller ($run): the payload never ran" test ! -e "$ROOT/out/io-up"
                ${run/ bw/ two} > "$WORK/refused.log" 2>&1
                expect_eq "no io controller ($run), two lines: exit status" 2 "$?"
                check "no io controller ($run), two lines: names the first: $(tail -n 1 "$WORK/refused.log")" \
                        grep -q 'two\.cell:6 (and 1 more line): IOWriteIOPSMax=: ' "$WORK/refused.log"
        done
        expect_eq "no io controller: no scope is left" not-found "$(prop cell-bw.scope LoadState)"
        echo "skip - enforcement: no io controller in this cgroup2 tree (v1's blkio holds it on this host)"
        finish
fi

# --- bandwidths: a systemd scope (systemd writes blkio's throttles on v1)
if started in_sealed "$CELL" run bw; then
        # Each disk by MAJ:MIN, once, with every limit of its: two paths on one
        # disk would otherwise each set all of its limits, the last one winning.
        expect_eq "scope: IOReadBandwidthMax, the disk cell found" "/dev/block/$dev 500000" \
                "$(prop cell-bw.scope IOReadBandwidthMax)"
        expect_eq "scope: IOWriteBandwidthMax, the same disk" "/dev/block/$dev 2000000" \
                "$(prop cell-bw.scope IOWriteBandwidthMax)"
        if [ "$SEALED_CGROUP" = v2 ]; then
                expect_eq "scope: io.max" "$dev rbps=500000 wbps=2000000 riops=max wiops=max" \
                        "$(grep "^$dev " "$(scope_file bw io.max)")"
        else
                expect_eq "scope: blkio.throttle.read_bps_device" "$dev 500000" \
                        "$(cat "$(scope_file bw blkio.throttle.read_bps_device)")"
                expect_eq "scope: blkio.throttle.write_bps_device" "$dev 2000000" \
                        "$(cat "$(scope_file bw blkio.throttle.write_bps_device)")"
        fi
        in_sealed systemctl stop cell-bw.scope
else
        fail "cell run bw did not start: $(cat "$WORK/run.log")"
fi
wait

# --- the same with the cgroupfs manager, and the IOPS limits, which it writes on v1 too
if started cgfs bw; then
        if [ "$SEALED_CGROUP" = v2 ]; then
                expect_eq "cgroupfs: io.max" "$dev rbps=500000 wbps=2000000 riops=max wiops=max" \
                        "$(grep "^$dev " "$(cgfs_file bw io.max)")"
        else
                expect_eq "cgroupfs: blkio.throttle.read_bps_device" "$dev 500000" \
                        "$(cat "$(cgfs_file bw blkio.throttle.read_bps_device)")"
        fi
        in_sealed systemctl stop cgfs-bw.scope
else
        fail "cgroupfs: cell run bw did not start: $(cat "$WORK/run.log")"
fi
wait
if started cgfs iops; then
        # "infinity" for the same disk by another name: the later line's 50 wins.
        if [ "$SEALED_CGROUP" = v2 ]; then
                expect_eq "cgroupfs: io.max" "$dev rbps=max wbps=max riops=40 wiops=50" \
                        "$(grep "^$dev " "$(cgfs_file iops io.max)")"
        else
                expect_eq "cgroupfs: blkio.throttle.read_iops_device" "$dev 40" \
                        "$(cat "$(cgfs_file iops blkio.throttle.read_iops_device)")"
                expect_eq "cgroupfs: blkio.throttle.write_iops_device" "$dev 50" \
                        "$(cat "$(cgfs_file iops blkio.throttle.write_iops_device)")"
        fi
        in_sealed systemctl stop cgfs-iops.scope
else
        fail "cgroupfs: cell run iops did not start: $(cat "$WORK/run.log")"
fi
wait

# --- a weight: only a scheduler with weights takes it (BFQ, or cgroup2's
# iocost); without one the cgroupfs manager runs the payload and says so.
io_unit weight "IODeviceWeight=$ROOT 200"
if [ "$SEALED_CGROUP" = hybrid ] && started cgfs weight; then
        if grep -q '\[bfq\]' "/sys/dev/block/$dev/queue/scheduler" 2>/dev/null; then
                # 200 is blkio's 1000, which systemd 252 maps onto BFQ's scale as 181
                check "cgroupfs, BFQ: blkio.bfq.weight_device" \
                        grep -q "^$dev 181" "$(cgfs_file weight blkio.bfq.weight_device)"
        else
                check "cgroupfs, no BFQ on $dev: the weight is not applied, and cell says so" \
                        grep -q "IODeviceWeight=$ROOT: no IO scheduler with weights on this disk" "$WORK/run.log"
        fi
        in_sealed systemctl stop cgfs-weight.scope
elif [ "$SEALED_CGROUP" = hybrid ]; then
        fail "cgroupfs: cell run weight did not start: $(cat "$WORK/run.log")"
fi
wait

# --- IOPS with a systemd scope: systemd has them on cgroup2 only
if [ "$SEALED_CGROUP" = v2 ]; then
        if started in_sealed "$CELL" run iops; then
                expect_eq "scope: io.max" "$dev rbps=max wbps=max riops=40 wiops=50" \
                        "$(grep "^$dev " "$(scope_file iops io.max)")"
                in_sealed systemctl stop cell-iops.scope
        else
                fail "cell run iops did not start: $(cat "$WORK/run.log")"
        fi
        wait
else
        rm -f "$ROOT/out/io-up"
        in_sealed "$CELL" run iops > "$WORK/iops.log" 2>&1
        expect_eq "hybrid, scope, IOReadIOPSMax=: refused" 2 "$?"
        check "hybrid, scope: says which key and why: $(tail -n 1 "$WORK/iops.log")" \
                grep -q 'iops\.cell:6: IOReadIOPSMax=: systemd sets this key on cgroup2 only' "$WORK/iops.log"
        check "hybrid, scope: the payload never ran" test ! -e "$ROOT/out/io-up"
        check "hybrid, scope: the scope is gone" wait_for 5 unit_gone cell-iops.scope
        in_sealed "$CELL" run two > "$WORK/iops.log" 2>&1
        expect_eq "hybrid, scope, IOWriteIOPSMax= on two lines: refused" 2 "$?"
        check "hybrid, scope: names the first line and how many more: $(tail -n 1 "$WORK/iops.log")" \
                grep -q 'two\.cell:6 (and 1 more line): IOWriteIOPSMax=: systemd sets this key on cgroup2 only' "$WORK/iops.log"
fi

# --- a latency target: cgroup2 only, for both managers
if [ "$SEALED_CGROUP" = v2 ]; then
        if started cgfs lat; then
                expect_eq "cgroupfs: io.latency" "$dev target=25000" \
                        "$(grep "^$dev " "$(cgfs_file lat io.latency)")"
                in_sealed systemctl stop cgfs-lat.scope
        else
                fail "cgroupfs: cell run lat did not start: $(cat "$WORK/run.log")"
        fi
        wait
else
        rm -f "$ROOT/out/io-up"
        cgfs lat > "$WORK/lat.log" 2>&1
        expect_eq "hybrid, cgroupfs, IODeviceLatencyTargetSec=: refused" 2 "$?"
        check "hybrid, cgroupfs: names the file, line and key: $(tail -n 1 "$WORK/lat.log")" \
                grep -q 'lat.cell:6: IODeviceLatencyTargetSec=: cgroup v1 has no such limit' "$WORK/lat.log"
        check "hybrid, cgroupfs: the payload never ran" test ! -e "$ROOT/out/io-up"
        d=$(host_cgroup_of "$io" cgfs-lat.scope 2>/dev/null)
        check "hybrid, cgroupfs: no cell-lat cgroup is left" test ! -d "${d:-/nonexistent}/cell-lat"
fi

# --- a read is really throttled: 1 MiB at 500 kB/s, past the page cache
# (O_DIRECT), takes about 2 s; unlimited it takes milliseconds.
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/dd if=/bin/busybox of=/dev/null bs=64k count=16 iflag=direct\n[Limits]\nIOReadBandwidthMax=%s 500K\n' \
        "$ROOT" "$ROOT" | install_cell slow
t0=$(date +%s%N)
in_sealed "$CELL" run slow > "$WORK/slow.log" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$rc" = 0 ] && grep -q '16+0 records in' "$WORK/slow.log"; then
        check "IOReadBandwidthMax=500K: reading 1 MiB directly took ${ms} ms (at least 1500)" test "$ms" -ge 1500
else
        fail "the throttled read failed ($rc): $(cat "$WORK/slow.log")"
fi

# --- a path with no disk behind it: refused before the scope, naming the line
for bad in "/nonexistent/disk:No such file or directory" "/dev/null:a character device, not a block device" \
           "/proc:no block device is behind its file system"; do
        path=${bad%%:*}
        io_unit nodisk "MemoryMax=64M" "IOReadBandwidthMax=$path 1M"
        for run in "in_sealed $CELL run nodisk" "cgfs nodisk"; do
                rm -f "$ROOT/out/io-up"
                $run > "$WORK/nodisk.log" 2>&1
                expect_eq "$path ($run): exit status" 2 "$?"
                check "$path ($run): $(tail -n 1 "$WORK/nodisk.log")" \
                        grep -qF "nodisk.cell:7: IOReadBandwidthMax=$path: ${bad#*:}" "$WORK/nodisk.log"
                check "$path ($run): the payload never ran" test ! -e "$ROOT/out/io-up"
        done
        expect_eq "$path: no scope was made" not-found "$(prop cell-nodisk.scope LoadState)"
done

# --- a path on a btrfs, whose files have no device number of a disk (an
# anonymous one, as tmpfs's): the one device it is made of, as systemd
# finds it; a btrfs of two devices has no one disk to limit: refused. The
# file systems are mounted in the sealed systemd's namespace only; the loop
# devices go at the end, or with the test's exit.
BTRFS_LOOPS=()
btrfs_done() {
        in_sealed umount "$WORK/btrfs1" "$WORK/btrfs2" 2>/dev/null
        # The kernel's list of btrfs devices keeps what "device scan" added.
        [ "${#BTRFS_LOOPS[@]}" = 3 ] && btrfs device scan --forget "${BTRFS_LOOPS[1]}" "${BTRFS_LOOPS[2]}" 2>/dev/null
        local l
        for l in "${BTRFS_LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
        BTRFS_LOOPS=()
}
trap 'rc=$?; btrfs_done; (exit $rc); cleanup' EXIT
if command -v mkfs.btrfs >/dev/null && grep -qw btrfs /proc/filesystems; then
        for i in 1 2 3; do
                truncate -s 160M "$WORK/btrfs$i.img"
                BTRFS_LOOPS+=("$(losetup -f --show "$WORK/btrfs$i.img")")
        done
        mkfs.btrfs -q -f "${BTRFS_LOOPS[0]}" > /dev/null
        mkfs.btrfs -q -f -d single -m single "${BTRFS_LOOPS[1]}" "${BTRFS_LOOPS[2]}" > /dev/null
        mkdir -p "$WORK/btrfs1" "$WORK/btrfs2"
        in_sealed btrfs device scan "${BTRFS_LOOPS[1]}" "${BTRFS_LOOPS[2]}" > /dev/null
        in_sealed mount "${BTRFS_LOOPS[0]}" "$WORK/btrfs1" || fail "btrfs: cannot mount ${BTRFS_LOOPS[0]}"
        in_sealed mount "${BTRFS_LOOPS[1]}" "$WORK/btrfs2" || fail "btrfs: cannot mount ${BTRFS_LOOPS[1]}"
        in_sealed touch "$WORK/btrfs1/file"
        bdev=$(stat -c '%Hr:%Lr' "${BTRFS_LOOPS[0]}")
        io_unit btr "IOReadBandwidthMax=$WORK/btrfs1/file 300K"
        if started cgfs btr; then
                if [ "$SEALED_CGROUP" = v2 ]; then
                        expect_eq "btrfs, cgroupfs: io.max, its device $bdev" "$bdev rbps=300000 wbps=max riops=max wiops=max" \
                                "$(grep "^$bdev " "$(cgfs_file btr io.max)")"
                else
                        expect_eq "btrfs, cgroupfs: blkio.throttle.read_bps_device, its device" "$bdev 300000" \
                                "$(cat "$(cgfs_file btr blkio.throttle.read_bps_device)")"
                fi
                in_sealed systemctl stop cgfs-btr.scope
        else
                fail "btrfs, cgroupfs: cell run btr did not start: $(cat "$WORK/run.log")"
        fi
        wait
        if started in_sealed "$CELL" run btr; then
                expect_eq "btrfs, scope: IOReadBandwidthMax, its device" "/dev/block/$bdev 300000" \
                        "$(prop cell-btr.scope IOReadBandwidthMax)"
                in_sealed systemctl stop cell-btr.scope
        else
                fail "btrfs, scope: cell run btr did not start: $(cat "$WORK/run.log")"
        fi
        wait
        io_unit btr2 "MemoryMax=64M" "IOReadBandwidthMax=$WORK/btrfs2 1M"
        for run in "in_sealed $CELL run btr2" "cgfs btr2"; do
                rm -f "$ROOT/out/io-up"
                $run > "$WORK/btr2.log" 2>&1
                expect_eq "btrfs of two devices ($run): exit status" 2 "$?"
                check "btrfs of two devices ($run): $(tail -n 1 "$WORK/btr2.log")" grep -qF \
                        "btr2.cell:7: IOReadBandwidthMax=$WORK/btrfs2: its btrfs is made of several devices" "$WORK/btr2.log"
                check "btrfs of two devices ($run): the payload never ran" test ! -e "$ROOT/out/io-up"
        done
        btrfs_done
else
        echo "skip - btrfs: no mkfs.btrfs or no btrfs in this kernel"
fi

finish
