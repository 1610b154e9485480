#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# /dev/net/tun, as systemd-nspawn gives it (copy_devices(), DeviceAllow=
# /dev/net/tun rwm): a VPN payload (wireguard-go, openvpn, tailscaled) opens
# it and makes its interface (TUNSETIFF) in the container's own network
# namespace. The node is there, the device policy lets it through -- cell's
# BPF program (both layouts), systemd's DeviceAllow= where the kernel refuses
# cell BPF -- with a systemd scope and with the cgroupfs manager, with
# PrivateUsers= (a node of the container's root: the host's is 0600 root's)
# and without. TUNSETIFF needs CAP_NET_ADMIN, which the default set has not:
# without it the open works and the ioctl fails with EPERM. /dev/char/10:200
# leads to it (../net/tun), as nspawn's; a host without the node gets neither.
. "$(dirname "$0")/lib.sh"

setup_cell

in_sealed test -c /dev/net/tun || die "no /dev/net/tun here (the tun module?): nothing to test"

# The payload reports into /out/NAME: the node's type, numbers and owner,
# "open ok|denied", "tunsetiff ok|denied" and tunctl's message, "link ok|none",
# "char LINK|none": where /dev/char/10:200 leads (nspawn makes it).
# busybox tunctl opens the node and makes tap0 with TUNSETIFF (and
# TUNSETPERSIST, so the link stays in the namespace to be seen).
write_payload tun-probe <<'EOF'
out=/out/$1
: > "$out"
echo "node $(stat -c '%F %t:%T %u' /dev/net/tun 2>&1)" >> "$out"
echo "char $(readlink /dev/char/10:200 || echo none)" >> "$out"
if sh -c ': <> /dev/net/tun' 2>/dev/null; then echo "open ok"; else echo "open denied"; fi >> "$out"
if msg=$(tunctl -t tap0 2>&1); then echo "tunsetiff ok"; else echo "tunsetiff denied: $msg"; fi >> "$out"
if ip link show tap0 > /dev/null 2>&1; then echo "link ok"; else echo "link none"; fi >> "$out"
echo done >> "$out"
EOF

# tun_cell NAME ISOLATION-LINE...: /run/cell/NAME.cell running the probe.
tun_cell() {
        local name=$1
        shift
        { printf '[Root]\nDirectory=%s\n[Isolation]\n' "$ROOT"; printf '%s\n' "$@";
          printf '[Exec]\nExec=/bin/tun-probe %s\n' "$name"; } | install_cell "$name"
}
tun_cell tunadmin "Capability=CAP_NET_ADMIN"
tun_cell tunuser "PrivateUsers=pick" "Capability=CAP_NET_ADMIN"
tun_cell tunnocap "PrivateUsers=no"

has() { grep -qx "$2" "$ROOT/out/$1"; }

# expect_tun WHAT NAME: NAME's payload used the node (CAP_NET_ADMIN).
expect_tun() {
        check "$1: it finished" has "$2" "done"
        check "$1: /dev/net/tun is the char device 10:200" \
                grep -q '^node character special file a:c8 ' "$ROOT/out/$2"
        check "$1: /dev/char/10:200 -> ../net/tun" has "$2" "char ../net/tun"
        check "$1: it opens" has "$2" "open ok"
        check "$1: TUNSETIFF makes tap0" has "$2" "tunsetiff ok"
        check "$1: tap0 is in the container's network" has "$2" "link ok"
}

# expect_nocap WHAT NAME: without CAP_NET_ADMIN the node opens, TUNSETIFF
# fails with EPERM (not the device policy's EPERM at open, not EACCES).
expect_nocap() {
        check "$1: it finished" has "$2" "done"
        check "$1: /dev/char/10:200 -> ../net/tun" has "$2" "char ../net/tun"
        check "$1: it opens" has "$2" "open ok"
        check "$1: TUNSETIFF fails with EPERM" grep -q '^tunsetiff denied: .*Operation not permitted' "$ROOT/out/$2"
        check "$1: no tap0" has "$2" "link none"
}

# run_case WHAT NAME [RUNNER-ARGS...] -- CELL-ARGS...: cell run NAME, the
# cell started as the runner says (nothing: straight from the harness).
run_case() {
        local what=$1 name=$2 runner=() rc=0
        shift 2
        while [ "$1" != -- ]; do runner+=("$1"); shift; done
        shift
        rm -f "$ROOT/out/$name"
        in_sealed "${runner[@]}" "$CELL" run "$@" "/run/cell/$name.cell" > "$WORK/$name.log" 2>&1 || rc=$?
        expect_eq "$what: cell run" 0 "$rc"
}

