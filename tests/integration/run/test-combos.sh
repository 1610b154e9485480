#!/bin/bash
# Keys that meet: PrivateUsers= with each kind of mount, Image= with
# Overlay= and Volatile=, ReadOnly=yes with mount points to make, ResolvConf=
# and Timezone= over the unit's own mount of the file, credentials and
# WorkingDirectory= inside the mounts. Each case checks what the payload
# sees (as systemd-nspawn 252 shows it for the same settings, or as
# cell.unit(5) says cell differs) and that nothing is left behind: no
# mount, loop device, cgroup, process or /run/cell entry, after the
# container's exit and after a refused start.
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext4 mksquashfs losetup; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done

# What the payloads report, one "WHAT VALUE" line each: who they are, where,
# and for each path its owner, mode, type and whether they may write it.
cat > "$root/bin/view" <<'SH'
#!/bin/sh
echo "ID $(id -u):$(id -g) $(id -G | tr ' ' ,)"
echo "CWD $(pwd)"
for p in "$@"; do
        if [ ! -e "$p" ]; then
                echo "P $p missing"
                continue
        fi
        w=ro
        if [ -d "$p" ]; then
                (touch "$p/.w" && rm -f "$p/.w") 2>/dev/null && w=rw
        else
                (: >> "$p") 2>/dev/null && w=rw
        fi
        echo "P $p $(stat -c '%u:%g %a %F' "$p" | tr ' ' _) $w"
done
for f in "${CREDENTIALS_DIRECTORY:-/nonexistent}"/*; do
        [ -e "$f" ] && echo "CRED ${f##*/} $(stat -c '%u:%a' "$f") $(cat "$f")"
done
true
SH
chmod 0755 "$root/bin/view"
mkdir -p "$root/data"
echo "nameserver 192.0.2.9 # image" > "$root/etc/resolv.conf"
mkdir "$work/hostdir" "$work/lower" "$work/upper"
echo host-data > "$work/hostdir/file"
echo host-file > "$work/hostfile"
echo lower > "$work/lower/lf"

ext4=$work/root.ext4
sqfs=$work/root.squashfs
truncate -s 64M "$ext4"
mkfs.ext4 -q -d "$root" "$ext4"
mksquashfs "$root" "$sqfs" -quiet -noappend >/dev/null

# line WHAT: the payload's line that starts with WHAT (its first).
line() {
        grep -m1 -F -- "$1 " "$work/out" || true
}

# combo NAME UNIT-LINES...: runs it, expects status 0 and nothing left behind.
combo() {
        local name=$1; shift
        host_snapshot before
        run_cell none "$(unit "$name" "$@")"
        expect "$name: status ($(cat "$work/err"))" "$status" 0
        no_loop_left "$name"
        expect_nothing_left
        [ -z "$(ls /run/cell 2>/dev/null | grep -F "$marker")" ] || fail "$name: /run/cell has $(ls /run/cell)"
}

# refused NAME STATUS MESSAGE-REGEX UNIT-LINES...: a start that fails with
# STATUS and a message naming the unit's file and line, leaving nothing.
refused() {
        local name=$1 want=$2 msg=$3; shift 3
        host_snapshot before
        run_cell none "$(unit "$name" "$@")"
        expect "$name: status" "$status" "$want"
        grep -v "CAP_MKNOD is withheld" "$work/err" | matches -E -- "$work/$(unit_name "$name")\\.cell:$msg" ||
                fail "$name: message: $(cat "$work/err")"
        no_loop_left "$name"
        expect_nothing_left
        [ -z "$(ls /run/cell 2>/dev/null | grep -F "$marker")" ] || fail "$name: /run/cell has $(ls /run/cell)"
}

# --- PrivateUsers= with each mount kind -----------------------------------

