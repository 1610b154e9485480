#!/bin/bash
# Image=: the busybox root as an ext4, squashfs, erofs, xfs and btrfs image,
# each on a loop device for the container's life and none after it (nor
# after a failed start); read-only where it must be (without writing the
# image, even one with a journal to replay), a Bind= into it,
# PrivateUsers=pick's idmapped root on each type, Volatile=yes on btrfs, and
# the images cell refuses.
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext4 debugfs mksquashfs mkfs.erofs mkfs.xfs mkfs.btrfs sfdisk losetup; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done

echo image-content > "$root/etc/image-marker"
mkdir -p "$root/data"
# What the payloads report: the image's file (and the Bind='s), "/"'s mount
# ("ROOT TYPE SOURCE MOUNT-OPTIONS SUPER-OPTIONS"), whether it is writable,
# who owns the image's files and the UID map.
cat > "$root/bin/image-check" <<'SH'
#!/bin/sh
cat /etc/image-marker /data/file 2>/dev/null
awk '$5 == "/" { for (i = 7; $i != "-"; i++); print "ROOT", $(i+1), $(i+2), $6, $(i+3); exit }' /proc/self/mountinfo
(echo x > /written) 2>/dev/null && echo WRITE rw || echo WRITE ro
echo UID $(id -u) $(stat -c %u /etc/image-marker)
echo MAP $(cat /proc/self/uid_map)
awk '$5 == "/usr" { for (i = 7; $i != "-"; i++); print "USR", $(i+1), $6; exit }' /proc/self/mountinfo
echo BASE $(stat -c '%n:%a:%u' /var /root /tmp 2>&1)
SH
chmod 0755 "$root/bin/image-check"
ext4=$work/root.ext4
sqfs=$work/root.squashfs
truncate -s 64M "$ext4"
mkfs.ext4 -q -d "$root" "$ext4"
mksquashfs "$root" "$sqfs" -quiet -noappend >/dev/null
mkdir "$work/hostdata"
echo host-data > "$work/hostdata/file"

# erofs, xfs and btrfs from a copy of the root with /bin and /sbin merged
# into /usr, so that Volatile=yes (which takes only the image's /usr) can
# start it as well.
merged=$work/merged
merged_root "$merged"
erofs=$work/root.erofs
xfs=$work/root.xfs
btrfs=$work/root.btrfs
crashed=$work/crashed.btrfs
mkfs.erofs --quiet "$erofs" "$merged" >/dev/null
# mkfs.xfs has no --rootdir (its protofile cannot set a sticky bit): filled
# through a mount of our own. 300M is its smallest; the file stays sparse.
# with_mount IMAGE OPTIONS COMMAND...: COMMAND with the image mounted at $work/mnt.
mkdir "$work/mnt"
with_mount() {
        local image=$1 options=$2 status=0; shift 2
        mount -o "loop,$options" "$image" "$work/mnt"
        "$@" || status=$?
        umount "$work/mnt"
        return $status
}
truncate -s 300M "$xfs"
mkfs.xfs -q "$xfs"
with_mount "$xfs" rw cp -a "$merged/." "$work/mnt/"
truncate -s 128M "$btrfs"
mkfs.btrfs -q --rootdir "$merged" "$btrfs" >/dev/null
# A btrfs as a crash leaves it: a file fsync()ed into the log tree, no
# commit since. The copy is taken while the log is on disk, before umount
# commits it.
cp --sparse=always "$btrfs" "$crashed"
crash_copy() {
        echo crashed | dd of="$work/mnt/crashed" conv=fsync status=none
        cp --sparse=always "$crashed" "$crashed.copy"
}
with_mount "$crashed" rw,commit=300 crash_copy
mv "$crashed.copy" "$crashed"
expect_match "crashed: a log to replay" "$(btrfs inspect-internal dump-super "$crashed" | grep '^log_root[[:space:]]')" \
        '^log_root[[:space:]]+[1-9]'

root_mount() {
        grep -m1 '^ROOT ' "$work/out" | cut -d' ' -f2-
}

# With PrivateUsers=: the image's root-owned files are the container's
# root's (an idmapped mount), and the payload runs in a user namespace of
# a 65536-ID range that is not the host's.
expect_idmapped_root() {        # expect_idmapped_root WHAT
        grep -qx 'UID 0 0' "$work/out" || fail "$1: not the container's root's files: $(cat "$work/out" "$work/err")"
        expect_match "$1: uid map" "$(grep -m1 '^MAP ' "$work/out")" '^MAP 0 [1-9][0-9]* 65536$'
}

