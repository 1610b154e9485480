#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The harness itself, proved with systemd's own tools (no cell involved): it
# boots, it is sealed from the host, limits are enforced in it, two instances
# coexist, and stop leaves no process and no cgroup behind.
. "$(dirname "$0")/lib.sh"

# Things on the host a private systemd must not touch.
marker=$(mktemp /tmp/cell-sealed-marker.XXXXXX)
nr_open_before=$(cat /proc/sys/fs/nr_open)
remove_marker() { rm -f "$marker"; }

boot
expect_eq "boots to a running state" running "$(in_sealed systemctl is-system-running)"
expect_eq "PID 1 of its own PID namespace is systemd" systemd "$(in_sealed cat /proc/1/comm)"
check "which is not the host's PID 1" test "$(cat "$WORK/.sealed/pid")" != 1

# --- sealed from the host
check "the host's / is read-only inside" in_sealed sh -c '! touch /etc/cell-sealed-probe 2>/dev/null'
check "/proc/sys is read-only inside" in_sealed sh -c '! sh -c "echo 0 > /proc/sys/kernel/sched_autogroup_enabled" 2>/dev/null'
check "/sys is read-only inside" in_sealed sh -c '! touch /sys/kernel/cell-sealed-probe 2>/dev/null; grep -q " /sys sysfs ro," /proc/self/mounts'
for d in /tmp /var/tmp /var/log /var/lib /var/cache /run /root /home /srv /mnt /opt; do
        [ -d "$d" ] || continue
        expect_eq "$d is a private tmpfs" tmpfs "$(in_sealed stat -fc %T "$d")"
done
check "the work dir is writable inside" in_sealed sh -c "echo inside > '$WORK/written-inside'"
expect_eq "and what was written there shows outside" inside "$(cat "$WORK/written-inside" 2>/dev/null)"
for u in systemd-sysctl.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
         systemd-modules-load.service systemd-remount-fs.service systemd-timesyncd.service \
         getty.target console-getty.service; do
        expect_eq "$u is masked" masked "$(prop "$u" LoadState)"
done

# A transient service has default dependencies: this pulls in sysinit.target
# (systemd-tmpfiles-setup among others), as starting cell@NAME does.
in_sealed systemd-run --quiet --wait true
expect_eq "sysinit.target was reached inside" active "$(prop sysinit.target ActiveState)"
expect_eq "systemd-tmpfiles-setup ran inside" active "$(prop systemd-tmpfiles-setup.service ActiveState)"
check "the host's /tmp kept its files" test -f "$marker"
expect_eq "the host's fs.nr_open is unchanged" "$nr_open_before" "$(cat /proc/sys/fs/nr_open)"
remove_marker

# --- commands run in a scope of their own
scope=$(in_sealed sh -c 'sed -n "s/^0:://p" /proc/self/cgroup')
case "$scope" in
/system.slice/run-*.scope) ok "run puts the command in a transient scope ($scope)" ;;
*)                         fail "run: the command is in '$scope', not a transient scope" ;;
esac
check "and that scope is collected when it ends" wait_for 5 unit_gone "${scope##*/}"

# --- limits are enforced (systemd-run --scope with the properties cell's scope uses)
cgfile() {   # cgfile V2FILE V1CONTROLLER V1FILE: inside a scope, the path of its own cgroup file
        if [ "$SEALED_CGROUP" = v2 ]; then
                echo "/sys/fs/cgroup\$(sed -n 's/^0:://p' /proc/self/cgroup)/$1"
        else
                echo "/sys/fs/cgroup/$2\$(grep ':$2:' /proc/self/cgroup | cut -d: -f3)/$3"
        fi
}

