#!/bin/bash
# Escape classes that test-escape.sh leaves out, each tried against cell
# itself. CELL_TEST_FULL=1 runs the loops 200 times instead of 20.
. "$(dirname "$0")/lib.sh"

loops=20
[ -n "${CELL_TEST_FULL:-}" ] && loops=200
helper=
trap 'status=$?; set +e; [ -z "$helper" ] || { kill -KILL "$helper"; wait "$helper"; } 2>/dev/null; (exit $status); cleanup' EXIT

# The container's default capability set (plan.c), for a host process that
# stands where the payload stands: uid 0 with these, no CAP_SYS_PTRACE.
container_caps=+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,+setuid,+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write
as_container() {
        setpriv --bounding-set=-all,$container_caps --inh-caps=-all --no-new-privs "$@"
}

u=$(unit esc2 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
ui=$(unit esc2init "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=yes")

# --- CVE-2019-5736 at any moment of setup. From clone to execve the
# container's init runs cell's binary, and a handle on /proc/PID/exe is all
# the exploit needs (it reopens it for writing once cell exits). The payload
# itself cannot run before exec, so the attacker stands outside: a host
# process with exactly the payload's credentials (uid 0, the container's
# capability set, no CAP_SYS_PTRACE) polls open(/proc/C/exe) for every child
# and grandchild of cell, from the moment it appears to cell's exit, and
# checks by device and inode whether what it got is cell's binary. It sees
# more than the payload would (all PIDs, not just its namespace's), so a
# denial here is a denial there. Both guards count: non-dumpable, and the
# kernel's rule that a tracer needs a superset of the target's capabilities.
# The control: the same watcher does open the payload's binary after exec
# (the probe, dumpable) -- the method can see an open when there is one.
cell_bin=$(realpath "$CELL")
denied=0 opened=0
for i in $(seq "$loops"); do
        case $((i % 3)) in
        0) m=none; uu=$u ;;
        1) m=cgroupfs; uu=$u ;;
        *) m=cgroupfs; uu=$ui ;;      # Init=yes: PID 1 stays cell's code
        esac
        "$CELL" run --cgroup-manager=$m "$uu" -- /bin/probe sleep 0 >/dev/null 2>"$work/err" &
        pid=$!
        w=$(as_container "$PROBE" exe-watch "$pid" "$cell_bin")
        wait "$pid" || fail "5736 start $i ($m): cell exited $?: $(cat "$work/err")"
        [[ $w =~ \"cell\":\ ([0-9]+) ]] || fail "5736: watcher said $w"
        [ "${BASH_REMATCH[1]}" = 0 ] || fail "5736 start $i ($m, $uu): a process in the container's position opened cell's binary: $w"
        [[ $w =~ \"denied\":\ ([0-9]+) ]] && denied=$((denied + BASH_REMATCH[1]))
        [[ $w =~ \"other\":\ ([0-9]+) ]] && opened=$((opened + BASH_REMATCH[1]))
done
[ "$denied" -gt 0 ] || fail "5736: the watcher never caught a start during setup"
[ "$opened" -gt 0 ] || fail "5736: the watcher never opened the payload's binary: the method is blind"
echo "5736: $loops starts, $denied opens of cell's binary denied, 0 granted; $opened opens of the payload's binary (the control)"

# --- CVE-2024-21626 with a busy supervisor: cell has its cgroup dirs open
# (cgroupfs), and the test adds a file, a cgroup directory and the unit file;
# the cwd is a host directory. Inside: fds 0-2 only, and the cwd is "/".
mkdir -p "$work/host-cwd"
exec 7</etc/passwd 8</sys/fs/cgroup 9<"$u"
cd "$work/host-cwd"
run_cell cgroupfs "$u"
cd /
exec 7<&- 8<&- 9<&-
expect "21626 status" "$status" 0
expect_match "21626 fds" "$(field fds)" '^\{"0": "[^"]*", "1": "[^"]*", "2": "[^"]*"\}$'
expect "21626 cwd" "$(field cwd)" /
# The same with Init=yes: the payload is the reaper's child.
exec 7</etc/passwd 8</sys/fs/cgroup 9<"$ui"
run_cell cgroupfs "$ui"
exec 7<&- 8<&- 9<&-
expect "21626 Init=yes status" "$status" 0
expect_match "21626 Init=yes fds" "$(field fds)" '^\{"0": "[^"]*", "1": "[^"]*", "2": "[^"]*"\}$'

# --- CVE-2021-30465: a Bind= target whose parent flips between a directory
# and a symlink to "/" while cell starts. Either the start is refused with a
# message, or the bind lands inside the root; the host's mount table never
# changes, and nothing appears on the host where the link points.
mkdir -p "$work/src" "$root/flip"
touch "$work/src/srcmark" "$root/rootmark" "$work/host-only-mark"
ln -s ../../../../../../../../.. "$root/flip-alt"
tgt=$marker
ub=$(unit esc2bind "[Root]" "Directory=$root" "Bind=$work/src:/flip/$tgt" "[Exec]" "Exec=/bin/probe")
host_snapshot before
work_listing() { ls -a "$work" | grep -vx -e out -e err -e 'ls\..*' || true; }
work_listing > "$work/ls.before"
"$PROBE" exchange "$root/flip" "$root/flip-alt" &
helper=$!
started=0 refused=0
for i in $(seq "$loops"); do
        # Where the bind is depends on the moment: the directory it was
        # mounted on keeps flipping between /flip and /flip-alt (or it was
        # /$tgt, through the link resolved inside the root). One read of
        # mountinfo says where it is now; it lists only what is reachable
        # from the container's root.
        run_cell none "$ub" -- /bin/sh -c "test -e /rootmark && echo root
                awk '\$4 ~ /\/src\$/ { print \$5 }' /proc/self/mountinfo
                test -e $work/host-only-mark && echo host; true"
        if [ "$status" = 0 ]; then
                expect_match "30465 start $i: inside" "$(tr '\n' ' ' < "$work/out")" "^root /(flip/|flip-alt/|)$tgt \$"
                started=$((started + 1))
        else
                [ "$status" = 2 ] || fail "30465 start $i: exit $status: $(cat "$work/err")"
                [ -s "$work/err" ] || fail "30465 start $i: refused without a message"
                refused=$((refused + 1)); why=$(grep -v "Running without a cgroup" "$work/err" | head -n1)
        fi
        [ ! -e "/$tgt" ] || fail "30465: /$tgt appeared on the host"
done
kill -KILL "$helper"; wait "$helper" 2>/dev/null || true; helper=
work_listing > "$work/ls.after"
diff -u "$work/ls.before" "$work/ls.after" >&2 || fail "30465: the work dir changed outside the root"
expect_nothing_left
echo "30465: $loops starts with the target flipping: $started ran inside, $refused refused (${why:-}); host mount table unchanged"
# (A refusal is the kernel's EAGAIN: a rename raced with every one of
# cell's walks; how many depends on the scheduling, not only on cell.)

# --- ptrace: the supervisor is not in the container's PID namespace (its
# host PID names nothing there), and with Init=yes PID 1 -- cell's reaper,
# non-dumpable, holding more capabilities -- refuses even root inside.
sh -c 'exec "$0" run --cgroup-manager=none "$1" -- /bin/probe ptrace $$' "$CELL" "$u" > "$work/out" 2>"$work/err" || fail "ptrace run: $(cat "$work/err")"
expect "ptrace the supervisor's PID" "$(cat "$work/out")" '{"ptrace": 3}'
run_cell none "$ui" -- /bin/probe ptrace 1
expect "ptrace the Init=yes reaper" "$(cat "$work/out")" '{"ptrace": 1}'

# --- Dropped capabilities are really gone: what each one allows, with it
# (works) and with DropCapability= (EPERM). With cgroupfs: its device filter
# lets 1:3 through, and without one CAP_MKNOD would be withheld.
touch "$root/var/tmp/capfile"
run_cell cgroupfs "$u" -- /bin/probe caps /var/tmp/capfile
expect "caps kept" "$(cat "$work/out")" '{"net_raw": 0, "mknod": 0, "chroot": 0, "chown": 0}'
expect "chown really happened" "$(stat -c %u "$root/var/tmp/capfile")" 1000
chown 0:0 "$root/var/tmp/capfile"
ud=$(unit esc2drop "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" \
        "DropCapability=CAP_NET_RAW CAP_MKNOD CAP_SYS_CHROOT CAP_CHOWN")
run_cell none "$ud" -- /bin/probe caps /var/tmp/capfile
expect "caps dropped" "$(cat "$work/out")" '{"net_raw": 1, "mknod": 1, "chroot": 1, "chown": 1}'
expect "chown did not happen" "$(stat -c %u "$root/var/tmp/capfile")" 0

# --- A hostile image's /etc/passwd, which cell reads with the host's
# privileges -- and cell exec too, while the container's root may have
# replaced it: a FIFO hung the start (or the admin's cell exec) for ever, a
# link to /dev/zero read until the host's memory ran out (here a MemoryMax=
# holds it, the setup runs in the cgroup). Both refused at once, by name.
cp "$root/etc/passwd" "$work/passwd.saved"
upw=$(unit esc2pw "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "User=test" "[Limits]" "MemoryMax=64M")
for kind in fifo zero; do
        rm -f "$root/etc/passwd"
        if [ "$kind" = fifo ]; then mkfifo "$root/etc/passwd"; else ln -s /dev/zero "$root/etc/passwd"; fi
        run_cell cgroupfs "$upw"
        expect "passwd ($kind): status" "$status" 2
        grep -q "/etc/passwd is not a regular file (a device node, FIFO or socket), refusing to read it" \
                "$work/err" || fail "passwd ($kind): no clear message: $(cat "$work/err")"
done
rm -f "$root/etc/passwd"
cp "$work/passwd.saved" "$root/etc/passwd"
start_waiting esc2pwexec "Directory=$root"
wait_execable "$(unit_name esc2pwexec)" "$waiting" || fail "cell exec: did not run: $(cat "$work/out1")"
rm -f "$root/etc/passwd"
mkfifo "$root/etc/passwd"
status=0
timeout 20 "$CELL" exec "$(unit_name esc2pwexec)" true >"$work/out" 2>"$work/err" || status=$?
rm -f "$root/etc/passwd"
cp "$work/passwd.saved" "$root/etc/passwd"
expect "cell exec, passwd a FIFO: status" "$status" 2
grep -q "the container's /etc/passwd is not a regular file" "$work/err" ||
        fail "cell exec, passwd a FIFO: no clear message: $(cat "$work/err")"
end_waiting esc2pwexec
# --- cgroupfs from a user namespace (the class of CVE-2022-0492). Root of
# the host's user namespace, with no CAP_SYS_ADMIN, could make a user
# namespace and a cgroup namespace of its own and mount cgroupfs there:
# rooted at its cgroup in each v1 hierarchy (the host's root cgroup where
# the container has none, freezer, cpu, blkio... with the cgroupfs manager;
# cell's caller's with none), every file its own as UID 0 -- it could freeze
# any cgroup of the host, or lift its own TasksMax= and MemoryMax=, as here.
# Now unshare() with CLONE_NEWCGROUP fails with EPERM, and so for a command
# of cell exec; with PrivateUsers= it may, and its root owns no limit.
ucg=$(unit esc2cgns "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe cgroupns pids pids.max max" \
        "[Limits]" "TasksMax=16")
for m in cgroupfs none; do
        run_cell $m "$ucg"
        expect "cgroupns ($m): status" "$status" 0
        expect "cgroupns ($m): no cgroup namespace" "$(cat "$work/out")" '{"unshare": 1, "mount": -1, "write": -1}'
done
ucgx=$(unit esc2cgnsx "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 30")
start_cell none "$ucgx"
"$CELL" exec "$(basename "$ucgx" .cell)" /bin/probe cgroupns pids pids.max max >"$work/out" 2>"$work/err" ||
        fail "cgroupns, cell exec: $(cat "$work/err")"
stop_cell
expect "cgroupns, cell exec: no cgroup namespace" "$(cat "$work/out")" '{"unshare": 1, "mount": -1, "write": -1}'
ucgu=$(unit esc2cgnsu "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe cgroupns pids pids.max max" \
        "[Isolation]" "PrivateUsers=pick" "[Limits]" "TasksMax=16")
run_cell cgroupfs "$ucgu"
expect "cgroupns, PrivateUsers=pick: status" "$status" 0
expect "cgroupns, PrivateUsers=pick: mounted, the limit not its own" "$(cat "$work/out")" \
        '{"unshare": 0, "mount": 0, "write": 13}'
echo ok
