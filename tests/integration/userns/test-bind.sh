#!/bin/bash
# PrivateUsers= and Bind=: a plain Bind= shows the host's ownership through
# the map -- what the payload creates belongs to the range's host uid, and
# a host file of host root, mode 600, stays closed to the container's root;
# a Bind= with "idmap" is seen like the root: on-disk 0 is root inside.
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

base=$((0x7A000000))    # PrivateUsers=UID: a range of our own, outside pick's
data=$work/data
mkdir -m 1777 "$data"
echo secret > "$data/secret"
chmod 600 "$data/secret"

u=$(unit plain "[Root]" "Directory=$root" "Bind=$data:/data" "[Isolation]" "PrivateUsers=$base" \
        "[Exec]" 'Exec=/bin/sh -c "echo made > /data/made; cat /data/secret || echo denied"')
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "cell run: status $status: $(cat "$work/err")"
expect "made on the host" "$(stat -c %u:%g "$data/made")" "$base:$base"
grep -q secret "$work/out" && fail "the container's root read a host file of host root with mode 600"
grep -q denied "$work/out" || fail "reading the secret did not fail: $(cat "$work/out")"

u=$(unit idmap "[Root]" "Directory=$root" "Bind=$data:/data:idmap" "[Isolation]" "PrivateUsers=$base" \
        "[Exec]" 'Exec=/bin/sh -c "stat -c %%u /data/secret; echo made > /data/made2; stat -c %%u /data/made2"')
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "idmap: status $status: $(cat "$work/err")"
expect "secret owner through idmap" "$(sed -n 1p "$work/out")" 0
expect "made2 inside" "$(sed -n 2p "$work/out")" 0
expect "made2 on the host" "$(stat -c %u "$data/made2")" 0

# A file system that cannot be idmapped: a clear error naming the path, and
# the unit file and line of the Bind= (the supervisor's tree builder says it).
# (A tmpfs of this kernel can; procfs cannot.)
u=$(unit noidmap "[Root]" "Directory=$root" "Bind=/proc/self:/x:idmap" "[Isolation]" "PrivateUsers=$base" \
        "[Exec]" "Exec=/bin/true")
run_cell cgroupfs "$u"
expect "idmap of procfs: status" "$status" 2
grep -qF ": $u:3: Bind=/proc/self: /proc/self: the file system does not support idmapped mounts" "$work/err" ||
        fail "idmap of procfs: unclear error: $(cat "$work/err")"
echo "ok: plain and idmapped Bind= under PrivateUsers="
