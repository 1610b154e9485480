#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "cell verify" of a mount whose target the start finds to be a file of the
# other kind: a directory (TemporaryFileSystem=, Overlay=, a directory's
# Bind=) on a file of the Directory= root or a node cell makes (/dev/zero),
# a file's Bind= on a directory, anything below a file. Each passed verify
# and failed the start ("target exists and is not a directory", the
# kernel's ENOTDIR; EISDIR). Refused now at its line, in the start's words,
# exit 1; where the plan or the root says otherwise (a tmpfs over it, a
# link that may lead into a mount, an Image= root), nothing is said.
# Rootless: nothing is started.
#
#   test-verify-mounts.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

# A root as busybox's: /bin/sh and /sbin/init links to a file.
root=$tmp/root
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/home" "$root/dev" "$root/tmp" "$tmp/dir" "$tmp/up"
: > "$root/bin/busybox"
: > "$root/etc/passwd"
: > "$tmp/file"
ln -s busybox "$root/bin/sh"
ln -s ../bin/busybox "$root/sbin/init"
# Leads into cell's /dev, which is no longer the root's.
: > "$root/dev/zero"
ln -s /dev/zero "$root/bin/zero"

# bad NAME WANT [Root] KEYS...: verify exits 1 and says WANT (a regex,
# after the unit's FILE:LINE of the first key, line 3).
bad() {
        local name=$1 want=$2 u=$CELL_UNIT_PATH/$1.cell
        shift 2
        printf '%s\n' "[Root]" "Directory=$root" "$@" "[Exec]" "Exec=/bin/true" > "$u"
        expect 1 "$name" -- "$cell" verify "$u"
        grep -q -E "^$u:3: $want" "$tmp/err" || fail "$name: no \"$want\" at line 3: $(cat "$tmp/err")"
}

# good NAME KEYS...: valid.
good() {
        local name=$1 u=$CELL_UNIT_PATH/$1.cell
        shift
        printf '%s\n' "[Root]" "Directory=$root" "$@" "[Exec]" "Exec=/bin/true" > "$u"
        expect 0 "$name" -- "$cell" verify "$u"
}

notdir="target exists and is not a directory"
isdir="target is a directory but the source is not"

# cell's own nodes and file systems.
bad dir-on-node "Bind=$tmp/dir:/dev/zero: $notdir \\(cell makes /dev/zero a device node" "Bind=$tmp/dir:/dev/zero"
bad file-on-shm "Bind=$tmp/file:/dev/shm: $isdir \\(a file system is mounted on /dev/shm" "Bind=$tmp/file:/dev/shm"
good file-on-node "Bind=$tmp/file:/dev/zero"
# Left out where the host has no /dev/net/tun, and the directory made then.
good dir-on-optional-node "Bind=$tmp/dir:/dev/net/tun"

# The root's files, through its links as the start follows them.
bad tmpfs-on-link "TemporaryFileSystem=/bin/sh: $notdir \\(/bin/sh, a link to /bin/busybox in Directory=$root\\)" \
        "TemporaryFileSystem=/bin/sh"
bad tmpfs-on-file "TemporaryFileSystem=/etc/passwd: $notdir \\(/etc/passwd in Directory=$root\\)" \
        "TemporaryFileSystem=/etc/passwd"
bad overlay-on-file "Overlay=$tmp/dir:$tmp/up:/sbin/init: $notdir" "Overlay=$tmp/dir:$tmp/up:/sbin/init"
bad dir-on-file "Bind=$tmp/dir:/bin/busybox: $notdir" "Bind=$tmp/dir:/bin/busybox"
bad file-on-dir "BindReadOnly=$tmp/file:/home: $isdir \\(/home in Directory=$root\\)" "BindReadOnly=$tmp/file:/home"
bad root-dir-on-file "Bind=\\+/home:/etc/passwd: $notdir" "Bind=+/home:/etc/passwd"
bad mask-below-file "Inaccessible=/bin/sh/x: $notdir \\(/bin/sh, on the way to it, is no directory" \
        "Inaccessible=/bin/sh/x"
bad tmpfs-below-file "TemporaryFileSystem=/etc/passwd/x: $notdir \\(/etc/passwd, on the way" \
        "TemporaryFileSystem=/etc/passwd/x"
good mask-on-file "Inaccessible=/bin/sh /etc/passwd"
good file-on-file "Bind=$tmp/file:/etc/passwd"
good dir-on-dir "Bind=$tmp/dir:/home" "TemporaryFileSystem=/home/new"
good missing-source "Bind=-$tmp/nosuch:/etc/passwd"
# A Bind= of the unit's at the target first (binds come first of one
# target, whatever the lines' order): its source's kind.
bound="$CELL_UNIT_PATH/tmpfs-on-bound-file.cell:4: Bind=$tmp/file:/srv9 binds a file there"
bad tmpfs-on-bound-file "TemporaryFileSystem=/srv9: $notdir \\($bound" \
        "TemporaryFileSystem=/srv9" "Bind=$tmp/file:/srv9"
printf '%s\n' "[Root]" "Directory=$root" "Bind=$tmp/file:/srv8" "Bind=$tmp/dir:/srv8" "[Exec]" "Exec=/bin/true" \
        > "$CELL_UNIT_PATH/dir-on-bound-file.cell"
