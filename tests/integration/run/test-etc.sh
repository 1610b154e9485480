#!/bin/bash
# ResolvConf= and Timezone=: what the container's /etc/resolv.conf and
# /etc/localtime show, that the image is written only where a value says
# so, and that a symlink in a hostile image never leads a write or a bind
# to the host.
. "$(dirname "$0")/lib.sh"

host_resolv=$(cat /etc/resolv.conf)
host_tz=$(md5sum < /etc/localtime)
[ -n "$host_resolv" ] || { echo "skipped: the host has an empty /etc/resolv.conf"; exit 77; }

# The image's own files, distinct from the host's.
echo "nameserver 192.0.2.99 # image" > "$root/etc/resolv.conf"
echo "image zone" > "$root/etc/localtime"
image_tz=$(md5sum < "$root/etc/localtime")

# resolv NAME [Key=value...]: the unit, with Exec= catting /etc/resolv.conf.
resolv() {
        local name=$1; shift
        run_cell none "$(unit "$name" "[Root]" "Directory=$root" "$@" "[Exec]" "Exec=/bin/cat /etc/resolv.conf")"
}
tz() {
        local name=$1; shift
        run_cell none "$(unit "$name" "[Root]" "Directory=$root" "$@" "[Exec]" "Exec=/bin/cat /etc/localtime")"
}
# at NAME LINE: how a start-time message of the value written on line LINE
# of unit NAME begins, "FILE:LINE: " as "cell verify" names it (a regex).
at() {
        echo "$work/$(unit_name "$1")\\.cell:$2: "
}
# run_cell_ns SETUP UNIT: run_cell in a private mount namespace, after the
# shell commands SETUP there: the host's own files are covered, never
# touched, whatever cell does to what it sees.
run_cell_ns() {
        status=0
        unshare -m --propagation private /bin/bash -c "set -e; $1; exec timeout 20 \"\$0\" run --cgroup-manager=none \"\$1\"" \
                "$CELL" "$2" >"$work/out" 2>"$work/err" || status=$?
}

# --- ResolvConf= ---------------------------------------------------------

# auto, the host's network: the host's resolver, bound over the image's.
resolv auto-host "[Isolation]" "PrivateNetwork=no"
expect "auto, host network: status" "$status" 0
expect "auto, host network" "$(cat "$work/out")" "$host_resolv"
expect "auto leaves the image alone" "$(cat "$root/etc/resolv.conf")" "nameserver 192.0.2.99 # image"

# auto binds the host's /etc/resolv.conf (its links followed on the host),
# never resolved's stub merely because the file is there: resolved writes
# it with DNSStubListener=no too, and it stays when resolved stops.
if [ -d /run/systemd ]; then
        run_cell_ns "mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/resolve &&
                echo 'nameserver 127.0.0.53 # stale stub' > /run/systemd/resolve/stub-resolv.conf" \
                "$(unit autostub "[Root]" "Directory=$root" "[Isolation]" "PrivateNetwork=no" \
                        "[Exec]" "Exec=/bin/cat /etc/resolv.conf")"
        expect "auto, a stale stub: status" "$status" 0
        expect "auto, a stale stub: the host's file" "$(cat "$work/out")" "$host_resolv"
fi

# auto with a private network (the default), and off: the image's own.
resolv auto-private
expect "auto, private network: status" "$status" 0
expect "auto, private network" "$(cat "$work/out")" "nameserver 192.0.2.99 # image"
resolv off "[Isolation]" "PrivateNetwork=no" "[Exec]" "ResolvConf=off"
expect "off: status" "$status" 0
expect "off" "$(cat "$work/out")" "nameserver 192.0.2.99 # image"

# bind-host on a read-only root: the host's file, read-only inside.
resolv robind "ReadOnly=yes" "[Exec]" "ResolvConf=bind-host"
expect "bind-host, ReadOnly=yes: status" "$status" 0
expect "bind-host, ReadOnly=yes" "$(cat "$work/out")" "$host_resolv"
run_cell none "$(unit robindw "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "ResolvConf=bind-host" \
        "Exec=/bin/sh -c 'echo x >> /etc/resolv.conf && echo written'")"
[ "$status" -ne 0 ] || fail "bind-host: the container could write the host's resolv.conf"
expect "bind-host: host file unchanged" "$(cat /etc/resolv.conf)" "$host_resolv"

