#!/bin/bash
# From inside: the probe reports what the container looks like, and every
# field is compared with what the unit asks for (and cell's defaults).
. "$(dirname "$0")/lib.sh"

printf 'FROM_FILE=yes\n# comment\nQUOTED="a b"\n' > "$work/env"
u=$(unit probe \
        "[Root]" \
        "Directory=$root" \
        "ReadOnly=yes" \
        "[Exec]" \
        "Exec=/bin/probe" \
        "User=test" \
        "SupplementaryGroups=wheel" \
        "WorkingDirectory=/home/test" \
        "UMask=0027" \
        "Hostname=probe-host" \
        "Environment=FOO=bar" \
        "EnvironmentFile=$work/env" \
        "[Isolation]" \
        "PrivateTime=yes" \
        "DropCapability=CAP_NET_RAW" \
        "[Limits]" \
        "LimitNOFILE=1234:2345")

# An fd open in the supervisor must not be visible inside (CVE-2024-21626).
# Signals the caller ignores (a shell's trap '', a service's IgnoreSIGPIPE=)
# must not stay ignored in the payload.
# Signals the caller blocks stay blocked in cell, not in the payload. An audit
# login UID of the caller's (an admin's login shell) is not the payload's:
# set one where this machine lets us (root, audit, not immutable).
login=no
( echo 1000 > /proc/self/loginuid ) 2>/dev/null && login=yes
exec 7<"$work/env"
trap '' PIPE USR1 HUP INT QUIT RTMIN+2
status=0
( [ "$login" = no ] || echo 1000 > /proc/self/loginuid
  TERM=probe-term exec timeout 20 env --block-signal=USR2,WINCH,TERM,ALRM "$CELL" run --cgroup-manager=none "$u" \
        >"$work/out" 2>"$work/err" ) || status=$?
trap - PIPE USR1 HUP INT QUIT RTMIN+2
exec 7<&-
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run exited $status"; }
cat "$work/out"

# Everything the plan says, checked from inside.
compare_with_plan "$u"

# And explicitly, what the unit asks for.
# Namespaces.
expect pid "$(field pid)" 1
expect ppid "$(field ppid)" 0
expect hostname "$(field hostname)" probe-host
expect interfaces "$(field interfaces)" '{"lo": {"up": true, "flags": 73}}'
expect_match cgroup-namespace "$(field cgroup)" '(^|\\n)0::/$'
uptime=$(field uptime)
expect_match "PrivateTime uptime" "$uptime" '^[0-4]\.'

# Privilege: the default bounding set (CHOWN DAC_OVERRIDE FOWNER FSETID KILL
# SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP)
# without NET_RAW, and without MKNOD, withheld under --cgroup-manager=none
# (no device policy); a non-root user keeps no capability.
expect CapBnd "$(field CapBnd)" 00000000a00405fb
expect CapEff "$(field CapEff)" 0000000000000000
expect CapPrm "$(field CapPrm)" 0000000000000000
expect CapInh "$(field CapInh)" 0000000000000000
expect CapAmb "$(field CapAmb)" 0000000000000000
expect NoNewPrivs "$(field NoNewPrivs)" 1
expect SigIgn "$(field SigIgn)" 0000000000000000
# Process state, as systemd and nspawn leave it for what they exec: no
# blocked signal, a session and process group of its own without a
# controlling terminal, no securebits; no audit login of the caller's
# (nspawn's reset_audit_loginuid()).
state=$(field state)
expect_match state "$state" \
        '^\{"sigblk": "0000000000000000", "session_leader": true, "group_leader": true, "tty_nr": 0, '
expect_match "state: securebits" "$state" '"securebits": 0, '
if [ "$login" = yes ]; then
        expect_match "state: audit login of the caller's" "$state" '"loginuid": 4294967295, "sessionid": 4294967295\}$'
