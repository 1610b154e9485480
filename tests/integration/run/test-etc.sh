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

# --- ResolvConf= ---------------------------------------------------------

# auto, the host's network: the host's resolver, bound over the image's.
resolv auto-host "[Isolation]" "PrivateNetwork=no"
expect "auto, host network: status" "$status" 0
expect "auto, host network" "$(cat "$work/out")" "$host_resolv"
expect "auto leaves the image alone" "$(cat "$root/etc/resolv.conf")" "nameserver 192.0.2.99 # image"

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
        'ResolvConf=bind-host: /etc/resolv.conf does not exist in the container, and cell creates no file in the image'
[ ! -e "$root/etc/resolv.conf" ] || fail "bind-host created /etc/resolv.conf in the image"
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
        expect_match "bind-stub: message" "$(cat "$work/err")" 'stub-resolv.conf does not exist on the host'
fi

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
rm "$root/etc/localtime"
mv "$work/localtime.image" "$root/etc/localtime"
rm -r "$root/usr/share/zoneinfo"

# symlink: a link to the container's own file of the host's zone.
if zone=$(readlink /etc/localtime) && [[ $zone == */zoneinfo/* ]]; then
        zone=${zone##*/zoneinfo/}
        tz tznozone "Volatile=overlay" "[Exec]" "Timezone=symlink"
        [ "$status" -ne 0 ] || fail "Timezone=symlink without the zone in the container started"
        expect_match "Timezone=symlink, no zone: message" "$(cat "$work/err")" 'the container has no zone file'
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
for v in copy-host bind-host; do
        resolv "evil$v" "[Exec]" "ResolvConf=$v"
        check_victims "ResolvConf=$v"
        [ -L "$root/etc/resolv.conf" ] || fail "ResolvConf=$v replaced the image's link"
done
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

# A hard link to a host file: copy refuses to write through it.
rm -f "$root/etc/resolv.conf"
ln "$work/victim" "$root/etc/resolv.conf"
resolv evilhard "[Exec]" "ResolvConf=copy-host"
[ "$status" -ne 0 ] || fail "copy-host wrote through a hard link"
expect_match "copy-host, hard link: message" "$(cat "$work/err")" 'has other hard links, refusing'
check_victims "ResolvConf=copy-host, hard link"
rm -f "$root/etc/resolv.conf"

# /etc itself a link to a host directory: followed inside the root only,
# so the write lands in the image's own tree.
mv "$root/etc" "$root/etc.real"
ln -s "$work/hostetc" "$root/etc"
# Inside the root that link leads to the image's own copy of the path.
mkdir -p "$root/$work/hostetc"
cp "$root/etc.real/passwd" "$root/etc.real/group" "$root/$work/hostetc/"
resolv evildir "[Exec]" "ResolvConf=copy-host"
expect "/etc a link: status" "$status" 0
expect "/etc a link" "$(cat "$work/out")" "$host_resolv"
check_victims "/etc a link, copy-host"
expect "/etc a link: written inside the root" "$(cat "$root/$work/hostetc/resolv.conf")" "$host_resolv"
run_cell none "$(unit evildirdel "[Root]" "Directory=$root" "[Exec]" "ResolvConf=delete" "Exec=/bin/true")"
expect "/etc a link, delete: status" "$status" 0
[ ! -e "$root/$work/hostetc/resolv.conf" ] || fail "delete left the file inside the root"
check_victims "/etc a link, delete"

echo "ok"
