#!/bin/bash
# Image= of a GPT "discoverable disk image", as systemd-nspawn --image=
# takes one: the root partition of the architecture among others (an ESP,
# swap), a /usr and a /home of their own mounted below it (also idmapped
# with PrivateUsers=pick), Volatile=yes's /usr from the /usr partition, a
# NO_AUTO root skipped, of several roots the highest label version, a
# READ_ONLY root read-only, a single generic Linux partition as the root,
# a GPT on a block device, an ext4 over a GPT's first sectors as the
# plain image it is to systemd too; refused: no root, a LUKS root or /usr, a root
# with a verity partition, a root with no file system. Each partition is
# on a loop device of its extent for the container's life, none after it
# (nor after a refusal), and the image's lock is free again.
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext4 sfdisk losetup flock; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done
case $(uname -m) in
x86_64) ROOT=4f68bce3-e8cd-4db1-96e7-fbcaf984b709 USR=8484680c-9521-48c6-9c11-b0720656f69e
        VERITY=2c7357ed-ebd2-46d9-aec1-23d437ec2bf5 ARCH=x86-64 ;;
aarch64) ROOT=b921b045-1df0-41c3-af44-4c6f280d3fae USR=b0e01050-ee5f-4390-949a-9101b17104e9
        VERITY=df3300ce-d69f-4c92-978c-9bfb0f38d820 ARCH=arm64 ;;
*) echo "skipped: no root partition type of $(uname -m) known to the test"; exit 77 ;;
esac
ESP=c12a7328-f81f-11d2-ba4b-00a0c93ec93b
SWAP=0657fd6d-a4ab-43c4-84e5-0933c84b4f4f
GENERIC=0fc63daf-8483-4772-8e79-3d69d8477de4
HOME_=933ac7e1-2eb4-4f13-b844-0e14e2aef915

# What the payload reports: the image's marker, /usr's and /home's, "/"'s
# and /usr's and /home's mounts ("ROOT TYPE SOURCE OPTIONS"), whether "/"
# is writable, who owns the marker.
cat > "$root/bin/gpt-check" <<'SH'
#!/bin/sh
cat /etc/image-marker /usr/usr-marker /home/home-marker 2>/dev/null
for m in / /usr /home; do
        awk -v m="$m" '$5 == m { for (i = 7; $i != "-"; i++); print (m == "/" ? "ROOT" : m), $(i+1), $(i+2), $6; exit }' /proc/self/mountinfo
done
(echo x > /written) 2>/dev/null && echo WRITE rw || echo WRITE ro
echo UID $(id -u) $(stat -c %u /etc/image-marker)
SH
chmod 0755 "$root/bin/gpt-check"

# fs NAME MARKER [MKFS-OPTIONS...]: an ext4 of 64M of the root with MARKER
# in its /etc/image-marker, as $work/fs/NAME.
mkdir "$work/fs"
fs() {
        rm -rf "$work/tree"
        cp -a "$root" "$work/tree"
        echo "$2" > "$work/tree/etc/image-marker"
        truncate -s 64M "$work/fs/$1"
        mkfs.ext4 -q "${@:3}" -d "$work/tree" "$work/fs/$1"
        rm -rf "$work/tree"
}
# small NAME DIR: an ext4 of 8M of DIR.
small() {
        truncate -s 8M "$work/fs/$1"
        mkfs.ext4 -q -d "$2" "$work/fs/$1"
}

# gpt IMAGE "TYPE NAME ATTRS CONTENT"...: a GPT image of one partition
# per argument, each 64M from 1M on, ATTRS as sfdisk's ("-" none, else e.g.
# "GUID:60"), CONTENT a file system of $work/fs or "-" (zeros), or "luks"
# (a LUKS1 header, as blkid knows it).
gpt() {
        local image=$1 spec="label: gpt" n=0 a type name attrs content; shift
        for a in "$@"; do
                read -r type name attrs content <<< "$a"
                spec+=$'\n'"start=$((1 + n * 64))MiB, size=64MiB, type=$type, name=\"$name\""
                [ "$attrs" = - ] || spec+=", attrs=\"$attrs\""
                n=$((n + 1))
        done
        truncate -s $((2 + n * 64))M "$image"
        sfdisk -q "$image" <<< "$spec" >/dev/null
        n=0
        for a in "$@"; do
                read -r type name attrs content <<< "$a"
                case $content in
                -) ;;
                luks) printf 'LUKS\xba\xbe\x00\x01' | dd of="$image" bs=1M seek=$((1 + n * 64)) conv=notrunc status=none ;;
                *) dd if="$work/fs/$content" of="$image" bs=1M seek=$((1 + n * 64)) conv=notrunc,sparse status=none ;;
                esac
                n=$((n + 1))
        done
}

