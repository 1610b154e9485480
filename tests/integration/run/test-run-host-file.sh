#!/bin/bash
# A file bound at /run/host (or a read-only directory there): cell makes
# the notify socket there, and with credentials their directory, after the
# unit's mounts, and cannot ("Not a directory"). The plan cannot tell a file
# from a directory (a host directory there is documented and fine); the
# start names the Bind= line that holds the path, exit status 2, and leaves
# the host's file, mounts and cgroups as they were.
. "$(dirname "$0")/lib.sh"

echo mine > "$work/hostfile"
mkdir -p "$work/rodir"
host_snapshot before

# expect_named NAME UNIT WHAT: the start of UNIT fails, exit 2, naming the
# Bind= at line 3 of UNIT and WHAT (the path cell could not make).
expect_named() {
        local name=$1 u=$2 what=$3
        run_cell none "$u"
        expect "$name: exit status ($(cat "$work/err"))" "$status" 2
        grep -qF "$u:3: Bind=$4:/run/host: holds $what, which cell makes after the unit's mounts: " "$work/err" ||
                fail "$name: the Bind= line not named: $(cat "$work/err")"
}

# --- With credentials: their directory fails first.
u=$(unit creds "[Root]" "Directory=$root" "Bind=$work/hostfile:/run/host" "[Exec]" "Exec=/bin/true" \
        "SetCredential=token:secret")
expect_named credentials "$u" /run/host/credentials "$work/hostfile"
grep -q "Not a directory" "$work/err" || fail "credentials: the cause not said: $(cat "$work/err")"

# --- Without: the notify socket, which every container has.
u=$(unit notify "[Root]" "Directory=$root" "Bind=$work/hostfile:/run/host" "[Exec]" "Exec=/bin/true")
expect_named notify "$u" /run/host/notify "$work/hostfile"

# --- A read-only directory bound there: the same, for the socket.
u=$(unit rodir "[Root]" "Directory=$root" "BindReadOnly=$work/rodir:/run/host" "[Exec]" "Exec=/bin/true")
run_cell none "$u"
expect "read-only: exit status ($(cat "$work/err"))" "$status" 2
grep -qF "$u:3: BindReadOnly=$work/rodir:/run/host: holds /run/host/notify" "$work/err" ||
        fail "read-only: the line not named: $(cat "$work/err")"

expect "the host's file" "$(cat "$work/hostfile")" mine
expect "the read-only directory" "$(ls -A "$work/rodir")" ""
expect_nothing_left
echo ok