if controller_available memory; then
        out=$(in_sealed systemd-run --quiet --scope -p MemoryMax=20M sh -c "
                cat $(cgfile memory.max memory memory.limit_in_bytes)
                head -c 100M /dev/zero | busybox tail >/dev/null; echo rc=\$?")
        expect_eq "MemoryMax=20M is written to the cgroup" "20971520 rc=137" "$(echo $out)"
else
        echo "skip - MemoryMax= enforcement: no memory controller in this cgroup2 tree (v1 holds it on this host)"
fi

if controller_available pids; then
        out=$(in_sealed systemd-run --quiet --scope -p TasksMax=8 sh -c "
                cat $(cgfile pids.max pids pids.max)
                f=$(cgfile pids.current pids pids.current)
                # The loop in a subshell: a shell that cannot fork gives up,
                # and this one must still read the count (read: a builtin).
                (for i in \$(seq 30); do sleep 2 & done) 2>/dev/null
                read n < \$f; echo \$n")
        set -- $out
        expect_eq "TasksMax=8 is written to the cgroup" 8 "${1:-}"
        if [ -n "${2:-}" ] && [ "$2" -le 8 ] && [ "$2" -ge 6 ]; then ok "a fork loop stops at TasksMax ($2 tasks)"; else fail "a fork loop got past TasksMax=8 (${2:-?} tasks)"; fi
else
        echo "skip - TasksMax= enforcement: no pids controller in this cgroup2 tree (v1 holds it on this host)"
fi

if controller_available cpu; then
        if [ "$SEALED_CGROUP" = v2 ]; then
                out=$(in_sealed systemd-run --quiet --scope -p CPUQuota=50% sh -c "cat $(cgfile cpu.max)")
                expect_eq "CPUQuota=50% shows in cpu.max" "50000 100000" "$out"
        else
                out=$(in_sealed systemd-run --quiet --scope -p CPUQuota=50% sh -c "cat $(cgfile x cpu cpu.cfs_quota_us)")
                expect_eq "CPUQuota=50% shows in cpu.cfs_quota_us" 50000 "$out"
        fi
else
        echo "skip - CPUQuota=: no cpu controller in this cgroup2 tree (v1 holds it on this host)"
fi

# --- a second instance beside the first, then stopped on its own
second=$WORK/second
mkdir -p "$second"
if pid2=$(SEALED_OWNER=$$ SEALED_CGROUP=$([ "$SEALED_CGROUP" = v2 ] && echo v2) "$SEALED" start "$second"); then
        ok "a second instance boots beside the first (PID $pid2)"
        name2=$(cat "$second/.sealed/name")
        expect_eq "the second one is its own systemd" running "$(SEALED_DIR=$second "$SEALED" run systemctl is-system-running)"
        SEALED_DIR=$second "$SEALED" stop
        check "stop ends its PID 1" sh -c "! kill -0 $pid2 2>/dev/null"
        left=$(find /sys/fs/cgroup -maxdepth 5 -name "$name2" 2>/dev/null | head -3)
        expect_eq "stop removes every cgroup it made" "" "$left"
        expect_eq "the first instance is still running" running "$(in_sealed systemctl is-system-running)"
else
        fail "a second instance did not boot"
fi

# --- a stop killed on its way (a test runner's timeout: SIGTERM to the
# test, whose trap stops, then SIGKILL a second later) leaves the guardian
# to stop the instance once its owner is gone
third=$WORK/third
fake=$WORK/fake-bin
mkdir -p "$third" "$fake"
# A poweroff that does not come: its PID noted, to end it afterwards.
printf '#!/bin/sh\necho $$ > "%s"\nexec sleep 60\n' "$WORK/fake-pid" > "$fake/nsenter"
chmod +x "$fake/nsenter"
sleep 600 &
owner=$!
if pid3=$(SEALED_OWNER=$owner SEALED_CGROUP=$([ "$SEALED_CGROUP" = v2 ] && echo v2) "$SEALED" start "$third"); then
        name3=$(cat "$third/.sealed/name")
        PATH=$fake:$PATH SEALED_DIR=$third setsid "$SEALED" stop &
        stopper=$!
        for i in $(seq 100); do [ -s "$WORK/fake-pid" ] && break; sleep 0.1; done
        kill -KILL -- -"$stopper" 2>/dev/null || true
        wait "$stopper" 2>/dev/null || true
        # (timeout runs it in a process group of its own)
        kill "$(cat "$WORK/fake-pid" 2>/dev/null)" 2>/dev/null || true
        check "the killed stop left the instance running" kill -0 "$pid3"
        kill "$owner"
        wait "$owner" 2>/dev/null || true
        for i in $(seq 300); do kill -0 "$pid3" 2>/dev/null || break; sleep 0.1; done
        check "its guardian stopped it when its owner ended" sh -c "! kill -0 $pid3 2>/dev/null"
        for i in $(seq 50); do [ -z "$(find /sys/fs/cgroup -maxdepth 5 -name "$name3" 2>/dev/null | head -1)" ] && break; sleep 0.1; done
        expect_eq "and removed every cgroup it made" "" "$(find /sys/fs/cgroup -maxdepth 5 -name "$name3" 2>/dev/null | head -3)"
else
        fail "a third instance did not boot"
        kill "$owner" 2>/dev/null || true
fi

finish
