#!/bin/bash
# PrivateUsers=pick: the probe inside is root of a user namespace whose map
# is one 64 Ki range in 0x80000..0x6FFF0000, the same for uids and gids; the
# root is idmapped (its files show their on-disk owners, root's are root's),
# /proc, /sys, /dev and devpts work; the range's lock is held while the
# cell runs and free afterwards.
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

u=$(unit probe "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "PrivateUsers=pick")
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "cell run: status $status: $(cat "$work/err")"

expect uid "$(field uid)" 0
expect gid "$(field gid)" 0
# The capabilities, no_new_privs and the filter are what the plan says,
# inside the user namespace too.
compare_with_plan "$u"
expect Seccomp "$(field Seccomp)" 2
read -r inside outside count <<<"$(field uid_map)"
expect "uid_map inside" "$inside" 0
expect "uid_map count" "$count" 65536
(( outside >= 0x80000 && outside <= 0x6FFF0000 && outside % 65536 == 0 )) ||
        fail "uid_map: $outside is not a 64 Ki range in 0x80000..0x6FFF0000"
expect gid_map "$(field gid_map)" "$(field uid_map)"
# The range's lock file went with the cell.
[ ! -e "/run/cell/uid/$outside" ] || fail "lock file /run/cell/uid/$outside left after the cell ended"

# The API file systems work inside the user namespace.
for m in '"/proc": {"fstype": "proc"' '"/sys": {"fstype": "sysfs"' '"/dev/pts": {"fstype": "devpts"'; do
        grep -qF "$m" "$work/out" || fail "mount missing inside: $m"
done
expect interfaces "$(field interfaces)" '{"lo": {"up": true, "flags": 73}}'

# NoNewPrivileges=no: CAP_SYS_ADMIN in the container's user namespace is
# enough for the kernel to take the filter without no_new_privs.
for caps in "" CAP_SYS_ADMIN; do
        u=$(unit "nnp$caps" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "PrivateUsers=pick" \
                "NoNewPrivileges=no" ${caps:+"Capability=$caps"})
        run_cell cgroupfs "$u"
        [ "$status" = 0 ] || fail "cell run (NoNewPrivileges=no $caps): status $status: $(cat "$work/err")"
        compare_with_plan "$u"
        expect "NoNewPrivileges=no $caps" "$(field NoNewPrivs)" "$([ -n "$caps" ] && echo 0 || echo 1)"
done

# The root is idmapped, not chowned: on disk it stays 0:0, inside root's
# files are root's, and a file made inside lands on disk as 0.
u=$(unit ls "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" 'Exec=/bin/sh -c "stat -c %%u:%%g /etc/passwd; echo x > /root/made; stat -c %%u /root/made; cat /dev/null; echo devnull-ok; ls /dev/pts/ptmx"')
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "sh: status $status: $(cat "$work/err")"
expect "owner inside" "$(sed -n 1p "$work/out")" 0:0
expect "new file inside" "$(sed -n 2p "$work/out")" 0
expect "/dev/null" "$(sed -n 3p "$work/out")" devnull-ok
expect "ptmx" "$(sed -n 4p "$work/out")" /dev/pts/ptmx
expect "owner on disk" "$(stat -c %u:%g "$root/etc/passwd")" 0:0
expect "new file on disk" "$(stat -c %u "$root/root/made")" 0

# The container's cgroup belongs to its root (delegation), checked from inside.
u=$(unit cg "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" 'Exec=/bin/sh -c "for d in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do [ -e $d/cgroup.procs ] && stat -c %%u $d $d/cgroup.procs; done; true"')
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "cgroup: status $status: $(cat "$work/err")"
[ -s "$work/out" ] || fail "cgroup: no cgroup.procs found inside"
while read -r owner; do
        expect "cgroup owner inside" "$owner" 0
done < "$work/out"

# ProtectControlGroups=: the delegated cgroup read-only all the same, as
# without PrivateUsers=; without it, the container's root makes a child.
for protect in no yes; do
        u=$(unit "cgprotect$protect" "[Root]" "Directory=$root" \
                "[Isolation]" "PrivateUsers=pick" "ProtectControlGroups=$protect" \
                "[Exec]" 'Exec=/bin/sh -c "for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do [ -e $d/cgroup.procs ] && break; done; if mkdir $d/made 2>/dev/null; then rmdir $d/made; echo writable; else echo read-only; fi"')
        run_cell cgroupfs "$u"
        [ "$status" = 0 ] || fail "ProtectControlGroups=$protect: status $status: $(cat "$work/err")"
        [ "$protect" = yes ] && want=read-only || want=writable
        expect "ProtectControlGroups=$protect: the delegated cgroup" "$(cat "$work/out")" "$want"
done

# A negative Nice=, a real-time policy and the realtime IO class need
# CAP_SYS_NICE in the host's user namespace, which the container's root
# lacks: set by cell from outside, they are the payload's all the same.
u=$(unit sched "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Nice=-5" "CPUSchedulingPolicy=rr" \
        "CPUSchedulingPriority=20" "IOSchedulingClass=realtime" "IOSchedulingPriority=1" "[Isolation]" "PrivateUsers=pick")
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "sched: status $status: $(cat "$work/err")"
expect uid "$(field uid)" 0
expect_match "sched" "$(field sched)" \
        '^\{"nice": -5, "policy": 2, "priority": 20, "reset_on_fork": false, "io_class": 1, "io_priority": 1, '
# With Init=yes the payload sets reset-on-fork itself (the reaper's fork must
# not reset it): allowed without CAP_SYS_NICE, as it raises nothing.
u=$(unit schedinit "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=yes" "Nice=-5" \
        "CPUSchedulingPolicy=fifo" "CPUSchedulingResetOnFork=yes" "[Isolation]" "PrivateUsers=pick")
run_cell cgroupfs "$u"
[ "$status" = 0 ] || fail "sched, Init=yes: status $status: $(cat "$work/err")"
expect "sched, Init=yes: the reaper's child" "$(field ppid)" 1
expect_match "sched, Init=yes" "$(field sched)" '^\{"nice": -5, "policy": 1, "priority": 1, "reset_on_fork": true, '

# A range smaller than the image's ids: User=test (UID 1000, GID 1000) with
# PrivateUsers=524288:1000 fails before the payload, naming the unit's line,
# the key and the id (it was setgroups()'s bare "Invalid argument" at the
# exec, under SupplementaryGroups=), and leaves nothing behind.
host_snapshot before
u=$(unit small "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=524288:1000" "[Exec]" "User=test" \
        "Exec=/bin/true")
run_cell none "$u"
expect "small range: status" "$status" 2
expect_match "small range: message" "$(grep -v 'Running without' "$work/err")" \
        "^cell: $(unit_name small): $u:6: User=test: UID 1000 is not mapped in the container's user namespace, whose UIDs are 0\\.\\.999"
expect_nothing_left
u=$(unit smallgrp "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=524288:1001" "[Exec]" "User=test" \
        "SupplementaryGroups=nogroup" "Exec=/bin/true")
run_cell none "$u"
expect "small range, a group: status" "$status" 2
expect_match "small range, a group: message" "$(grep -v 'Running without' "$work/err")" \
        "^cell: $(unit_name smallgrp): $u:7: SupplementaryGroups=nogroup: GID 65534 is not mapped"
# Within the range: its ids, its memberships (wheel), its environment.
u=$(unit fits "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=524288:1001" "[Exec]" "User=test" \
        "Exec=/bin/sh -c 'id -u; id -G; echo \$HOME:\$USER:\$LOGNAME:\$SHELL; cat /proc/self/uid_map'")
run_cell none "$u"
[ "$status" = 0 ] || fail "User=test in 524288:1001: status $status: $(cat "$work/err")"
expect "User=test in 524288:1001" "$(sed -n '1,3p' "$work/out" | tr '\n' ' ')" "1000 1000 10 /home/test:test:test:/bin/sh "
expect "User=test in 524288:1001: uid_map" "$(sed -n 4p "$work/out" | tr -s ' ')" " 0 524288 1001"

echo "ok: PrivateUsers=pick map, idmapped root, API file systems, cgroup delegation (ProtectControlGroups=), scheduling, User= outside the range"
