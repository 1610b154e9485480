#!/bin/bash
# cell exec into a PrivateUsers= cell becomes the root of the cell's user
# namespace right after joining it, as the payload does (and nsenter, and
# systemd's namespace_enter()), before any step of its own: it stayed the
# host's root, an ID not mapped there (nobody inside), until User= was
# applied. As that:
#  - the PATH lookup (access(2), which drops every capability for a real
#    UID that is not the namespace's root) found no command in a directory
#    only the container's root may enter: exit 127, "not found";
#  - the capabilities setns() gave stayed effective across the change to
#    User= (only a change away from the namespace's root clears them), so
#    that the command entered a WorkingDirectory= its user may not enter,
#    which the payload of the same unit cannot.
# And it takes the user namespace the cell has for the one it joins, not
# the one the unit says now (CAP_MKNOD, below).
. "$(dirname "$0")/../run/lib.sh"

# make-root's /root is 0700, the container's root's: a command there.
mkdir -p "$root/root/bin"
printf '#!/bin/sh\necho "tool ran as $(id -u)"\n' > "$root/root/bin/tool"
chmod 755 "$root/root/bin" "$root/root/bin/tool"

# start NAME LINES...: cell run of unit NAME ([Root], PrivateUsers=pick, a
# payload that sleeps, then LINES in [Exec]) in the background (start_cell);
# returns once cell exec reaches it. Sets $u, $name and $runpid.
start() {
        local n=$1
        shift
        u=$(unit "$n" "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
                "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes" "$@")
        name=$(unit_name "$n")
        start_cell none "$u"
}

# exec_in NAME CMD...: cell exec, stdout in $work/out, stderr in $work/err; sets $status.
exec_in() {
        status=0
        timeout 20 "$CELL" exec "$@" >"$work/out" 2>"$work/err" </dev/null || status=$?
}

host_snapshot before

# --- The PATH lookup as the container's root: /root/bin is found.
start path "Environment=PATH=/root/bin:/usr/bin:/bin"
exec_in "$name" tool
expect "PATH in /root: status ($(cat "$work/err"))" "$status" 0
expect "PATH in /root: output" "$(cat "$work/out")" "tool ran as 0"
# The identity the command has, in the container's terms: root, no
# supplementary group of the host's (nobody's inside).
exec_in "$name" /bin/sh -c 'id -u; id -g; id -G'
expect "root's ids ($(cat "$work/err"))" "$(echo $(cat "$work/out"))" "0 0 0"
stop_cell

# --- User=test and a WorkingDirectory= it may not enter (/root, 0700):
# with "-", the payload starts in "/", and so does the command.
run_cell none "$(unit wdpayload "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/pwd" "User=test" "WorkingDirectory=-/root")"
expect "payload, WorkingDirectory=-/root: status ($(cat "$work/err"))" "$status" 0
expect "payload, WorkingDirectory=-/root: cwd" "$(cat "$work/out")" "/"
start wd "User=test" "WorkingDirectory=-/root"
exec_in "$name" pwd
expect "exec, WorkingDirectory=-/root: status ($(cat "$work/err"))" "$status" 0
expect "exec, WorkingDirectory=-/root: cwd" "$(cat "$work/out")" "/"
# Without "-" (the unit as it is now, cell exec reads it again): refused,
# as the payload's start is, naming the key.
sed -i 's|^WorkingDirectory=-/root$|WorkingDirectory=/root|' "$u"
exec_in "$name" pwd
expect "exec, WorkingDirectory=/root: status ($(cat "$work/out"))" "$status" 2
grep -q "^cell: $name: $u:[0-9]*: WorkingDirectory=/root: .*Permission denied" "$work/err" ||
        fail "exec, WorkingDirectory=/root: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "exec, WorkingDirectory=/root: the command ran: $(cat "$work/out")"
stop_cell

# --- The user namespace the cell has, not the one its unit says now: a
# cell started without PrivateUsers= and without a device policy (no
# cgroup) withholds CAP_MKNOD from its payload, and from a command of cell
# exec also once PrivateUsers= was added to the unit (exec took the unit's
# word for a user namespace the command would not be in, and gave it
# CAP_MKNOD in the host's).
u=$(unit mknod "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes")
name=$(unit_name mknod)
start_cell none "$u"
grep -q "CAP_MKNOD is withheld" "$work/run.err" || fail "mknod: the payload kept CAP_MKNOD: $(cat "$work/run.err")"
# has_mknod: whether the bounding set of a command of cell exec has CAP_MKNOD.
has_mknod() {
        exec_in "$name" /bin/sh -c 'grep ^CapBnd: /proc/self/status'
        expect "mknod: status ($(cat "$work/err"))" "$status" 0
        bnd=$(awk '{ print $2 }' "$work/out")
        [ $(((0x${bnd:-0} >> 27) & 1)) = 1 ]
}
# (Where the caller's own cgroup has a device policy, cell exec may keep it.)
if has_mknod; then
        echo "CAP_MKNOD case skipped: the cgroup cell exec found has a device policy"
else
        printf '[Isolation]\nPrivateUsers=pick\n' >> "$u"
        ! has_mknod || fail "mknod, PrivateUsers= added to the unit: CAP_MKNOD in the bounding set: $bnd"
fi
stop_cell

expect_nothing_left
echo ok
