#!/bin/bash
# tests/lib/kernel-vm ended by SIGTERM while its VM runs (meson's timeout,
# ^C): the VM goes with it, and its temporary directory. timeout(1), which
# runs QEMU, is in a process group of its own that the signal to the
# test's group does not reach. No kernel, no QEMU: a fake qemu-system-x86_64
# that says our init began and then sleeps, a fake kernel package in a
# cache of our own, and an apt-cache that knows none (so that one is taken).
set -euo pipefail
cell=$(realpath "${1:?usage: $0 CELL PROBE}")
probe=$(realpath "${2:?}")
kernel_vm=$(dirname "$(realpath "$0")")/../../lib/kernel-vm
work=$(mktemp -d /tmp/cell-kernel-vm-cleanup.XXXXXX)
vm=
cleanup() {
        local pid
        [ -z "$vm" ] || kill -KILL "$vm" 2>/dev/null || true
        pid=$(cat "$work/qemu.pid" 2>/dev/null) || pid=
        [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/bin" "$work/tmp"
cat > "$work/bin/qemu-system-x86_64" <<FAKE
#!/bin/bash
echo \$\$ > "$work/qemu.pid"
echo "@@kernel-vm begin"
exec sleep 120
FAKE
printf '#!/bin/sh\nexit 0\n' > "$work/bin/apt-cache"
chmod 0755 "$work/bin/qemu-system-x86_64" "$work/bin/apt-cache"

# The package as kernel-vm leaves it unpacked: a kernel, the modules it
# loads (empty files) in a modules.dep, and KVM known not to boot (TCG).
kver=6.1.0-0-fake
kdir=$work/cache/kernel-vm/linux-image-$kver
mkdir -p "$kdir/boot" "$kdir/lib/modules/$kver/kernel"
touch "$kdir/boot/vmlinuz-$kver" "$kdir/done" "$work/cache/kernel-vm/kvm-fails"
for f in modules.alias modules.symbols modules.builtin modules.order; do
        touch "$kdir/lib/modules/$kver/$f"
done
for m in crc32c_generic loop overlay ext4 squashfs veth nf_tables nft_chain_nat nft_nat nft_fib_inet dummy macvlan \
         ipvlan ipip; do
        touch "$kdir/lib/modules/$kver/kernel/$m.ko"
        echo "kernel/$m.ko:" >> "$kdir/lib/modules/$kver/modules.dep"
done
echo 'echo never run' > "$work/script.sh"

PATH=$work/bin:$PATH CELL_CACHE_DIR=$work/cache TMPDIR=$work/tmp \
        "$kernel_vm" "$cell" "$probe" "$work/script.sh" > "$work/out" 2>&1 &
vm=$!
for _ in $(seq 200); do
        [ -s "$work/qemu.pid" ] && break
        kill -0 "$vm" 2>/dev/null || fail "kernel-vm ended before its VM ran: $(cat "$work/out")"
        sleep 0.1
done
qemu=$(cat "$work/qemu.pid" 2>/dev/null) || fail "the fake QEMU never ran: $(cat "$work/out")"
# Past boot()'s wait for our init: kernel-vm waits for the VM's end now.
sleep 1
kill -TERM "$vm"
status=0
wait "$vm" || status=$?
vm=
[ "$status" != 0 ] || fail "kernel-vm exited 0 after SIGTERM"
for _ in $(seq 50); do
        kill -0 "$qemu" 2>/dev/null || break
        sleep 0.1
done
if kill -0 "$qemu" 2>/dev/null; then
        fail "QEMU (PID $qemu) still runs after kernel-vm ended: $(tr '\0' ' ' < "/proc/$qemu/cmdline")"
fi
[ -z "$(ls -A "$work/tmp")" ] || fail "kernel-vm left in TMPDIR: $(ls -A "$work/tmp")"
echo "ok: the VM and the temporary directory went with kernel-vm"
