#!/bin/bash
# A mount of the unit's at /dev/console against the console's pty, which
# cell binds there after the unit's mounts (every --console= but pipe):
# TemporaryFileSystem=/dev/console and a Bind= of a file there passed "cell
# verify" and failed the start as "creating /dev/console: File exists",
# naming no line; an Inaccessible= there was covered by the pty unseen.
# Each is refused before anything is made, naming its line; with
# --console=pipe (no console) it is the unit's own.
. "$(dirname "$0")/lib.sh"

echo "the unit's console" > "$work/console"
n=0
for key in "TemporaryFileSystem=/dev/console" "Bind=$work/console:/dev/console" "Inaccessible=/dev/console" \
           "BindReadOnly=$work/console:/dev/console/x"; do
        n=$((n + 1))
        u=$(unit "console$n" "[Root]" "Directory=$root" "$key" "[Exec]" "Exec=/bin/true")
        "$CELL" verify "$u" 2>"$work/err" || fail "$key: refused by verify: $(cat "$work/err")"
        host_snapshot before
        # passive: a console with no terminal needed.
        status=0
        timeout 20 "$CELL" run --cgroup-manager=none --console=passive "$u" >"$work/out" 2>"$work/err" || status=$?
        expect "$key with a console: status ($(cat "$work/err"))" "$status" 2
        grep -qF "$u:3: $key: cell binds the console's pty over /dev/console (--console=passive) after the unit's" \
                "$work/err" || fail "$key with a console: not named: $(cat "$work/err")"
        expect_nothing_left
done
expect "the image's /dev after the refused starts" "$(ls -A "$root/dev")" ""

# Without a console the unit's mount is there, as written.
u=$(unit pipe "[Root]" "Directory=$root" "BindReadOnly=$work/console:/dev/console" \
        "[Exec]" "Exec=/bin/cat /dev/console")
status=0
timeout 20 "$CELL" run --cgroup-manager=none --console=pipe "$u" >"$work/out" 2>"$work/err" || status=$?
expect "BindReadOnly= at /dev/console with --console=pipe: status ($(cat "$work/err"))" "$status" 0
expect "BindReadOnly= at /dev/console with --console=pipe" "$(cat "$work/out")" "the unit's console"
