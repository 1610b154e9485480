#!/bin/bash
# Boot=yes inside a private user namespace: a systemd root made of the host's
# /usr (bound read-only) and a few files of its own boots to "running" with
# PrivateUsers=pick and the cgroupfs manager. Its root is root of the user
# namespace only; its cgroup is delegated to that root, so the systemd
# inside makes and manages its own subtree; the mounts cell made cannot be
# undone from inside; stop and SIGKILL leave nothing behind.
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

# The root: /usr is the host's; /etc, /var and the rest its own.
sd=$work/sdroot
"$(dirname "$MAKE_ROOT")/make-os-root" "$sd" || fail "tests/lib/make-os-root failed"

name=$(unit_name boot)
u=$(unit boot "[Root]" "Directory=$sd" "BindReadOnly=/usr" \
        "[Exec]" "Boot=yes" "NotifyReady=yes" \
        "[Isolation]" "PrivateUsers=pick")
"$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json failed"
[[ $(plan_value bounding) == *CAP_SYS_ADMIN* ]] || fail "Boot=yes: no CAP_SYS_ADMIN in the bounding set: $(plan_value bounding)"
host_snapshot before

# start: cell run in the background; $cellpid.
start() {
        "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" &
        cellpid=$!
}

# inside CMD...: cell exec into the running cell.
inside() {
        timeout 30 "$CELL" exec "$name" "$@"
}

booted() {
        local state
        for _ in $(seq 100); do
                # This run's state, not the one a SIGKILLed cell left.
                "$CELL" status "$name" 2>/dev/null | matches "Supervisor: $cellpid " && break
                kill -0 "$cellpid" 2>/dev/null || fail "cell run ended: $(cat "$work/err")"
                sleep 0.1
        done
        # Until its manager's socket exists (/run/systemd/private).
        for _ in $(seq 100); do
                state=$(inside /usr/bin/systemctl is-system-running --wait 2>&1) || true
                [[ $state == *"Failed to connect"* ]] || break
                sleep 0.1
        done
        kill -0 "$cellpid" 2>/dev/null || fail "cell run ended: $(cat "$work/err")"
        expect "systemd inside: is-system-running" "$state" running
        expect "PID 1 inside" "$(inside /bin/cat /proc/1/comm)" systemd
}

start
booted

# Root of the user namespace only: one 64 Ki range of nspawn's.
read -r inside_uid outside count <<<"$(inside /bin/cat /proc/1/uid_map)"
expect "uid_map inside" "$inside_uid" 0
expect "uid_map count" "$count" 65536
(( outside >= 0x80000 && outside % 65536 == 0 )) || fail "uid_map: $outside is not a picked range"
expect "PID 1's uid on the host" "$(stat -c %u "/proc/$(pgrep -P "$cellpid" -x systemd)")" "$outside"

# The cgroup is the container's: systemd made init.scope below it, owned by
# the range's root on the host. (A hybrid host: every hierarchy the cgroupfs
# manager made; pure cgroup2: the one tree.)
mine=$(find /sys/fs/cgroup -type d -name "cell-$name" 2>/dev/null)
[ -n "$mine" ] || fail "no cgroup cell-$name on the host"
found=0
for d in $mine; do
        [ -d "$d/init.scope" ] || continue
        found=1
        expect "owner of $d/init.scope" "$(stat -c %u "$d/init.scope")" "$outside"
done
[ "$found" = 1 ] || fail "systemd inside made no init.scope below $mine"

# The host's /usr stays read-only, and a remount inside cannot change that:
# cell's mounts are locked against the container's CAP_SYS_ADMIN.
if inside /bin/touch /usr/cell-boot-test 2>/dev/null; then
        rm -f /usr/cell-boot-test
        fail "the container wrote to the host's /usr"
fi
if inside /bin/mount -o remount,bind,rw /usr 2>/dev/null; then
        fail "the container remounted the read-only /usr read-write"
fi
[ ! -e /usr/cell-boot-test ] || fail "/usr/cell-boot-test exists"

# cell kill --all reaches the processes the systemd inside moved into its
# own sub-cgroups (journald in system.slice), not only those beside PID 1.
journald=
for d in $mine; do
        f=$d/system.slice/systemd-journald.service/cgroup.procs
        # (cgroup files have no size: read, do not test -s)
        [ -e "$f" ] && read -r journald < "$f" && [ -n "$journald" ] && break
done
[ -n "$journald" ] || fail "no journald below the container's cgroup"
"$CELL" kill --all "$name" STOP || fail "cell kill --all STOP failed"
for _ in $(seq 50); do
        [ "$(awk '$1 == "State:" { print $2 }' "/proc/$journald/status")" = T ] && break
        sleep 0.1
done
expect "journald after kill --all STOP" "$(awk '$1 == "State:" { print $2 }' "/proc/$journald/status")" T
"$CELL" kill --all "$name" CONT || fail "cell kill --all CONT failed"

# cell stop: SIGRTMIN+3, systemd halts, cell returns 0; nothing left.
"$CELL" stop "$name" || fail "cell stop failed"
status=0
wait "$cellpid" || status=$?
expect "status after stop" "$status" 0
[ ! -e "/run/cell/uid/$outside" ] || fail "lock file /run/cell/uid/$outside left after stop"
expect_nothing_left

# SIGKILL to cell: the container dies with it; the subtree systemd made is
# removed by the next start of the same name, which boots again.
start
booted
kill -KILL "$cellpid"
wait "$cellpid" 2>/dev/null || true
for _ in $(seq 50); do
        pgrep -f -- "$marker" >/dev/null || break
        sleep 0.1
done
start
booted
"$CELL" stop "$name" || fail "cell stop (second boot) failed"
status=0
wait "$cellpid" || status=$?
expect "status after the second stop" "$status" 0
expect_nothing_left

echo "ok: systemd booted in a private user namespace, delegated cgroup, locked /usr, nothing left"