expect 1 dir-on-bound-file -- "$cell" verify "$CELL_UNIT_PATH/dir-on-bound-file.cell"
grep -q -F "dir-on-bound-file.cell:4: Bind=$tmp/dir:/srv8: $notdir (" "$tmp/err" ||
        fail "dir-on-bound-file: $(cat "$tmp/err")"
good dir-on-bound-dir "Bind=$tmp/dir:/srv8" "TemporaryFileSystem=/srv8"
good on-optional-bind "Bind=-$tmp/nosuch:/srv8" "TemporaryFileSystem=/srv8"
# What another mount brings there: not the root's.
good under-tmpfs "TemporaryFileSystem=/sbin" "TemporaryFileSystem=/sbin/init"
good under-bind "Bind=$tmp/dir:/etc" "TemporaryFileSystem=/etc/passwd"
good link-into-dev "TemporaryFileSystem=/bin/zero"

# Every one, in the unit's order, and the unit's own exit status.
u=$CELL_UNIT_PATH/all.cell
printf '%s\n' "[Root]" "Directory=$root" "TemporaryFileSystem=/sbin/init" "Bind=$tmp/dir:/dev/zero" \
        "Inaccessible=/etc/passwd/x" "[Exec]" "Exec=/bin/true" > "$u"
expect 1 "all" -- "$cell" verify "$u"
[ "$(grep -c -F "$u:" "$tmp/err")" = 3 ] || fail "all: not three problems: $(cat "$tmp/err")"
[ "$(grep -o -E "^$u:[0-9]+" "$tmp/err" | tr '\n' ' ')" = "$u:3 $u:4 $u:5 " ] ||
        fail "all: not in the unit's order: $(cat "$tmp/err")"

# A drop-in's entry at its own file and line.
u=$CELL_UNIT_PATH/drop.cell
printf '%s\n' "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" > "$u"
mkdir -p "$u.d"
printf '%s\n' "[Root]" "TemporaryFileSystem=/bin/sh" > "$u.d/sh.conf"
expect 1 "drop-in" -- "$cell" verify "$u"
grep -q -F "$u.d/sh.conf:2: TemporaryFileSystem=/bin/sh: $notdir" "$tmp/err" ||
        fail "drop-in: not at sh.conf:2: $(cat "$tmp/err")"

# An Image= root is not looked into without mounting it; cell's nodes are known.
: > "$tmp/image.raw"
u=$CELL_UNIT_PATH/image.cell
printf '%s\n' "[Root]" "Image=$tmp/image.raw" "TemporaryFileSystem=/bin/sh" "[Exec]" "Exec=/bin/true" > "$u"
expect 0 "image" -- "$cell" verify "$u"
printf '%s\n' "[Root]" "Image=$tmp/image.raw" "Bind=$tmp/dir:/dev/zero" "[Exec]" "Exec=/bin/true" > "$u"
expect 1 "image, a node" -- "$cell" verify "$u"
# Volatile=yes: the root is a tmpfs with the image's /usr.
u=$CELL_UNIT_PATH/volatile.cell
printf '%s\n' "[Root]" "Directory=$root" "Volatile=yes" "TemporaryFileSystem=/etc/passwd" "[Exec]" "Exec=/bin/true" \
        > "$u"
expect 0 "volatile" -- "$cell" verify "$u"

# One call, units of two roots one after the other, each judged by its
# own (verify keeps the last root open for the next unit of the same one):
# /x a file in the first, a directory in the second, then the first again.
root2=$tmp/root2
mkdir -p "$root2/x"
: > "$root/x"
for n in one two three; do
        r=$root; [ $n = two ] && r=$root2
        printf '%s\n' "[Root]" "Directory=$r" "TemporaryFileSystem=/x" "[Exec]" "Exec=/bin/true" \
                > "$CELL_UNIT_PATH/roots-$n.cell"
done
expect 1 "two roots" -- "$cell" verify "$CELL_UNIT_PATH/roots-one.cell" "$CELL_UNIT_PATH/roots-two.cell" \
        "$CELL_UNIT_PATH/roots-three.cell"
for n in one three; do
        grep -q "^$CELL_UNIT_PATH/roots-$n.cell:3: TemporaryFileSystem=/x: $notdir" "$tmp/err" ||
                fail "two roots: roots-$n not refused: $(cat "$tmp/err")"
done
! grep -q "roots-two" "$tmp/err" || fail "two roots: roots-two refused: $(cat "$tmp/err")"
grep -q "3 units checked: 1 valid, 2 invalid" "$tmp/err" || fail "two roots: $(cat "$tmp/err")"
rm "$root/x"

# A unit of 20,000 Inaccessible= paths is checked whole (each mount is
# looked up among those before it in log n: 0.2 s here, where a first,
# quadratic version took 22 s; speed is the benchmark's, not a pass/fail).
u=$CELL_UNIT_PATH/many.cell
{
        printf '%s\n' "[Root]" "Directory=$root"
        seq -f "Inaccessible=/srv/p%.0f" 1 20000
        printf '%s\n' "[Exec]" "Exec=/bin/true"
} > "$u"
expect 0 "20,000 mounts" -- "$cell" verify "$u"

exit $failed