# copy-host and replace-host on a writable root write the image: asked for.
resolv copy "[Exec]" "ResolvConf=copy-host"
expect "copy-host: status" "$status" 0
expect "copy-host" "$(cat "$work/out")" "$host_resolv"
expect "copy-host wrote the image" "$(cat "$root/etc/resolv.conf")" "$host_resolv"

# The container's file is the host's source itself (a Bind= of the host's
# /etc): nothing to copy, and the host's file is not emptied. In a private
# mount namespace, with a file of the test's over the host's resolv.conf.
mkdir "$work/sameetc"
cp "$root/etc/passwd" "$root/etc/group" "$work/sameetc/"
echo "nameserver 192.0.2.53 # same" > "$work/sameetc/resolv.conf"
touch -d "2001-01-01 00:00:00" "$work/sameetc/resolv.conf"
run_cell_ns "mount --bind '$work/sameetc/resolv.conf' /etc/resolv.conf" \
        "$(unit samefile "[Root]" "Directory=$root" "Bind=$work/sameetc:/etc" \
                "[Exec]" "ResolvConf=copy-host" "Exec=/bin/cat /etc/resolv.conf")"
expect "copy-host onto its own source: status" "$status" 0
expect "copy-host onto its own source: the host's file kept" "$(cat "$work/sameetc/resolv.conf")" \
        "nameserver 192.0.2.53 # same"
expect "copy-host onto its own source: not written at all" "$(stat -c %Y "$work/sameetc/resolv.conf")" \
        "$(date -d "2001-01-01 00:00:00" +%s)"
expect "copy-host onto its own source: seen inside" "$(cat "$work/out")" "nameserver 192.0.2.53 # same"
expect "copy-host onto its own source: the host's resolv.conf" "$(cat /etc/resolv.conf)" "$host_resolv"

# A host file that cannot be copied (larger than 1 MiB) fails the start
# before the container's file is touched.
echo "nameserver 192.0.2.99 # image" > "$root/etc/resolv.conf"
head -c 2097152 /dev/zero | tr '\0' '#' > "$work/big"
run_cell_ns "mount --bind '$work/big' /etc/resolv.conf" \
        "$(unit bigsource "[Root]" "Directory=$root" "[Exec]" "ResolvConf=copy-host" "Exec=/bin/true")"
[ "$status" -ne 0 ] || fail "copy-host of a 2 MiB file started"
expect_match "copy-host, too big: message" "$(cat "$work/err")" \
        "$(at bigsource 4)ResolvConf=copy-host: /etc/resolv.conf: cannot open on the host"
expect "copy-host, too big: the image's file unchanged" "$(cat "$root/etc/resolv.conf")" "nameserver 192.0.2.99 # image"

# A copy-* on a read-only root is refused by the plan, at its line.
resolv rocopy "ReadOnly=yes" "[Exec]" "ResolvConf=copy-host"
[ "$status" -ne 0 ] || fail "copy-host with ReadOnly=yes started"
expect_match "copy-host, ReadOnly=yes: message" "$(cat "$work/err")" ':5: ResolvConf=copy-host: writes /etc/resolv.conf, but ReadOnly=yes'

# No file in the image: bind-host on a read-only root cannot create one
# and says so; auto leaves the container without one; Volatile=overlay (an
# overlay root of cell's own) gets one made there, never in the image.
rm "$root/etc/resolv.conf"
resolv ronofile "ReadOnly=yes" "[Exec]" "ResolvConf=bind-host"
[ "$status" -ne 0 ] || fail "bind-host over a missing file started"
expect_match "bind-host, no file: message" "$(cat "$work/err")" \
        "$(at ronofile 5)ResolvConf=bind-host: /etc/resolv.conf does not exist in the container, and cell creates no file in the image"
# Written in a drop-in: named by the drop-in's path and its line there, for
# the unit file's name alone would send the admin to the wrong file.
mkdir "$work/$(unit_name ronofiledropin).cell.d"
printf '%s\n' "# resolver" "[Exec]" "ResolvConf=bind-host" > "$work/$(unit_name ronofiledropin).cell.d/10-dns.conf"
resolv ronofiledropin "ReadOnly=yes"
[ "$status" -ne 0 ] || fail "bind-host over a missing file, from a drop-in, started"
expect_match "bind-host, no file, drop-in: message" "$(cat "$work/err")" \
        "$work/$(unit_name ronofiledropin)\\.cell\\.d/10-dns\\.conf:3: ResolvConf=bind-host: /etc/resolv.conf does not exist"
