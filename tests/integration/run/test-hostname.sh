#!/bin/bash
# Hostname= and ProtectHostname= seen from inside: the default host name is
# the unit's name made one (a template instance's "@" a "-", as its machine
# name), Hostname= replaces it, and with ProtectHostname=yes a payload given
# CAP_SYS_ADMIN cannot rename the container by sethostname(2) nor, with
# PrivateUsers=, through /proc/sys/kernel/hostname (its read-only /proc/sys
# is locked to it).
. "$(dirname "$0")/lib.sh"

show='Exec=/bin/sh -c "hostname; cat /proc/sys/kernel/hostname"'

run_cell none "$(unit dflt "[Root]" "Directory=$root" "[Exec]" "$show")"
expect "default: status" "$status" 0
expect "default: the unit's name" "$(cat "$work/out")" "$(unit_name dflt)
$(unit_name dflt)"

# A template instance's name, as --name gives it: "@" and "_" become "-".
status=0
timeout 20 "$CELL" run --cgroup-manager=none --name="$(unit_name inst)@a_b" \
        "$(unit inst "[Root]" "Directory=$root" "[Exec]" "$show")" >"$work/out" 2>"$work/err" || status=$?
expect "instance: status" "$status" 0
expect "instance: mapped" "$(head -n1 "$work/out")" "$(unit_name inst)-a-b"

run_cell none "$(unit named "[Root]" "Directory=$root" "[Exec]" "$show" "Hostname=web-1.example")"
expect "Hostname=: status" "$status" 0
expect "Hostname=: set" "$(head -n1 "$work/out")" "web-1.example"

# ProtectHostname=yes with CAP_SYS_ADMIN in the container's own user
# namespace: sethostname() fails, /proc/sys cannot be made writable, and
# the name stays.
rename='Exec=/bin/sh -c "hostname evil1 && echo renamed; mount -o remount,rw /proc/sys && echo remounted;
echo evil2 > /proc/sys/kernel/hostname && echo written; hostname"'
run_cell none "$(unit prot "[Root]" "Directory=$root" "[Exec]" "${rename//$'\n'/ }" \
        "Hostname=kept" "[Isolation]" "ProtectHostname=yes" "PrivateUsers=pick" "Capability=CAP_SYS_ADMIN")"
expect "ProtectHostname=yes, PrivateUsers=pick: status" "$status" 0
expect "ProtectHostname=yes, PrivateUsers=pick: the name" "$(cat "$work/out")" "kept"

# The same without ProtectHostname=: the container may rename itself (in
# its own UTS namespace), which is what the key takes away.
run_cell none "$(unit free "[Root]" "Directory=$root" "[Exec]" "${rename//$'\n'/ }" "Hostname=kept" \
        "[Isolation]" "PrivateUsers=pick" "Capability=CAP_SYS_ADMIN")"
expect "PrivateUsers=pick alone: status" "$status" 0
expect "PrivateUsers=pick alone: renamed" "$(head -n1 "$work/out")" "renamed"
[ "$(hostname)" != evil1 ] || fail "the host was renamed"

echo "ok"