fs plain gpt-root
fs other other-root
fs newer newer-root
fs k4 gpt-root -b 4096
rm -rf "$work/usrtree" "$work/hometree"
mkdir -p "$work/usrtree" "$work/hometree"
echo usr-content > "$work/usrtree/usr-marker"
echo home-content > "$work/hometree/home-marker"
small usr "$work/usrtree"
small home "$work/hometree"

# The image's lock (/run/cell/image-lock) is free: nothing of a start holds it.
lock_free() {
        local lock
        lock="/run/cell/image-lock/inode-$(stat -c %d "$2"):$(stat -c %i "$2")"
        [ ! -e "$lock" ] || flock -n -x "$lock" true || fail "$1: the image's lock is still held"
}
line() {
        grep -m1 "^$1 " "$work/out" | cut -d' ' -f2-
}
# start NAME IMAGE [UNIT-LINES...]: the image's check, status 0 wanted.
start() {
        local name=$1 image=$2; shift 2
        local u
        u=$(unit "$name" "[Root]" "Image=$image" "$@" "[Exec]" "Exec=/bin/gpt-check")
        host_snapshot before
        run_cell none "$u"
        [ "$status" = 0 ] || fail "$name: status $status: $(cat "$work/err")"
        [ -s "$work/out" ] || fail "$name: no output: $(cat "$work/err")"
}
done_with() {
        no_loop_left "$1"
        lock_free "$1" "$2"
        expect_nothing_left
}

# The root of the architecture among an ESP and swap.
img=$work/esp-swap-root.raw
gpt "$img" "$ESP esp - -" "$SWAP swap - -" "$ROOT root - plain"
start esp "$img"
grep -qx gpt-root "$work/out" || fail "esp: not the root partition's file: $(cat "$work/out" "$work/err")"
expect_match "esp: root mount" "$(line ROOT)" '^ext4 /dev/loop[0-9]+ rw,'
grep -qx 'WRITE rw' "$work/out" || fail "esp: the root is not writable"
done_with esp "$img"
# The probe as the payload: it runs from the partition.
u=$(unit espprobe "[Root]" "Image=$img" "[Exec]" "Exec=/bin/probe")
run_cell none "$u"
expect "espprobe: status" "$status" 0
expect "espprobe: pid" "$(field pid)" 1
done_with espprobe "$img"

# A root, a /usr and a /home of their own, each mounted where it belongs
# (/home made in the root, which has none); and idmapped, all three, with
# PrivateUsers=pick.
img=$work/usr.raw
gpt "$img" "$ROOT root - plain" "$USR usr - usr" "$HOME_ home - home"
start usr "$img"
grep -qx usr-content "$work/out" || fail "usr: /usr is not the /usr partition: $(cat "$work/out" "$work/err")"
grep -qx home-content "$work/out" || fail "usr: /home is not the /home partition: $(cat "$work/out")"
expect_match "usr: /usr mount" "$(line /usr)" '^ext4 /dev/loop[0-9]+ rw,'
expect_match "usr: /home mount" "$(line /home)" '^ext4 /dev/loop[0-9]+ rw,'
[ "$(line /usr | cut -d' ' -f2)" != "$(line ROOT | cut -d' ' -f2)" ] || fail "usr: /usr on the root's device"
done_with usr "$img"
start usrpick "$img" "[Isolation]" "PrivateUsers=pick"
grep -qx usr-content "$work/out" || fail "usrpick: no /usr partition: $(cat "$work/out" "$work/err")"
grep -qx 'UID 0 0' "$work/out" || fail "usrpick: not the container's root's files: $(cat "$work/out")"
expect_match "usrpick: /usr mount" "$(line /usr)" '^ext4 /dev/loop[0-9]+ rw,.*idmapped'
expect_match "usrpick: /home mount" "$(line /home)" '^ext4 /dev/loop[0-9]+ rw,.*idmapped'
done_with usrpick "$img"
# ReadOnly=yes: every partition read-only.
start usrro "$img" "ReadOnly=yes"
expect_match "usrro: /usr mount" "$(line /usr)" '^ext4 /dev/loop[0-9]+ ro,'
expect_match "usrro: root mount" "$(line ROOT)" '^ext4 /dev/loop[0-9]+ ro,'
done_with usrro "$img"

