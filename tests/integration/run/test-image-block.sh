#!/bin/bash
# Image= of a block device: loop devices the test attaches (losetup), each
# of the five types, writable and read-only, named by a symlink as udev's
# /dev/disk/by-* are. What is mounted is the device cell probed and
# locked: a symlink turned from device A to device B while cell waits
# before its mount (strace delays its fsopen()) still gives the container
# A's file system, never B's. One device named two ways is locked as one,
# and a loop device as the file it is of; a device with a DOS partition
# table is refused, and so is a read-only device that would be written.
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext4 debugfs mksquashfs mkfs.erofs mkfs.xfs mkfs.btrfs sfdisk losetup strace; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done

# Every loop device backed by a file of $work, with its lock file in
# /run/cell/image-lock: detached at the end (and at exit, whatever failed).
our_loops() {
        losetup -nO NAME,BACK-FILE | awk -v w="$work/" 'index($2, w) == 1 { print $1 }'
}
detach_loops() {
        local d
        for d in $(our_loops); do
                rm -f "/run/cell/image-lock/block-$(majmin "$d")"
                losetup -d "$d" || true
        done
}
# Then lib.sh's cleanup, with the test's status (set +e: a failed test's
# status must not end the trap before the cleanup).
block_cleanup() {
        local status=$?
        set +e
        detach_loops
        (exit $status)
        cleanup
}
trap block_cleanup EXIT

# majmin DEVICE: "MAJOR:MINOR" as the kernel names it.
majmin() {
        cat "/sys/class/block/${1#/dev/}/dev"
}

# attach VAR FILE [LOSETUP-OPTIONS...]: a loop device for FILE, its node in VAR.
attach() {
        local var=$1 file=$2; shift 2
        printf -v "$var" '%s' "$(losetup -f --show "$@" "$file")"
        [ -b "${!var}" ] || fail "losetup $file: no device"
}

# lock_of FILE: the image lock of FILE, and of a whole loop device of it.
lock_of() {
        echo "/run/cell/image-lock/inode-$(stat -c %d "$1"):$(stat -c %i "$1")"
}

# What the payload reports: the image's marker, "/"'s mount ("ROOT TYPE
# MAJ:MIN SOURCE") and whether it is writable (writing /written, or the
# file its argument names).
cat > "$root/bin/block-check" <<'SH'
#!/bin/sh
cat /etc/image-marker
awk '$5 == "/" { for (i = 7; $i != "-"; i++); print "ROOT", $(i+1), $3, $(i+2); exit }' /proc/self/mountinfo
(echo x > "/${1:-written}") 2>/dev/null && echo WRITE rw || echo WRITE ro
SH
chmod 0755 "$root/bin/block-check"

# Two ext4 images told apart by their marker, and the other four types.
echo image-A > "$root/etc/image-marker"
truncate -s 64M "$work/a.ext4" "$work/b.ext4"
mkfs.ext4 -q -d "$root" "$work/a.ext4"
mksquashfs "$root" "$work/root.squashfs" -quiet -noappend >/dev/null
mkfs.erofs --quiet "$work/root.erofs" "$root" >/dev/null
truncate -s 128M "$work/root.btrfs"
mkfs.btrfs -q --rootdir "$root" "$work/root.btrfs" >/dev/null
truncate -s 300M "$work/root.xfs"
mkfs.xfs -q "$work/root.xfs"
mkdir "$work/mnt"
mount -o loop "$work/root.xfs" "$work/mnt"
cp -a "$root/." "$work/mnt/"
umount "$work/mnt"
echo image-B > "$root/etc/image-marker"
mkfs.ext4 -q -d "$root" "$work/b.ext4"

attach A "$work/a.ext4"
attach B "$work/b.ext4"
ln -s "$A" "$work/link"

