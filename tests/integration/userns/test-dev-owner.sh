#!/bin/bash
# /dev's own file systems, owned as nspawn's: the container's devpts gives
# its ptys to group tty, GID 5 (nspawn's gid=TTY_GID; under PrivateUsers=
# the host's BASE+5, whether or not the image's /etc/group names it), and
# the roots of /dev/pts and /dev/mqueue belong to the container's root,
# PrivateUsers= or not (they were nobody's: the host's root mounted them,
# and mqueue's root is the IPC namespace's maker's). A range too small to
# map GID 5 has no gid=: the pty's group is its opener's, never nobody's.
# cell run --console='s /dev/console is 0600, its user's alone, as
# nspawn's (group tty must not write to it). cell exec on a terminal into a
# PrivateUsers= cell with a User= gets a pty of that user's (it failed:
# "giving the pty to UID 1000").
. "$(dirname "$0")/../run/lib.sh"

command -v script >/dev/null || { echo "skipped: no script(1) (bsdutils)"; exit 77; }

# on_tty CMD...: CMD on a fresh pty (script(1)), its output in $work/tty
# without \r; sets $status.
on_tty() {
        status=0
        timeout 20 script -qefc "$(printf '%q ' "$@")" /dev/null </dev/null >"$work/tty" 2>&1 || status=$?
        sed -i 's/\r$//' "$work/tty"
}

# What the payload shows (a script in the root: no specifiers, no
# variables of the unit's): owner, group and mode of each, its devpts's
# mount options, the base of its GID map.
cat > "$root/bin/show-dev" <<'SHOW'
for f in /dev/pts /dev/pts/ptmx /dev/mqueue /dev/shm /dev/console "$(tty)"; do
        [ -e "$f" ] && echo "$f" $(stat -c "%u %g %a" "$f")
done
echo "devpts $(grep " /dev/pts " /proc/self/mountinfo | sed "s/.* - devpts devpts //")"
echo "gid-base $(awk '{ print $2 }' /proc/self/gid_map)"
SHOW

# line WHAT: the payload's line for WHAT (its first word), without it.
# (script(1) writes an EOF character to its pty when its stdin ends, which
# the pty may echo as "^@" before the first line.)
line() {
        sed -n "s|^\(\^@\)*$1 ||p" "$work/tty" | head -n1
}

# console_case NAME ISOLATION-LINE [EXEC-LINE...]: the payload on cell
# run --console=interactive, on a terminal.
console_case() {
        local name=$1 iso=$2 u
        shift 2
        u=$(unit "$name" "[Root]" "Directory=$root" "[Isolation]" "$iso" "[Exec]" "Exec=/bin/sh /bin/show-dev" "$@")
        on_tty "$CELL" run --cgroup-manager=none --console=interactive "$u"
        expect "$name: status ($(cat "$work/tty"))" "$status" 0
}

expect_tree_root() {
        expect "$1: /dev/pts" "$(line /dev/pts)" "0 0 755"
        expect "$1: /dev/pts/ptmx" "$(line /dev/pts/ptmx)" "0 0 666"
        expect "$1: /dev/mqueue" "$(line /dev/mqueue)" "0 0 1777"
        expect "$1: /dev/shm" "$(line /dev/shm)" "0 0 1777"
}

host_snapshot before

# --- No user namespace: gid=5 as written, the pty (/dev/console) root's,
# group tty, but 0600: the console is its user's alone, as nspawn's.
console_case plain "PrivateUsers=no"
expect_tree_root plain
expect "plain: /dev/console" "$(line /dev/console)" "0 5 600"
expect "plain: its pty" "$(line /dev/pts/0)" "0 5 600"
expect_match "plain: devpts options" "$(line devpts)" "(^|,)gid=5(,|$)"

# --- PrivateUsers=pick: the same inside; the host's GID BASE+5 outside.
console_case picked "PrivateUsers=pick"
expect_tree_root picked
expect "picked: /dev/console" "$(line /dev/console)" "0 5 600"
expect "picked: its pty" "$(line /dev/pts/0)" "0 5 600"
base=$(line gid-base)
[ "${base:-0}" -ge 524288 ] || fail "picked: no range: $(cat "$work/tty")"
expect_match "picked: devpts options" "$(line devpts)" "(^|,)gid=$((base + 5))(,|$)"

# A User=: the console is the user's (as login(1) makes a tty).
console_case pickeduser "PrivateUsers=pick" "User=test"
expect "picked, User=test: /dev/console" "$(line /dev/console)" "1000 5 600"

# --- A range of 3 IDs maps no GID 5: no gid=, the pty's group is root's
# (its opener's), not nobody's.
console_case small "PrivateUsers=2130706432:3"
expect_tree_root small
expect "small range: /dev/console" "$(line /dev/console)" "0 0 600"
expect "small range: gid base" "$(line gid-base)" 2130706432
[[ ! $(line devpts) =~ (^|,)gid= ]] || fail "small range: a gid= it does not map: $(line devpts)"

# --- cell exec on a terminal into a PrivateUsers= cell whose User= is not
# root: a pty of the container's, the user's, group tty.
u=$(unit execuser "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/probe sleep 60 $marker" "User=test" "Init=yes")
name=$(unit_name execuser)
start_cell none "$u"
on_tty "$CELL" exec "$name" /bin/sh /bin/show-dev
expect "exec, User=test: status ($(cat "$work/tty"))" "$status" 0
expect "exec, User=test: its pty" "$(line /dev/pts/0)" "1000 5 620"
stop_cell

expect_nothing_left
echo ok
