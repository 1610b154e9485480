#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "cell verify|plan --drop-in=UNIT FILE": a FILE that is a directory, or any
# other file but a regular one or /dev/null (a FIFO, as "<(...)" gives), is
# a mistake in the command, as one that does not exist: exit 2, naming the
# FILE, and nothing checked. A directory was checked as the unit's drop-in and
# the unit called invalid (exit 1, "1 unit checked: 0 valid, 1 invalid").
#
#   test-drop-in-arg.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n' >"$CELL_UNIT_PATH/web.cell"
printf '[Limits]\nTasksMax=5\n' >"$tmp/ok.conf"
mkdir "$tmp/dir.conf"
mkfifo "$tmp/fifo.conf"

for verb in verify plan; do
        expect 2 "$verb: a directory as the drop-in" -- "$cell" $verb --drop-in=web "$tmp/dir.conf"
        grep -qx "cell: $tmp/dir.conf: cannot use it as a drop-in of web: Is a directory" "$tmp/err" ||
                fail "$verb: a directory as the drop-in: not said: $(cat "$tmp/err")"
        grep -q "unit checked" "$tmp/err" && fail "$verb: a directory as the drop-in: the unit was checked"
        [ -s "$tmp/out" ] && fail "$verb: a directory as the drop-in: printed $(cat "$tmp/out")"
        # Also after a good one, with :NAME.conf, and as a symlink to it.
        expect 2 "$verb: a directory after a drop-in" -- "$cell" $verb -d web "$tmp/ok.conf" "$tmp/dir.conf"
        expect 2 "$verb: a directory as NAME.conf" -- "$cell" $verb -d web:x.conf "$tmp/dir.conf"
        ln -sfn "$tmp/dir.conf" "$tmp/link.conf"
        expect 2 "$verb: a symlink to a directory" -- "$cell" $verb -d web "$tmp/link.conf"
        grep -q "link.conf: cannot use it as a drop-in of web: Is a directory" "$tmp/err" ||
                fail "$verb: a symlink to a directory: not said: $(cat "$tmp/err")"
        # A FIFO would be read as a drop-in of no key, or wait for a writer.
        expect 2 "$verb: a FIFO" -- timeout 10 "$cell" $verb -d web "$tmp/fifo.conf"
        grep -q "fifo.conf: cannot use it as a drop-in of web: not a regular file" "$tmp/err" ||
                fail "$verb: a FIFO: not said: $(cat "$tmp/err")"
done

# What still goes: a regular file, /dev/null and a symlink to it (masked).
expect 0 "a regular drop-in" -- "$cell" verify -d web "$tmp/ok.conf"
expect 0 "/dev/null as the drop-in" -- "$cell" verify -d web /dev/null
grep -q "/dev/null: warning: drop-in is masked" "$tmp/err" || fail "/dev/null: not said to be masked"
ln -s /dev/null "$tmp/null.conf"
expect 0 "a symlink to /dev/null" -- "$cell" verify -d web:x.conf "$tmp/null.conf"
expect 2 "another device" -- "$cell" verify -d web /dev/zero

exit $failed