# Volatile=yes: a tmpfs root with the image's /usr, which is the /usr
# partition (its root's /bin and /sbin link into it); the tree builder's
# idmapped clone of it with PrivateUsers=pick.
rm -rf "$work/merged" "$work/mergedusr"
cp -a "$root" "$work/merged"
for d in bin sbin; do
        mkdir -p "$work/merged/usr/$d"
        cp -a "$work/merged/$d/." "$work/merged/usr/$d/"
        rm -rf "${work:?}/merged/$d"
        ln -s "usr/$d" "$work/merged/$d"
done
mv "$work/merged/usr" "$work/mergedusr"
mkdir "$work/merged/usr"
echo usr-content > "$work/mergedusr/usr-marker"
truncate -s 64M "$work/fs/mroot" "$work/fs/musr"
mkfs.ext4 -q -d "$work/merged" "$work/fs/mroot"
mkfs.ext4 -q -d "$work/mergedusr" "$work/fs/musr"
rm -rf "$work/merged" "$work/mergedusr"
img=$work/merged.raw
gpt "$img" "$ROOT root - mroot" "$USR usr - musr"
start vol "$img" "Volatile=yes"
grep -qx usr-content "$work/out" || fail "vol: /usr is not the /usr partition: $(cat "$work/out" "$work/err")"
expect_match "vol: root mount" "$(line ROOT)" '^tmpfs '
expect_match "vol: /usr mount" "$(line /usr)" '^ext4 /dev/loop[0-9]+ ro,'
done_with vol "$img"
start volpick "$img" "Volatile=yes" "[Isolation]" "PrivateUsers=pick"
grep -qx usr-content "$work/out" || fail "volpick: /usr is not the /usr partition: $(cat "$work/out" "$work/err")"
expect_match "volpick: /usr mount" "$(line /usr)" '^ext4 /dev/loop[0-9]+ ro,.*idmapped'
done_with volpick "$img"

# A root flagged NO_AUTO is not the root; of two roots, the higher version.
img=$work/noauto.raw
gpt "$img" "$ROOT root_9 GUID:63 other" "$ROOT root_1.9 - plain" "$ROOT root_1.10 - newer" "$ROOT root_1.2 - other"
start noauto "$img"
grep -qx newer-root "$work/out" || fail "noauto: not the newest root: $(cat "$work/out" "$work/err")"
done_with noauto "$img"

# READ_ONLY: the root read-only inside, without ReadOnly=.
img=$work/ro.raw
gpt "$img" "$ROOT root GUID:60 plain"
start ro "$img"
grep -qx gpt-root "$work/out" || fail "ro: $(cat "$work/out" "$work/err")"
expect_match "ro: root mount" "$(line ROOT)" '^ext4 /dev/loop[0-9]+ ro,'
grep -qx 'WRITE ro' "$work/out" || fail "ro: the root is writable"
done_with ro "$img"

# No root of the architecture: a single generic Linux partition is.
img=$work/generic.raw
gpt "$img" "$ESP esp - -" "$GENERIC linux - plain"
start generic "$img"
grep -qx gpt-root "$work/out" || fail "generic: $(cat "$work/out" "$work/err")"
done_with generic "$img"

# A file system on the whole image is the image, whatever partition table
# libblkid finds there too, as systemd's dissection takes it: an ext4
# written over a GPT's first sectors (its primary table gone, the backup
# at the end whole) beside a root partition of its own is that ext4, not
# the partition.
if command -v blkid >/dev/null; then
        img=$work/polyglot.raw
        gpt "$img" "$ESP esp - -" "$ROOT root - other"
        dd if="$work/fs/plain" of="$img" bs=1024 skip=1 seek=1 conv=notrunc status=none
        probe=$(blkid -p -o export "$img" | tr '\n' ' ')
        expect_match "polyglot: blkid" "$probe" 'TYPE=ext4 .*PTTYPE=gpt'
        start polyglot "$img"
        grep -qx gpt-root "$work/out" || fail "polyglot: not the whole image's ext4: $(cat "$work/out" "$work/err")"
        expect_match "polyglot: root mount" "$(line ROOT)" '^ext4 /dev/loop[0-9]+ rw,'
        done_with polyglot "$img"
fi

# A GPT on a block device (a loop device of the test's, no partition
# scan): its partition on a loop device of cell's over it.
img=$work/esp-swap-root.raw
dev=$(losetup -f --show "$img")
start block "$dev"
status2=0
losetup -d "$dev" || status2=$?
expect "block: detached" "$status2" 0
grep -qx gpt-root "$work/out" || fail "block: $(cat "$work/out" "$work/err")"
done_with block "$img"