# --- cell plan: the node among the others, and in the device policy
in_sealed "$CELL" plan /run/cell/tunadmin.cell > "$WORK/plan.txt" 2>&1
in_sealed "$CELL" plan --json /run/cell/tunadmin.cell > "$WORK/plan.json" 2>&1
check "cell plan: /dev/net/tun among /dev's nodes" \
        grep -Eq '^  device +/dev/net/tun +<- /dev/net/tun .* optional' "$WORK/plan.txt"
check "cell plan --json: /dev/net/tun rwm in DeviceAllow" grep -qF '["/dev/net/tun", "rwm"]' "$WORK/plan.json"

# --- the systemd scope (cell's BPF program)
run_case "scope" tunadmin --
expect_tun "scope" tunadmin
run_case "scope, PrivateUsers=pick" tunuser --
expect_tun "scope, PrivateUsers=pick" tunuser
check "scope, PrivateUsers=pick: the node is the container's root's" \
        grep -q '^node character special file a:c8 0$' "$ROOT/out/tunuser"
run_case "scope, no CAP_NET_ADMIN" tunnocap --
expect_nocap "scope, no CAP_NET_ADMIN" tunnocap

# --- cgroupfs (cell's program is the only policy there is)
fs=(systemd-run --quiet --scope -p Delegate=yes)
run_case "cgroupfs" tunadmin "${fs[@]}" --unit=tunfs -- --cgroup-manager=cgroupfs
expect_tun "cgroupfs" tunadmin
run_case "cgroupfs, PrivateUsers=pick" tunuser "${fs[@]}" --unit=tunfsuser -- --cgroup-manager=cgroupfs
expect_tun "cgroupfs, PrivateUsers=pick" tunuser
run_case "cgroupfs, no CAP_NET_ADMIN" tunnocap "${fs[@]}" --unit=tunfsnocap -- --cgroup-manager=cgroupfs
expect_nocap "cgroupfs, no CAP_NET_ADMIN" tunnocap

# --- the kernel refuses cell BPF: systemd's DevicePolicy=closed and
# DeviceAllow= (its v1 devices controller on the hybrid layout) let it through.
nobpf=(systemd-run --quiet --wait --pipe -p SystemCallFilter=~bpf -p SystemCallErrorNumber=EPERM)
run_case "no bpf(): systemd's policy" tunadmin "${nobpf[@]}" --unit=tunnobpf --
expect_tun "no bpf(): systemd's policy" tunadmin
run_case "no bpf(): systemd's policy, PrivateUsers=pick" tunuser "${nobpf[@]}" --unit=tunnobpfuser --
expect_tun "no bpf(): systemd's policy, PrivateUsers=pick" tunuser

# Each tap0 went with its container's network namespace.
no_tap_outside() { ! in_sealed ip link show tap0 > /dev/null 2>&1 && ! ip link show tap0 > /dev/null 2>&1; }
check "no tap0 outside the containers" no_tap_outside

# --- a host without /dev/net/tun (the module not loaded, no static node):
# no node, no error, no word about it, as nspawn. cell runs in a mount
# namespace of its own where an empty tmpfs covers /dev/net.
notun() {
        local what=$1 rc=0
        shift
        rm -f "$ROOT/out/tunadmin"
        in_sealed "$@" unshare -m --propagation private sh -c \
                'mount -t tmpfs -o mode=755 tmpfs /dev/net && exec "$0" "$@"' \
                "$CELL" run "${cellargs[@]}" /run/cell/tunadmin.cell > "$WORK/notun.log" 2>&1 || rc=$?
        expect_eq "$what: cell run" 0 "$rc"
        check "$what: it finished" has tunadmin "done"
        check "$what: no /dev/net/tun inside" grep -q '^node .*No such file' "$ROOT/out/tunadmin"
        check "$what: no /dev/char/10:200 inside" has tunadmin "char none"
        check "$what: cell says nothing of it" sh -c "! grep -i 'tun' '$WORK/notun.log'"
}
cellargs=()
notun "no tun on the host: scope"
cellargs=(--cgroup-manager=cgroupfs)
notun "no tun on the host: cgroupfs" "${fs[@]}" --unit=tunfsnone

finish
