#!/bin/bash
# PrivateUsers=: the container's mounts are locked. Even with CAP_SYS_ADMIN
# in its user namespace, its root cannot make the read-only root or a
# BindReadOnly= writable, unmount a mask to see what it hides, or take a
# mount off to reach what is below. And since cell builds the tree with the
# host's privileges, Directory= and Bind= sources below a directory of mode
# 0700 work (the container's root never walks the host's paths).
. "$(dirname "$0")/../run/lib.sh"

# The root and a Bind= source below a 0700 directory of host root.
hidden=$work/hidden
mkdir -m 0700 "$hidden"
mv "$root" "$hidden/root"
root=$hidden/root
mkdir "$hidden/ro"
echo original > "$hidden/ro/file"

try='for op in "mount -o remount,rw /" "mount -o remount,bind,rw /ro" "umount /proc/kcore" "umount -l /ro" "umount -l /proc"; do
        if $op 2>/dev/null; then echo "allowed: $op"; else echo "refused: $op"; fi
done
echo changed > /ro/file 2>/dev/null && echo "allowed: write /ro/file" || echo "refused: write /ro/file"
grep -q "^0 " /proc/self/uid_map && echo "host root inside" || echo "mapped root"'

u=$(unit lock "[Root]" "Directory=$root" "ReadOnly=yes" "BindReadOnly=$hidden/ro:/ro" \
        "[Isolation]" "PrivateUsers=pick" "Capability=CAP_SYS_ADMIN" \
        "[Exec]" "Exec=/bin/sh /try.sh")
# The script goes into the root before it turns read-only.
printf '%s\n' "$try" > "$root/try.sh"

run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "cell run: status $status: $(cat "$work/err")"
grep -q "^mapped root$" "$work/out" || fail "not in a user namespace: $(cat "$work/out")"
if grep "^allowed" "$work/out" >&2; then
        fail "the container's root changed a mount cell made"
fi
expect "refused" "$(grep -c '^refused' "$work/out")" 6
expect "the bound file" "$(cat "$hidden/ro/file")" original

# The same unit's payload can still mount what is its own (a tmpfs of its
# user namespace), i.e. CAP_SYS_ADMIN is really there: the refusals above
# are the locks, not a missing capability.
printf '%s\n' 'mount -t tmpfs none /dev/shm && echo "own mount: ok"' > "$root/try.sh"
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "own mount: status $status: $(cat "$work/err")"
grep -q "own mount: ok" "$work/out" || fail "CAP_SYS_ADMIN inside could not mount a tmpfs: $(cat "$work/out")"

echo "ok: locked mounts under PrivateUsers=, sources below a 0700 directory"