# The image lock files of the test's devices and files still there: each
# goes with its last holder, as nspawn's.
image_locks_left() {
        local d f
        for d in $(our_loops); do
                [ ! -e "/run/cell/image-lock/block-$(majmin "$d")" ] || echo "block-$(majmin "$d") ($d)"
        done
        for f in "$work"/*; do
                [ ! -f "$f" ] || [ ! -e "$(lock_of "$f")" ] || echo "$(basename "$(lock_of "$f")") ($f)"
        done
}

# run_block NAME IMAGE [UNIT-LINES...]: the payload on IMAGE, which must
# start, and leave no lock file behind.
run_block() {
        local name=$1 image=$2; shift 2
        u=$(unit "$name" "[Root]" "Image=$image" "$@" "[Exec]" "Exec=/bin/block-check")
        run_cell none "$u"
        expect "$name: status" "$status" 0
        expect "$name: image lock files left in /run/cell/image-lock" "$(image_locks_left)" ""
}
root_mount() {
        grep -m1 '^ROOT ' "$work/out" | cut -d' ' -f2-
}

host_snapshot before
# ext4, writable, by the device's own node: its write lands in the image.
run_block ext4 "$A"
grep -qx image-A "$work/out" || fail "ext4: not A's file system: $(cat "$work/out" "$work/err")"
expect_match "ext4: root mount" "$(root_mount)" "^ext4 $(majmin "$A") "
grep -qx 'WRITE rw' "$work/out" || fail "ext4: the root is not writable"
expect "ext4: written into the image" "$(debugfs -R 'cat /written' "$work/a.ext4" 2>/dev/null)" x
expect_nothing_left

# ext4, ReadOnly=yes, through the symlink: read-only, no journal replay.
run_block ext4ro "$work/link" "ReadOnly=yes"
grep -qx image-A "$work/out" || fail "ext4ro: not A's file system: $(cat "$work/out" "$work/err")"
expect_match "ext4ro: root mount" "$(root_mount)" "^ext4 $(majmin "$A") "
grep -qx 'WRITE ro' "$work/out" || fail "ext4ro: the root is writable"
expect_nothing_left

# The other four, read-only devices for the read-only types: each mounted
# from the device (btrfs's superblock has a device number of its own).
attach squashfs "$work/root.squashfs" -r
attach erofs "$work/root.erofs" -r
attach xfs "$work/root.xfs"
attach btrfs "$work/root.btrfs"
for t in squashfs erofs xfs btrfs; do
        dev=${!t}
        run_block "$t" "$dev"
        grep -qx image-A "$work/out" || fail "$t: the image's file was not read: $(cat "$work/out" "$work/err")"
        want=$(majmin "$dev")
        [ "$t" = btrfs ] && want='0:[0-9]+'
        expect_match "$t: root mount" "$(root_mount)" "^$t $want "
        case $t in
        squashfs | erofs) grep -qx 'WRITE ro' "$work/out" || fail "$t: the root is writable" ;;
        *) grep -qx 'WRITE rw' "$work/out" || fail "$t: the root is not writable: $(cat "$work/err")" ;;
        esac
        expect_nothing_left
done

# One device, two names: while a container writes it through the symlink,
# a start on its own node is refused, as one on the same file would be.
start_waiting writer "Image=$work/link"
u=$(unit second "[Root]" "Image=$A" "ReadOnly=yes" "[Exec]" "Exec=/bin/block-check")
run_cell none "$u"
status2=$status
cp "$work/err" "$work/err2"
# The file A is a loop device of: a second loop device, and a second
# superblock of the file system the writer writes (its journal replayed
# under it, or skipped: either way one corrupts what the other reads).
u=$(unit third "[Root]" "Image=$work/a.ext4" "ReadOnly=yes" "[Exec]" "Exec=/bin/block-check")
run_cell none "$u"
end_waiting writer
expect "second, the same device by another name: status" "$status2" 2
grep -q "Image=$A: in use by another container that writes to it" "$work/err2" ||
        fail "second: not refused as in use: $(cat "$work/err2")"
expect "third, the file of that loop device: status" "$status" 2
grep -q "Image=$work/a.ext4: in use by another container that writes to it" "$work/err" ||
        fail "third: not refused as in use: $(cat "$work/out" "$work/err")"
expect_nothing_left

# bdevs_open_for_writing PID: the block devices PID has open for writing.
bdevs_open_for_writing() {
        local fd t fl
        [ -n "$1" ] && [ -d "/proc/$1/fd" ] || { echo "(no process '$1')"; return 0; }
        for fd in /proc/"$1"/fd/*; do
                t=$(readlink "$fd") || continue
                [ -b "$t" ] || continue
                fl=$(awk '/^flags:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}")
                [ $(( 0$fl & 3 )) -ne 0 ] && echo "$t"
        done
        return 0
}
# cell_of PID: cell under "timeout (PID) strace".
cell_of() {
        pgrep -P "$(pgrep -P "$1" | head -1)" | head -1
}

# start_held WHAT UNIT LOCK: cell run of UNIT under strace (without -f:
# the supervisor alone, which mounts the image), its first fsopen() held
# back two seconds; returns once the image's lock file LOCK exists (it is
# opened, probed and locked), with $pid timeout's and $status 0.
start_held() {
        status=0
        timeout 30 strace -o "$work/trace" -e trace=fsopen -e inject=fsopen:delay_enter=2000000:when=1 \
                "$CELL" run --cgroup-manager=none "$2" >"$work/out" 2>"$work/err" &
        pid=$!
        for _ in $(seq 200); do [ -e "$3" ] && break; sleep 0.02; done
        [ -e "$3" ] || fail "$1: the image was never locked: $(cat "$work/err")"
}

# A writable file's loop device, while cell mounts it (its fsopen() held
# back): cell holds it open read-only only, for the same reason as below.
rm -f "$(lock_of "$work/a.ext4")"
u=$(unit loopheld "[Root]" "Image=$work/a.ext4" "[Exec]" "Exec=/bin/block-check")
start_held loopheld "$u" "$(lock_of "$work/a.ext4")"
sleep 0.2       # past the loop device's set-up, into the delay
expect "a file's loop device: block devices cell holds open for writing while it mounts" \
        "$(bdevs_open_for_writing "$(cell_of "$pid")")" ""
wait "$pid" || status=$?
expect "a file's loop device: status" "$status" 0
grep -q 'fsopen("ext4".*(DELAYED)' "$work/trace" || fail "loopheld: fsopen() was not delayed: $(cat "$work/trace")"
expect_nothing_left

# The swap: Image=LINK, LINK turned from A to B after cell opened, probed
# and locked A, while its fsopen() is held back (start_held). The container
# gets A's file system (and writes A), never B's.
rm -f "$(lock_of "$work/a.ext4")"
u=$(unit swap "[Root]" "Image=$work/link" "[Exec]" "Exec=/bin/block-check swapped")
start_held swap "$u" "$(lock_of "$work/a.ext4")"
# cell (strace's child) mounts now: it holds no block device open for
# writing (a kernel without CONFIG_BLK_DEV_WRITE_MOUNTED would refuse the
# mount, EBUSY).
expect "swap: block devices cell holds open for writing while it mounts" \
        "$(bdevs_open_for_writing "$(cell_of "$pid")")" ""
ln -s "$B" "$work/link.new"
mv -T "$work/link.new" "$work/link"
wait "$pid" || status=$?
expect "swap: status" "$status" 0
grep -q 'fsopen("ext4".*(DELAYED)' "$work/trace" || fail "swap: the image's fsopen() was not delayed: $(cat "$work/trace")"
! grep -qx image-B "$work/out" || fail "swap: the container got B, a device cell never probed nor locked"
grep -qx image-A "$work/out" || fail "swap: not A's file system: $(cat "$work/out" "$work/err")"
expect_match "swap: root mount" "$(root_mount)" "^ext4 $(majmin "$A") "
expect "swap: A written" "$(debugfs -R 'cat /swapped' "$work/a.ext4" 2>/dev/null)" x
expect "swap: B untouched" "$(debugfs -R 'cat /swapped' "$work/b.ext4" 2>&1 | grep -c 'File not found')" 1
expect_nothing_left

# A block device with a DOS partition table is refused as a file with one
# is (not a partition of it: the kernel that runs the tests may read no
# partition table at all). A GPT is test-image-gpt.sh's.
truncate -s 8M "$work/disk.raw"
printf 'label: dos\n,,L\n' | sfdisk -q "$work/disk.raw" >/dev/null
attach disk "$work/disk.raw"
u=$(unit disk "[Root]" "Image=$disk" "[Exec]" "Exec=/bin/block-check")
run_cell none "$u"
expect "disk: status" "$status" 2
grep -q "Image=$disk: has a partition table (dos)" "$work/err" || fail "disk: $(cat "$work/err")"
expect_nothing_left

# A read-only device (losetup -r) of a writable type opens for writing all
# the same: without ReadOnly=yes the start is refused, saying why, where
# the mount alone fails with a bare "Permission denied"; with it, it starts.
attach rodev "$work/a.ext4" -r
u=$(unit rodev "[Root]" "Image=$rodev" "[Exec]" "Exec=/bin/block-check")
run_cell none "$u"
expect "rodev: status" "$status" 2
grep -q "Image=$rodev: a read-only block device, and the container would write to it (ReadOnly=yes" \
        "$work/err" || fail "rodev: $(cat "$work/err")"
expect_nothing_left
run_block rodevro "$rodev" "ReadOnly=yes"
grep -qx 'WRITE ro' "$work/out" || fail "rodevro: the root is writable"
expect_nothing_left

detach_loops
[ -z "$(our_loops)" ] || fail "loop devices left behind: $(our_loops)"
echo "ok"