[ ! -e "$root/etc/resolv.conf" ] || fail "bind-host created /etc/resolv.conf in the image"
# A link in the image that leads nowhere in it (to a resolved's stub that
# runs only inside): named as such, with what replaces it; nothing made.
ln -s /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
resolv rodangling "ReadOnly=yes" "[Exec]" "ResolvConf=bind-host"
[ "$status" -ne 0 ] || fail "bind-host over a dangling link started"
expect_match "bind-host, dangling link: message" "$(cat "$work/err")" "$(at rodangling 5)ResolvConf=bind-host: \
/etc/resolv.conf is a symlink to /run/systemd/resolve/stub-resolv.conf, which leads nowhere in the container"
grep -qF "(ResolvConf=replace-host replaces the link)" "$work/err" || fail "bind-host, dangling link: no hint"
[ ! -e "$root/run/systemd" ] || fail "bind-host made the link's target in the image"
rm "$root/etc/resolv.conf"
resolv autonofile "[Isolation]" "PrivateNetwork=no"
[ "$status" -ne 0 ] || fail "auto, no file: the container has an /etc/resolv.conf"
[ ! -e "$root/etc/resolv.conf" ] || fail "auto created /etc/resolv.conf in the image"
resolv volatile "Volatile=overlay" "[Isolation]" "PrivateNetwork=no"
expect "auto, Volatile=overlay: status" "$status" 0
expect "auto, Volatile=overlay" "$(cat "$work/out")" "$host_resolv"
[ ! -e "$root/etc/resolv.conf" ] || fail "Volatile=overlay wrote /etc/resolv.conf in the image"

# bind-stub without systemd-resolved on the host: a clear refusal.
if [ ! -e /run/systemd/resolve/stub-resolv.conf ]; then
        resolv nostub "Volatile=overlay" "[Exec]" "ResolvConf=bind-stub"
        [ "$status" -ne 0 ] || fail "bind-stub without resolved started"
        expect_match "bind-stub: message" "$(cat "$work/err")" \
                "$(at nostub 5)ResolvConf=bind-stub: /run/systemd/resolve/stub-resolv.conf does not exist on the host"
fi

# Volatile=yes: the root is cell's tmpfs (only /usr is the image's), so the
# image's /etc -- here a link to resolved's stub -- is not looked at: the
# container gets the host's file in its own /etc.
vroot=$work/vroot
mkdir -p "$vroot/usr" "$vroot/etc"
cp -a "$root/bin" "$vroot/usr/bin"
ln -s usr/bin "$vroot/bin"
ln -s ../run/systemd/resolve/stub-resolv.conf "$vroot/etc/resolv.conf"
run_cell none "$(unit volyes "[Root]" "Directory=$vroot" "Volatile=yes" "[Isolation]" "PrivateNetwork=no" \
        "[Exec]" "Exec=/bin/cat /etc/resolv.conf")"
expect "auto, Volatile=yes, a link in the image: status" "$status" 0
expect "auto, Volatile=yes, a link in the image" "$(cat "$work/out")" "$host_resolv"

# The files are for every user: cell's own umask does not shape them.
saved_umask=$(umask)
umask 077
run_cell none "$(unit umask "[Root]" "Directory=$root" "[Exec]" "ResolvConf=replace-host" "Timezone=copy" \
        "Exec=/bin/stat -c %%a /etc/resolv.conf /etc/localtime")"
run_status=$status
cp "$work/out" "$work/out.umask"
run_cell none "$(unit umaskvol "[Root]" "Directory=$vroot" "Volatile=yes" "[Exec]" "ResolvConf=replace-host" \
        "Exec=/bin/stat -c %%a /etc /etc/resolv.conf")"