host_snapshot before
# ext4, writable: the payload's write lands in the image.
# libblkid is opened with dlopen() when a unit has Image=: not linked, so
# that no other start maps it; one that cannot be loaded is a message and
# exit status 2, with nothing mounted.
! ldd "$CELL" | matches libblkid || fail "cell is linked with libblkid: $(ldd "$CELL" | grep libblkid)"
u=$(unit dironly "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true")
LD_DEBUG=libs timeout 20 "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/libs" ||
        fail "dironly: $(tail -3 "$work/libs")"
! grep -q 'libblkid' "$work/libs" || fail "a start without Image= loaded libblkid"
mkdir -p "$work/lib"
echo "not a library" > "$work/lib/libblkid.so.1"
u=$(unit nolib "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/image-check")
status=0
LD_LIBRARY_PATH=$work/lib timeout 20 "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
expect "a broken libblkid: exit status" "$status" 2
grep -q "Image=$ext4: needs libblkid" "$work/err" || fail "a broken libblkid: $(cat "$work/err")"
rm -rf "$work/lib"
no_loop_left nolib
expect_nothing_left

u=$(unit ext4 "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/image-check")
LD_DEBUG=libs run_cell none "$u"
grep -q 'calling init: .*libblkid' "$work/err" || fail "ext4: libblkid was not loaded"
expect "ext4: status" "$status" 0
grep -qx image-content "$work/out" || fail "ext4: the image's file was not read: $(cat "$work/out" "$work/err")"
expect_match "ext4: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+ rw,'
grep -qx 'WRITE rw' "$work/out" || fail "ext4: the root is not writable"
expect "ext4: written into the image" "$(debugfs -R 'cat /written' "$ext4" 2>/dev/null)" x
no_loop_left ext4
expect_nothing_left

# ext4, ReadOnly=yes: the file system itself read-only, with no journal replay.
u=$(unit ext4ro "[Root]" "Image=$ext4" "ReadOnly=yes" "[Exec]" "Exec=/bin/image-check")
run_cell cgroupfs "$u"
expect "ext4ro: status" "$status" 0
expect_match "ext4ro: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+ ro,.* ro,(.*,)?norecovery'
grep -qx 'WRITE ro' "$work/out" || fail "ext4ro: the root is writable"
no_loop_left ext4ro
expect_nothing_left

