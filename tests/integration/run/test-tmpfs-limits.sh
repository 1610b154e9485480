#!/bin/bash
# The tmpfs cell mounts for the container carry systemd's limits (nspawn's:
# /dev size=4m,nr_inodes=64k; /dev/shm size=10%,nr_inodes=400k; /run
# size=20%,nr_inodes=800k): without them the container's root could fill
# half of the host's memory through each of /run and /dev/shm. Checked in
# the container's own mount table, with and without PrivateUsers=.
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
done
echo ok