umask "$saved_umask"
expect "umask 077: status" "$run_status" 0
expect "umask 077: modes" "$(cat "$work/out.umask")" "$(printf '644\n644')"
expect "umask 077, Volatile=yes: status" "$status" 0
expect "umask 077, Volatile=yes: modes" "$(cat "$work/out")" "$(printf '755\n644')"
echo "nameserver 192.0.2.99 # image" > "$root/etc/resolv.conf"
echo "image zone" > "$root/etc/localtime"

# --- Timezone= -----------------------------------------------------------

tz tzauto
expect "Timezone=auto: status" "$status" 0
expect "Timezone=auto" "$(md5sum < "$work/out")" "$host_tz"
expect "Timezone=auto leaves the image alone" "$(md5sum < "$root/etc/localtime")" "$image_tz"
tz tzoff "[Exec]" "Timezone=off"
expect "Timezone=off" "$(md5sum < "$work/out")" "$image_tz"
tz tzrobind "ReadOnly=yes" "[Exec]" "Timezone=bind"
expect "Timezone=bind, ReadOnly=yes: status" "$status" 0
expect "Timezone=bind, ReadOnly=yes" "$(md5sum < "$work/out")" "$host_tz"

# auto and a link in the image (Debian's /etc/localtime -> zoneinfo/Etc/UTC):
# left alone, for a bind would land on the zone file the link leads to and
# make "UTC" the host's zone for every program in the container.
mkdir -p "$root/usr/share/zoneinfo/Etc"
echo "image UTC" > "$root/usr/share/zoneinfo/Etc/UTC"
mv "$root/etc/localtime" "$work/localtime.image"
ln -s ../usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
run_cell none "$(unit tzautolink "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/cat /usr/share/zoneinfo/Etc/UTC")"
expect "Timezone=auto, a link in the image: status" "$status" 0
expect "Timezone=auto, a link in the image: the zone file it leads to untouched" "$(cat "$work/out")" "image UTC"
# copy replaces that link with a regular file, as nspawn's: the zone file
# it led to is not written.
tz tzcopylink "[Exec]" "Timezone=copy"
expect "Timezone=copy over a link: status" "$status" 0
expect "Timezone=copy over a link" "$(md5sum < "$work/out")" "$host_tz"
[ -f "$root/etc/localtime" ] && [ ! -L "$root/etc/localtime" ] || fail "Timezone=copy left the link"
expect "Timezone=copy over a link: the zone file untouched" "$(cat "$root/usr/share/zoneinfo/Etc/UTC")" "image UTC"
rm "$root/etc/localtime"
mv "$work/localtime.image" "$root/etc/localtime"
rm -r "$root/usr/share/zoneinfo"

# auto checks for a link again where it binds: here a Bind= puts one in
# place after the start looked at the image's (regular) /etc/localtime.
mkdir "$work/etcbind"
cp "$root/etc/passwd" "$root/etc/group" "$work/etcbind/"
ln -s ../zone "$work/etcbind/localtime"
echo "image zone file" > "$root/zone"
run_cell none "$(unit tzbindlink "[Root]" "Directory=$root" "Bind=$work/etcbind:/etc" "[Exec]" "Exec=/bin/cat /zone")"
expect "Timezone=auto, a link from a Bind=: status" "$status" 0
expect "Timezone=auto, a link from a Bind=: not bound through" "$(cat "$work/out")" "image zone file"
rm "$root/zone"

