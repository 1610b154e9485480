#!/bin/bash
# What a real distribution root booted with Boot=yes needs of its container,
# found booting Debian bookworm (a debootstrapped root) under cell and under
# systemd-nspawn 252; shown here with a busybox "init" that reports (the real
# systemd boots so in tests/integration/systemd/test-boot.sh):
# - Without PrivateUsers=, the hierarchy an init manages its services in
#   (cgroup2, or the named systemd hierarchy and cgroup2 on a hybrid host) is
#   writable, as nspawn mounts it: read-only, systemd cannot make init.scope
#   and exits at once ("Failed to allocate manager object"). The v1
#   controllers stay read-only. Without Boot=yes all of it stays read-only.
# - Each start has a boot ID of its own at /proc/sys/kernel/random/boot_id,
#   as under nspawn: the kernel's is the host's, and a systemd inside would
#   file every boot of the container (and the host's) as one in its journal.
. "$(dirname "$0")/lib.sh"

cat > "$root/sbin/cgcheck" <<'SH'
#!/bin/sh
# One line per hierarchy: "NAME writable" or "NAME read-only".
check() {
        if mkdir "$2/cell-check" 2>/dev/null; then
                rmdir "$2/cell-check"
                echo "$1 writable"
        else
                echo "$1 read-only"
        fi
}
if [ -e /sys/fs/cgroup/cgroup.procs ]; then
        check cgroup2 /sys/fs/cgroup
else
        check systemd /sys/fs/cgroup/systemd
        check cgroup2 /sys/fs/cgroup/unified
        [ -d /sys/fs/cgroup/memory ] && check memory /sys/fs/cgroup/memory
fi
exit 0
SH
chmod 0755 "$root/sbin/cgcheck"
ln -sf cgcheck "$root/sbin/init"

# --- Boot=yes, no PrivateUsers=, the cgroupfs manager (no bus here)
u=$(unit boot "[Root]" "Directory=$root" "[Exec]" "Boot=yes")
run_cell cgroupfs "$u"
expect "Boot=yes: exit status ($(cat "$work/err"))" "$status" 0
grep -q '^cgroup2 writable$' "$work/out" || fail "Boot=yes: cgroup2 not writable: $(cat "$work/out")"
if grep -q '^systemd ' "$work/out"; then
        grep -q '^systemd writable$' "$work/out" || fail "Boot=yes: the named systemd hierarchy is read-only"
fi
if grep -q '^memory ' "$work/out"; then
        grep -q '^memory read-only$' "$work/out" || fail "Boot=yes: a v1 controller is writable"
fi

# --- Exec=: read-only as before
u=$(unit plain "[Root]" "Directory=$root" "[Exec]" "Exec=/sbin/cgcheck")
run_cell cgroupfs "$u"
expect "Exec=: exit status ($(cat "$work/err"))" "$status" 0
if grep -q ' writable$' "$work/out"; then
        fail "Exec=: the cgroup is writable: $(cat "$work/out")"
fi

# --- a boot ID of each start's own, also with ReadOnly=yes
host=$(cat /proc/sys/kernel/random/boot_id)
u=$(unit bootid "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "Exec=/bin/cat /proc/sys/kernel/random/boot_id")
run_cell none "$u"
expect "boot ID: exit status ($(cat "$work/err"))" "$status" 0
first=$(cat "$work/out")
expect_match "boot ID: a UUID" "$first" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
[ "$first" != "$host" ] || fail "boot ID: the host's ($host)"
run_cell none "$u"
second=$(cat "$work/out")
[ -n "$second" ] && [ "$second" != "$first" ] && [ "$second" != "$host" ] ||
        fail "boot ID: the second start's is '$second' (first '$first', host '$host')"
# Nothing of it is left on /run: the file is unlinked once it is mounted.
u=$(unit bootidrun "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/ls -A /run")
run_cell none "$u"
if grep -q 'boot-id' "$work/out"; then
        fail "boot ID: its file is left on /run: $(cat "$work/out")"
fi

# A /run bound from the host, where a killed start left its file (or anyone
# a link): made anew, never written through; nothing left there after.
mkdir -p "$work/hostrun"
ln -s /etc/passwd "$work/hostrun/.#cell-boot-id"
u=$(unit bootidbound "[Root]" "Directory=$root" "Bind=$work/hostrun:/run" "[Exec]" \
        "Exec=/bin/cat /proc/sys/kernel/random/boot_id")
run_cell none "$u"
expect "boot ID, /run bound: exit status ($(cat "$work/err"))" "$status" 0
expect_match "boot ID, /run bound: a UUID" "$(cat "$work/out")" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-'
[ ! -e "$work/hostrun/.#cell-boot-id" ] && [ ! -L "$work/hostrun/.#cell-boot-id" ] ||
        fail "boot ID: left in the bound /run: $(ls -lA "$work/hostrun")"

echo "ok"