fi
expect Seccomp "$(field Seccomp)" 2
expect denied "$(field denied)" '{"keyctl": 1, "bpf": 1, "add_key": 1}'
# Without SuppressSync=: fsync() of a pipe is EINVAL, O_SYNC and openat2() work.
expect sync "$(field sync)" '{"fsync": 22, "open_sync": 0, "sys_open_sync": 0, "open_o_sync_bit": 0, "openat2": 0}'

# Identity and process state.
expect uid "$(field uid)" 1000
expect gid "$(field gid)" 1000
expect groups "$(field groups)" '[10, 1000]'
expect cwd "$(field cwd)" /home/test
expect Umask "$(field Umask)" 0027
expect_match rlimit-nofile "$(field rlimits)" '"NOFILE": \[1234, 2345\]'

# Environment: clean, from the container's passwd, the unit and the file.
env=$(field environment)
for want in '"HOME=/home/test"' '"USER=test"' '"LOGNAME=test"' '"FOO=bar"' '"FROM_FILE=yes"' \
            '"QUOTED=a b"' '"TERM=probe-term"' '"container=cell"' '"NOTIFY_SOCKET=/run/host/notify"' \
            '"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'; do
        [[ $env == *"$want"* ]] || fail "environment lacks $want: $env"
done
[[ $env != *"SUDO_"* && $env != *"MAKE_ROOT"* ]] || fail "host variables leaked: $env"

# File descriptors: 0, 1, 2 and nothing else.
fds=$(field fds)
expect_match fds "$fds" '^\{"0": "[^"]*", "1": "[^"]*", "2": "[^"]*"\}$'

# Mounts.
mounts=$(sed -n '/"mounts"/,/^  "masked"/p' "$work/out")
mount_line() { grep "\"$1\": {" <<<"$mounts" || fail "no mount at $1"; }
expect_match "/ read-only" "$(mount_line /)" '"options": "ro[,"]'
expect_match "/proc" "$(mount_line /proc)" '"fstype": "proc", "options": "rw,nosuid,nodev,noexec'
expect_match "/sys" "$(mount_line /sys)" '"fstype": "sysfs", "options": "ro,nosuid,nodev,noexec'
expect_match "/dev" "$(mount_line /dev)" '"fstype": "tmpfs", "options": "[^"]*nosuid[^"]*noexec'
expect_match "/dev mode" "$(mount_line /dev)" 'mode=755'
expect_match "/dev/pts" "$(mount_line /dev/pts)" '"fstype": "devpts".*ptmxmode=666'
expect_match "/sys/fs/cgroup" "$(mount_line /sys/fs/cgroup)" '"options": "ro,'

# Masked paths: nothing to read (an empty file or directory), or absent.
masked=$(sed -n '/"masked"/,/^  "interfaces"/p' "$work/out" | grep '"/')
while read -r line; do
        expect_match "masked $line" "$line" '"read": (0|-1), "errno": (0|2)\}'
done <<<"$masked"
[ "$(wc -l <<<"$masked")" -eq 8 ] || fail "masked: expected 8 paths"

# AmbientCapability=: a user other than root gets it in every set but the
# bounding one's others, and can use it: bind a port below 1024.
u=$(unit ambient "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "User=test" \
        "[Isolation]" "AmbientCapability=CAP_NET_BIND_SERVICE")
run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (ambient) exited $status"; }
compare_with_plan "$u"
for set in CapEff CapPrm CapInh CapAmb; do
        expect "ambient $set" "$(field $set)" 0000000000000400
done
expect "ambient uid" "$(field uid)" 1000
bind80() {
        unit "$1" "[Root]" "Directory=$root" "[Exec]" "User=test" \
                "Exec=/bin/sh -c 'nc -l -p 80 & sleep 0.5; netstat -ltn | grep -q \":80 \" && echo bound; kill \$!'" \
                "${@:2}"
}
run_cell none "$(bind80 bind80 "[Isolation]" "AmbientCapability=net_bind_service")"
expect "AmbientCapability=net_bind_service: port 80 bound" "$(cat "$work/out")" bound
run_cell none "$(bind80 nobind80)"
expect "without it: port 80 not bound" "$(cat "$work/out")" ""
grep -q 'bind: Permission denied' "$work/err" || fail "without it: nc was not refused: $(cat "$work/err")"

# SuppressSync=yes: the sync calls do nothing and succeed (fsync() of a pipe
# too), open() with O_SYNC is EINVAL, openat2() ENOSYS; with an allow list
# that allows them as well (the rules come last and win).
for filter in "" "SystemCallFilter=@system-service"; do
        u=$(unit "nosync${filter:+allow}" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "SuppressSync=yes" \
                ${filter:+"[Isolation]" "$filter"})
        run_cell none "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (SuppressSync=yes $filter) exited $status"; }
        expect "SuppressSync=yes $filter" "$(field sync)" \
                '{"fsync": 0, "open_sync": 22, "sys_open_sync": 22, "open_o_sync_bit": 22, "openat2": 38}'
        expect "SuppressSync=yes $filter: the default deny list stays" "$(field denied)" \
                '{"keyctl": 1, "bpf": 1, "add_key": 1}'