# squashfs: read-only without ReadOnly=; a Bind= onto its /data.
u=$(unit sqfs "[Root]" "Image=$sqfs" "Bind=$work/hostdata:/data" \
        "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "sqfs: status" "$status" 0
grep -qx image-content "$work/out" || fail "sqfs: the image's file was not read: $(cat "$work/out" "$work/err")"
grep -qx host-data "$work/out" || fail "sqfs: the Bind= is not there"
expect_match "sqfs: root mount" "$(root_mount)" '^squashfs /dev/loop[0-9]+ ro,'
grep -qx 'WRITE ro' "$work/out" || fail "sqfs: the root is writable"
no_loop_left sqfs
expect_nothing_left

# Volatile=overlay and PrivateUsers=pick on squashfs: writable on top, the
# image untouched, its files the container's root's.
u=$(unit sqfsovl "[Root]" "Image=$sqfs" "Volatile=overlay" "[Exec]" "Exec=/bin/image-check" \
        "[Isolation]" "PrivateUsers=pick")
run_cell none "$u"
expect "sqfsovl: status" "$status" 0
grep -qx 'WRITE rw' "$work/out" || fail "sqfsovl: the overlay is not writable: $(cat "$work/err")"
expect_idmapped_root sqfsovl
no_loop_left sqfsovl
expect_nothing_left

# PrivateUsers=pick on ext4: the idmapped root, the image's root-owned
# files the container's root's.
u=$(unit pick "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/image-check" "[Isolation]" "PrivateUsers=pick")
run_cell none "$u"
expect "pick: status" "$status" 0
expect_idmapped_root pick
no_loop_left pick
expect_nothing_left

# erofs: read-only without ReadOnly=, idmapped with PrivateUsers=pick.
u=$(unit erofs "[Root]" "Image=$erofs" "[Exec]" "Exec=/bin/image-check" "[Isolation]" "PrivateUsers=pick")
run_cell none "$u"
expect "erofs: status" "$status" 0
grep -qx image-content "$work/out" || fail "erofs: the image's file was not read: $(cat "$work/out" "$work/err")"
expect_match "erofs: root mount" "$(root_mount)" '^erofs /dev/loop[0-9]+ ro,.*idmapped'
grep -qx 'WRITE ro' "$work/out" || fail "erofs: the root is writable"
expect_idmapped_root erofs
no_loop_left erofs
expect_nothing_left

# xfs, writable and idmapped: the payload's write lands in the image.
u=$(unit xfs "[Root]" "Image=$xfs" "[Exec]" "Exec=/bin/image-check" "[Isolation]" "PrivateUsers=pick")
run_cell cgroupfs "$u"
expect "xfs: status" "$status" 0
expect_match "xfs: root mount" "$(root_mount)" '^xfs /dev/loop[0-9]+ rw,.*idmapped'
grep -qx 'WRITE rw' "$work/out" || fail "xfs: the root is not writable: $(cat "$work/out" "$work/err")"
grep -qx 'UID 0 0' "$work/out" || fail "xfs: not the container's root's files: $(cat "$work/out")"
no_loop_left xfs
expect_nothing_left
expect "xfs: written into the image" "$(with_mount "$xfs" ro,norecovery cat "$work/mnt/written")" x
host_snapshot before

# xfs, ReadOnly=yes, twice at once: no journal replay, and the second
# mount of the same file system (same UUID, which xfs refuses by default)
# starts too.
# The image's lock file, root's alone, stays while a reader holds it and
# goes with the last (under cell-monitor here), as nspawn's.
xfs_lock="/run/cell/image-lock/inode-$(stat -c %d "$xfs"):$(stat -c %i "$xfs")"
start_waiting xfsro1 "Image=$xfs" "ReadOnly=yes"
u=$(unit xfsro2 "[Root]" "Image=$xfs" "ReadOnly=yes" "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "xfsro: the lock file's mode while xfsro1 reads the image" "$(stat -c %a "$xfs_lock" 2>&1)" 600
end_waiting xfsro1
[ ! -e "$xfs_lock" ] || fail "xfsro: the image's lock file stays after its last reader"
expect "xfsro2: status" "$status" 0
expect_match "xfsro2: root mount" "$(root_mount)" '^xfs /dev/loop[0-9]+ ro,.* ro,(.*,)?norecovery'
grep -qx 'WRITE ro' "$work/out" || fail "xfsro2: the root is writable"
no_loop_left xfsro
expect_nothing_left

# An image written by a running container is its alone, as nspawn locks
# an image: another start that would write it, or read it while it is
# written, is refused at once (exit 2), with nothing mounted; once the
# writer is gone, the image starts again.
start_waiting ext4w "Image=$ext4"
u=$(unit ext4w2 "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "ext4w2, a second writer: status" "$status" 2
grep -q "Image=$ext4: in use by another container (" "$work/err" ||
        fail "ext4w2: not refused as in use: $(cat "$work/err")"
u=$(unit ext4r2 "[Root]" "Image=$ext4" "ReadOnly=yes" "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "ext4r2, a reader beside a writer: status" "$status" 2
grep -q "in use by another container that writes to it" "$work/err" ||
        fail "ext4r2: not refused as in use: $(cat "$work/err")"
end_waiting ext4w
run_cell none "$u"
expect "ext4r2, the writer gone: status" "$status" 0
no_loop_left ext4w
expect_nothing_left

# A process that is not cell holding a flock() on the image itself (anyone
# who may read it can) refuses no start: cell's lock is a file of root's in
# /run/cell/image-lock, as nspawn's is in /run/systemd/nspawn/locks.
flock -x "$ext4" -c "touch '$work/sync/held'; while [ ! -e '$work/sync/free' ]; do sleep 0.1; done" &
holder=$!
for _ in $(seq 100); do [ -e "$work/sync/held" ] && break; sleep 0.1; done
[ -e "$work/sync/held" ] || fail "flock on the image: not held"
u=$(unit ext4f "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/image-check")
# (cell the supervisor to the end: its own release of the lock file.)
CELL_MONITOR=0 run_cell none "$u"
touch "$work/sync/free"
wait "$holder" || true
expect "ext4f, beside another process's flock(): status" "$status" 0
grep -qx image-content "$work/out" || fail "ext4f: the image's file was not read: $(cat "$work/out" "$work/err")"
[ ! -e "/run/cell/image-lock/inode-$(stat -c %d "$ext4"):$(stat -c %i "$ext4")" ] ||
        fail "ext4f: the image's lock file stays after the run"
no_loop_left ext4f
expect_nothing_left

# btrfs, writable.
u=$(unit btrfs "[Root]" "Image=$btrfs" "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "btrfs: status" "$status" 0
grep -qx image-content "$work/out" || fail "btrfs: the image's file was not read: $(cat "$work/out" "$work/err")"
expect_match "btrfs: root mount" "$(root_mount)" '^btrfs /dev/loop[0-9]+ rw,'
grep -qx 'WRITE rw' "$work/out" || fail "btrfs: the root is not writable"
no_loop_left btrfs
expect_nothing_left
expect "btrfs: written into the image" "$(with_mount "$btrfs" ro cat "$work/mnt/written")" x
host_snapshot before

# btrfs, ReadOnly=yes, with a log to replay: mounted without replaying it
# (on the read-only loop device the kernel refuses the replay, and would
# write the image without it), the image unchanged.
sum=$(md5sum < "$crashed")
u=$(unit btrfsro "[Root]" "Image=$crashed" "ReadOnly=yes" "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "btrfsro: status" "$status" 0
expect_match "btrfsro: root mount" "$(root_mount)" '^btrfs /dev/loop[0-9]+ ro,.* ro,(.*,)?rescue=nologreplay'
grep -qx 'WRITE ro' "$work/out" || fail "btrfsro: the root is writable"
expect "btrfsro: the image" "$(md5sum < "$crashed")" "$sum"
no_loop_left btrfsro
expect_nothing_left

# btrfs, Volatile=yes and PrivateUsers=pick: a tmpfs root, the image's /usr
# on it read-only and idmapped, /var, /root and /tmp made in it.
u=$(unit btrfsvol "[Root]" "Image=$btrfs" "Volatile=yes" "[Exec]" "Exec=/bin/image-check" \
        "[Isolation]" "PrivateUsers=pick")
run_cell none "$u"
expect "btrfsvol: status" "$status" 0
expect_match "btrfsvol: root mount" "$(root_mount)" '^tmpfs '
grep -qx 'WRITE rw' "$work/out" || fail "btrfsvol: the tmpfs root is not writable: $(cat "$work/out" "$work/err")"
expect_match "btrfsvol: /usr" "$(grep -m1 '^USR ' "$work/out")" '^USR btrfs ro,.*idmapped'
expect_match "btrfsvol: uid map" "$(grep -m1 '^MAP ' "$work/out")" '^MAP 0 [1-9][0-9]* 65536$'
# The empty root's /var, /root and /tmp, the container's root's, as
# nspawn's base file system and its /tmp give them.
expect "btrfsvol: base directories" "$(grep -m1 '^BASE ' "$work/out")" "BASE /var:755:0 /root:750:0 /tmp:1777:0"
no_loop_left btrfsvol
expect_nothing_left

# Failed starts: exit 2, one message naming the line, no loop device, no mount.
# check NAME MANAGER WANT-REGEX UNIT-LINES...
check() {
        local name=$1 manager=$2 want=$3; shift 3
        local u
        u=$(unit "$name" "$@")
        host_snapshot before
        run_cell "$manager" "$u"
        expect "$name: status" "$status" 2
        grep -v 'Running without a cgroup\|Device access is not restricted' "$work/err" > "$work/err.1" || true
        expect "$name: lines on stderr" "$(wc -l < "$work/err.1")" 1
        expect_match "$name: message" "$(cat "$work/err.1")" "^cell: $(unit_name "$name"): $work/$(unit_name "$name")\\.cell:$want"
        no_loop_left "$name"
        expect_nothing_left
}

for m in none cgroupfs; do
        check "exec-$m" "$m" "4: Exec=/bin/nosuch: not found in the container" \
                "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/nosuch"
        check "pickexec-$m" "$m" "4: Exec=/bin/nosuch: not found in the container" \
                "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/nosuch" "[Isolation]" "PrivateUsers=pick"
done
# A mount point the read-only image lacks cannot be made: named at the Bind=.
check bindmissing none "3: Bind=$work/hostdata:/nosuchdir: .*Read-only file system$" \
        "[Root]" "Image=$sqfs" "Bind=$work/hostdata:/nosuchdir" "[Exec]" "Exec=/bin/true"
check missing none "2: Image=$work/nosuch.raw: does not exist: No such file or directory$" \
        "[Root]" "Image=$work/nosuch.raw" "[Exec]" "Exec=/bin/true"
truncate -s 8M "$work/disk.raw"
printf 'label: gpt\n,,L\n' | sfdisk -q "$work/disk.raw" >/dev/null
# A GPT whose one (generic Linux) partition holds no file system: the
# partition is named (GPT images are test-image-gpt.sh's).
check gpt none "2: Image=$work/disk.raw: its root partition \\(1\\): no file system found" \
        "[Root]" "Image=$work/disk.raw" "[Exec]" "Exec=/bin/true"
# An MBR alone: refused, cell mounts a plain file system or a GPT.
truncate -s 8M "$work/mbr.raw"
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q "$work/mbr.raw" >/dev/null
check mbr none "2: Image=$work/mbr.raw: has a partition table \\(dos\\): cell mounts a plain file system image" \
        "[Root]" "Image=$work/mbr.raw" "[Exec]" "Exec=/bin/true"
# A partition table on a file system that blkid finds too (the ext4
# superblock lies past the MBR): the file system on the whole image is the
# image, as systemd's dissection takes it (USAGE first), not refused.
cp "$ext4" "$work/ext4-mbr.raw"
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q --wipe never "$work/ext4-mbr.raw" >/dev/null
u=$(unit ext4mbr "[Root]" "Image=$work/ext4-mbr.raw" "ReadOnly=yes" "[Exec]" "Exec=/bin/image-check")
run_cell none "$u"
expect "ext4mbr: status" "$status" 0
grep -qx image-content "$work/out" || fail "ext4mbr: not the whole image's ext4: $(cat "$work/out" "$work/err")"
expect_match "ext4mbr: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+ ro,'
no_loop_left ext4mbr
expect_nothing_left
# An empty file: said to be empty, once (no strerror after it).
: > "$work/empty.raw"
check empty none "2: Image=$work/empty.raw: is empty \\(0 bytes\\)$" \
        "[Root]" "Image=$work/empty.raw" "[Exec]" "Exec=/bin/true"
# Volatile=state mounts the image read-only: one without /var cannot get
# the tmpfs, named as such (not a bare "Read-only file system").
mksquashfs "$root" "$work/novar.squashfs" -quiet -noappend -e var >/dev/null
check novar none "3: Volatile=state: Image=$work/novar.squashfs has no /var, and is mounted read-only" \
        "[Root]" "Image=$work/novar.squashfs" "Volatile=state" "[Exec]" "Exec=/bin/true"
check dir none "2: Image=$root: neither a regular file nor a block device" \
        "[Root]" "Image=$root" "[Exec]" "Exec=/bin/true"

# SIGTERM while the image is attached, before anything else is made (strace
# holds cell at the open of /dev/loop-control, then at the image's
# fsmount(), when the loop device is attached and its file system made): "Stopped while
# starting", exit 0, no loop device and no mount left. The stop signals
# were blocked only after the image was mounted: cell died of SIGTERM (143).
if command -v strace >/dev/null; then
        u=$(unit early "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/true")
        host_snapshot before
        for hold in "-P /dev/loop-control -e trace=openat -e inject=openat:delay_enter=3000000" \
                    "-e trace=fsmount -e inject=fsmount:delay_enter=3000000"; do
                rm -f "$work/trace"
                # shellcheck disable=SC2086
                strace -o "$work/trace" $hold "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" &
                pid=$!
                t=0
                # The held call's line, unfinished, is there while it is held.
                until grep -qE '^(openat|fsmount)\(' "$work/trace" 2>/dev/null; do
                        [ "$t" -lt 2000 ] || fail "early stop ($hold): strace held nothing within 20 s"
                        sleep 0.01
                        t=$((t + 1))
                done
                kill -TERM "$(pgrep -P "$pid")"
                status=0
                wait "$pid" || status=$?
                expect "early stop ($hold): status" "$status" 0
                grep -q "Stopped while starting" "$work/err" ||
                        fail "early stop ($hold) did not say so: $(cat "$work/err")"
                no_loop_left "early stop ($hold)"
                expect_nothing_left
        done
fi

# verify checks the syntax only (the image may be another host's); the plan shows it.
u=$(unit verify "[Root]" "Image=$work/nosuch.raw" "[Exec]" "Exec=/bin/true")
"$CELL" verify "$u" || fail "verify: an image that is not here was refused"
"$CELL" plan --json "$u" > "$work/plan"
expect "plan: image" "$(plan_value image)" "$work/nosuch.raw"
expect "plan: directory" "$(plan_value directory)" null
u=$(unit both "[Root]" "Directory=$root" "Image=$ext4" "[Exec]" "Exec=/bin/true")
status=0
"$CELL" verify "$u" 2>"$work/err" || status=$?
expect "both: verify status" "$status" 1
expect_match "both: message" "$(cat "$work/err")" "$(unit_name both)\\.cell:3: Directory= and Image= exclude each other"
echo "ok"