# A directory root idmapped; a Bind= of a host directory (and a file, to a
# mount point the image lacks) seen through the user namespace: host root's
# files are nobody's (nspawn's --bind= without idmap); TemporaryFileSystem=
# belongs to the container's root; credentials are its root's, 0400; the
# working directory inside the Bind=; User= with SupplementaryGroups=.
combo pickmounts "[Root]" "Directory=$root" "Bind=$work/hostdir:/data" "BindReadOnly=$work/hostfile:/newdir/file" \
        "TemporaryFileSystem=/tmpd" \
        "[Exec]" "Exec=/bin/view / /data /data/file /newdir/file /tmpd" "WorkingDirectory=/data" \
        "User=test" "SupplementaryGroups=wheel" "SetCredential=one:1" "LoadCredential=two:$work/hostfile" \
        "[Isolation]" "PrivateUsers=pick"
expect "pickmounts: identity" "$(line ID)" "ID 1000:1000 1000,10"
expect "pickmounts: cwd" "$(line CWD)" "CWD /data"
expect "pickmounts: root" "$(line 'P /')" "P / 0:0_755_directory ro"
expect "pickmounts: bind" "$(line 'P /data')" "P /data 65534:65534_755_directory ro"
expect "pickmounts: bind's file" "$(line 'P /data/file')" "P /data/file 65534:65534_644_regular_file ro"
expect "pickmounts: file bind" "$(line 'P /newdir/file')" "P /newdir/file 65534:65534_644_regular_file ro"
expect "pickmounts: tmpfs" "$(line 'P /tmpd')" "P /tmpd 0:0_755_directory ro"
# Made for the mount point in the image, owned by the container's root.
expect "pickmounts: mount point on the host" "$(stat -c '%u %F' "$root/newdir/file")" "0 regular empty file"
rm -r "$root/newdir"
expect "pickmounts: host file untouched" "$(cat "$work/hostfile")" host-file

# The same as the container's root: the credentials (0400, its root's).
combo pickcreds "[Root]" "Directory=$root" "Bind=$work/hostdir:/data" "TemporaryFileSystem=/tmpd" \
        "[Exec]" "Exec=/bin/view /tmpd" "WorkingDirectory=/tmpd" \
        "SetCredential=one:1" "LoadCredential=two:$work/hostfile" \
        "[Isolation]" "PrivateUsers=pick"
expect "pickcreds: cwd" "$(line CWD)" "CWD /tmpd"
expect "pickcreds: tmpfs" "$(line 'P /tmpd')" "P /tmpd 0:0_755_directory rw"
expect "pickcreds: SetCredential=" "$(line 'CRED one')" "CRED one 0:400 1"
expect "pickcreds: LoadCredential=" "$(line 'CRED two')" "CRED two 0:400 host-file"

# --- Image= with PrivateUsers=, Overlay=, Volatile= -------------------------

# ext4, idmapped, with an Overlay= of host directories on it (not idmapped:
# nobody's, as a Bind='s) and an idmapped Bind=.
combo imgoverlay "[Root]" "Image=$ext4" "Overlay=$work/lower:$work/upper:/data" "Bind=$work/hostdir:/mnt:idmap" \
        "[Exec]" "Exec=/bin/view / /data/lf /mnt/file" "[Isolation]" "PrivateUsers=pick"
expect "imgoverlay: root" "$(line 'P /')" "P / 0:0_755_directory rw"
expect "imgoverlay: overlay" "$(line 'P /data/lf')" "P /data/lf 65534:65534_644_regular_file ro"
expect "imgoverlay: idmapped bind" "$(line 'P /mnt/file')" "P /mnt/file 0:0_644_regular_file rw"

# squashfs with Volatile=overlay: writable on top, a mount point made in
# the overlay (the image cannot take one), the host's resolv.conf copied in.
combo sqfsvolatile "[Root]" "Image=$sqfs" "Volatile=overlay" "Bind=$work/hostdir:/brandnew" \
        "[Exec]" "Exec=/bin/view / /brandnew/file /etc/resolv.conf" "ResolvConf=copy-host" "Timezone=off" \
        "[Isolation]" "PrivateUsers=pick" "PrivateNetwork=no"