done

# The mount points cell makes are 0755 whatever the umask cell runs with (a
# service's UMask=0077 made them 0700: unreadable to a payload's user).
mkdir -p "$work/bindsrc"
run_cell_umask() { (umask 077; run_cell "$@"; echo "$status" > "$work/status"); status=$(cat "$work/status"); }
run_cell_umask none "$(unit umask "[Root]" "Directory=$root" "Bind=$work/bindsrc:/new/dir" "[Exec]" \
        "Exec=/bin/stat -c %%a /new /new/dir")"
expect "umask 077: status" "$status" 0
expect "umask 077: the mount points cell made" "$(cat "$work/out" | head -n 1)" 755

# Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=, Personality=. The
# probe's "sched": nice (/proc/self/stat), policy and priority
# (sched_getscheduler), the IO class and priority (ioprio_get), the CPUs
# (sched_getaffinity), personality(0xffffffff) and uname's machine.
# Without them the payload has what cell had: the probe's report on the host.
"$PROBE" > "$work/host.json"
host_sched=$(field sched "$work/host.json")
u=$(unit schednone "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (no scheduling keys) exited $status"; }
expect "no scheduling keys: inherited" "$(field sched)" "$host_sched"
machine=$(uname -m)
personality=$(sed -n 's/.*"personality": \([0-9-]*\).*/\1/p' <<<"$host_sched")
# Two CPUs this host lets us have (the first and the last), or one.
cpus=$(sed -n 's/.*"affinity": \[\([0-9, ]*\)\].*/\1/p' <<<"$host_sched")
first=${cpus%%,*}; last=${cpus##* }
want_cpus=$([ "$first" = "$last" ] && echo "$first" || echo "$first, $last")

# Raised above what the payload's user may set itself, inherited through
# the user change (User=test); CPUAffinity= lines add up, "" resets.
u=$(unit sched "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "User=test" "Nice=-5" \
        "CPUSchedulingPolicy=fifo" "CPUSchedulingPriority=10" "IOSchedulingClass=realtime" "IOSchedulingPriority=2" \
        "CPUAffinity=$last" "CPUAffinity=" "CPUAffinity=$last" "CPUAffinity=$first")
for m in none cgroupfs; do
        run_cell "$m" "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (scheduling, $m) exited $status"; }
        expect "scheduling ($m)" "$(field sched)" "{\"nice\": -5, \"policy\": 1, \"priority\": 10, \"reset_on_fork\": false, \"io_class\": 1, \"io_priority\": 2, \"affinity\": [$want_cpus], \"personality\": $personality, \"machine\": \"$machine\"}"
        expect "scheduling ($m): uid" "$(field uid)" 1000
done

# CPUSchedulingResetOnFork=yes: the payload keeps the policy and its nice
# level, with Init=yes too (whose reaper forks it); what it forks does not.
for init in no yes; do
        u=$(unit "resetfork$init" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=$init" "Nice=-3" \
                "CPUSchedulingPolicy=rr" "CPUSchedulingResetOnFork=yes" "IOSchedulingClass=idle")
        run_cell cgroupfs "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (reset on fork, Init=$init) exited $status"; }
        expect "reset on fork, Init=$init: the payload" "$(field sched)" "{\"nice\": -3, \"policy\": 2, \"priority\": 1, \"reset_on_fork\": true, \"io_class\": 3, \"io_priority\": 4, \"affinity\": [$cpus], \"personality\": $personality, \"machine\": \"$machine\"}"
        u=$(unit "resetforkchild$init" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '/bin/probe; true'" \
                "Init=$init" "Nice=-3" "CPUSchedulingPolicy=rr" "CPUSchedulingResetOnFork=yes")
        run_cell cgroupfs "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (reset on fork, child, Init=$init) exited $status"; }
        expect_match "reset on fork, Init=$init: the payload's child" "$(field sched)" '^\{"nice": 0, "policy": 0, "priority": 0, "reset_on_fork": false, '
done

# CPUSchedulingResetOnFork=yes alone: the flag on the policy the payload
# inherits (cell's, here SCHED_IDLE), not "other" in its place, which
# would raise it; with Init=yes too.
for init in no yes; do
        u=$(unit "resetforkalone$init" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=$init" \
                "CPUSchedulingResetOnFork=yes")
        status=0
        timeout 20 chrt --idle 0 "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" || status=$?
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (reset on fork alone, Init=$init) exited $status"; }
        expect_match "reset on fork alone, Init=$init: the inherited policy kept" "$(field sched)" \
                '^\{"nice": 0, "policy": 5, "priority": 0, "reset_on_fork": true, '
done

# Personality=x86 (x86-64 only): PER_LINUX32, and uname says i686, also
# with a filter that denies personality(2) (set before the filter), and
# for a command of cell exec.
if [ "$machine" = x86_64 ]; then
        u=$(unit perx86 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Personality=x86")
        run_cell none "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (Personality=x86) exited $status"; }
        expect_match "Personality=x86" "$(field sched)" '"personality": 8, "machine": "i686"\}$'
        u=$(unit perx86uname "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/uname -m" "Personality=x86" \
                "[Isolation]" "SystemCallFilter=~personality")
        run_cell none "$u"
        expect "Personality=x86: uname -m, personality(2) denied" "$status:$(cat "$work/out")" "0:i686"
        u=$(unit perx8664 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/uname -m" "Personality=x86-64")
        run_cell none "$u"
        expect "Personality=x86-64: uname -m" "$status:$(cat "$work/out")" "0:x86_64"
        u=$(unit perexec "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes" \
                "Personality=x86" "Nice=7")
        start_cell none "$u"
        out=$("$CELL" exec "$(unit_name perexec)" /bin/uname -m) || fail "cell exec failed"
        # Signals the caller of cell exec ignores are not ignored by its command,
        # nor those it blocks blocked.
        trap '' PIPE USR1 HUP INT QUIT RTMIN+2
        env --block-signal=USR2,WINCH,ALRM "$CELL" exec "$(unit_name perexec)" /bin/probe > "$work/exec.json" ||
                fail "cell exec probe failed"
        trap - PIPE USR1 HUP INT QUIT RTMIN+2
        # A SIGCHLD its caller ignores does not cost cell exec the command's status.
        chld=0
        bash -c 'trap "" CHLD; exec "$0" exec "$1" /bin/sh -c "exit 7"' "$CELL" "$(unit_name perexec)" || chld=$?
        stop_cell
        expect "cell exec under Personality=x86: uname -m" "$out" i686
        expect "cell exec: SigIgn" "$(field SigIgn "$work/exec.json")" 0000000000000000
        expect_match "cell exec: SigBlk" "$(field state "$work/exec.json")" '^\{"sigblk": "0000000000000000", '
        expect "cell exec: status, SIGCHLD ignored by the caller" "$chld" 7
        # The scheduling keys are the payload's, not cell exec's command's.
        expect "cell exec: cell exec's own scheduling" "$(field sched "$work/exec.json")" "${host_sched/\"personality\": $personality, \"machine\": \"x86_64\"/\"personality\": 8, \"machine\": \"i686\"}"
fi

# NoNewPrivileges=no: the payload may gain privileges only where it holds
# CAP_SYS_ADMIN; without it the kernel takes the filter only with
# no_new_privs, which the plan then says too.
for caps in "" CAP_SYS_ADMIN; do
        u=$(unit "nnp$caps" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" \
                "[Isolation]" "NoNewPrivileges=no" ${caps:+"Capability=$caps"})
        run_cell none "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (NoNewPrivileges=no $caps) exited $status"; }
        compare_with_plan "$u"
        expect "NoNewPrivileges=no $caps" "$(field NoNewPrivs)" "$([ -n "$caps" ] && echo 0 || echo 1)"
        expect "NoNewPrivileges=no $caps: Seccomp" "$(field Seccomp)" 2
done

# What a denied call does, as systemd 252 takes it: SystemCallErrorNumber=
# (EPERM by default), ":0" success without the call, ":kill" and
# SystemCallErrorNumber=kill death by SIGSYS (128+31). Root without
# CAP_SYS_ADMIN: sethostname() would fail with EPERM anyway.
sethost() {
        unit "$1" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'hostname other && hostname'" \
                "Hostname=inside" "[Isolation]" "${@:2}"
}
run_cell none "$(sethost sethostzero "SystemCallFilter=~sethostname:0")"
expect "~sethostname:0" "$status:$(cat "$work/out")" "0:inside"
run_cell none "$(sethost sethostkill "SystemCallFilter=~sethostname:kill")"
expect "~sethostname:kill" "$status:$(cat "$work/out")" "159:"
run_cell none "$(sethost sethostallowkill "SystemCallFilter=@system-service" "SystemCallErrorNumber=kill")"
expect "allow list, SystemCallErrorNumber=kill" "$status:$(cat "$work/out")" "159:"
run_cell none "$(sethost sethostenosys "SystemCallFilter=~sethostname" "SystemCallErrorNumber=ENOSYS")"
expect "SystemCallErrorNumber=ENOSYS" "$status:$(cat "$work/out")" "1:"
grep -q 'sethostname: Function not implemented' "$work/err" || fail "ENOSYS: $(cat "$work/err")"

# An allow list that a "~" line empties is still one, as in systemd: only
# @default is left, so echo cannot write().
run_cell none "$(unit emptyallow "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/echo hello" \
        "[Isolation]" "SystemCallFilter=write" "SystemCallFilter=~write")"
expect "allow list emptied by ~write: stdout" "$(cat "$work/out")" ""
run_cell none "$(unit allownowrite "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/echo hello" \
        "[Isolation]" "SystemCallFilter=write" "SystemCallFilter=~read")"
expect "allow list with write: stdout" "$status:$(cat "$work/out")" "0:hello"

# Root, with the defaults: the whole bounding set effective, no groups.
u=$(unit root "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
before=$(cut -d. -f1 /proc/uptime)
run_cell none "$u"
after=$(cut -d. -f1 /proc/uptime)
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run (root) exited $status"; }
compare_with_plan "$u"
expect "root CapBnd" "$(field CapBnd)" 00000000a00425fb
expect "root CapEff" "$(field CapEff)" 00000000a00425fb
expect "root CapInh" "$(field CapInh)" 0000000000000000
expect "root uid" "$(field uid)" 0
expect "root hostname" "$(field hostname)" "$(unit_name root)"
expect "root cwd" "$(field cwd)" /
expect "root Umask" "$(field Umask)" 0022
expect_match "root HOME" "$(field environment)" '"HOME=/root"'
# No PrivateTime=: the host's uptime, read between the host's before and
# after the run (a loaded machine may take seconds over the run).
inside=$(field uptime); inside=${inside%%.*}
[ "$inside" -ge "$before" ] && [ "$inside" -le "$after" ] ||
        fail "uptime without PrivateTime=: $inside, host $before..$after"
echo "ok"
