#!/bin/bash
# Escape attempts from inside, each must fail.
. "$(dirname "$0")/lib.sh"

u=$(unit escape "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")

# The classic double chroot: the host's file stays out of reach (the root
# was pivoted and the old one detached, there is nothing above "/").
mkdir -p "$work/host-only"
touch "$work/host-only/marker"
run_cell none "$u" -- /bin/probe chroot-escape "$work/host-only/marker"
expect "double chroot" "$(cat "$work/out")" '{"chroot": 0, "chroot2": 0, "marker": 2}'

# CVE-2024-21626: a busy supervisor's fds (a directory, a file, a pipe)
# are not inside, and the cwd is the container's, not the supervisor's.
exec 7<"$work" 8<"$work/host-only/marker" 9< <(true)
cd "$work/host-only"
run_cell none "$u"
cd /
exec 7<&- 8<&- 9<&-
expect "status" "$status" 0
expect_match fds "$(field fds)" '^\{"0": "[^"]*", "1": "[^"]*", "2": "[^"]*"\}$'
expect cwd "$(field cwd)" /

# A WorkingDirectory= through a symlink that climbs out stays inside.
ln -s ../../../../../.. "$root/up"
uw=$(unit workdir "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "WorkingDirectory=/up/tmp")
run_cell none "$uw"
expect "workdir status" "$status" 0
expect "workdir" "$(field cwd)" /tmp

# CVE-2019-5736 without Init=: PID 1 is the payload itself, never cell.
run_cell none "$u" -- /bin/probe exe
expect_match "/proc/1/exe" "$(cat "$work/out")" '^\{"/proc/1/exe": \{"write": 26, "read": 0, "link": "/bin/probe"\}, "/proc/0/exe": \{"write": 2, "read": 2, "link": null\}\}$'

# /proc/sys and /sys are read-only, even for root.
run_cell none "$u" -- /bin/probe write /proc/sys/kernel/hostname
expect "/proc/sys" "$(cat "$work/out")" '{"write": 30}'
run_cell none "$u" -- /bin/probe write /sys/kernel/uevent_helper
expect "/sys" "$(cat "$work/out")" '{"write": 30}'
if [ -e /proc/sysrq-trigger ]; then
        run_cell none "$u" -- /bin/probe write /proc/sysrq-trigger
        expect "/proc/sysrq-trigger" "$(cat "$work/out")" '{"write": 30}'
fi

# /sys without PrivateNetwork=: a fresh sysfs (the host's interfaces), not
# a bind of the host's /sys with what is mounted below it -- tracefs
# (/sys/kernel/tracing/trace), debugfs, securityfs, bpffs. Inside, nothing
# below /sys but cell's own mounts (the /sys/firmware mask, the cgroups).
# With PrivateUsers= too, where cell mounts it with the host's privileges.
host_sub=$(awk '$5 ~ "^/sys/" && $5 !~ "^/sys/fs/cgroup" { print $5 }' /proc/self/mountinfo)
if [ -n "$host_sub" ]; then
        chmod 755 "$work"
        for users in no pick; do
                us=$(unit "sys$users" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/cat /proc/self/mountinfo" \
                        "[Isolation]" "PrivateNetwork=no" "PrivateUsers=$users")
                run_cell none "$us"
                expect "/sys, PrivateUsers=$users: status" "$status" 0
                sysline=$(awk '$5 == "/sys"' "$work/out")
                expect_match "/sys, PrivateUsers=$users: a read-only sysfs" "$sysline" ' ro,nosuid,nodev,noexec[, ].* - sysfs '
                below=$(awk '$5 ~ "^/sys/" && $5 != "/sys/firmware" && $5 !~ "^/sys/fs/cgroup" { print $5 " " $(NF-2) }' "$work/out")
                expect "/sys, PrivateUsers=$users: nothing of the host's mounted below it" "$below" ""
        done
        run_cell none "$(unit systrace "[Root]" "Directory=$root" "[Isolation]" "PrivateNetwork=no" "[Exec]" \
                "Exec=/bin/sh -c 'head -c1 /sys/kernel/tracing/trace >/dev/null 2>&1 && echo read || echo nothing'")"
        expect "/sys/kernel/tracing/trace" "$(cat "$work/out")" nothing
else
        echo "SKIP: /sys without PrivateNetwork=: the host has nothing mounted below /sys"
fi

# Dropped capabilities are gone: no CAP_SYS_ADMIN to mount, no
# CAP_SYS_MODULE, no CAP_NET_ADMIN.
run_cell none "$u" -- /bin/sh -c 'mount -t tmpfs none /mnt 2>/dev/null && echo mounted; ip link add dummy0 type dummy 2>/dev/null && echo netadmin; echo done'
expect "no CAP_SYS_ADMIN/NET_ADMIN" "$(cat "$work/out")" done

# TIOCSTI needs a controlling terminal: the payload, run from a terminal
# (script(1) gives cell one) with --console=pipe, is in a session of its
# own without it. (The default there, a pty of the container's own as its
# terminal: test-console.sh.) With PrivateUsers= it holds the terminal
# itself; the host's root never does (test-stdio-host.sh): a pipe.
up=$(unit escapeusers "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" "[Exec]" "Exec=/bin/probe")
script -qec "$CELL run --cgroup-manager=none --console=pipe $up -- /bin/probe tiocsti" /dev/null > "$work/out" 2>&1
expect_match "tiocsti" "$(tr -d '\r' < "$work/out")" '\{"isatty": 1, "tiocsti": (1|5), "dev_tty": 6\}'
script -qec "$CELL run --cgroup-manager=none --console=pipe $u -- /bin/probe tiocsti" /dev/null > "$work/out" 2>&1
expect_match "tiocsti, the host's root" "$(tr -d '\r' < "$work/out")" '\{"isatty": 0, "tiocsti": 1, "dev_tty": 6\}'
echo ok
