#!/bin/bash
# cell on Debian 12's own kernel (6.1), not this machine's: one VM
# (tests/lib/kernel-vm: the newest linux-image-6.1.*-amd64 of the apt
# archive, QEMU, pure cgroup2) runs vm-cases.sh, a container per case:
# Directory= with --cgroup-manager=none and cgroupfs, MemoryMax=,
# PrivateUsers=pick, Volatile=yes, Overlay=, Bind=, ReadOnly=yes,
# SystemCallFilter=, DropCapability=, Image= of an ext4 file (plain and
# with PrivateUsers=pick) and of GPT images, VirtualEthernet=yes, Port=,
# IPVLAN= and MACVLAN= (on a dummy link of the VM's; this machine's kernel
# may have no ipvlan). Each is checked here for cell's exit status and what
# the container reported, and nothing may be left in the VM (mounts,
# cgroups, loop devices, links).
#
# Interfaces cell needs from a later kernel show up as failures: Image=
# failed here ("cannot clone its mount") while it cloned the image's
# detached mount with open_tree(OPEN_TREE_CLONE), which Linux 6.15 allows
# first. PrivateUsers=pick on a Directory= on tmpfs is refused, clearly:
# tmpfs has idmapped mounts from Linux 6.3 on (pick on ext4 runs).
# Skipped (77) without root, QEMU, mkfs.ext4 or the kernel package.
. "$(dirname "$0")/../run/lib.sh"

here=$(dirname "$(realpath "$0")")
. "$here/vm-split-cases.sh"
kernel_vm=$here/../../lib/kernel-vm
command -v mkfs.ext4 >/dev/null || { echo "skipped: mkfs.ext4 missing (tests/lib/install-deps)"; exit 77; }

# The root as an ext4 file, for Image= (and, mounted in the VM, as a
# Directory= on ext4).
cp "$here/mounts-of" "$root/bin/"
truncate -s 16M "$work/root.ext4"
mkfs.ext4 -q -d "$root" "$work/root.ext4"

