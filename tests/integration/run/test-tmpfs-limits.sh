#!/bin/bash
# The tmpfs cell mounts for the container carry systemd's limits (nspawn's:
# /dev size=4m,nr_inodes=64k; /dev/shm and /tmp size=10%,nr_inodes=400k;
# /run size=20%,nr_inodes=800k): without them the container's root could
# fill half of the host's memory through each. Checked in the container's
# own mount table, with and without PrivateUsers=. /tmp as nspawn's: on a
# ReadOnly=yes root, writable by every user and gone with the container; a
# unit's own mount at /tmp replaces it.
. "$(dirname "$0")/lib.sh"

total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
# The kernel's size=N% is that share of RAM, rounded up to whole pages
# (shmem_parse_one()), shown in KiB; its "400k" inodes are 400 * 1024.
want_kib() {
        echo $(( (total_kib / 4 * $1 + 99) / 100 * 4 ))
}

check() {
        local what=$1 target=$2 size=$3 inodes=$4 opts
        opts=$(awk -v t="$target" '$5 == t { print $NF }' "$work/out")
        [ -n "$opts" ] || fail "$what: $target not mounted: $(cat "$work/out")"
        expect_match "$what: $target's size" "$opts" "(^|,)size=${size}k(,|$)"
        expect_match "$what: $target's inodes" "$opts" "(^|,)nr_inodes=${inodes}(,|$)"
}

for users in no pick; do
        u=$(unit "limits-$users" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/cat /proc/self/mountinfo" \
                "[Isolation]" "PrivateUsers=$users")
        run_cell none "$u"
        expect "PrivateUsers=$users: status ($(cat "$work/err"))" "$status" 0
        check "PrivateUsers=$users" /dev 4096 65536
        check "PrivateUsers=$users" /dev/shm "$(want_kib 10)" 409600
        check "PrivateUsers=$users" /run "$(want_kib 20)" 819200
        check "PrivateUsers=$users" /tmp "$(want_kib 10)" 409600
        expect "PrivateUsers=$users: mounts at /tmp" "$(awk '$5 == "/tmp"' "$work/out" | wc -l)" 1
done

# The image's /tmp is not written; nobody (65534, no capability) writes too.
rm -rf "${root:?}/tmp/"* && mkdir -p "$root/tmp/image-file"
for users in no pick; do
        u=$(unit "rotmp-$users" "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" \
                "Exec=/bin/sh -c 'echo a > /tmp/a && cat /tmp/a && ls /tmp && ls -ld /tmp | cut -c1-10'" \
                "User=65534" "[Isolation]" "PrivateUsers=$users")
        run_cell none "$u"
        expect "ReadOnly=yes, PrivateUsers=$users: status ($(cat "$work/err"))" "$status" 0
        expect "ReadOnly=yes, PrivateUsers=$users: /tmp" "$(tr '\n' ' ' < "$work/out")" "a a drwxrwxrwt "
done
expect "the image's /tmp after the runs" "$(ls "$root/tmp")" image-file

# Bind=+/tmp: the image's own /tmp in its place (read-only with the root).
u=$(unit "owntmp" "[Root]" "Directory=$root" "ReadOnly=yes" "Bind=+/tmp" "[Exec]" \
        "Exec=/bin/sh -c 'ls /tmp; grep -c \" /tmp \" /proc/self/mountinfo; touch /tmp/b || echo refused'")
run_cell none "$u"
expect "Bind=+/tmp: status ($(cat "$work/err"))" "$status" 0
expect "Bind=+/tmp: the image's /tmp, one mount, read-only" "$(tr '\n' ' ' < "$work/out")" "image-file 1 refused "
rmdir "$root/tmp/image-file"

# A read-only image without /tmp (squashfs) starts as it did: no /tmp.
mkdir "$work/notmp" && cp -a "$root/." "$work/notmp/" && rmdir "$work/notmp/tmp"
mksquashfs "$work/notmp" "$work/notmp.sqfs" -quiet -noappend >/dev/null
u=$(unit "notmp" "[Root]" "Image=$work/notmp.sqfs" "[Exec]" "Exec=/bin/sh -c 'test -e /tmp || echo none'")
run_cell none "$u"
expect "an image without /tmp: status ($(cat "$work/err"))" "$status" 0
expect "an image without /tmp" "$(cat "$work/out")" none
echo ok