expect "sqfsvolatile: root" "$(line 'P /')" "P / 0:0_755_directory rw"
expect "sqfsvolatile: bind" "$(line 'P /brandnew/file')" "P /brandnew/file 65534:65534_644_regular_file ro"
expect "sqfsvolatile: resolv.conf" "$(line 'P /etc/resolv.conf')" "P /etc/resolv.conf 0:0_644_regular_file rw"

# A read-only image cannot take a mount point: refused, naming the key.
refused sqfsbind 2 "3: Bind=$work/hostdir:/brandnew: .*Read-only file system" \
        "[Root]" "Image=$sqfs" "Bind=$work/hostdir:/brandnew" "[Exec]" "Exec=/bin/true" \
        "[Isolation]" "PrivateUsers=pick"
refused sqfsovl 2 "3: Overlay=$work/lower:$work/upper:/ovl: .*Read-only file system" \
        "[Root]" "Image=$sqfs" "Overlay=$work/lower:$work/upper:/ovl" "[Exec]" "Exec=/bin/true"
[ -z "$(ls -A "$work/upper")" ] || fail "sqfsovl: the upper directory was written: $(ls -A "$work/upper")"

# Volatile=state with PrivateUsers=: / read-only, /var a writable tmpfs,
# the credentials there.
combo state "[Root]" "Directory=$root" "Volatile=state" \
        "[Exec]" "Exec=/bin/view / /var" "SetCredential=one:1" "[Isolation]" "PrivateUsers=pick"
expect "state: root" "$(line 'P /')" "P / 0:0_755_directory ro"
expect "state: /var" "$(line 'P /var')" "P /var 0:0_755_directory rw"
expect "state: credential" "$(line 'CRED one')" "CRED one 0:400 1"

# Volatile=state's /var is cell's tmpfs: the mount points below it are made
# there, on a read-only image too (nspawn mounts the custom mounts after
# its /var tmpfs), and never in a directory's own /var.
for img in "$sqfs" "$root"; do
        key=Image
        [ -d "$img" ] && key=Directory
        combo "state$key" "[Root]" "$key=$img" "Volatile=state" "Bind=$work/hostdir:/var/newbind" \
                "TemporaryFileSystem=/var/newtmp" \
                "[Exec]" "Exec=/bin/view /var/newbind/file /var/newtmp" "WorkingDirectory=/var/newtmp" \
                "[Isolation]" "PrivateUsers=pick"
        expect "state, $key=: bind" "$(line 'P /var/newbind/file')" \
                "P /var/newbind/file 65534:65534_644_regular_file ro"
        expect "state, $key=: tmpfs" "$(line 'P /var/newtmp')" "P /var/newtmp 0:0_755_directory rw"
        expect "state, $key=: cwd" "$(line CWD)" "CWD /var/newtmp"
done
[ ! -e "$root/var/newbind" ] && [ ! -e "$root/var/newtmp" ] || fail "state: mount points made in the image's /var"

# --- ReadOnly=yes with what must be made ----------------------------------

# Mount points made before the root is sealed; the credentials on /run.
combo readonly "[Root]" "Directory=$root" "ReadOnly=yes" "Bind=$work/hostdir:/newdir/data" \
        "TemporaryFileSystem=/newtmp" \
        "[Exec]" "Exec=/bin/view / /newdir/data/file /newtmp" "WorkingDirectory=/newtmp" "SetCredential=one:1" \
        "[Isolation]" "PrivateUsers=pick"
