#!/bin/bash
# DeviceAllow='s forms with cell's BPF filter (cgroupfs), as systemd reads
# them: /dev/char/MAJ:MIN is that number even where no such link exists (a
# host without udev; before, it was stat()ed and silently granted nothing),
# a path or char-NAME that names nothing is skipped with a warning naming
# FILE:LINE (before: silently), a symbolic link counts as its target, and a
# directory fails the start, with FILE:LINE, leaving nothing behind. mknod
# of char 1:11 (/dev/kmsg) in the container tells whether "m" was granted.
. "$(dirname "$0")/lib.sh"
chmod 755 "$work"

kmsg='mknod /tmp/kmsg c 1 11 2>/dev/null && echo made || echo denied; rm -f /tmp/kmsg'
# allow_unit NAME ENTRY: a unit that tries the mknod, with DeviceAllow=ENTRY on line 6.
allow_unit() {
        unit "$1" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$kmsg'" "[Limits]" "DeviceAllow=$2"
}
file_of() { echo "$work/$(unit_name "$1").cell"; }

# No entry: the filter refuses 1:11 (the control for what follows).
run_cell cgroupfs "$(allow_unit devnone "/dev/null r")"
expect "no entry: status" "$status" 0
expect "no entry: mknod of 1:11" "$(cat "$work/out")" denied

# /dev/char/1:11: granted by its number, whatever /dev/char holds.
run_cell cgroupfs "$(allow_unit devnum "/dev/char/1:11 m")"
expect "/dev/char/1:11: status" "$status" 0
expect "/dev/char/1:11 m: mknod of 1:11" "$(cat "$work/out")" made

# The access letters still count: "r" is no "m".
run_cell cgroupfs "$(allow_unit devnumr "/dev/char/1:11 r")"
expect "/dev/char/1:11 r: mknod of 1:11" "$(cat "$work/out")" denied

# A symbolic link: its target's number (/dev/stdin -> /proc/self/fd/0, the
# /dev/kmsg cell's standard input is).
status=0
timeout 20 "$CELL" run --cgroup-manager=cgroupfs "$(allow_unit devlink "/dev/stdin m")" \
        </dev/kmsg >"$work/out" 2>"$work/err" || status=$?
expect "/dev/stdin (a link to /dev/kmsg): status" "$status" 0
expect "/dev/stdin (a link to /dev/kmsg): mknod of 1:11" "$(cat "$work/out")" made

# A path that does not exist, a driver /proc/devices does not list: skipped
# with a warning that names the file and line, and the start goes on.
run_cell cgroupfs "$(allow_unit devmissing "/dev/cell-no-such-node rw")"
expect "missing node: status" "$status" 0
expect "missing node: mknod of 1:11" "$(cat "$work/out")" denied
grep -qF "$(file_of devmissing):6: DeviceAllow=/dev/cell-no-such-node rw: no such device node here, skipped" \
        "$work/err" || fail "missing node: no warning: $(cat "$work/err")"
run_cell cgroupfs "$(allow_unit devnodriver "char-cell-no-such-driver r")"
expect "no such driver: status" "$status" 0
grep -qF "$(file_of devnodriver):6: DeviceAllow=char-cell-no-such-driver r: no such device type in /proc/devices, skipped" \
        "$work/err" || fail "no such driver: no warning: $(cat "$work/err")"
# cell's own nodes are never warned about; a matching entry neither.
run_cell cgroupfs "$(allow_unit devmem "char-mem r")"
grep -q "DeviceAllow" "$work/err" && fail "char-mem: a warning: $(cat "$work/err")"

# A directory: the start fails before anything is made, naming FILE:LINE.
host_snapshot before
run_cell cgroupfs "$(allow_unit devdir "/dev/pts")"
expect "directory: status" "$status" 2
grep -qF "$(file_of devdir):6: DeviceAllow=/dev/pts rwm: not a device node" "$work/err" ||
        fail "directory: no clear message: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "directory: the payload ran"
expect_nothing_left
echo ok