# A GPT of 4096-byte sectors on a block device of that sector size (a
# loop device of the test's, -b 4096): libblkid gives its extents in
# 512-byte units whatever the device's, and its root partition (an ext4
# of 4096-byte blocks: a smaller block than the device's sector does not
# mount on it) is the root. The same image as a file has no GPT at
# 512-byte sectors: refused.
img=$work/k4.raw
truncate -s 68M "$img"
dev=$(losetup -f --show -b 4096 "$img")
sfdisk -q "$dev" <<< "label: gpt"$'\n'"start=256, size=16384, type=$ROOT" >/dev/null 2>&1 || true
dd if="$work/fs/k4" of="$dev" bs=1M seek=1 conv=notrunc status=none
start k4 "$dev"
status2=0
losetup -d "$dev" || status2=$?
expect "k4: detached" "$status2" 0
grep -qx gpt-root "$work/out" || fail "k4: $(cat "$work/out" "$work/err")"
done_with k4 "$img"

# A loop device past the start of a GPT image's file (its root
# partition, as losetup -o makes one; a partition device of a disk is
# locked alike, but this machine's kernel may make none) is a part of
# that file: a start of the file that writes it and a start of the part
# exclude each other, either way round (one file system, two superblocks
# writing it); read-only, both go together.
img=$work/part.raw
gpt "$img" "$ROOT root - plain"
part=$(losetup -f --show -o $((1 << 20)) --sizelimit $((64 << 20)) "$img")
# part_start NAME IMAGE WANT-STATUS [UNIT-LINES...]: a start beside the waiting one.
part_start() {
        local u
        u=$(unit "$1" "[Root]" "Image=$2" "${@:4}" "[Exec]" "Exec=/bin/true")
        run_cell none "$u"
        expect "$1: status" "$status" "$3"
}
start_waiting partwhole "Image=$img"
part_start partdev "$part" 2
expect_match "partdev: message" "$(cat "$work/err")" "Image=$part: what it is a part of \\(inode-[0-9]+:[0-9]+ in /run/cell/image-lock\\) is in use by another container that writes to it"
end_waiting partwhole
start_waiting partfirst "Image=$part"
part_start partwhole2 "$img" 2
expect_match "partwhole2: message" "$(cat "$work/err")" "Image=$img: in use by another container \\(an image"
end_waiting partfirst
start_waiting partro "Image=$img" "ReadOnly=yes"
part_start partro2 "$part" 0 "ReadOnly=yes"
end_waiting partro
status2=0
losetup -d "$part" || status2=$?
expect "part: detached" "$status2" 0
no_loop_left part
lock_free part "$img"