expect "readonly: root" "$(line 'P /')" "P / 0:0_755_directory ro"
expect "readonly: bind" "$(line 'P /newdir/data/file')" "P /newdir/data/file 65534:65534_644_regular_file ro"
expect "readonly: tmpfs" "$(line 'P /newtmp')" "P /newtmp 0:0_755_directory rw"
expect "readonly: cwd" "$(line CWD)" "CWD /newtmp"
expect "readonly: credential" "$(line 'CRED one')" "CRED one 0:400 1"
rm -r "$root/newdir" "$root/newtmp"

# --- ResolvConf= and Timezone= over the unit's own mount of the file -------

echo "nameserver 198.51.100.1 # bound" > "$work/resolv"
# auto (the host's network) leaves the unit's Bind= of the file as it is,
# where it bound the host's file over it.
combo autobind "[Root]" "Directory=$root" "BindReadOnly=$work/resolv:/etc/resolv.conf" \
        "[Exec]" "Exec=/bin/cat /etc/resolv.conf" "[Isolation]" "PrivateNetwork=no"
expect "autobind: resolv.conf" "$(cat "$work/out")" "nameserver 198.51.100.1 # bound"

# copy-host into a Bind= of a file that the user namespace cannot own
# (host root's): written into, as without PrivateUsers=, where the copy
# failed with EOVERFLOW for the owner of its new inode.
combo copybind "[Root]" "Directory=$root" "Bind=$work/resolv:/etc/resolv.conf" \
        "[Exec]" "Exec=/bin/cat /etc/resolv.conf" "ResolvConf=copy-host" \
        "[Isolation]" "PrivateNetwork=no" "PrivateUsers=pick"
expect "copybind: resolv.conf" "$(cat "$work/out")" "$(cat /etc/resolv.conf)"
expect "copybind: the image's" "$(cat "$root/etc/resolv.conf")" "nameserver 192.0.2.9 # image"
echo "nameserver 198.51.100.1 # bound" > "$work/resolv"

# A mount point cannot be renamed over (EBUSY at the start): refused in the plan.
refused replacebind 1 "6: ResolvConf=replace-host: replaces /etc/resolv.conf, but Bind=$work/resolv:/etc/resolv.conf " \
        "[Root]" "Directory=$root" "Bind=$work/resolv:/etc/resolv.conf" \
        "[Exec]" "Exec=/bin/true" "ResolvConf=replace-host" "[Isolation]" "PrivateNetwork=no"
refused tzcopy 1 "6: Timezone=copy: replaces /etc/localtime, but BindReadOnly=$work/hostfile:/etc/localtime " \
        "[Root]" "Directory=$root" "BindReadOnly=$work/hostfile:/etc/localtime" \
        "[Exec]" "Exec=/bin/true" "Timezone=copy"
expect "resolv.conf bound: untouched" "$(cat "$work/resolv")" "nameserver 198.51.100.1 # bound"

# --- Namespaces together --------------------------------------------------

# PrivateNetwork=, PrivateTime=, Init= and MachineID= on a read-only
# idmapped root: only lo, a time namespace of its own, the payload not PID 1.
host_timens=$(readlink /proc/self/ns/time)
combo namespaces "[Root]" "Directory=$root" "ReadOnly=yes" \
        "[Exec]" "Exec=/bin/sh -c 'echo PID \$\$; echo NET \$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"); echo TIME \$(readlink /proc/self/ns/time); echo UUID \$container_uuid'" \
        "Init=yes" "MachineID=0b6f5a2e6e3c4d6b9c2c740d3ec55d01" \
        "[Isolation]" "PrivateUsers=pick" "PrivateNetwork=yes" "PrivateTime=yes"
[ "$(line PID)" != "PID 1" ] || fail "namespaces: the payload is PID 1 under Init=yes"
expect "namespaces: interfaces" "$(line NET)" "NET lo"
[ "$(line TIME)" != "TIME $host_timens" ] || fail "namespaces: the host's time namespace"
expect "namespaces: container_uuid" "$(line UUID)" "UUID 0b6f5a2e-6e3c-4d6b-9c2c-740d3ec55d01"

echo "ok"