# symlink: a link to the container's own file of the host's zone, which the
# host's /etc/localtime names as nspawn 252 takes it: a link into
# /usr/share/zoneinfo (any other fails the start: unit tests).
if zone=$(readlink /etc/localtime) && [[ $zone == /usr/share/zoneinfo/* || $zone == ../usr/share/zoneinfo/* ]]; then
        zone=${zone#*/usr/share/zoneinfo/}
        # Without the zone in the container: the bind, as nspawn falls back to.
        tz tznozone "Volatile=overlay" "[Exec]" "Timezone=symlink"
        expect "Timezone=symlink without the zone in the container: status" "$status" 0
        expect "Timezone=symlink, no zone: the host's zone file bound" "$(md5sum < "$work/out")" "$host_tz"
        mkdir -p "$root/usr/share/zoneinfo/$(dirname "$zone")"
        echo "image's $zone" > "$root/usr/share/zoneinfo/$zone"
        run_cell none "$(unit tzlink "[Root]" "Directory=$root" "Volatile=overlay" "[Exec]" "Timezone=symlink" \
                "Exec=/bin/readlink /etc/localtime")"
        expect "Timezone=symlink: status" "$status" 0
        expect "Timezone=symlink" "$(cat "$work/out")" "../usr/share/zoneinfo/$zone"
        expect "Timezone=symlink, Volatile=overlay leaves the image alone" "$(md5sum < "$root/etc/localtime")" "$image_tz"
        rm -r "$root/usr/share/zoneinfo"
fi

# --- hostile images --------------------------------------------------------

echo "host victim" > "$work/victim"
mkdir -p "$work/hostetc"
echo "host etc" > "$work/hostetc/resolv.conf"
check_victims() {
        expect "$1: host victim" "$(cat "$work/victim")" "host victim"
        expect "$1: host etc" "$(cat "$work/hostetc/resolv.conf")" "host etc"
}

# /etc/resolv.conf (and /etc/localtime) a link to a host file by its
# absolute path: inside the root it leads nowhere; the host's is not
# written, not bound over, not removed.
ln -sfn "$work/victim" "$root/etc/resolv.conf"
ln -sfn "$work/victim" "$root/etc/localtime"
for v in bind-host copy-host; do
        resolv "evil$v" "[Exec]" "ResolvConf=$v"
        check_victims "ResolvConf=$v"
        [ -L "$root/etc/resolv.conf" ] || fail "ResolvConf=$v replaced the image's link"
done
expect_match "copy-host over a link: notice (the last run)" "$(cat "$work/err")" \
        'ResolvConf=copy-host: /etc/resolv.conf is a symlink in the image, left alone \(replace-host replaces it\)'

for v in copy bind symlink; do
        tz "eviltz$v" "[Exec]" "Timezone=$v"
        check_victims "Timezone=$v"
done
# replace-host replaces the link itself, delete removes it: never its target.
resolv evilreplace "[Exec]" "ResolvConf=replace-host"
expect "replace-host over a link: status" "$status" 0
expect "replace-host over a link" "$(cat "$work/out")" "$host_resolv"
[ ! -L "$root/etc/resolv.conf" ] || fail "replace-host left the link"
check_victims "ResolvConf=replace-host"
run_cell none "$(unit evildelete "[Root]" "Directory=$root" "[Exec]" "Timezone=delete" "Exec=/bin/true")"
expect "Timezone=delete: status" "$status" 0
[ ! -e "$root/etc/localtime" ] && [ ! -L "$root/etc/localtime" ] || fail "Timezone=delete left the link"
check_victims "Timezone=delete"

# Any other non-regular file is left alone by copy, never opened: a device
# node (a watchdog, /dev/kmsg) is not opened for writing by host root, a
# FIFO does not fail or block the start.
rm -f "$root/etc/resolv.conf"
mkfifo "$root/etc/resolv.conf"
run_cell none "$(unit evilfifo "[Root]" "Directory=$root" "[Exec]" "ResolvConf=copy-host" \
        "Exec=/bin/sh -c 'test -p /etc/resolv.conf && echo fifo'")"
expect "copy-host, a FIFO: status" "$status" 0
expect "copy-host, a FIFO: left alone" "$(cat "$work/out")" fifo
# 1:3 (null) is harmless to open; 4000:0 has no driver, so opening it fails.
for dev in "1 3" "4000 0"; do
        rm -f "$root/etc/resolv.conf"
        mknod "$root/etc/resolv.conf" c $dev
        run_cell none "$(unit "evilchr${dev% *}" "[Root]" "Directory=$root" "[Exec]" "ResolvConf=copy-host" \
                "Exec=/bin/true")"
        expect "copy-host, char device $dev: status" "$status" 0
        [ -c "$root/etc/resolv.conf" ] || fail "copy-host replaced the char device $dev"
        expect "copy-host, char device $dev: left alone" "$(stat -c '%t %T' "$root/etc/resolv.conf")" \
                "$(printf '%x %x' $dev)"
done

# A hard link to a host file: copy never writes through it; the container's
# name gets a file of its own, renamed over it, and the host's keeps its bytes.
rm -f "$root/etc/resolv.conf"
ln "$work/victim" "$root/etc/resolv.conf"
resolv evilhard "[Exec]" "ResolvConf=copy-host"
expect "copy-host, hard link: status" "$status" 0
check_victims "ResolvConf=copy-host, hard link"
expect "copy-host, hard link: the container's file" "$(cat "$root/etc/resolv.conf")" "$host_resolv"
expect "copy-host, hard link: the link broken" "$(stat -c %h "$root/etc/resolv.conf") $(stat -c %h "$work/victim")" "1 1"
rm -f "$root/etc/resolv.conf"
# ... but a file bound there is written into, as nothing can be renamed over
# a mount point: with other hard links, refused.
echo "bound" > "$work/boundrc"
ln "$work/boundrc" "$work/boundrc.link"
resolv evilbound "Bind=$work/boundrc:/etc/resolv.conf" "[Exec]" "ResolvConf=copy-host"
[ "$status" -ne 0 ] || fail "copy-host wrote into a bound file with other hard links"
expect_match "copy-host, bound hard link: message" "$(cat "$work/err")" \
        "$(at evilbound 5)ResolvConf=copy-host: /etc/resolv.conf is a mount point with other hard links, refusing"
expect "copy-host, bound hard link: its bytes" "$(cat "$work/boundrc.link")" bound
rm -f "$work/boundrc" "$work/boundrc.link" "$root/etc/resolv.conf"

# /etc itself a link (to a host directory's path): the writing values
# leave the file alone, for they write with the host's capabilities and a
# link could lead them into a Bind= of a host directory (below). Inside the
# root that link leads to the image's own copy of the path.
mv "$root/etc" "$root/etc.real"
ln -s "$work/hostetc" "$root/etc"
mkdir -p "$root/$work/hostetc"
cp "$root/etc.real/passwd" "$root/etc.real/group" "$root/$work/hostetc/"
run_cell none "$(unit evildir "[Root]" "Directory=$root" "[Exec]" "ResolvConf=copy-host" \
        "Exec=/bin/sh -c 'test -e /etc/resolv.conf || echo none'")"
expect "/etc a link: status" "$status" 0
expect "/etc a link: left alone" "$(cat "$work/out")" none
expect_match "/etc a link: notice" "$(cat "$work/err")" \
        "$(at evildir 4)"'ResolvConf=copy-host: the way to /etc/resolv.conf has a symlink in the image, left alone'
check_victims "/etc a link, copy-host"
[ ! -e "$root/$work/hostetc/resolv.conf" ] || fail "copy-host wrote through the /etc link inside the root"
echo "image's" > "$root/$work/hostetc/resolv.conf"
run_cell none "$(unit evildirdel "[Root]" "Directory=$root" "[Exec]" "ResolvConf=delete" "Exec=/bin/true")"
expect "/etc a link, delete: status" "$status" 0
expect "/etc a link, delete: left alone" "$(cat "$root/$work/hostetc/resolv.conf")" "image's"
check_victims "/etc a link, delete"
rm "$root/etc"
mv "$root/etc.real" "$root/etc"

# The case that matters: /etc -> /data, /data a Bind= of a host directory
# the container's root (PrivateUsers=pick) cannot write. cell neither
# writes there nor removes from there for it.
mkdir -m 0755 "$work/hostdata"
cp "$root/etc/passwd" "$root/etc/group" "$work/hostdata/"
echo "host zone" > "$work/hostdata/localtime"
mv "$root/etc" "$root/etc.real"
ln -s /data "$root/etc"
mkdir "$root/data"
n=0
for v in "ResolvConf=copy-host Timezone=delete" "ResolvConf=replace-host Timezone=copy"; do
        n=$((n + 1))
        run_cell none "$(unit "evilbind$n" "[Root]" "Directory=$root" "Bind=$work/hostdata:/data" \
                "[Exec]" ${v% *} ${v#* } "Exec=/bin/true" "[Isolation]" "PrivateUsers=pick")"
        expect "$v, /etc a link to a Bind=: status" "$status" 0
        [ ! -e "$work/hostdata/resolv.conf" ] || fail "$v wrote resolv.conf into the host's directory"
        expect "$v, /etc a link to a Bind=: the host's file" "$(cat "$work/hostdata/localtime")" "host zone"
done
rm "$root/etc"
rmdir "$root/data"
mv "$root/etc.real" "$root/etc"

echo "ok"