# Refused: exit 2, one message naming the line and why, nothing left.
# refused NAME IMAGE WANT-REGEX
refused() {
        local name=$1 image=$2 want=$3 u
        u=$(unit "$name" "[Root]" "Image=$image" "[Exec]" "Exec=/bin/true")
        host_snapshot before
        run_cell none "$u"
        expect "$name: status" "$status" 2
        grep -v 'Running without a cgroup\|Device access is not restricted' "$work/err" > "$work/err.1" || true
        expect "$name: lines on stderr" "$(wc -l < "$work/err.1")" 1
        expect_match "$name: message" "$(cat "$work/err.1")" "^cell: $(unit_name "$name"): $work/$(unit_name "$name")\\.cell:2: Image=$image: $want"
        done_with "$name" "$image"
}
img=$work/noroot.raw
gpt "$img" "$ESP esp - -" "$SWAP swap - -"
refused noroot "$img" "a GPT with no root partition for $ARCH \\($ROOT\\) nor a single generic Linux one$"
img=$work/luks.raw
gpt "$img" "$ROOT root - luks"
refused luks "$img" "its root partition \\(1\\): is encrypted \\(LUKS\\): cell does not unlock images$"
img=$work/usrluks.raw
gpt "$img" "$ROOT root - plain" "$USR usr - luks"
refused usrluks "$img" "its /usr partition \\(2\\): is encrypted \\(LUKS\\)"
img=$work/verity.raw
gpt "$img" "$ROOT root - plain" "$VERITY root-verity - -"
refused verity "$img" "its root partition \\(1\\) has a verity partition \\(2\\): cell does not verify images"
img=$work/empty.raw
gpt "$img" "$ROOT root - -"
refused empty "$img" "its root partition \\(1\\): no file system found"
# The sector size hint, only where a GPT is found at the other size.
refused k4file "$work/k4.raw" "a GPT's protective MBR, and its GPT made for 4096-byte sectors where it is read at \
512-byte ones"
# Another architecture's root only: systemd 252 would mount it; cell
# refuses rather than run another architecture's tree.
case $ARCH in
x86-64) FOREIGN=b921b045-1df0-41c3-af44-4c6f280d3fae FOREIGN_ARCH=arm64 ;;
*) FOREIGN=4f68bce3-e8cd-4db1-96e7-fbcaf984b709 FOREIGN_ARCH=x86-64 ;;
esac
img=$work/foreign.raw
gpt "$img" "$FOREIGN root - plain"
refused foreign "$img" "its root partition \\(1\\) is for $FOREIGN_ARCH, not $ARCH: cell mounts no other architecture's \\(systemd would mount it\\)$"
# A header that claims more entries than cell reads (40000 of 128 bytes,
# over 4 MiB): refused before libblkid would read them all into memory.
img=$work/entries.raw
truncate -s 80M "$img"
printf 'label: gpt\ntable-length: 40000\nstart=20MiB, size=40MiB, type=%s\n' "$ROOT" | sfdisk -q "$img" >/dev/null
refused entries "$img" "its GPT header claims a partition entry array larger than cell reads \\(4194304 bytes: 32768 entries of 128\\)$"
# Where /home is mounted, made in the image's root where missing: a link
# there that leads out of the image is followed inside it (to a directory
# the image lacks, that the host has: nothing is mounted nor made on the
# host); a file there, and a read-only root lacking it, fail.
# rootfs NAME COMMAND: fs NAME of the root, its /home replaced by COMMAND's
# work in the tree first (run there).
rootfs() {
        rm -rf "$work/tree"
        cp -a "$root" "$work/tree"
        rm -rf "$work/tree/home"
        (cd "$work/tree" && eval "$2")
        truncate -s 64M "$work/fs/$1"
        mkfs.ext4 -q -d "$work/tree" "$work/fs/$1"
        rm -rf "$work/tree"
}
rootfs homelink 'ln -s "/../../../..$work/escape" home'
img=$work/homelink.raw
gpt "$img" "$ROOT root - homelink" "$HOME_ home - home"
mkdir "$work/escape"
refused homelink "$img" "its /home partition \\(2\\): no directory /home in its root to mount it on: No such file or directory$"
[ -z "$(ls -A "$work/escape")" ] || fail "homelink: the host's $work/escape written: $(ls -A "$work/escape")"
rootfs homefile 'echo x > home'
img=$work/homefile.raw
gpt "$img" "$ROOT root - homefile" "$HOME_ home - home"
refused homefile "$img" "its /home partition \\(2\\): no directory /home in its root to mount it on: Not a directory$"
rootfs homero true
img=$work/homero.raw
gpt "$img" "$ROOT root GUID:60 homero" "$HOME_ home - home"
refused homero "$img" "its /home partition \\(2\\): no directory /home in its root to mount it on: Read-only file system$"

# A kernel before Linux 6.15, as strace makes one (EINVAL, the
# supervisor's first move_mount): it mounts nothing onto a detached mount,
# a GPT's /usr onto its root's. Said so, exit 2, nothing left: no loop
# device, no mount, the lock free. (A plain image and a GPT's root alone
# need no such mount: run-image-attach.)
old_kernel() {
        local name=$1 image=$2 u
        u=$(unit "$name" "[Root]" "Image=$image" "[Exec]" "Exec=/bin/true")
        host_snapshot before
        status=0
        timeout 20 strace -o /dev/null -e trace=move_mount -e inject=move_mount:error=EINVAL:when=1 \
                "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
        expect "$name: status" "$status" 2
        grep -v 'Running without a cgroup\|Device access is not restricted' "$work/err" > "$work/err.1" || true
        expect "$name: lines on stderr" "$(wc -l < "$work/err.1")" 1
        expect_match "$name: message" "$(cat "$work/err.1")" "^cell: $(unit_name "$name"): $work/$(unit_name "$name")\\.cell:2: Image=$image: $3"
        done_with "$name" "$image"
}
if command -v strace >/dev/null; then
        old_kernel oldusr "$work/usr.raw" "its /usr partition \\(2\\): cannot attach it at /usr: this kernel mounts nothing onto a detached mount \\(Linux 6\\.15 and later do\\)$"
else
        echo "strace missing: a kernel before 6.15 not tested here" >&2
fi
echo "ok"