# GPT images (sfdisk), each partition 8M from 1M on: the root among an
# ESP (runs on 6.1), and root with a /usr partition below it (Linux 6.15's
# mounts onto a detached mount: refused there, saying so).
gpt() {         # gpt IMAGE TYPE...: a partition per type, the root's file system in each
        local image=$1 spec="label: gpt" n=0 t
        shift
        for t in "$@"; do
                spec+=$'\n'"start=$((1 + n * 8))MiB, size=8MiB, type=$t"
                n=$((n + 1))
        done
        truncate -s $((2 + n * 8))M "$image"
        sfdisk -q "$image" <<< "$spec" >/dev/null
        for n in $(seq 0 $(($# - 1))); do
                dd if="$work/part.ext4" of="$image" bs=1M seek=$((1 + n * 8)) conv=notrunc,sparse status=none
        done
}
truncate -s 8M "$work/part.ext4"
mkfs.ext4 -q -d "$root" "$work/part.ext4"
esp=c12a7328-f81f-11d2-ba4b-00a0c93ec93b
x86_root=4f68bce3-e8cd-4db1-96e7-fbcaf984b709
x86_usr=8484680c-9521-48c6-9c11-b0720656f69e
gpt "$work/gpt-root.raw" "$esp" "$x86_root"
gpt "$work/gpt-usr.raw" "$x86_root" "$x86_usr"

status=0
"$kernel_vm" "$CELL" "$PROBE" "$here/vm-cases.sh" "$work/root.ext4" "$here/mounts-of" "$work/gpt-root.raw" \
        "$work/gpt-usr.raw" > "$work/vm" 2>&1 || status=$?
cat "$work/vm"
[ "$status" != 77 ] || exit 77
[ "$status" = 0 ] || fail "kernel-vm exited $status"
grep -q '^@@kernel 6\.1\.' "$work/vm" || fail "the VM did not run a 6.1 kernel"

# Each case's status, stdout and stderr in $work/case/NAME.{status,out,err}.
split_cases "$work/vm" "$work/case"
st() { cat "$work/case/$1.status" 2>/dev/null || echo missing; }
out() { cat "$work/case/$1.out"; }
get() { field "$2" "$work/case/$1.out"; }

# ok NAME: the case ran and cell exited 0.
ok() {
        [ "$(st "$1")" = 0 ] || fail "$1: status $(st "$1"): $(cat "$work/case/$1.err" 2>/dev/null)"
}

uname_vm() { sed -n 's/^@@kernel //p' "$work/vm"; }

# Directory=, no cgroup manager: the probe is PID 1 as root, no user namespace.
ok plain
expect "plain: pid" "$(get plain pid)" 1
expect "plain: uid" "$(get plain uid)" 0
expect_match "plain: uid_map" "$(get plain uid_map)" '^ *0 +0 +4294967295'

# cgroupfs on pure cgroup2: the payload's own cgroup is its "/", and
# MemoryMax= is written there (the VM's root cgroup has no memory.max).
ok cgroupfs
expect "cgroupfs: cgroup" "$(get cgroupfs cgroup)" 0::/
ok memory
expect "MemoryMax=64M" "$(out memory)" 67108864

# PrivateUsers=pick on ext4: root inside, a picked range outside.
ok pick
expect "pick: uid" "$(get pick uid)" 0
expect_match "pick: uid_map" "$(get pick uid_map)" '^ *0 +[1-9][0-9]* +65536'
# On tmpfs: refused at the start (exit 2), saying why (6.3 idmaps tmpfs).
expect "picktmpfs: status" "$(st picktmpfs)" 2
grep -q 'Directory=: /cell/root: the file system does not support idmapped mounts' "$work/case/picktmpfs.err" ||
        fail "picktmpfs: not refused for idmapped mounts: $(cat "$work/case/picktmpfs.err")"

# Volatile=yes: a tmpfs root, the directory's /usr read-only, nothing written through.
ok volatile
expect_match "volatile: /" "$(out volatile)" 'MOUNT / tmpfs '
expect_match "volatile: /usr" "$(out volatile)" 'MOUNT /usr [^ ]+ [^ ]+ ro[, ]?'
if grep -q 'written through' "$work/case/volatile.out"; then fail "volatile: the payload wrote the directory"; fi

ok overlay
expect_match "overlay: /srv" "$(out overlay)" 'MOUNT /srv overlay '
expect_match "overlay: lower" "$(out overlay)" $'(^|\n)lower(\n|$)'
expect_match "overlay: upper" "$(out overlay)" 'upper: new'

ok bind
expect_match "bind: /data" "$(out bind)" 'MOUNT /data '
expect_match "bind: in" "$(out bind)" $'(^|\n)host(\n|$)'
expect_match "bind: back" "$(out bind)" 'back: container'

ok readonly
expect "ReadOnly=yes: write" "$(out readonly)" '{"write": 30}'

# SystemCallFilter=~sethostname:EACCES: that errno, which nothing else gives.
ok seccomp
ok noseccomp
expect_match "seccomp: sethostname" "$(out seccomp)" '"sethostname": 13[,}]'
if [[ $(out noseccomp) == *'"sethostname": 13'* ]]; then fail "noseccomp: EACCES without the filter"; fi

# DropCapability=CAP_NET_RAW CAP_CHOWN: the plain bounding set without 13 and 0.
ok caps
expect "caps: CapBnd" "$(get caps CapBnd)" "$(printf '%016x' $((0x$(get plain CapBnd) & ~(1 << 13 | 1 << 0))))"
[ "$(get caps CapBnd)" != "$(get plain CapBnd)" ] || fail "caps: nothing dropped"

# Image= of an ext4 file: attached, never cloned while detached (Linux 6.15).
ok image
expect_match "image: /" "$(out image)" 'MOUNT / ext4 '
expect "image: pid" "$(get image pid)" 1
ok imagepick
expect_match "imagepick: /" "$(out imagepick)" 'MOUNT / ext4 '
expect_match "imagepick: uid_map" "$(get imagepick uid_map)" '^ *0 +[1-9][0-9]* +65536'

# A GPT image: its root partition among an ESP runs; one with a /usr
# partition to mount below the root is refused (exit 2), naming the kernel.
ok gptroot
expect_match "gptroot: /" "$(out gptroot)" 'MOUNT / ext4 /dev/loop'
expect "gptroot: pid" "$(get gptroot pid)" 1
expect "gptusr: status" "$(st gptusr)" 2
grep -q 'Image=/cell/data/gpt-usr.raw.*this kernel mounts nothing onto a detached mount (Linux 6.15 and later do)' \
        "$work/case/gptusr.err" || fail "gptusr: not refused for the kernel: $(cat "$work/case/gptusr.err")"

# Port=: libnftables' rules (ip and ip6 tables of the cell's own, DNAT)
# taken by 6.1's nf_tables, with no family refused.
if [ "$(st ports)" = skipped ]; then
        echo "ports: skipped, no veth module in $(uname_vm)"
else
        ok ports
        if grep -q 'not forwarded' "$work/case/ports.err"; then fail "ports: $(cat "$work/case/ports.err")"; fi
fi

if [ "$(st veth)" = skipped ]; then
        echo "veth: skipped, no veth module in $(uname_vm)"
else
        ok veth
        [[ $(get veth interfaces) == *'"host0": {"up": true'* ]] || fail "veth: no host0 up: $(get veth interfaces)"
fi

# IPVLAN= and MACVLAN= on the VM's dummy vp0: the link up inside (an ipvlan
# with vp0's MAC address, in L2 mode: no NOARP; a macvlan with its own),
# Address= and Gateway='s route on it, and the host's links as before.
vlan_ok() {     # vlan_ok CASE LINK ADDRESS
        local line
        ok "$1"
        line=$(grep "^[0-9]*: $2[@:]" "$work/case/$1.out") || fail "$1: no $2 inside: $(out "$1")"
        expect_match "$1: $2 up" "$line" "<([A-Z_]+,)*UP[,>]"
        if [[ $line == *NOARP* ]]; then fail "$1: $2 does not answer ARP (not L2 mode): $line"; fi
        if [[ $2 == iv-* ]]; then
                expect "$1: $2's MAC address (vp0's)" "$(get_mac "$1")" "$parent"
        elif [ "$(get_mac "$1")" = "$parent" ]; then
                fail "$1: $2 has vp0's MAC address"
        fi
        expect_match "$1: Address=" "$(out "$1")" "$2 +inet $3/24 "
        expect_match "$1: Gateway=" "$(out "$1")" "default via 10\.0\.7\.1 dev $2"
        expect "$1: links on the host after" "$(sed -n 's/^host: //p' "$work/case/$1.out")" "$links"
}
get_mac() { sed -n 's/^mac: //p' "$work/case/$1.out"; }
if [ "$(st ipvlan)" = skipped ]; then
        echo "ipvlan: skipped, no ipvlan or macvlan module in $(uname_vm)"
else
        parent=$(sed -n 's/^@@parent //p' "$work/vm")
        links=$(sed -n 's/^@@links //p' "$work/vm" | head -n 1)
        expect "links in the VM at the end" "$(sed -n 's/^@@links //p' "$work/vm" | tail -n 1)" "$links"
        vlan_ok ipvlan iv-vp0 10.0.7.2
        # At once again, with the same address.
        vlan_ok ipvlanagain iv-vp0 10.0.7.2
        vlan_ok macvlanvp mv-vp0 10.0.7.3
        vlan_ok ipvlanholder iv-vp0 10.0.7.9
        vlan_ok macvlanholder mv-vp0 10.0.7.9
        vlan_ok ipvlanholder2 iv-vp0 10.0.7.9
        for c in macvlanbusy ipvlanbusy ipvlansame; do
                expect "$c: status" "$(st "$c")" 2
                expect "$c: links on the host after" "$(sed -n 's/^host: //p' "$work/case/$c.out")" "$links"
        done
        # vp0 is the parent of another container's links of the other kind:
        # the kernel's EBUSY, said so, at the key's line.
        grep -qF "/tmp/macvlanbusy.cell:6: MACVLAN=vp0: creating the macvlan mv-vp0 in the container: vp0 takes its \
packets for another link already: it is the parent of ipvlans (another container's IPVLAN=vp0?) or a bridge's or \
bond's port, and cannot have macvlans too: Device or resource busy" "$work/case/macvlanbusy.err" ||
                fail "macvlanbusy: not refused for vp0's ipvlans: $(cat "$work/case/macvlanbusy.err")"
        grep -qF "/tmp/ipvlanbusy.cell:6: IPVLAN=vp0: creating the ipvlan iv-vp0 in the container: vp0 takes its \
packets for another link already: it is the parent of macvlans (another container's MACVLAN=vp0?) or a bridge's or \
bond's port, and cannot have ipvlans too: Device or resource busy" "$work/case/ipvlanbusy.err" ||
                fail "ipvlanbusy: not refused for vp0's macvlans: $(cat "$work/case/ipvlanbusy.err")"
        # An address another container's ipvlan of vp0 has: the kernel's
        # EADDRINUSE, saying where.
        grep -qF "/tmp/ipvlansame.cell:7: Address=10.0.7.9/24: cannot add it to iv-vp0: another ipvlan of vp0 has \
it (another container's IPVLAN=vp0?): Address already in use" "$work/case/ipvlansame.err" ||
                fail "ipvlansame: not refused for the other ipvlan's address: $(cat "$work/case/ipvlansame.err")"
        # The host's ipvlan on vp1 in L3 mode, which the container's in L2
        # mode would switch: refused, and it stays in L3 mode (NOARP).
        expect "ipvlanl3: status" "$(st ipvlanl3)" 2
        grep -qF "/tmp/ipvlanl3.cell:6: IPVLAN=vp1: the host's ipvlan hostiv on vp1 is in L3 mode, and the kernel \
has one mode for all ipvlans of an interface: the container's, in L2 mode, would switch it" "$work/case/ipvlanl3.err" ||
                fail "ipvlanl3: not refused for the host's ipvlan in L3 mode: $(cat "$work/case/ipvlanl3.err")"
        expect_match "ipvlanl3: the host's ipvlan after" "$(sed -n 's/^hostiv: //p' "$work/case/ipvlanl3.out")" \
                '^[0-9]+: hostiv@vp1: <([A-Z_]+,)*NOARP[,>]'
        # vp1 down: the start goes on, and says that its ipvlan carries nothing.
        ok ipvlandown
        grep -qF "/tmp/ipvlandown.cell:6: IPVLAN=vp1: the host's vp1 is down: the container's link carries nothing \
until it is up." "$work/case/ipvlandown.err" ||
                fail "ipvlandown: no warning of vp1 down: $(cat "$work/case/ipvlandown.err")"
        # A parent that is no Ethernet link: the kernel's EINVAL, saying why.
        for key in IPVLAN MACVLAN; do
                kind=$(tr A-Z a-z <<< "$key")
                expect "${key}tunnel: status" "$(st "${key}tunnel")" 2
                grep -qF "/tmp/${key}tunnel.cell:6: $key=tunl0: creating the $kind ${kind:0:1}v-tunl0 in the \
container: tunl0 is no Ethernet link (its type is 768: a tunnel, WireGuard or tun link?), and only an Ethernet link \
can have ${kind}s: Invalid argument" "$work/case/${key}tunnel.err" ||
                        fail "${key}tunnel: not refused for tunl0's type: $(cat "$work/case/${key}tunnel.err")"
        done
fi

# Nothing left in the VM: mounts and cgroups as before the cases, no loop device.
expect "left behind (mounts, cgroups)" "$(sed -n 's/^@@after //p' "$work/vm")" "$(sed -n 's/^@@before //p' "$work/vm")"
if grep -q '^@@loop ' "$work/vm"; then fail "loop devices left: $(grep '^@@loop ' "$work/vm")"; fi
echo "ok: $(ls "$work/case" | grep -c '\.status$') cases on $(uname_vm)"
