#!/bin/bash
# Device nodes. cell's BPF filter on the container's cgroup (cgroupfs) lets
# the built-in nodes through and nothing else. Where there is none -- no
# cgroup (--cgroup-manager=none), or a kernel that refuses the filter (here:
# cell under a seccomp filter that denies bpf(2)) -- root in the host's user
# namespace must not keep CAP_MKNOD, or it makes /dev/kmsg (1:11) or a disk
# and uses it: the payload and cell exec's commands lose it, with a
# warning, and a unit that asks for it by name is refused. In a user
# namespace the kernel refuses device nodes itself: nothing is withheld.
# In both, the root is mounted nodev: a node the image has opens nothing.
. "$(dirname "$0")/lib.sh"
NOBPF=$(realpath "${4:?usage: $0 CELL PROBE MAKE_ROOT NOBPF}")
chmod 755 "$work"

touch "$root/var/tmp/capfile"
# kmsg: 0 when mknod of char 1:11 works, else "denied".
kmsg='mknod /tmp/kmsg c 1 11 2>/dev/null && echo 0 || echo denied; rm -f /tmp/kmsg'
u=$(unit dev "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe caps /var/tmp/capfile")
ukmsg=$(unit devkmsg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$kmsg'")
umk=$(unit devmknod "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe caps /var/tmp/capfile" \
        "[Isolation]" "Capability=CAP_MKNOD")
mknod_bit=$((1 << 27))

# caps_of: the probe's mknod errno and whether CapBnd has CAP_MKNOD.
bnd_has_mknod() { (( 0x$(field CapBnd) & mknod_bit )) && echo yes || echo no; }

# --- cgroupfs with its filter: CAP_MKNOD kept, the filter decides.
run_cell cgroupfs "$u"
expect "cgroupfs: status" "$status" 0
expect "cgroupfs: mknod of /dev/null's 1:3 (allowed)" "$(cat "$work/out")" \
        '{"net_raw": 0, "mknod": 0, "chroot": 0, "chown": 0}'
grep -q "CAP_MKNOD" "$work/err" && fail "cgroupfs: a warning about CAP_MKNOD: $(cat "$work/err")"
run_cell cgroupfs "$ukmsg"
expect "cgroupfs: mknod of /dev/kmsg's 1:11 (the filter)" "$(cat "$work/out")" denied

# --- none: no filter; CAP_MKNOD withheld, with a warning that says why.
run_cell none "$u"
expect "none: status" "$status" 0
expect "none: mknod is EPERM" "$(cat "$work/out")" '{"net_raw": 0, "mknod": 1, "chroot": 0, "chown": 0}'
grep -q "Device access is not restricted (no cgroup, --cgroup-manager=none): CAP_MKNOD is withheld" "$work/err" ||
        fail "none: no warning: $(cat "$work/err")"
run_cell none "$ukmsg"
expect "none: mknod of /dev/kmsg's 1:11" "$(cat "$work/out")" denied
run_cell none "$(unit devbnd "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")"
expect "none: CAP_MKNOD out of the bounding set" "$(bnd_has_mknod)" no

# Capability=CAP_MKNOD there: refused before anything is made.
host_snapshot before
run_cell none "$umk"
expect "none, Capability=CAP_MKNOD: status" "$status" 2
grep -q "Capability=CAP_MKNOD: device access is not restricted here (no cgroup, --cgroup-manager=none)" "$work/err" ||
        fail "none, Capability=CAP_MKNOD: no clear message: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "none, Capability=CAP_MKNOD: the payload ran"
expect_nothing_left

# --- cgroupfs where the kernel refuses the filter (no bpf(2) for cell).
status=0
timeout 20 "$NOBPF" "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" || status=$?
expect "no bpf: status" "$status" 0
expect "no bpf: mknod is EPERM" "$(cat "$work/out")" '{"net_raw": 0, "mknod": 1, "chroot": 0, "chown": 0}'
grep -q "Device access is not restricted (the kernel refused cell's BPF device filter): CAP_MKNOD is withheld" \
        "$work/err" || fail "no bpf: no warning: $(cat "$work/err")"
status=0
timeout 20 "$NOBPF" "$CELL" run --cgroup-manager=cgroupfs "$ukmsg" >"$work/out" 2>"$work/err" || status=$?
expect "no bpf: mknod of /dev/kmsg's 1:11" "$(cat "$work/out")" denied

status=0
timeout 20 "$NOBPF" "$CELL" run --cgroup-manager=cgroupfs "$umk" >"$work/out" 2>"$work/err" || status=$?
expect "no bpf, Capability=CAP_MKNOD: status" "$status" 2
grep -q "Capability=CAP_MKNOD: device access is not restricted here (the kernel refused cell's BPF device filter)" \
        "$work/err" || fail "no bpf, Capability=CAP_MKNOD: no clear message: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "no bpf, Capability=CAP_MKNOD: the payload ran"
expect_nothing_left

# --- cell exec decides as cell run did: withheld in a cell without a
# filter, kept where the filter is on the cell's cgroup.
uhold=$(unit devhold "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes")
name=$(unit_name devhold)
# Not in a $(...) subshell: the run must be waited for by the shell that
# started it, so that the next start of the name finds it gone.
exec_caps() {
        local runpid=$1
        wait_execable "$name" "$runpid" || fail "$name: did not start"
        caps=$("$CELL" exec "$name" /bin/probe caps /var/tmp/capfile) || fail "cell exec failed"
        kill -TERM "$runpid"
        wait "$runpid" || true
}
"$CELL" run --cgroup-manager=none "$uhold" >/dev/null 2>&1 &
exec_caps $!
expect "exec, none: mknod is EPERM" "$caps" '{"net_raw": 0, "mknod": 1, "chroot": 0, "chown": 0}'
"$NOBPF" "$CELL" run --cgroup-manager=cgroupfs "$uhold" >/dev/null 2>&1 &
exec_caps $!
expect "exec, no bpf: mknod is EPERM" "$caps" '{"net_raw": 0, "mknod": 1, "chroot": 0, "chown": 0}'
"$CELL" run --cgroup-manager=cgroupfs "$uhold" >/dev/null 2>&1 &
exec_caps $!
expect "exec, cgroupfs: mknod of 1:3 works" "$caps" '{"net_raw": 0, "mknod": 0, "chroot": 0, "chown": 0}'

# --- a user namespace: the kernel refuses device nodes; nothing withheld.
uu=$(unit devuserns "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$kmsg'" "[Isolation]" "PrivateUsers=pick")
run_cell none "$uu"
expect "userns: status" "$status" 0
expect "userns: mknod of 1:11" "$(cat "$work/out")" denied
grep -q "CAP_MKNOD" "$work/err" && fail "userns: a warning about CAP_MKNOD: $(cat "$work/err")"

# --- a node the image has already (an untrusted image's, or one made on
# the host): where no device policy holds, withholding CAP_MKNOD is not
# enough, and the root is mounted nodev -- with PrivateUsers= too, where
# the kernel refuses only to make nodes. Before, 7:0 in an image read and
# wrote the host's loop device. With cell's filter, the filter decides (it
# allows 1:3).
mknod "$root/imgnull" c 1 3
imgopen='echo x 2>/dev/null >/imgnull && echo opened || echo refused'
ui=$(unit devimg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$imgopen'")
uiu=$(unit devimgu "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$imgopen'" "[Isolation]" "PrivateUsers=pick")
run_cell cgroupfs "$ui"
expect "image node, cgroupfs: the filter allows 1:3" "$status $(cat "$work/out")" "0 opened"
run_cell none "$ui"
expect "image node, none: the root is nodev" "$status $(cat "$work/out")" "0 refused"
run_cell none "$uiu"
expect "image node, none, PrivateUsers=pick: the root is nodev" "$status $(cat "$work/out")" "0 refused"
status=0
timeout 20 "$NOBPF" "$CELL" run --cgroup-manager=cgroupfs "$ui" >"$work/out" 2>"$work/err" || status=$?
expect "image node, no bpf: the root is nodev" "$status $(cat "$work/out")" "0 refused"
rm "$root/imgnull"
# The same node in an Overlay= of the image's own directories ("+"), a file
# system of its own that the root's nodev does not reach.
mkdir -p "$root/imglower" "$root/imgupper"
mknod "$root/imglower/imgnull" c 1 3
ovlopen='echo x 2>/dev/null >/imgovl/imgnull && echo opened || echo refused'
uo=$(unit devimgovl "[Root]" "Directory=$root" "Overlay=+/imglower:+/imgupper:/imgovl" "[Exec]" \
        "Exec=/bin/sh -c '$ovlopen'")
run_cell cgroupfs "$uo"
expect "image node in Overlay=+, cgroupfs: the filter allows 1:3" "$status $(cat "$work/out")" "0 opened"
run_cell none "$uo"
expect "image node in Overlay=+, none: nodev" "$status $(cat "$work/out")" "0 refused"
rm -rf "${root:?}/imglower" "${root:?}/imgupper" "${root:?}/imgovl"

# --- /dev's nodes: what the container's root does to its /dev/full (chown,
# chmod, touch) never reaches the host's. Its own node where cell can make
# one (mode 0600 inside afterwards), with PrivateUsers= too (the tree builder
# makes it with the host's privileges, as nspawn does); the host's bound
# read-only where not (a cell without CAP_MKNOD): the same three fail with
# EROFS.
host_full() { stat -L -c '%a %u %g %Y %Z' /dev/full; }
full_before=$(host_full)
full_after_run() {      # full_after_run WHAT: the host's /dev/full as it was, or put back and fail
        local now
        now=$(host_full)
        [ "$now" = "$full_before" ] && return 0
        chmod "${full_before%% *}" /dev/full
        fail "$1: the host's /dev/full changed: $full_before -> $now"
}
touchy='chown 0:0 /dev/full; chmod 0600 /dev/full; touch -d 2001-01-01 /dev/full; ls -ln /dev/full | cut -c1-10'
ut=$(unit devtouch "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$touchy'")
utu=$(unit devtouchu "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$touchy'" "[Isolation]" "PrivateUsers=pick")
for m in none cgroupfs; do
        run_cell "$m" "$ut"
        full_after_run "$m"
        expect "$m: the container's own /dev/full, chmod'ed" "$status $(cat "$work/out")" "0 crw-------"
done
status=0
timeout 20 "$NOBPF" "$CELL" run --cgroup-manager=cgroupfs "$ut" >"$work/out" 2>"$work/err" || status=$?
full_after_run "no bpf"
expect "no bpf: the container's own /dev/full, chmod'ed" "$status $(cat "$work/out")" "0 crw-------"
for m in none cgroupfs; do
        run_cell "$m" "$utu"
        full_after_run "userns, $m"
        expect "userns, $m: the container's own /dev/full, chmod'ed" "$status $(cat "$work/out")" "0 crw-------"
done
status=0
timeout 20 setpriv --bounding-set -mknod --inh-caps -mknod "$CELL" run --cgroup-manager=cgroupfs "$ut" \
        >"$work/out" 2>"$work/err" || status=$?
full_after_run "no CAP_MKNOD"
expect "no CAP_MKNOD: the host's /dev/full, read-only" "$status $(cat "$work/out")" "0 crw-rw-rw-"
grep -q "touch: /dev/full: Read-only file system" "$work/err" ||
        fail "no CAP_MKNOD: touch not refused: $(cat "$work/err")"
# --- /dev/char/MAJ:MIN, as nspawn makes them: a relative link to each node
# /dev has (made, or bound where cell cannot make it), with PrivateUsers=
# too; 10:200 -> ../net/tun only where the host has the node. Made on the
# container's /dev tmpfs: nothing in the image.
cat > "$root/bin/devchar" <<'EOF2'
#!/bin/sh
cd /dev/char || exit 1
for l in *; do echo "$l $(readlink "$l") $(stat -L -c %F "$l")"; done
stat -c "dir %a %u %F" /dev/char
EOF2
chmod 755 "$root/bin/devchar"
char_expected() {       # char_expected TUN(yes|no) OWNER: the payload's lines, sorted
        {
                printf '%s character special file\n' "1:3 ../null" "1:5 ../zero" "1:7 ../full" "1:8 ../random" \
                        "1:9 ../urandom" "5:0 ../tty"
                [ "$1" = no ] || echo "10:200 ../net/tun character special file"
                echo "dir 755 $2 directory"
        } | sort
}
tun=no
[ -c /dev/net/tun ] && tun=yes
uc=$(unit devchar "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/devchar")
ucu=$(unit devcharu "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/devchar" "[Isolation]" "PrivateUsers=pick")
for m in none cgroupfs; do
        run_cell "$m" "$uc"
        expect "$m: /dev/char's links" "$status $(sort "$work/out")" "0 $(char_expected $tun 0)"
        run_cell "$m" "$ucu"
        expect "userns, $m: /dev/char's links" "$status $(sort "$work/out")" "0 $(char_expected $tun 0)"
done
status=0
timeout 20 setpriv --bounding-set -mknod --inh-caps -mknod "$CELL" run --cgroup-manager=cgroupfs "$uc" \
        >"$work/out" 2>"$work/err" || status=$?
expect "no CAP_MKNOD: /dev/char's links to the bound nodes" "$status $(sort "$work/out")" "0 $(char_expected $tun 0)"
# ReadOnly=yes: its pass before the seal makes no mount point for them.
run_cell cgroupfs "$(unit devcharro "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "Exec=/bin/devchar")"
expect "ReadOnly=yes: /dev/char's links" "$status $(sort "$work/out")" "0 $(char_expected $tun 0)"
# A host without /dev/net/tun (an empty tmpfs over /dev/net in a mount
# namespace of cell's own): no node, no link to it.
notun='mount -t tmpfs -o mode=755 tmpfs /dev/net && exec "$0" "$@"'
for u in "$uc" "$ucu"; do
        status=0
        timeout 20 unshare -m --propagation private sh -c "$notun" \
                "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" || status=$?
        expect "no tun on the host ($(basename "$u")): no 10:200" "$status $(sort "$work/out")" \
                "0 $(char_expected no 0)"
done
[ ! -e "$root/dev/char" ] || fail "/dev/char was made in the image"
echo ok
